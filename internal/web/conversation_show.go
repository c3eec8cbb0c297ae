package web

import (
	"bytes"
	"errors"
	"net/http"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/router"
	"parley/internal/talks"
)

// The conversation of a round (issue 3): what the viewer reads, grouped;
// a compose box offering only the audiences the viewer may write to; the
// relay form for the mediation; live updates through htmx's SSE extension.

const (
	pageConversation = "conversation"
	pageStatements   = "statements"
)

func init() {
	pageNames = append(pageNames, pageConversation, pageStatements)
}

// registerConversation adds the channel's pages to mux.
func (w *Web) registerConversation(mux *router.Mux) {
	mux.HandleFunc("GET /rounds/{id}/conversation", w.user(w.conversationShow))
	mux.HandleFunc("POST /rounds/{id}/messages", w.user(w.conversationSend))
	mux.HandleFunc("POST /messages/{id}/relay", w.user(w.conversationRelay))
	mux.HandleFunc("POST /messages/{id}/share", w.user(w.conversationShare))
	mux.HandleFunc("GET /rounds/{id}/events", w.user(w.conversationEvents))
	mux.HandleFunc("GET /attachments/{id}", w.user(w.attachmentDownload))
	mux.HandleFunc("GET /search", w.user(w.searchShow))
	mux.HandleFunc("GET /statements", w.statementsShow)
	mux.HandleFunc("GET /statements.atom", w.statementsFeed)
	mux.HandleFunc("GET /statements/desk", w.user(w.statementsDesk))
	mux.HandleFunc("POST /statements", w.user(w.statementDraft))
	mux.HandleFunc("POST /statements/{id}/release", w.user(w.statementRelease))
	w.registerStatementEdits(mux)
	w.registerInbox(mux)
}

// The groups of the conversation page, in page order.
const (
	groupMediation = "mediation"
	groupInternal  = "internal"
	groupPlenary   = "plenary"
	groupRelayed   = "relayed"
	groupDirect    = "direct"
)

var groupOrder = []string{groupMediation, groupInternal, groupPlenary, groupRelayed, groupDirect}

// groupOf says where a message goes on the viewer's page.
func groupOf(m channel.Message) string {
	switch m.Kind {
	case channel.Internal:
		return groupInternal
	case channel.Plenary:
		return groupPlenary
	case channel.Relayed:
		return groupRelayed
	case channel.Direct:
		return groupDirect
	}
	return groupMediation
}

// conversationPage is the data of the conversation page.
type conversationPage struct {
	page
	forms
	Round  talks.Round
	Groups []messageGroup
	// Options are the audiences the viewer may write to; Closed are the
	// parties it may not write to directly, with the reason shown.
	Options []toOption
	Closed  []talks.Org
	// Mediates: the viewer is the mediation, which relays.
	Mediates bool
	// RelayTo are the organisations a relay may go to.
	RelayTo []talks.Org
	// ShareTo are the organisations a party may share its messages with.
	ShareTo []talks.Org
	// After is the ledger index the live stream starts after: the last
	// message on the page, so that nothing committed while the page was
	// built is missed.
	After int64
	// Inbox is the mediation's counterpart column (conversation_inbox.go);
	// handled and relays are its marks on the messages.
	Inbox   inboxView
	handled map[string]bool
	relays  map[string][]relayMark
}

type messageGroup struct {
	Name     string
	Messages []messageView
}

// messageView is one message on the page, and the data of the SSE fragment.
type messageView struct {
	L        *i18n.Localizer
	M        channel.Message
	CanRelay bool
	RelayTo  []talks.Org
	// CanShare: the viewer's party wrote the message and may share it with
	// ShareTo (channel.Share).
	CanShare bool
	ShareTo  []talks.Org
	// RelayForm and ShareForm are the message's forms, refilled with their
	// errors when one was refused.
	RelayForm, ShareForm *form
	Group                string
	// CanHandle: the mediation received it and may mark it handled;
	// Handled is its mark; RelayedAs the relays made of it; With the
	// thread shown.
	CanHandle, Handled bool
	RelayedAs          []relayMark
	With               string
	// Thread is the counterpart whose thread the message belongs to: a
	// page showing another thread leaves it out when it arrives live.
	Thread string
}

// messageForms are what a message's view needs from its page.
type messageForms struct {
	relayTo, shareTo []talks.Org
	forms
	// as is the viewer's capacity in the round: it decides which of a
	// message's actions the page offers.
	as access.Capacity
}

// messageTargets are, by the viewer's capacity in the round, the
// organisations it may relay a message to (the mediation: every
// participant but the mediation) and share its own messages with (a party:
// every other participant; the channel refuses another party without
// mutual consent, saying why).
func messageTargets(round talks.Round) messageForms {
	mf := messageForms{as: round.As}
	for _, pt := range round.Participants {
		if round.As.Mediates() && pt.Capacity != access.Mediation {
			mf.relayTo = append(mf.relayTo, pt.Org)
		}
		if round.As.In(access.Party) && pt.Org.ID != round.As.Actor.Org {
			mf.shareTo = append(mf.shareTo, pt.Org)
		}
	}
	return mf
}

