// The lead's plan form: only the chosen site's windows are shown (and a hidden site's ticks are cleared).
// Without this script every site's windows stay listed under the site's name, and the server refuses a window
// of another site.
(function () {
  "use strict";
  var site = document.getElementById("site_id");
  var groups = document.querySelectorAll("#plan-form .site-windows");
  if (!site || !groups.length) { return; }
  function show() {
    Array.prototype.forEach.call(groups, function (group) {
      var mine = group.getAttribute("data-site") === site.value;
      group.hidden = !mine;
      if (!mine) {
        Array.prototype.forEach.call(group.querySelectorAll("input[type=checkbox]"), function (box) { box.checked = false; });
      }
    });
  }
  site.addEventListener("change", show);
  show();
})();
