// Correspondent picker: search as you type, choose with mouse or keyboard, create inline.
// The chosen entries are hidden inputs (name=<field>), rendered by the server on reload.
(function () {
  "use strict";
  function csrfToken(el) {
    var form = el.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function setup(root) {
    var name = root.dataset.name;
    var multiple = root.hasAttribute("data-multiple");
    var input = root.querySelector("[data-picker-input]");
    var results = root.querySelector("[data-picker-results]");
    var chosen = root.querySelector("[data-picker-chosen]");
    var create = root.querySelector("[data-picker-create]");
    var timer = null, active = -1, items = [];

    function chosenIds() {
      return Array.prototype.map.call(chosen.querySelectorAll("input[type=hidden]"), function (i) { return i.value; });
    }
    function choose(id, label) {
      if (chosenIds().indexOf(String(id)) !== -1) { close(); input.value = ""; return; }
      if (!multiple) chosen.innerHTML = "";
      var li = document.createElement("li");
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = name; hidden.value = id;
      var span = document.createElement("span"); span.textContent = label;
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "button-small"; remove.textContent = "×";
      remove.setAttribute("data-picker-remove", ""); remove.setAttribute("aria-label", root.getAttribute("data-label-remove") + " " + label);
      li.appendChild(hidden); li.appendChild(span); li.appendChild(document.createTextNode(" ")); li.appendChild(remove);
      chosen.appendChild(li);
      input.value = "";
      close();
      if (!multiple) input.hidden = true;
    }
    function close() { results.hidden = true; results.innerHTML = ""; active = -1; items = []; }
    function highlight(i) {
      items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (items[i]) items[i].scrollIntoView({ block: "nearest" });
    }
    function render(list, text) {
      results.innerHTML = ""; items = [];
      list.forEach(function (r) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.textContent = r.label;
        if (r.detail) { var s = document.createElement("small"); s.textContent = r.detail; li.appendChild(s); }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(r.id, r.label); });
        results.appendChild(li); items.push(li);
      });
      if (create && root.dataset.createUrl) {
        var li = document.createElement("li");
        li.className = "picker-new"; li.setAttribute("role", "option");
        li.textContent = root.getAttribute("data-label-create").replace("%s", text);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); openCreate(text); });
        results.appendChild(li); items.push(li);
      }
      results.hidden = items.length === 0;
    }
    function search() {
      var text = input.value.trim();
      if (text.length < 2) { close(); return; }
      fetch(root.dataset.searchUrl + "?q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === text) render(data.results, text); })
        .catch(function () { close(); });
    }
    function openCreate(text) {
      close();
      create.hidden = false;
      create.querySelector("[data-create-name]").value = text;
      create.querySelector("[data-create-name]").focus();
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    input.addEventListener("keydown", function (e) {
      if (results.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter") { e.preventDefault(); if (items[active]) items[active].dispatchEvent(new MouseEvent("mousedown")); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    chosen.addEventListener("click", function (e) {
      var b = e.target.closest("[data-picker-remove]");
      if (!b) return;
      b.closest("li").remove();
      input.hidden = false;
      input.focus();
    });
    if (create) {
      create.querySelector("[data-create-cancel]").addEventListener("click", function () { create.hidden = true; input.focus(); });
      create.querySelector("[data-create-submit]").addEventListener("click", function () {
        var body = new URLSearchParams();
        body.set("name", create.querySelector("[data-create-name]").value);
        body.set("kind", create.querySelector("[data-create-kind]").value);
        body.set("acronym", create.querySelector("[data-create-acronym]").value);
        body.set("country", create.querySelector("[data-create-country]").value);
        var error = create.querySelector("[data-create-error]");
        fetch(root.dataset.createUrl, {
          method: "POST", credentials: "same-origin", body: body,
          headers: { "X-CSRFToken": csrfToken(root), "Accept": "application/json" }
        }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
          .then(function (res) {
            if (res.ok) { create.hidden = true; error.hidden = true; choose(res.data.id, res.data.label); return; }
            var messages = [];
            Object.keys(res.data.errors || {}).forEach(function (k) { messages = messages.concat(res.data.errors[k]); });
            error.textContent = messages.join(" ") || root.getAttribute("data-label-failed");
            error.hidden = false;
          })
          .catch(function () { error.textContent = root.getAttribute("data-label-offline"); error.hidden = false; });
      });
    }
  }
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () { document.querySelectorAll("[data-picker]").forEach(setup); });
})();
