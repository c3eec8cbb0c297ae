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

// Times marked data-local are shown in the reader's own time zone and
// language; the server's UTC text stays for readers without script.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  } catch (e) {
    return;
  }
  document.querySelectorAll("time[data-local][datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) {
      t.textContent = fmt.format(d);
    }
  });
});

// The conversation's keyboard: j and k move to the next and previous
// message (outside text fields), as in a mail reader.
document.addEventListener("keydown", function (e) {
  "use strict";
  if (e.altKey || e.ctrlKey || e.metaKey || (e.key !== "j" && e.key !== "k")) {
    return;
  }
  var t = e.target;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
    return;
  }
  var all = Array.prototype.slice.call(document.querySelectorAll("li.message"));
  if (!all.length) {
    return;
  }
  var i = all.indexOf(document.activeElement);
  i = e.key === "j" ? Math.min(i + 1, all.length - 1) : Math.max(i - 1, 0);
  all[i].focus();
  all[i].scrollIntoView({ block: "nearest" });
  e.preventDefault();
});
