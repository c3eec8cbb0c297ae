package app_test

// The authority matrix (issue 10, docs/security.md "Authority"): every
// administrative route × every demo role × the scope acted on: the caller's
// own organisation, another organisation, the caller's round, another
// round. Every demo account is the head of its organisation, so the
// columns differ by the organisation's kind and by the rounds it takes
// part in.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/talks"
)

func authorityRows(w *world) []row {
	const api = "/api/v1"
	ctx := context.Background()
	unique := func(prefix string) string { return fmt.Sprintf("%s%d", prefix, w.next()) }
	freshOrg := func() string {
		o, err := w.a.Talks.AddOrg(ctx, access.System, unique("Fresh agency "), "", access.Agency)
		if err != nil {
			w.t.Fatalf("fresh org: %v", err)
		}
		return o.ID
	}
	// ownOrg is the subject's organisation (the government's for the
	// anonymous column, which never gets that far).
	ownOrg := func(s string) string {
		if u, ok := w.user[s]; ok {
			return u.OrgID
		}
		return w.org["gov"]
	}
	member := func(org string) string {
		u, err := w.a.Auth.AddUser(ctx, access.System, auth.NewUser{Username: unique("member"), OrgID: org, Role: access.Member, Password: tablePassword})
		if err != nil {
			w.t.Fatalf("member: %v", err)
		}
		return u.ID
	}
	// process2 has one round, with the host and the government: the
	// mediation administers nothing in it.
	process2, err := w.a.Talks.AddProcess(ctx, w.user["chair"].Actor(), "Second process")
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.a.Talks.CreateRound(ctx, access.System, talks.NewRound{ProcessID: process2.ID, Name: "Consultations",
		Participants: []string{w.org["host"], w.org["gov"]}}); err != nil {
		w.t.Fatal(err)
	}
	propose := func(round string) string {
		org := freshOrg()
		if err := w.a.Talks.ProposeParticipant(ctx, w.user["chair"].Actor(), round, org); err != nil {
			w.t.Fatalf("proposal: %v", err)
		}
		return org
	}
	// invite opens a round of a process of the chair's own inviting org,
	// and returns the path of org's answer to its invitation.
	invitations, err := w.a.Talks.AddProcess(ctx, w.user["chair"].Actor(), "Invitations")
	if err != nil {
		w.t.Fatal(err)
	}
	invite := func(prefix string, org func(string) string) func(string) string {
		return func(s string) string {
			r, err := w.a.Talks.CreateRound(ctx, w.user["chair"].Actor(), talks.NewRound{ProcessID: invitations.ID, Name: unique("Invited "),
				Participants: []string{org(s)}})
			if err != nil {
				w.t.Fatalf("invite: %v", err)
			}
			return prefix + "/rounds/" + r.ID + "/participants/" + org(s)
		}
	}
	// round3 has every demo organisation and a mediation that joined
	// later, which each head may let read its past material.
	later, err := w.a.Talks.AddOrg(ctx, access.System, "Later mediation", "", access.Mediation)
	if err != nil {
		w.t.Fatal(err)
	}
	var everyone []string
	for _, id := range w.org {
		everyone = append(everyone, id)
	}
	r3, err := w.a.Talks.CreateRound(ctx, access.System, talks.NewRound{ProcessID: w.process, Name: "Round 3", Participants: everyone})
	if err != nil {
		w.t.Fatal(err)
	}
	webLater, err := w.a.Talks.AddOrg(ctx, access.System, "Later mediation on the web", "", access.Mediation)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range []string{later.ID, webLater.ID} {
		if err := w.a.Talks.AddParticipant(ctx, access.System, r3.ID, m); err != nil {
			w.t.Fatal(err)
		}
	}
	const round3 = "round 3 (all take part, and a mediation that joined later)"
	badRequest := http.StatusBadRequest
	r1, r2 := w.round1, w.round2
	const round1, round2 = "round 1 (all take part)", "round 2 (no mediation, opposition, observer, monitor)"
	proposal1, proposal2 := propose(r1), propose(r2)
	webProposal1, webProposal2 := propose(r1), propose(r2)
	accept := fixed(url.Values{"accept": {"yes"}})
	// Only the two host and mediation heads pass the web's administration
	// gate; the others get 404 from it.
	webAdmin := func(chair, mediator int) cells {
		return cells{toLogin, chair, mediator, notFound, notFound, notFound, notFound, notFound}
	}
	userForm := func(org func(string) string) func(string) any {
		return func(s string) any {
			return url.Values{"username": {unique("webinvitee")}, "org": {org(s)}, "role": {"member"}, "password": {"a long first password"}}
		}
	}
	userJSON := func(org func(string) string) func(string) any {
		return func(s string) any {
			return map[string]string{"username": unique("invitee"), "org": org(s), "role": "member", "password": "a long first password"}
		}
	}
	gov := func(string) string { return w.org["gov"] }
	session := fixed(map[string]string{"title": "Plenary", "format": "plenary", "starts_at": "2017-01-24T10:00:00Z"})
	agenda := fixed(map[string]string{"track": "detainees", "title": "Exchange of lists"})
	sessionForm := fixed(url.Values{"title": {"Plenary"}, "format": {"plenary"}, "starts_at": {"2017-01-24T10:00"}})
	agendaForm := fixed(url.Values{"track": {"detainees"}, "title": {"Exchange of lists"}})

	// Sessions and agenda items to change: one of each per round for
	// edits, which repeat; a fresh one per cell for cancelling and
	// withdrawing, which happen once.
	sessionIn := func(round string) string {
		ss, err := w.a.Talks.ScheduleSession(ctx, access.System, round, talks.NewSession{Title: "Working session", Format: talks.Plenary,
			StartsAt: time.Date(2017, 1, 24, 10, 0, 0, 0, time.UTC)})
		if err != nil {
			w.t.Fatalf("session: %v", err)
		}
		return ss.ID
	}
	itemIn := func(round string) string {
		it, err := w.a.Talks.AddAgendaItem(ctx, access.System, round, talks.NewAgendaItem{Track: "humanitarian", Title: "Convoys"})
		if err != nil {
			w.t.Fatalf("agenda item: %v", err)
		}
		return it.ID
	}
	session1, session2, item1, item2 := sessionIn(r1), sessionIn(r2), itemIn(r1), itemIn(r2)
	fresh := func(make func(string) string, round, prefix, suffix string) func(string) string {
		return func(string) string { return prefix + make(round) + suffix }
	}
	// Round administrators act in their rounds; a participant without the
	// capacity is refused, and an organisation outside the round finds
	// nothing.
	round1Admin := func(okStatus, anon int) cells {
		return cells{anon, okStatus, okStatus, forbidden, forbidden, forbidden, forbidden, forbidden}
	}
	round2Admin := func(okStatus, anon int) cells {
		return cells{anon, okStatus, notFound, forbidden, notFound, forbidden, notFound, notFound}
	}
	// An organisation's heads act on its members; another organisation's
	// member is not found.
	govMember := func(okStatus, anon int) cells {
		return cells{anon, notFound, notFound, okStatus, notFound, notFound, notFound, notFound}
	}
	ownMember := func(suffix string) func(string) string {
		return func(s string) string { return api + "/users/" + member(ownOrg(s)) + suffix }
	}
	webOwnMember := func(suffix string) func(string) string {
		return func(s string) string { return "/members/" + member(ownOrg(s)) + suffix }
	}
	role := fixed(map[string]string{"role": "adviser"})
	newPassword := fixed(map[string]string{"password": "a long new password"})
	reason := fixed(map[string]string{"reason": "The venue is closed."})
	webReason := fixed(url.Values{"reason": {"The venue is closed."}})
	webItemForm := fixed(url.Values{"track": {"humanitarian"}, "title": {"Convoys to the besieged areas"}})
	webEditSession := fixed(url.Values{"title": {"Working session, moved"}, "format": {"plenary"}, "starts_at": {"2017-01-25T10:00"}})

	rows := []row{
		// A head's acts on a member (the members page's, through the API).
		{route: "POST " + api + "/users/{id}/enable", object: "a member of the caller's own organisation", path: api + "/users/{own}/enable",
			pathFor: ownMember("/enable"), body: none, want: loggedIn(unauth, noContent)},
		{route: "POST " + api + "/users/{id}/enable", object: "a member of the government delegation", path: api + "/users/{fresh-user}/enable", body: none, want: govMember(noContent, unauth)},
		{route: "PUT " + api + "/users/{id}/role", object: "a member of the caller's own organisation", path: api + "/users/{own}/role",
			pathFor: ownMember("/role"), body: role, want: loggedIn(unauth, noContent)},
		{route: "PUT " + api + "/users/{id}/role", object: "a member of the government delegation", path: api + "/users/{fresh-user}/role", body: role, want: govMember(noContent, unauth)},
		{route: "PUT " + api + "/users/{id}/password", object: "a member of the caller's own organisation", path: api + "/users/{own}/password",
			pathFor: ownMember("/password"), body: newPassword, want: loggedIn(unauth, noContent)},
		{route: "PUT " + api + "/users/{id}/password", object: "a member of the government delegation", path: api + "/users/{fresh-user}/password", body: newPassword, want: govMember(noContent, unauth)},
		{route: "POST " + api + "/users/{id}/totp/reset", object: "a member of the caller's own organisation", path: api + "/users/{own}/totp/reset",
			pathFor: ownMember("/totp/reset"), body: none, want: loggedIn(unauth, noContent)},
		{route: "POST " + api + "/users/{id}/totp/reset", object: "a member of the government delegation", path: api + "/users/{fresh-user}/totp/reset", body: none, want: govMember(noContent, unauth)},
		{route: "DELETE " + api + "/users/{id}/sessions", object: "a member of the caller's own organisation", path: api + "/users/{own}/sessions",
			pathFor: ownMember("/sessions"), body: none, want: loggedIn(unauth, noContent)},
		{route: "DELETE " + api + "/users/{id}/sessions", object: "a member of the government delegation", path: api + "/users/{fresh-user}/sessions", body: none, want: govMember(noContent, unauth)},

		// Round administrators change and call off sessions and items.
		{route: "PUT " + api + "/sessions/{id}", object: "a session, " + round1, path: api + "/sessions/" + session1, body: session, want: round1Admin(ok, unauth)},
		{route: "PUT " + api + "/sessions/{id}", object: "a session, " + round2, path: api + "/sessions/" + session2, body: session, want: round2Admin(ok, unauth)},
		{route: "POST " + api + "/sessions/{id}/cancel", object: "a session, " + round1, path: api + "/sessions/{fresh}/cancel",
			pathFor: fresh(sessionIn, r1, api+"/sessions/", "/cancel"), body: reason, want: round1Admin(noContent, unauth)},
		{route: "POST " + api + "/sessions/{id}/cancel", object: "a session, " + round2, path: api + "/sessions/{fresh}/cancel",
			pathFor: fresh(sessionIn, r2, api+"/sessions/", "/cancel"), body: reason, want: round2Admin(noContent, unauth)},
		{route: "PUT " + api + "/agenda/{id}", object: "an agenda item, " + round1, path: api + "/agenda/" + item1, body: agenda, want: round1Admin(ok, unauth)},
		{route: "PUT " + api + "/agenda/{id}", object: "an agenda item, " + round2, path: api + "/agenda/" + item2, body: agenda, want: round2Admin(ok, unauth)},
		{route: "POST " + api + "/agenda/{id}/withdraw", object: "an agenda item, " + round1, path: api + "/agenda/{fresh}/withdraw",
			pathFor: fresh(itemIn, r1, api+"/agenda/", "/withdraw"), body: reason, want: round1Admin(noContent, unauth)},
		{route: "POST " + api + "/agenda/{id}/withdraw", object: "an agenda item, " + round2, path: api + "/agenda/{fresh}/withdraw",
			pathFor: fresh(itemIn, r2, api+"/agenda/", "/withdraw"), body: reason, want: round2Admin(noContent, unauth)},

		// Web: the members page, every head's for its own organisation.
		{route: "GET /members", object: "the caller's own organisation", path: "/members", body: none, want: loggedIn(toLogin, ok)},
		{route: "POST /members", object: "a member of the caller's own organisation", path: "/members",
			body: func(string) any {
				return url.Values{"username": {unique("webmember")}, "role": {"member"}, "password": {"a long first password"}}
			}, want: loggedIn(toLogin, seeOther)},
		{route: "POST /members/{id}/disable", object: "a member of the caller's own organisation", path: "/members/{own}/disable", pathFor: webOwnMember("/disable"), body: none, want: loggedIn(toLogin, seeOther)},
		{route: "POST /members/{id}/disable", object: "a member of the government delegation", path: "/members/{fresh-user}/disable", body: none, want: govMember(seeOther, toLogin)},
		{route: "POST /members/{id}/enable", object: "a member of the caller's own organisation", path: "/members/{own}/enable", pathFor: webOwnMember("/enable"), body: none, want: loggedIn(toLogin, seeOther)},
		{route: "POST /members/{id}/enable", object: "a member of the government delegation", path: "/members/{fresh-user}/enable", body: none, want: govMember(seeOther, toLogin)},
		{route: "POST /members/{id}/role", object: "a member of the caller's own organisation", path: "/members/{own}/role", pathFor: webOwnMember("/role"),
			body: fixed(url.Values{"role": {"adviser"}}), want: loggedIn(toLogin, seeOther)},
		{route: "POST /members/{id}/role", object: "a member of the government delegation", path: "/members/{fresh-user}/role",
			body: fixed(url.Values{"role": {"adviser"}}), want: govMember(seeOther, toLogin)},
		{route: "POST /members/{id}/password", object: "a member of the caller's own organisation", path: "/members/{own}/password", pathFor: webOwnMember("/password"),
			body: fixed(url.Values{"password": {"a long new password"}}), want: loggedIn(toLogin, seeOther)},
		{route: "POST /members/{id}/password", object: "a member of the government delegation", path: "/members/{fresh-user}/password",
			body: fixed(url.Values{"password": {"a long new password"}}), want: govMember(seeOther, toLogin)},
		{route: "POST /members/{id}/totp/reset", object: "a member of the caller's own organisation", path: "/members/{own}/totp/reset", pathFor: webOwnMember("/totp/reset"), body: none, want: loggedIn(toLogin, seeOther)},
		{route: "POST /members/{id}/totp/reset", object: "a member of the government delegation", path: "/members/{fresh-user}/totp/reset", body: none, want: govMember(seeOther, toLogin)},
		{route: "POST /members/{id}/sessions/end", object: "a member of the caller's own organisation", path: "/members/{own}/sessions/end", pathFor: webOwnMember("/sessions/end"), body: none, want: loggedIn(toLogin, seeOther)},
		{route: "POST /members/{id}/sessions/end", object: "a member of the government delegation", path: "/members/{fresh-user}/sessions/end", body: none, want: govMember(seeOther, toLogin)},

		// Web: the round's administration tab.
		{route: "GET /rounds/{id}/admin", object: round1, path: "/rounds/" + r1 + "/admin", body: none,
			want: cells{toLogin, ok, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/admin", object: round2, path: "/rounds/" + r2 + "/admin", body: none,
			want: cells{toLogin, ok, notFound, notFound, notFound, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/sessions/{session}", object: "a session, " + round1, path: "/rounds/" + r1 + "/sessions/" + session1, body: webEditSession, want: round1Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/sessions/{session}", object: "a session, " + round2, path: "/rounds/" + r2 + "/sessions/" + session2, body: webEditSession, want: round2Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/sessions/{session}/cancel", object: "a session, " + round1, path: "/rounds/" + r1 + "/sessions/{fresh}/cancel",
			pathFor: fresh(sessionIn, r1, "/rounds/"+r1+"/sessions/", "/cancel"), body: webReason, want: round1Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/sessions/{session}/cancel", object: "a session, " + round2, path: "/rounds/" + r2 + "/sessions/{fresh}/cancel",
			pathFor: fresh(sessionIn, r2, "/rounds/"+r2+"/sessions/", "/cancel"), body: webReason, want: round2Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/agenda/{item}", object: "an agenda item, " + round1, path: "/rounds/" + r1 + "/agenda/" + item1, body: webItemForm, want: round1Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/agenda/{item}", object: "an agenda item, " + round2, path: "/rounds/" + r2 + "/agenda/" + item2, body: webItemForm, want: round2Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/agenda/{item}/withdraw", object: "an agenda item, " + round1, path: "/rounds/" + r1 + "/agenda/{fresh}/withdraw",
			pathFor: fresh(itemIn, r1, "/rounds/"+r1+"/agenda/", "/withdraw"), body: webReason, want: round1Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/agenda/{item}/withdraw", object: "an agenda item, " + round2, path: "/rounds/" + r2 + "/agenda/{fresh}/withdraw",
			pathFor: fresh(itemIn, r2, "/rounds/"+r2+"/agenda/", "/withdraw"), body: webReason, want: round2Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/participants", object: round1, path: "/rounds/" + r1 + "/participants",
			body: func(string) any { return url.Values{"org": {freshOrg()}} }, want: round1Admin(seeOther, toLogin)},
		{route: "POST /rounds/{id}/participants", object: round2, path: "/rounds/" + r2 + "/participants",
			body: func(string) any { return url.Values{"org": {freshOrg()}} }, want: round2Admin(seeOther, toLogin)},
	}

	return append(rows, []row{
		// Organisations are created by the operator only.
		{route: "POST " + api + "/orgs", object: "a new organisation", path: api + "/orgs",
			body: func(string) any { return map[string]string{"name": unique("New org "), "kind": "mediation"} }, want: loggedIn(unauth, forbidden)},

		// An organisation's heads, and nobody else, administer its members.
		{route: "POST " + api + "/users", object: "a member of the caller's own organisation", path: api + "/users",
			body: userJSON(ownOrg), want: loggedIn(unauth, created)},
		{route: "POST " + api + "/users", object: "a member of the government delegation", path: api + "/users",
			body: userJSON(gov), want: cells{unauth, forbidden, forbidden, created, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/users", object: "a member of an organisation in no round", path: api + "/users",
			body: userJSON(func(string) string { return freshOrg() }), want: loggedIn(unauth, forbidden)},
		{route: "POST " + api + "/users/{id}/disable", object: "a member of the caller's own organisation", path: api + "/users/{own}/disable",
			pathFor: func(s string) string { return api + "/users/" + member(ownOrg(s)) + "/disable" }, body: none, want: loggedIn(unauth, noContent)},
		{route: "POST " + api + "/users/{id}/disable", object: "a member of the government delegation", path: api + "/users/{fresh-user}/disable", body: none,
			want: cells{unauth, notFound, notFound, noContent, notFound, notFound, notFound, notFound}},
		{route: "POST " + api + "/users/{id}/disable", object: "own account", path: api + "/users/{self}/disable", body: none, want: loggedIn(unauth, conflict)},
		{route: "POST " + api + "/users/{id}/disable", object: "unknown user", path: api + "/users/" + strings.Repeat("ab", 16) + "/disable", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/security-events", object: "the events of the caller's own organisation", path: api + "/security-events", body: none,
			want: loggedIn(unauth, ok)},
		{route: "PUT " + api + "/policies/second-factor", object: "the observers' policy", path: api + "/policies/second-factor",
			body: fixed(map[string]any{"kind": "observer", "required": false}), want: loggedIn(unauth, forbidden)},

		// Processes and rounds: the heads of the host and the mediation
		// open them; once a process has rounds, only those taking part.
		{route: "POST " + api + "/processes", object: "a new process", path: api + "/processes", body: fixed(map[string]string{"name": "Another process"}),
			want: cells{unauth, created, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/rounds", object: "the demo process", path: api + "/rounds",
			body: fixed(map[string]any{"process_id": w.process, "name": "Technical meeting", "participants": []string{w.org["gov"]}}),
			want: cells{unauth, created, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/rounds", object: "a process the mediation takes no part in", path: api + "/rounds",
			body: fixed(map[string]any{"process_id": process2.ID, "name": "Technical meeting", "participants": []string{w.org["gov"]}}),
			want: cells{unauth, created, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}},

		// Round administrators (heads of the host and mediation taking
		// part) propose participants and run the sessions and agenda; a
		// party's head answers a proposal.
		{route: "POST " + api + "/rounds/{id}/participants", object: round1, path: api + "/rounds/" + r1 + "/participants",
			body: func(string) any { return map[string]string{"org": freshOrg()} },
			want: cells{unauth, accepted, accepted, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/rounds/{id}/participants", object: round2, path: api + "/rounds/" + r2 + "/participants",
			body: func(string) any { return map[string]string{"org": freshOrg()} },
			want: cells{unauth, accepted, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "PUT " + api + "/rounds/{id}/participants/{org}", object: "a proposal, " + round1, path: api + "/rounds/" + r1 + "/participants/" + proposal1,
			body: fixed(map[string]bool{"accept": true}), want: cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/rounds/{id}/participants/{org}", object: "a proposal, " + round2, path: api + "/rounds/" + r2 + "/participants/" + proposal2,
			body: fixed(map[string]bool{"accept": true}), want: cells{unauth, forbidden, notFound, ok, notFound, forbidden, notFound, notFound}},
		{route: "PUT " + api + "/rounds/{id}/participants/{org}", object: "no such proposal, " + round1, path: api + "/rounds/" + r1 + "/participants/" + w.org["ocha"],
			body: fixed(map[string]bool{"accept": true}), want: cells{unauth, forbidden, forbidden, notFound, notFound, forbidden, forbidden, forbidden}},
		// Nobody is put into talks without its consent: an organisation
		// named when a head opens a round is only invited; its own head
		// answers, nobody else for it.
		{route: "PUT " + api + "/rounds/{id}/participants/{org}", object: "the caller's own invitation", path: api + "/rounds/{invited}/participants/{own}",
			pathFor: invite(api, ownOrg), body: fixed(map[string]bool{"accept": true}), want: cells{unauth, notFound, ok, ok, ok, ok, ok, ok}},
		{route: "PUT " + api + "/rounds/{id}/participants/{org}", object: "the government's invitation", path: api + "/rounds/{invited}/participants/{gov}",
			pathFor: invite(api, gov), body: fixed(map[string]bool{"accept": true}), want: cells{unauth, forbidden, notFound, ok, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/invitations", object: "the caller's organisation's invitations", path: api + "/invitations", body: none, want: loggedIn(unauth, ok)},

		// A mediation that joined later reads an organisation's past
		// material only when that organisation's head lets it.
		{route: "POST " + api + "/rounds/{id}/past-shares", object: "the later mediation, " + round3, path: api + "/rounds/" + r3.ID + "/past-shares",
			body: fixed(map[string]string{"with": later.ID}), want: loggedIn(unauth, created)},
		{route: "POST " + api + "/rounds/{id}/past-shares", object: "the mediation, " + round2, path: api + "/rounds/" + r2 + "/past-shares",
			body: fixed(map[string]string{"with": w.org["un"]}), want: cells{unauth, badRequest, notFound, badRequest, notFound, badRequest, notFound, notFound}},
		{route: "POST " + api + "/rounds/{id}/sessions", object: round1, path: api + "/rounds/" + r1 + "/sessions", body: session,
			want: cells{unauth, created, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/rounds/{id}/sessions", object: round2, path: api + "/rounds/" + r2 + "/sessions", body: session,
			want: cells{unauth, created, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "POST " + api + "/rounds/{id}/agenda", object: round1, path: api + "/rounds/" + r1 + "/agenda", body: agenda,
			want: cells{unauth, created, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/rounds/{id}/agenda", object: round2, path: api + "/rounds/" + r2 + "/agenda", body: agenda,
			want: cells{unauth, created, notFound, forbidden, notFound, forbidden, notFound, notFound}},

		// Web: the same acts through the administration page.
		{route: "GET /admin", object: "the administration page", path: "/admin", body: none, want: webAdmin(ok, ok)},
		{route: "POST /admin/processes", object: "a new process", path: "/admin/processes", body: fixed(url.Values{"name": {"Another process"}}),
			want: webAdmin(seeOther, seeOther)},
		{route: "POST /admin/rounds", object: "the demo process", path: "/admin/rounds",
			body: fixed(url.Values{"process": {w.process}, "name": {"Technical meeting"}, "participants": {w.org["gov"]}}), want: webAdmin(seeOther, seeOther)},
		{route: "POST /admin/rounds", object: "a process the mediation takes no part in", path: "/admin/rounds",
			body: fixed(url.Values{"process": {process2.ID}, "name": {"Technical meeting"}, "participants": {w.org["gov"]}}), want: webAdmin(seeOther, forbidden)},
		{route: "POST /admin/orgs", object: "a new organisation", path: "/admin/orgs",
			body: func(string) any { return url.Values{"name": {unique("Web org ")}, "kind": {"mediation"}} }, want: webAdmin(forbidden, forbidden)},
		{route: "POST /admin/users", object: "a member of the caller's own organisation", path: "/admin/users", body: userForm(ownOrg), want: webAdmin(seeOther, seeOther)},
		{route: "POST /admin/users", object: "a member of the government delegation", path: "/admin/users", body: userForm(gov), want: webAdmin(forbidden, forbidden)},
		{route: "POST /rounds/{id}/participants/{org}", object: "a proposal, " + round1, path: "/rounds/" + r1 + "/participants/" + webProposal1, body: accept,
			want: cells{toLogin, forbidden, forbidden, seeOther, seeOther, forbidden, forbidden, forbidden}},
		{route: "POST /rounds/{id}/participants/{org}", object: "a proposal, " + round2, path: "/rounds/" + r2 + "/participants/" + webProposal2, body: accept,
			want: cells{toLogin, forbidden, notFound, seeOther, notFound, forbidden, notFound, notFound}},
		{route: "POST /rounds/{id}/participants/{org}", object: "the caller's own invitation", path: "/rounds/{invited}/participants/{own}",
			pathFor: invite("", ownOrg), body: accept, want: cells{toLogin, notFound, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
		{route: "POST /rounds/{id}/past-shares/{org}", object: "the later mediation, " + round3, path: "/rounds/" + r3.ID + "/past-shares/" + webLater.ID,
			body: none, want: loggedIn(toLogin, seeOther)},
		{route: "POST /rounds/{id}/past-shares/{org}", object: "the mediation, " + round2, path: "/rounds/" + r2 + "/past-shares/" + w.org["un"],
			body: none, want: cells{toLogin, badRequest, notFound, badRequest, notFound, badRequest, notFound, notFound}},
		{route: "POST /rounds/{id}/sessions", object: round1, path: "/rounds/" + r1 + "/sessions", body: sessionForm, want: webAdmin(seeOther, seeOther)},
		{route: "POST /rounds/{id}/sessions", object: round2, path: "/rounds/" + r2 + "/sessions", body: sessionForm, want: webAdmin(seeOther, notFound)},
		{route: "POST /rounds/{id}/agenda", object: round1, path: "/rounds/" + r1 + "/agenda", body: agendaForm, want: webAdmin(seeOther, seeOther)},
		{route: "POST /rounds/{id}/agenda", object: round2, path: "/rounds/" + r2 + "/agenda", body: agendaForm, want: webAdmin(seeOther, notFound)},
	}...)
}
