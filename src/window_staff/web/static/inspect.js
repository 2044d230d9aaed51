// The inspector's finding form keeps an offline draft: every change is saved to localStorage (per visit,
// photos excepted), restored on load, and cleared once the server confirmed the submit (?submitted=N).
(function () {
  "use strict";
  var form = document.getElementById("finding-form");
  if (!form) { return; }
  var key = "ws-inspect-draft-" + form.getAttribute("data-visit");
  var status = document.getElementById("draft-status");

  function say(text) { if (status) { status.textContent = text; } }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.type !== "submit" && el.type !== "button";
    });
  }

  function save() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (!data[el.name]) { data[el.name] = []; }
        if (el.checked) { data[el.name].push(el.value); }
      } else {
        data[el.name] = el.value;
      }
    });
    try {
      localStorage.setItem(key, JSON.stringify({ saved_at: new Date().toISOString(), fields: data }));
      say(form.getAttribute("data-saved-text"));
    } catch (e) { /* storage full or disabled: the form still works */ }
  }

  function restore() {
    var raw = null;
    try { raw = localStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var data;
    try { data = JSON.parse(raw).fields || {}; } catch (e) { return; }
    fields().forEach(function (el) {
      if (!(el.name in data)) { return; }
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) >= 0;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
    say(form.getAttribute("data-restored-text"));
  }

  if (form.getAttribute("data-submitted")) {
    try { localStorage.removeItem(key); } catch (e) { /* nothing to clear */ }
    var url = new URL(window.location.href);
    url.searchParams.delete("submitted");
    window.history.replaceState(null, "", url.pathname + url.search);
  } else {
    restore();
  }

  // Picking a person picks the window they are posted at.
  var person = document.getElementById("staff_id");
  var windowSelect = document.getElementById("window_id");
  if (person && windowSelect) {
    person.addEventListener("change", function () {
      var option = person.options[person.selectedIndex];
      var at = option && option.getAttribute("data-window");
      if (at) { windowSelect.value = at; }
    });
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  // Saved again on submit: if the network is down the browser shows its error page and the draft survives.
  form.addEventListener("submit", save);
})();
