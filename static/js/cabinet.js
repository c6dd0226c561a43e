// Small progressive enhancements; every page works without them. No inline script (CSP).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    // Mobile navigation toggle.
    document.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
      var menu = document.getElementById(button.getAttribute("aria-controls"));
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", String(!open));
        if (menu) menu.classList.toggle("open", !open);
      });
    });
    // Selects that submit their form on change (the submit button stays for keyboard users).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // Confirmation prompts for irreversible actions: <button data-confirm="...">.
    document.addEventListener("click", function (event) {
      var el = event.target.closest("[data-confirm]");
      if (el && !window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
    // Dates typed and shown as jj/mm/aaaa (cabinet.widgets.FrenchDateInput): a button opens
    // the browser's own calendar on a hidden date input; the day chosen is written back in
    // French. Without JavaScript the field is typed by hand, as the placeholder says.
    function toIso(text) {
      var m = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/.exec(text);
      if (m) return m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2);
      m = /^\s*(\d{4}-\d{2}-\d{2})\s*$/.exec(text);
      return m ? m[1] : "";
    }
    document.querySelectorAll("input[data-date]").forEach(function (input) {
      if (input.disabled || input.readOnly) return;
      var wrap = document.createElement("span");
      wrap.className = "date-field";
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(input);
      var picker = document.createElement("input");
      picker.type = "date";
      picker.tabIndex = -1;
      picker.className = "date-field-picker";
      picker.setAttribute("aria-hidden", "true");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "date-field-button";
      button.title = input.getAttribute("data-date-label") || "";
      button.setAttribute("aria-label", button.title);
      button.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">' +
        '<rect x="3" y="5" width="18" height="16" rx="2" fill="none" stroke="currentColor" stroke-width="2"/>' +
        '<path d="M3 10h18M8 3v4M16 3v4" stroke="currentColor" stroke-width="2" fill="none"/></svg>';
      wrap.appendChild(picker);
      wrap.appendChild(button);
      button.addEventListener("click", function () {
        picker.value = toIso(input.value);
        if (typeof picker.showPicker === "function") {
          try { picker.showPicker(); return; } catch (e) { /* not allowed here: type the date */ }
        }
        input.focus();
      });
      picker.addEventListener("change", function () {
        var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(picker.value);
        if (!m) return;
        input.value = m[3] + "/" + m[2] + "/" + m[1];
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    // Print buttons.
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
