package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"parley/internal/api"
	"parley/internal/channel"
	"parley/internal/i18n"
	"parley/internal/ledger"
	"parley/internal/notify"
	"parley/internal/router"
)

// Notifications (issue 11, docs/web.md "Notifications"): the navigation
// shows how many events concern the viewer since it last looked, and
// /notifications lists them in words, each linked to its item. Opening the
// list marks them seen. /notifications/events is every page's live stream
// (static/live.js): "notify" carries the new count, "changed" says that an
// event the viewer reads happened, for the pages that offer to reload.

const pageNotifications = "notifications"

func init() { pageNames = append(pageNames, pageNotifications) }

func (w *Web) registerNotifications(mux *router.Mux) {
	mux.HandleFunc("GET /notifications", w.user(w.notificationsShow))
	mux.HandleFunc("GET /notifications/events", w.user(w.notificationsEvents))
}

// notificationsPage is the list.
type notificationsPage struct {
	page
	Items []notificationView
}

// notificationView is one notification in words.
type notificationView struct {
	notify.Notification
	Words, Link string
}

// unseen is the navigation's count; a failure shows no badge rather than
// no page.
func (w *Web) unseen(r *http.Request, v *viewer) int {
	if w.notify == nil {
		return 0
	}
	n, err := w.notify.Unseen(r.Context(), v.Actor())
	if err != nil {
		w.log.Warn("web: notifications", "err", err, "request_id", router.RequestID(r.Context()))
		return 0
	}
	return n
}

func (w *Web) notificationsShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.notify == nil {
		w.notFound(rw, r)
		return
	}
	ns, err := w.notify.List(r.Context(), v.Actor())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	names := map[string]string{}
	if w.talks != nil {
		if orgs, err := w.talks.Orgs(r.Context(), v.Actor()); err == nil {
			for _, o := range orgs {
				names[o.ID] = o.Name
			}
		}
	}
	p := notificationsPage{page: w.page(r, v)}
	for _, n := range ns {
		e := ledger.RoundEvent{Index: n.Index, Type: n.Type, At: n.At, Org: n.Org, ObjectType: n.ObjectType, ObjectID: n.ObjectID}
		name := names[n.Org]
		p.Items = append(p.Items, notificationView{Notification: n, Words: describeEvent(v.L, e, name), Link: eventLink(e, n.Round)})
	}
	if len(ns) > 0 {
		if err := w.notify.MarkSeen(r.Context(), v.Actor(), ns[0].Index); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	w.renderPage(rw, r, http.StatusOK, pageNotifications, p)
}

// liveNoticeData is the layout's "live_notice": the page's round ("" any)
// and the event types (space-separated prefixes) that make it show.
type liveNoticeData struct {
	L            *i18n.Localizer
	Round, Types string
}

// watchChange is the data of a "changed" event: what happened, where. The
// viewer reads the event (channel.Watch sends no more of others).
type watchChange struct {
	Type       string `json:"type"`
	Round      string `json:"round,omitempty"`
	ObjectType string `json:"object_type,omitempty"`
	ObjectID   string `json:"object_id,omitempty"`
}

// notificationsEvents is the watch: the count when it opens, then the
// count each time it changes, and each event of others the viewer reads;
// Last-Event-ID (or ?after=) resumes after that event.
func (w *Web) notificationsEvents(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.channel == nil || w.notify == nil {
		w.notFound(rw, r)
		return
	}
	release, err := w.auth.OpenStream(v.Token)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer release()
	sse := api.NewSSE(rw)
	last := -1
	var at int64
	count := func() error {
		n, err := w.notify.Unseen(r.Context(), v.Actor())
		if err != nil || n == last {
			return err
		}
		last = n
		b, _ := json.Marshal(map[string]int{"unseen": n})
		return sse.Send(at, "notify", b)
	}
	ready := func(start int64) {
		at = start
		sse.Start()
		if err := count(); err != nil {
			w.log.Warn("web: notifications watch", "err", err, "request_id", router.RequestID(r.Context()))
		}
	}
	// A page taking the watch over from another resumes after the last
	// event that one handed on (static/live.js).
	after := r.Header.Get("Last-Event-ID")
	if after == "" {
		after = r.URL.Query().Get("after")
	}
	err = w.channel.Watch(r.Context(), v.Actor(), after, ready, func(e channel.WatchEvent) error {
		if e.Own {
			return nil
		}
		at = e.Index
		if e.Type != "" {
			b, _ := json.Marshal(watchChange{Type: e.Type, Round: e.Round, ObjectType: e.ObjectType, ObjectID: e.ObjectID})
			if err := sse.Send(e.Index, "changed", b); err != nil {
				return err
			}
		}
		if e.Type == "" || notify.Counts(e.Type) {
			return count()
		}
		return nil
	})
	if errors.Is(err, channel.ErrStreamBehind) {
		sse.Reset()
	}
	sse.Stop()
	if err != nil && !sse.Started() {
		w.fail(rw, r, err)
	}
}
