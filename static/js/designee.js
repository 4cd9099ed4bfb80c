// Shows a designee field only when "designee" is chosen next to it (RSVP, attendance).
// Without it every designee field shows; the server ignores one not needed.
(function () {
  "use strict";
  document.querySelectorAll(".gt-designee-field").forEach(function (field) {
    var group = field.closest("fieldset") || field.closest("form");
    if (!group) { return; }
    var choices = group.querySelectorAll("input[type=radio], select[name=answer]");
    function chosen() {
      for (var i = 0; i < choices.length; i += 1) {
        var c = choices[i];
        if (c.tagName === "SELECT") { return c.value; }
        if (c.checked) { return c.value; }
      }
      return "";
    }
    function update() { field.hidden = chosen() !== "designee"; }
    choices.forEach(function (c) { c.addEventListener("change", update); });
    update();
  });
})();
