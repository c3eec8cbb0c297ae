package web

import (
	"net/http"
	"sort"

	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/router"
)

// The mediation's inbox (issue 11, docs/channel.md "The inbox"): on the
// conversation page the mediation sees a column of its counterparts, each
// with the number of its messages not yet handled, and picks one to read
// that thread alone (?with=ORG). Each message it received carries a
// "handled" toggle and, when it was relayed, a mark saying to whom and
// whether named. j and k move between messages (static/live.js).

// registerInbox adds the handled toggle to mux.
func (w *Web) registerInbox(mux *router.Mux) {
	mux.HandleFunc("POST /messages/{id}/handled", w.user(w.messageHandled))
}

// inboxView is the counterpart column.
type inboxView struct {
	Counterparts []counterpart
	With         string // the counterpart whose thread is shown; "" all
}

// counterpart is one organisation the mediation talks with: every other
// participant of the round has a thread, empty or not, so that the first
// message of one shows live.
type counterpart struct {
	ID, Name  string
	Messages  int
	Unhandled int
	// Unread are the messages from it the viewer has not opened its thread
	// since (channel.Unread).
	Unread int
}

// relayMark says that a message was relayed: to whom, and whether its
// origin was named.
type relayMark struct {
	ID         string // the relay
	To         []channel.OrgRef
	Attributed bool
}

// counterpartOf is the organisation a message is exchanged with, seen from
// the viewer's organisation: its author, or for the viewer's own messages
// (and relays) the first recipient.
func counterpartOf(m channel.Message, org string) string {
	if m.From.ID != org && m.Kind != channel.Relayed {
		return m.From.ID
	}
	if len(m.To) > 0 {
		return m.To[0].ID
	}
	return ""
}

// inbox fills in the mediation's inbox on the page: the handled marks,
// the relay marks, the counterparts, and the thread chosen.
func (w *Web) inbox(r *http.Request, v *viewer, p *conversationPage, msgs []channel.Message) ([]channel.Message, error) {
	actor := v.Actor()
	if !p.Mediates {
		return msgs, nil
	}
	handled, err := w.channel.Handled(r.Context(), actor, p.Round.ID)
	if err != nil {
		return nil, err
	}
	p.handled = handled
	p.relays = map[string][]relayMark{}
	names := map[string]string{}
	for _, pt := range p.Round.Participants {
		names[pt.Org.ID] = pt.Org.Name
	}
	unread, err := w.channel.Unread(r.Context(), actor, p.Round.ID)
	if err != nil {
		return nil, err
	}
	byOrg := map[string]*counterpart{}
	for _, pt := range p.Round.Participants {
		if pt.Org.ID != actor.Org {
			byOrg[pt.Org.ID] = &counterpart{ID: pt.Org.ID, Name: pt.Org.Name, Unread: unread[pt.Org.ID]}
		}
	}
	for _, m := range msgs {
		if m.RelayedFrom != "" {
			to := make([]channel.OrgRef, len(m.To))
			for i, o := range m.To {
				to[i] = channel.OrgRef{ID: o.ID, Name: names[o.ID]}
			}
			p.relays[m.RelayedFrom] = append(p.relays[m.RelayedFrom], relayMark{ID: m.ID, To: to, Attributed: m.Attributed})
		}
		id := counterpartOf(m, actor.Org)
		if id == "" || id == actor.Org {
			continue
		}
		c := byOrg[id]
		if c == nil {
			c = &counterpart{ID: id, Name: names[id], Unread: unread[id]}
			byOrg[id] = c
		}
		c.Messages++
		if received(m, actor.Org) && !handled[m.ID] {
			c.Unhandled++
		}
	}
	for _, c := range byOrg {
		p.Inbox.Counterparts = append(p.Inbox.Counterparts, *c)
	}
	// The threads with messages first, then the silent ones; by name.
	sort.Slice(p.Inbox.Counterparts, func(i, j int) bool {
		a, b := p.Inbox.Counterparts[i], p.Inbox.Counterparts[j]
		if (a.Messages > 0) != (b.Messages > 0) {
			return a.Messages > 0
		}
		return a.Name < b.Name
	})
	with := r.URL.Query().Get("with")
	if byOrg[with] == nil {
		return msgs, nil
	}
	p.Inbox.With = with
	var thread []channel.Message
	last := int64(-1)
	for _, m := range msgs {
		if counterpartOf(m, actor.Org) == with {
			thread = append(thread, m)
			last = max(last, m.LedgerIndex)
		}
	}
	// Opening a thread reads it, up to the last message shown.
	if last >= 0 {
		if err := w.channel.MarkRead(r.Context(), actor, p.Round.ID, with, last); err != nil {
			return nil, err
		}
		for i := range p.Inbox.Counterparts {
			if p.Inbox.Counterparts[i].ID == with {
				p.Inbox.Counterparts[i].Unread = 0
			}
		}
	}
	return thread, nil
}

// received reports whether the viewer's organisation received m (it did
// not write it, and it is not a relay).
func received(m channel.Message, org string) bool {
	return m.From.ID != org && m.Kind != channel.Relayed
}

// messageHandled marks a message handled or unhandled for the mediation
// and goes back to it on the conversation page.
func (w *Web) messageHandled(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if !w.channelForm(rw, r) {
		return
	}
	id := r.PathValue("id")
	if err := w.channel.SetHandled(r.Context(), v.Actor(), id, r.PostForm.Get("handled") == "yes"); err != nil {
		w.fail(rw, r, err)
		return
	}
	m, err := w.channel.Get(r.Context(), v.Actor(), id)
	if err != nil {
		w.fail(rw, r, errs.NotFoundf("message"))
		return
	}
	to := "/rounds/" + m.RoundID + "/conversation"
	if with := r.PostForm.Get("with"); with != "" {
		to += "?with=" + with
	}
	redirect(rw, r, to+"#m-"+id)
}
