// Asks before leaving a form with unsaved changes (minutes, their action items).
// Progressive enhancement: without it the page works, it only does not ask.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-warn-unsaved]");
  if (!forms.length) { return; }
  var dirty = false;
  forms.forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.hasAttribute("data-leaves") && dirty &&
          !window.confirm("Leave without saving what you typed?")) {
        event.preventDefault();
        return;
      }
      dirty = false;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
})();
