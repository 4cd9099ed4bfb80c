// Shows quorum live while attendance is taken. The page works without it:
// the server computes quorum again when the form is saved.
(function () {
  "use strict";
  var status = document.getElementById("quorum-status");
  if (!status) { return; }
  var needed = parseInt(status.getAttribute("data-needed"), 10) || 0;
  var sides = (status.getAttribute("data-sides") || "").split(" ").filter(Boolean);
  var names = { criminal_justice: "criminal justice", behavioural_health: "behavioural health",
                community: "community" };
  function update() {
    var here = 0;
    var present = {};
    document.querySelectorAll(".gt-member").forEach(function (member) {
      var checked = member.querySelector("input[type=radio]:checked");
      if (checked && (checked.value === "present" || checked.value === "designee")) {
        here += 1;
        present[member.getAttribute("data-side")] = true;
      }
    });
    var missing = sides.filter(function (side) { return !present[side]; });
    var words = here + " of " + needed + " needed present or represented";
    if (missing.length) {
      words += "; missing: " + missing.map(function (s) { return names[s] || s; }).join(", ");
    }
    status.textContent = (here >= needed && !missing.length ? "Quorum: " : "No quorum: ") +
      words + ".";
  }
  document.querySelectorAll(".gt-member input[type=radio]").forEach(function (input) {
    input.addEventListener("change", update);
  });
})();
