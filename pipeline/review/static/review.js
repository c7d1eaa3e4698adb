// Progressive enhancement for the incident page: a click on a value (or an evidence number)
// highlights its evidence span and that span's sentence in the article text and scrolls them
// into view, without reloading. Without this script the same links reload with ?ev=N.
"use strict";

function showEvidence(n) {
  document.querySelectorAll(".active, .in-sentence").forEach(function (el) {
    el.classList.remove("active", "in-sentence");
  });
  var marks = document.querySelectorAll('mark[data-ev~="' + n + '"]');
  document.querySelectorAll('[data-sent~="' + n + '"]').forEach(function (el) {
    el.classList.add("in-sentence");
  });
  marks.forEach(function (el) { el.classList.add("active"); });
  if (marks.length) {
    marks[0].scrollIntoView({ block: "center" });
  }
  return marks.length > 0;
}

document.addEventListener("click", function (event) {
  var link = event.target.closest("a.evlink");
  if (!link) {
    return;
  }
  if (showEvidence(link.dataset.ev)) {
    event.preventDefault();
    history.replaceState(null, "", "?ev=" + link.dataset.ev + "#ev-" + link.dataset.ev);
  }
});