// toOption is one choice of the compose box.
type toOption struct {
	Value string
	Label string
}

func (w *Web) conversationShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	round, err := w.talks.Round(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p, err := w.conversationPage(r, v, round, nil)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, http.StatusOK, pageConversation, p)
}

// conversationPage builds the page's data; failed is a form refused.
func (w *Web) conversationPage(r *http.Request, v *viewer, round talks.Round, failed *form) (conversationPage, error) {
	actor := v.Actor()
	p := conversationPage{page: w.page(r, v), forms: forms{failed: failed}, Round: round, Mediates: round.As.Mediates()}
	msgs, err := w.channel.List(r.Context(), actor, round.ID, channel.ListFilter{After: -1, Limit: channel.MaxLimit})
	if err != nil {
		return p, err
	}
	p.After = -1
	for _, m := range msgs {
		p.After = max(p.After, m.LedgerIndex)
	}
	mf := messageTargets(round)
	mf.forms = p.forms
	p.RelayTo, p.ShareTo = mf.relayTo, mf.shareTo
	if msgs, err = w.inbox(r, v, &p, msgs); err != nil {
		return p, err
	}
	for _, name := range groupOrder {
		g := messageGroup{Name: name}
		for _, m := range msgs {
			if groupOf(m) == name {
				mv := w.messageView(v, m, mf)
				mv.Handled, mv.RelayedAs, mv.With = p.handled[m.ID], p.relays[m.ID], p.Inbox.With
				g.Messages = append(g.Messages, mv)
			}
		}
		p.Groups = append(p.Groups, g)
	}
	// The channel says which audiences the viewer may write to, and why
	// not the others; the page only labels them.
	recips, err := w.channel.Recipients(r.Context(), actor, round.ID)
	if err != nil {
		return p, err
	}
	l := v.L
	byID := map[string]channel.Recipient{}
	for _, rc := range recips {
		byID[rc.To] = rc
		switch {
		case rc.Refused != "":
		case rc.To == channel.ToKeywordMediation && !p.Mediates:
			p.Options = append(p.Options, toOption{rc.To, l.T("channel.to.mediation")})
		case rc.To == channel.ToKeywordInternal, rc.To == channel.ToKeywordPlenary:
			p.Options = append(p.Options, toOption{rc.To, l.T("channel.to." + rc.To)})
		}
	}
	for _, pt := range round.Participants {
		rc, ok := byID[pt.Org.ID]
		switch {
		case !ok || pt.Org.ID == actor.Org:
		case rc.Refused == "" && rc.Kind == channel.Direct:
			p.Options = append(p.Options, toOption{pt.Org.ID, l.T("channel.to.direct", "Org", pt.Org.Name)})
		case rc.Refused == "" && rc.Kind == channel.ToMediation && p.Mediates:
			p.Options = append(p.Options, toOption{pt.Org.ID, l.T("channel.to.org", "Org", pt.Org.Name)})
		case rc.Refused == errs.NoDirectConsent:
			p.Closed = append(p.Closed, pt.Org)
		}
	}
	return p, nil
}

func (w *Web) messageView(v *viewer, m channel.Message, mf messageForms) messageView {
	mv := messageView{L: v.L, M: m, Group: groupOf(m), RelayTo: mf.relayTo, ShareTo: mf.shareTo,
		RelayForm: mf.Form("relay-" + m.ID), ShareForm: mf.Form("share-" + m.ID)}
	mv.CanRelay = mf.as.Mediates() && m.Kind != channel.Relayed && m.From.ID != v.Actor().Org && !m.Damaged
	mv.CanShare = mf.as.In(access.Party) && m.Kind != channel.Relayed && m.From.ID == v.Actor().Org && len(mf.shareTo) > 0
	mv.CanHandle = mf.as.Mediates() && received(m, v.Actor().Org)
	mv.Thread = counterpartOf(m, v.Actor().Org)
	return mv
}

// DefaultTo is the compose box's preselected audience: in a thread, its
// counterpart when the viewer may write to it.
func (p conversationPage) DefaultTo() string {
	if f := p.Form("message"); f.Values != nil {
		return f.Value("to")
	}
	for _, o := range p.Options {
		if p.Inbox.With != "" && o.Value == p.Inbox.With {
			return o.Value
		}
	}
	if len(p.Options) > 0 {
		return p.Options[0].Value
	}
	return ""
}

// renderMessage renders one message as the fragment the live stream sends.
func (w *Web) renderMessage(mv messageView) ([]byte, error) {
	var buf bytes.Buffer
	err := w.pages[pageConversation].ExecuteTemplate(&buf, "conversation_message", mv)
	return buf.Bytes(), err
}
