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
    // Print buttons.
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
