// A search box above each long select marked data-searchable: typing filters its options.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-searchable]").forEach((select) => {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "aud-search";
    box.placeholder = "Rechercher…";
    box.setAttribute("aria-label", "Rechercher dans la liste");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", () => {
      const term = box.value.trim().toLowerCase();
      let first = null;
      for (const option of select.options) {
        const match = !term || option.value === "" || option.text.toLowerCase().includes(term);
        option.hidden = !match;
        if (match && option.value && !first) first = option;
      }
      if (term && first && (select.value === "" || select.selectedOptions[0].hidden)) {
        first.selected = true;
      }
    });
  });
});
