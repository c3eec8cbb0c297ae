// parley's live pages: the client side of the round's live stream
// (/rounds/{id}/events, through htmx's SSE extension).
//
// A stream that reconnects, or starts from the last message a page holds,
// may replay an event the page already shows: a relay, for one, comes as
// "message.relayed" and again as "message.relay_shown" to the mediation.
// Each event is applied once: by its event id (the ledger index), and a
// message by its element id, which the page may already hold.
(function () {
  "use strict";
  var seen = new Set();
  document.addEventListener("htmx:sseBeforeMessage", function (evt) {
    var e = evt.detail || {};
    if (e.lastEventId) {
      if (seen.has(e.lastEventId)) {
        evt.preventDefault();
        return;
      }
      seen.add(e.lastEventId);
    }
    var m = /^\s*<li[^>]*\sid="(m-[0-9a-f]+)"/.exec(e.data || "");
    if (m && document.getElementById(m[1])) {
      evt.preventDefault();
    }
  });
})();
