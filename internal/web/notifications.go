package web

import (
	"net/http"

	"parley/internal/ledger"
	"parley/internal/notify"
	"parley/internal/router"
)

// Notifications (issue 11, docs/web.md "Notifications"): the navigation
// shows how many events concern the viewer since it last looked, and
// /notifications lists them in words, each linked to its item. Opening the
// list marks them seen.

const pageNotifications = "notifications"

func init() { pageNames = append(pageNames, pageNotifications) }

func (w *Web) registerNotifications(mux *router.Mux) {
	mux.HandleFunc("GET /notifications", w.user(w.notificationsShow))
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
