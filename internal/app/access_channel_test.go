package app_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"parley/internal/channel"
)

// The channel's rows of the access table (issue 3; docs/channel.md). The
// leak test of internal/api checks every demo user against every item on
// five paths; these rows check every channel route once per subject, with
// the app's middleware.

// channelSeed are the channel objects the rows refer to.
type channelSeed struct {
	msg        string // the opposition to the mediation, in round 1
	note       string // the government's internal note, in round 1
	attachment string // attached to msg
	statement  string // the government's, released with an embargo in 2100
	public     string // the host's, released
	draft      string // the government's, embargoed until 2100, for the desk's release form
}

// channelSecrets are texts only their readers may find in any answer of
// any cell: the government's two statements, which stay unpublished (their
// embargo ends in 2100), are read by the government and the mediation.
var channelSecrets = []struct {
	text    string
	readers []string
}{
	{"Not before 2100", []string{"gov.head", "mediator"}},
	{"Desk draft of the government", []string{"gov.head", "mediator"}},
	{"Read out at the closing session", []string{"gov.head", "mediator"}},
	{"Drafted for the table by gov.head", []string{"gov.head", "mediator"}},
	{"Drafted for the table by opp.head", []string{"opp.head", "mediator"}},
}

// statementDraft is a draft statement of user's organisation, for one row;
// its body names the user (see channelSecrets).
func statementDraft(w *world, user, title string) string {
	w.t.Helper()
	st, err := w.a.Channel.CreateStatement(context.Background(), w.user[user].Actor(), channel.NewStatement{Title: title, Body: "Drafted for the table by " + user + "."})
	if err != nil {
		w.t.Fatalf("statement: %v", err)
	}
	return st.ID
}

// checkChannelSecrets fails the cell when body holds a channel secret
// subject may not read.
func (w *world) checkChannelSecrets(r row, subject string, body []byte) {
	w.t.Helper()
	for _, s := range channelSecrets {
		if !slices.Contains(s.readers, subject) && strings.Contains(string(body), s.text) {
			w.t.Errorf("%s [%s] as %s: the answer holds %q", r.route, r.object, name(subject), s.text)
		}
	}
}

var channelSeeds = map[*world]channelSeed{}

