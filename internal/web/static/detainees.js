// The review queue's keyboard shortcuts (detainees_review.html): J or ↓
// moves to the next pair, K or ↑ to the previous one, Y confirms the pair
// in focus as the same person, N rejects it. Without script the buttons do
// the same; the page comes back at the pair after the one just decided.
(function () {
  "use strict";
  function pairs() { return Array.prototype.slice.call(document.querySelectorAll(".det-pair")); }
  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest(".det-pair") : null;
  }
  function focusPair(p) { if (p) { p.focus(); p.scrollIntoView({block: "nearest"}); } }
  function firstPending() {
    var ps = pairs();
    for (var i = 0; i < ps.length; i++) { if (!ps[i].dataset.decision) { return ps[i]; } }
    return ps[0] || null;
  }
  // The page comes back at the pair after the one decided (#pair-N):
  // focus the first undecided pair from there, else the first undecided.
  function focusStart() {
    var ps = pairs();
    var start = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    for (var i = start ? ps.indexOf(start) : -1; i >= 0 && i < ps.length; i++) {
      if (!ps[i].dataset.decision) { focusPair(ps[i]); return; }
    }
    focusPair(firstPending());
  }
  document.addEventListener("DOMContentLoaded", focusStart);
  // The browser moves to the #pair-N anchor after the document is parsed.
  window.addEventListener("load", focusStart);
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) { return; }
    var ps = pairs();
    if (ps.length === 0) { return; }
    var p = current() || firstPending();
    var i = ps.indexOf(p);
    var key = e.key.toLowerCase();
    if (key === "j" || key === "arrowdown") {
      focusPair(ps[Math.min(i + 1, ps.length - 1)]);
    } else if (key === "k" || key === "arrowup") {
      focusPair(ps[Math.max(i - 1, 0)]);
    } else if (key === "y" || key === "n") {
      var b = p.querySelector('button[data-key="' + key + '"]');
      if (b) { b.click(); }
    } else {
      return;
    }
    e.preventDefault();
  });
})();
