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
      return;
    }
    // A page showing one thread leaves out the messages of the others;
    // the column counts them (conversation.html, #inbox-refresh).
    var conv = document.getElementById("conversation");
    var th = /^\s*<li[^>]*\sdata-thread="([0-9a-f]*)"/.exec(e.data || "");
    if (conv && conv.dataset.with && th && th[1] !== conv.dataset.with) {
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

// The conversation's keyboard, as its hint and each message's
// aria-keyshortcuts say: j or ↓ next message, k or ↑ previous, as in a
// mail reader (outside text fields; the arrows only while a message has
// focus, so that they still scroll the page elsewhere); in the mediation's
// inbox ↓ and ↑ move between threads while one has focus, and ] and [
// open the next and previous thread.
document.addEventListener("keydown", function (e) {
  "use strict";
  if (e.altKey || e.ctrlKey || e.metaKey) {
    return;
  }
  var t = e.target;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
    return;
  }
  var list = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };
  var is = function (sel) { return t && t.matches && t.matches(sel); };
  var key = e.key;
  if (key === "]" || key === "[" || (is("a.thread-link") && (key === "ArrowDown" || key === "ArrowUp"))) {
    var threads = list("a.thread-link");
    if (!threads.length) {
      return;
    }
    var cur = threads.indexOf(is("a.thread-link") ? t : document.querySelector('a.thread-link[aria-current="page"]'));
    var forward = key === "]" || key === "ArrowDown";
    var j = forward ? Math.min(cur + 1, threads.length - 1) : Math.max(cur - 1, 0);
    if (key === "]" || key === "[") {
      if (j !== cur) {
        threads[j].click();
      }
    } else {
      threads[j].focus();
    }
    e.preventDefault();
    return;
  }
  var next = key === "j" || (key === "ArrowDown" && is("li.message"));
  var prev = key === "k" || (key === "ArrowUp" && is("li.message"));
  if (!next && !prev) {
    return;
  }
  var all = list("li.message");
  if (!all.length) {
    return;
  }
  var i = all.indexOf(document.activeElement);
  i = next ? Math.min(i + 1, all.length - 1) : Math.max(i - 1, 0);
  all[i].focus();
  all[i].scrollIntoView({ block: "nearest" });
  e.preventDefault();
});

// Every page's watch (/notifications/events): the navigation's badge
// counts the viewer's notifications live ("notify"), and a working page's
// notice (.live-notice, the layout's "live_notice") shows when an event of
// its kind happens ("changed"). The page is never reloaded for the reader,
// so nothing typed is lost.
//
// A session may hold only a few live streams at once (auth.MaxStreams), and
// a reader keeps many pages open. So the pages of one viewer in a browser
// share one watch: the page holding the Web Lock named for the viewer holds
// the stream and hands each event to the others over a BroadcastChannel of
// the same name. When it goes, the lock passes to another page, which opens
// the stream again after the last event it heard (?after=): the stream
// starts with the current count, so every badge is right again at once,
// and sends again the changes since, for the pages' notices. A browser
// without Web Locks or BroadcastChannel gives each page its own stream, as
// before.
(function () {
  "use strict";
  var nav = document.getElementById("nav-notifications");
  if (!nav || !window.EventSource) {
    return;
  }
  var apply = {
    notify: function (d) {
      // Looked up each time: the round page swaps the link out of band.
      var nav = document.getElementById("nav-notifications");
      var badge = nav && nav.querySelector(".nav-badge");
      if (!nav || !badge) {
        return;
      }
      nav.dataset.unseen = String(d.unseen);
      badge.textContent = String(d.unseen);
      badge.hidden = !d.unseen;
    },
    changed: function (d) {
      document.querySelectorAll(".live-notice[hidden]").forEach(function (n) {
        if (n.dataset.round && n.dataset.round !== d.round) {
          return;
        }
        var types = (n.dataset.types || "").split(" ").filter(Boolean);
        if (types.length && !types.some(function (t) { return d.type.indexOf(t) === 0; })) {
          return;
        }
        n.hidden = false;
      });
    }
  };
  // last is the id of the last event this page heard, itself or from the
  // page holding the watch: a page that takes the watch over resumes there.
  var last = "";
  var receive = function (type, data, id) {
    if (id) {
      last = id;
    }
    var d;
    try {
      d = JSON.parse(data);
    } catch (x) {
      return;
    }
    apply[type](d);
  };
  // watch opens the stream and applies its events here, handing each to
  // relay too; it returns the function that closes it.
  var watch = function (relay) {
    var es = new EventSource("/notifications/events" + (last ? "?after=" + encodeURIComponent(last) : ""));
    Object.keys(apply).forEach(function (type) {
      es.addEventListener(type, function (e) {
        receive(type, e.data, e.lastEventId);
        relay(type, e.data, e.lastEventId);
      });
    });
    return function () { es.close(); };
  };
  var name = "parley-notifications-" + (nav.dataset.viewer || "");
  var alone = function () {
    window.addEventListener("pagehide", watch(function () {}));
  };
  if (!window.BroadcastChannel || !navigator.locks || !navigator.locks.request) {
    alone();
    return;
  }
  var bc = new BroadcastChannel(name);
  bc.onmessage = function (m) {
    if (m.data && apply[m.data.type]) {
      receive(m.data.type, m.data.data, m.data.id);
    }
  };
  // A lock refused (a document without storage access) leaves the page
  // its own stream.
  var lead = function () {
    navigator.locks.request(name, function () {
      var close = watch(function (type, data, id) {
        bc.postMessage({ type: type, data: data, id: id });
      });
      // Held until the page goes (or enters the back-forward cache,
      // whence "pageshow" asks for it again).
      return new Promise(function (resolve) {
        window.addEventListener("pagehide", function () {
          close();
          resolve();
        }, { once: true });
      });
    }).catch(alone);
  };
  lead();
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) {
      lead();
    }
  });
})();