// seedChannel writes the objects of the channel's rows.
func (w *world) seedChannel() {
	w.t.Helper()
	ctx := context.Background()
	ch := w.a.Channel
	m, err := ch.Send(ctx, w.user["opp.head"].Actor(), w.round1, channel.NewMessage{
		To: []string{"mediation"}, Body: "The opposition's confidential proposal.",
		Attachments: []channel.Upload{{Name: "list.txt", DeclaredType: "text/plain", Data: []byte("names on the list")}},
	})
	if err != nil {
		w.t.Fatalf("channel message: %v", err)
	}
	note, err := ch.Send(ctx, w.user["gov.head"].Actor(), w.round1, channel.NewMessage{To: []string{"internal"}, Body: "Our fallback position."})
	if err != nil {
		w.t.Fatalf("channel note: %v", err)
	}
	st, err := ch.CreateStatement(ctx, w.user["gov.head"].Actor(), channel.NewStatement{
		Title: "Embargoed statement", Body: "Not before 2100.", EmbargoUntil: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		w.t.Fatalf("channel statement: %v", err)
	}
	pub, err := ch.CreateStatement(ctx, w.user["chair"].Actor(), channel.NewStatement{Title: "Opening statement", Body: "The round opens."})
	if err != nil {
		w.t.Fatalf("channel statement: %v", err)
	}
	if _, err := ch.ReleaseStatement(ctx, w.user["chair"].Actor(), pub.ID); err != nil {
		w.t.Fatalf("release: %v", err)
	}
	draft, err := ch.CreateStatement(ctx, w.user["gov.head"].Actor(), channel.NewStatement{
		Title: "Desk draft of the government", Body: "Read out at the closing session.", EmbargoUntil: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		w.t.Fatalf("channel statement: %v", err)
	}
	channelSeeds[w] = channelSeed{msg: m.ID, note: note.ID, attachment: m.Attachments[0].ID, statement: st.ID, public: pub.ID, draft: draft.ID}
}

// isEventStream reports whether resp is a live stream, which a cell must
// not read to its end.
func isEventStream(resp *http.Response) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

func channelRows(w *world) []row {
	const api = "/api/v1"
	s := channelSeeds[w]
	r1, r2 := w.round1, w.round2
	const round1, round2 = "round 1 (all take part)", "round 2 (no mediation, opposition, observer, monitor)"
	const msg = "the opposition's message to the mediation, round 1"
	missing := strings.Repeat("cd", 16)
	// In round 2, the host, the government and the guarantor take part.
	inRound2 := func(yes, no int) cells { return cells{unauth, yes, no, yes, no, yes, no, no} }
	web2 := func(yes, no int) cells { return cells{toLogin, yes, no, yes, no, yes, no, no} }
	// The opposition's message: the opposition and the mediation read it.
	readers := func(anon, yes, no int) cells { return cells{anon, no, yes, no, yes, no, no, no} }
	toMediation := fixed(map[string]any{"to": []string{"mediation"}, "body": "A note for the mediation."})
	// Drafts for the API's edit and delete rows, one per row since the
	// author's cell changes or removes it. A draft is its organisation's
	// to change: the mediation reads it and is refused; nobody else finds
	// it. Once released, a statement changes no more (its author: 409).
	govEdit, govDelete := statementDraft(w, "gov.head", "Government draft to edit"), statementDraft(w, "gov.head", "Government draft to delete")
	oppEdit, oppDelete := statementDraft(w, "opp.head", "Opposition draft to edit"), statementDraft(w, "opp.head", "Opposition draft to delete")
	edited := fixed(map[string]any{"title": "Draft, edited", "body": "Edited through the API."})
	govDraft := func(done int) cells {
		return cells{unauth, notFound, forbidden, done, notFound, notFound, notFound, notFound}
	}
	oppDraft := func(done int) cells {
		return cells{unauth, notFound, forbidden, notFound, done, notFound, notFound, notFound}
	}
	released := cells{unauth, conflict, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}
	return []row{
		{route: "POST " + api + "/rounds/{id}/messages", object: round1 + ", to the mediation", path: api + "/rounds/" + r1 + "/messages", body: toMediation,
			want: loggedIn(unauth, created)},
		{route: "POST " + api + "/rounds/{id}/messages", object: round2 + ", to the mediation (none in it)", path: api + "/rounds/" + r2 + "/messages", body: toMediation,
			want: inRound2(conflict, notFound)},
		{route: "POST " + api + "/rounds/{id}/messages", object: round1 + ", to the plenary", path: api + "/rounds/" + r1 + "/messages",
			body: fixed(map[string]any{"to": []string{"plenary"}, "body": "To everyone."}),
			want: cells{unauth, created, created, created, created, created, unprocessed, unprocessed}},
		{route: "POST " + api + "/rounds/{id}/messages", object: round1 + ", directly to the government", path: api + "/rounds/" + r1 + "/messages",
			body: func(string) any { return map[string]any{"to": []string{w.org["gov"]}, "body": "Directly."} },
			// The opposition has not consented; the mediation writes to
			// whom it likes; the government writing to itself is a note;
			// others may not address a party.
			want: cells{unauth, unprocessed, created, created, conflict, unprocessed, unprocessed, unprocessed}},
		{route: "GET " + api + "/rounds/{id}/messages", object: round1, path: api + "/rounds/" + r1 + "/messages", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/rounds/{id}/messages", object: round2, path: api + "/rounds/" + r2 + "/messages", body: none, want: inRound2(ok, notFound)},
		{route: "GET " + api + "/messages/{id}", object: msg, path: api + "/messages/" + s.msg, body: none, want: readers(unauth, ok, notFound)},
		{route: "GET " + api + "/messages/{id}", object: "no such message", path: api + "/messages/" + missing, body: none, want: loggedIn(unauth, notFound)},
		{route: "POST " + api + "/messages/{id}/relay", object: msg, path: api + "/messages/" + s.msg + "/relay",
			body: func(string) any { return map[string]any{"to": []string{w.org["gov"]}, "body": "One side proposes."} },
			// Only the round's mediation relays; the others are refused
			// as the page refuses them: a message they do not read is not
			// found, whatever their organisation's kind.
			want: cells{unauth, notFound, created, notFound, forbidden, notFound, notFound, notFound}},
		{route: "POST " + api + "/messages/{id}/share", object: "the government's internal note, shared with the Russian guarantor", path: api + "/messages/" + s.note + "/share",
			body: func(string) any { return map[string]any{"with": []string{w.org["ru"]}} },
			// Only the author's organisation shares; the guarantor reads
			// the note once the government has shared it, but did not
			// write it.
			want: cells{unauth, notFound, notFound, ok, notFound, forbidden, notFound, notFound}},
		{route: "GET " + api + "/attachments/{id}", object: "the attachment of " + msg, path: api + "/attachments/" + s.attachment, body: none, want: readers(unauth, ok, notFound)},
		{route: "GET " + api + "/rounds/{id}/events", object: round1, path: api + "/rounds/" + r1 + "/events", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/rounds/{id}/events", object: round2, path: api + "/rounds/" + r2 + "/events", body: none, want: inRound2(ok, notFound)},
		{route: "GET " + api + "/search", object: "a word", path: api + "/search?q=proposal", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/statements", object: "the list", path: api + "/statements", body: none, want: loggedIn(unauth, ok)},
		{route: "POST " + api + "/statements", object: "a new draft", path: api + "/statements",
			body: fixed(map[string]any{"title": "A statement", "body": "Its text."}), want: loggedIn(unauth, created)},
		{route: "GET " + api + "/statements/{id}", object: "the government's, embargoed", path: api + "/statements/" + s.statement, body: none,
			want: cells{unauth, notFound, ok, ok, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/statements/{id}", object: "the host's, public", path: api + "/statements/" + s.public, body: none, want: loggedIn(unauth, ok)},
		{route: "PUT " + api + "/statements/{id}", object: "the government's draft", path: api + "/statements/" + govEdit, body: edited, want: govDraft(ok)},
		{route: "PUT " + api + "/statements/{id}", object: "the opposition's draft", path: api + "/statements/" + oppEdit, body: edited, want: oppDraft(ok)},
		{route: "PUT " + api + "/statements/{id}", object: "the host's, released", path: api + "/statements/" + s.public, body: edited, want: released},
		{route: "PUT " + api + "/statements/{id}", object: "no such statement", path: api + "/statements/" + missing, body: edited, want: loggedIn(unauth, notFound)},
		{route: "DELETE " + api + "/statements/{id}", object: "the government's draft", path: api + "/statements/" + govDelete, body: none, want: govDraft(noContent)},
		{route: "DELETE " + api + "/statements/{id}", object: "the opposition's draft", path: api + "/statements/" + oppDelete, body: none, want: oppDraft(noContent)},
		{route: "DELETE " + api + "/statements/{id}", object: "the host's, released", path: api + "/statements/" + s.public, body: none, want: released},
		{route: "DELETE " + api + "/statements/{id}", object: "no such statement", path: api + "/statements/" + missing, body: none, want: loggedIn(unauth, notFound)},
		{route: "POST " + api + "/statements/{id}/release", object: "the government's, embargoed", path: api + "/statements/" + s.statement + "/release", body: none,
			// Released once (the embargo keeps it unpublished), then a
			// conflict; the mediation reads it but does not release it.
			want: cells{unauth, notFound, forbidden, ok, notFound, notFound, notFound, notFound}},

		{route: "GET /rounds/{id}/conversation", object: round1, path: "/rounds/" + r1 + "/conversation", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}/conversation", object: round2, path: "/rounds/" + r2 + "/conversation", body: none, want: web2(ok, notFound)},
		{route: "POST /rounds/{id}/messages", object: round1 + ", to the mediation", path: "/rounds/" + r1 + "/messages",
			body: fixed(url.Values{"to": {"mediation"}, "body": {"A note."}}), want: loggedIn(toLogin, seeOther)},
		{route: "POST /rounds/{id}/messages", object: round2, path: "/rounds/" + r2 + "/messages",
			body: fixed(url.Values{"to": {"internal"}, "body": {"A note."}}), want: web2(seeOther, notFound)},
		{route: "POST /messages/{id}/relay", object: msg, path: "/messages/" + s.msg + "/relay",
			body: func(string) any { return url.Values{"to": {w.org["gov"]}, "body": {"One side proposes."}} },
			want: cells{toLogin, notFound, seeOther, notFound, forbidden, notFound, notFound, notFound}},
		{route: "POST /messages/{id}/share", object: "the government's internal note, shared with the Russian guarantor", path: "/messages/" + s.note + "/share",
			body: func(string) any { return url.Values{"with": {w.org["ru"]}} },
			want: cells{toLogin, notFound, notFound, seeOther, notFound, forbidden, notFound, notFound}},
		{route: "GET /rounds/{id}/events", object: round1, path: "/rounds/" + r1 + "/events", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}/events", object: round2, path: "/rounds/" + r2 + "/events", body: none, want: web2(ok, notFound)},
		{route: "GET /attachments/{id}", object: "the attachment of " + msg, path: "/attachments/" + s.attachment, body: none, want: readers(toLogin, ok, notFound)},
		{route: "GET /search", object: "a word", path: "/search?q=proposal", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /statements", object: "the public page", path: "/statements", body: none, want: all(ok)},
		{route: "GET /statements.atom", object: "the feed", path: "/statements.atom", body: none, want: all(ok)},
		{route: "GET /statements/desk", object: "the caller's desk", path: "/statements/desk", body: none, want: loggedIn(toLogin, ok)},
		{route: "POST /statements", object: "a new draft", path: "/statements",
			body: fixed(url.Values{"title": {"A statement"}, "body": {"Its text."}}), want: loggedIn(toLogin, seeOther)},
		{route: "POST /statements", object: "a draft without text", path: "/statements",
			body: fixed(url.Values{"title": {"A statement"}, "body": {" "}}), want: loggedIn(toLogin, http.StatusBadRequest)},
		{route: "POST /statements/{id}/release", object: "the government's draft, embargoed", path: "/statements/" + s.draft + "/release", body: none,
			// The embargo keeps it unpublished once released, so the
			// cells after the government's still find no statement.
			want: cells{toLogin, notFound, forbidden, seeOther, notFound, notFound, notFound, notFound}},
		{route: "POST /statements/{id}/release", object: "the host's, public", path: "/statements/" + s.public + "/release", body: none,
			want: cells{toLogin, conflict, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /statements/{id}/release", object: "no such statement", path: "/statements/" + missing + "/release", body: none,
			want: loggedIn(toLogin, notFound)},
	}
}
