package app_test

// The access table: every route the app registers (web pages and JSON API) ×
// every demo role × the owner of the object touched, with the expected status
// in each cell. A route in the mux that has no row fails the test, so a new
// route cannot ship without someone deciding who may call it. (Gitea and
// Mattermost keep the same kind of table: security regressions come from
// access checks copied and not updated.)
//
// The whole app runs, with its middleware, on SQLite and — when
// PARLEY_TEST_POSTGRES is set — on PostgreSQL, seeded with the demo. Each
// demo user logs in once, through POST /api/v1/auth/login for a bearer token
// and through the login form for a session cookie; the cells reuse those.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/auth"
	"parley/internal/demo"
	"parley/internal/ledger"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/text"
)

const tablePassword = "correct horse battery"

// subjects are the columns of the table: anonymous, then one demo user of
// each organisation kind, both parties included.
var subjects = []string{"", "chair", "mediator", "gov.head", "opp.head", "guarantor.ru", "observer.us", "monitor"}

// cells holds one expected status per subject, in the order of subjects.
type cells [8]int

// The statuses the tables' cells hold, by name, for every access_*_test.go.
const (
	ok          = http.StatusOK
	created     = http.StatusCreated
	accepted    = http.StatusAccepted
	noContent   = http.StatusNoContent
	seeOther    = http.StatusSeeOther // to anywhere but the login page
	bad         = http.StatusBadRequest
	unauth      = http.StatusUnauthorized
	forbidden   = http.StatusForbidden
	notFound    = http.StatusNotFound
	conflict    = http.StatusConflict
	unprocessed = http.StatusUnprocessableEntity
)

// none is the body of a row that sends none.
func none(string) any { return nil }

// fixed is the body of a row that sends v whoever the subject.
func fixed(v any) func(string) any { return func(string) any { return v } }

// toLogin stands for "303 See Other to the login page" in a cell. A web
// form that succeeds also answers 303, so the table tells the two apart:
// otherwise a cookie that stopped working would pass every POST cell.
const toLogin = 1303

// all returns the same status for every subject.
func all(status int) cells {
	return cells{status, status, status, status, status, status, status, status}
}

// loggedIn returns anon for the anonymous column and status for the others.
func loggedIn(anon, status int) cells {
	return cells{anon, status, status, status, status, status, status, status}
}

// row is one route touched in one way: the object it acts on and who may.
type row struct {
	route  string // the pattern, exactly as registered in the mux
	object string // the object the request touches, e.g. "round 2 (opp not in it)"
	path   string // the concrete path requested
	// body returns the request body for a subject: a JSON value for the
	// API, url.Values for a web form, nil for none.
	body func(subject string) any
	want cells
	// spends marks requests that end or rotate the subject's session
	// (logout, password change): the cell runs with fresh credentials,
	// and the subject's shared ones are renewed afterwards.
	spends bool
	// pathFor, when set, gives the path for each subject instead of path
	// (an object of the subject's own organisation).
	pathFor func(subject string) string
}

// world is the seeded app and what the table refers to.
type world struct {
	t      *testing.T
	a      *app.App
	srv    *httptest.Server
	client *http.Client
	org    map[string]string       // demo org key (and "third") → id
	user   map[string]auth.User    // username → user
	token  map[string]string       // username → API bearer token
	cookie map[string]*http.Cookie // username → web session cookie
	// round1 is the demo round, in which every demo organisation takes
	// part. round2 has the host, the government, a Russian guarantor and a
	// third party, and not the mediation, the opposition, the observer or
	// the monitor.
	round1, round2 string
	item1, item2   string // an agenda item of round 1, one of round 2
	process        string
	static         string // a path under /static/ that exists
	// event1 and event2 are the ledger indexes of the creation of round 1
	// (readable by every demo organisation) and of round 2; size is a tree
	// size covering both.
	event1, event2, size int64
	checkpoint           string                                  // the latest checkpoint's text
	witness              map[string]*torchwood.CosignatureSigner // subject → its organisation's registered witness key
	seq                  int
	clock                *atomic.Int64 // the auth service's clock, Unix nanoseconds

	// consent1 is the ledger index of a consent event of round 1, whose
	// audience is the two parties, the host and the mediation: the
	// guarantor, the observer and the monitor take part in the round but
	// may not read it.
	consent1 int64

	text1, text2 string // text1: Rev.1 issued in round 1, with an amendment by the opposition on paragraph 2; text2: a draft only
}

// cheapHash keeps the many logins of the table fast; the auth package tests
// the production parameters.
var cheapHash = &auth.HashParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestAccessTable(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		runAccessTable(t, app.Config{DataDir: t.TempDir()})
	})
	dsn := os.Getenv(storetest.EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL suite", storetest.EnvPostgres)
		}
		return
	}
	t.Run("postgres", func(t *testing.T) {
		runAccessTable(t, app.Config{DataDir: t.TempDir(), DB: storetest.PostgresDSN(t, dsn)})
	})
}

func runAccessTable(t *testing.T, cfg app.Config) {
	w := newWorld(t, cfg)
	table := append(accessTable(w), channelRows(w)...)
	table = append(table, detaineeRows(w)...)
	table = append(table, ceasefireRows(w)...)
	table = append(table, humanitarianRows(w)...)
	table = append(table, authorityRows(w)...)
	table = append(table, workdayRows(w)...)
	table = append(table, localizedRows(w)...)

	// Completeness, both ways: every registered route has a row, and every
	// row names a registered route.
	registered := w.a.Mux.Patterns()
	covered := map[string]bool{}
	for _, r := range table {
		covered[r.route] = true
		if !slices.Contains(registered, r.route) {
			t.Errorf("the table has a row for %q, which is not registered", r.route)
		}
	}
	for _, p := range registered {
		if !covered[p] {
			t.Errorf("route %q is registered but has no row in the access table: decide who may call it", p)
		}
	}

	n := 0
	for _, r := range table {
		for i, s := range subjects {
			got, body := w.call(r, s)
			n++
			if got != r.want[i] {
				t.Errorf("%s [%s] as %s: got %s, want %s\n%s", r.route, r.object, name(s), statusText(got), statusText(r.want[i]), snippet(body))
			}
			w.checkConfidential(r, s, body)
			w.checkChannelSecrets(r, s, body)
			w.checkDetaineeSecrets(r, s, body)
			w.checkCeasefireSecrets(r, s, body)
		}
	}
	t.Logf("%d routes, %d rows, %d cells", len(registered), len(table), n)

	// A web session cookie is not an API token and an API token is not a
	// web session: each layer accepts only its own kind.
	for _, s := range subjects[1:] {
		req, _ := http.NewRequest("GET", w.srv.URL+"/api/v1/me", nil)
		req.AddCookie(w.cookie[s])
		req.Header.Set("Authorization", "Bearer "+w.cookie[s].Value)
		if status := w.send(req); status != http.StatusUnauthorized {
			t.Errorf("%s: the web session opens the API: %d", s, status)
		}
		req, _ = http.NewRequest("GET", w.srv.URL+"/account", nil)
		req.AddCookie(&http.Cookie{Name: w.cookie[s].Name, Value: w.token[s]})
		if status := w.send(req); status != toLogin {
			t.Errorf("%s: the API token opens the web pages: %s", s, statusText(status))
		}
	}
}

// send sends req and returns its status as a cell would show it.
func (w *world) send(req *http.Request) int {
	w.t.Helper()
	resp, err := w.client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return cellStatus(resp)
}

// cellStatus is the status of resp as the table writes it.
func cellStatus(resp *http.Response) int {
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusSeeOther && (loc == "/login" || strings.HasPrefix(loc, "/login?")) {
		return toLogin
	}
	return resp.StatusCode
}

func statusText(status int) string {
	if status == toLogin {
		return "303 to the login page"
	}
	return fmt.Sprint(status)
}

func name(subject string) string {
	if subject == "" {
		return "anonymous"
	}
	return subject
}

func snippet(b []byte) string {
	s := string(b)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// accessTable is the table. Columns, in order:
//
//	anonymous, chair (host), mediator (mediation), gov.head (party),
//	opp.head (party), guarantor.ru (guarantor), observer.us (observer),
//	monitor (monitor)
//
// Rules it encodes (DESIGN.md, issue 2):
//   - Anonymous callers get 401 from the API and a 303 to the login page
//     from the web, before any body is read.
//   - The host and mediation leads administer; the API answers others 403,
//     the web answers its administration pages 404, as if they did not exist.
//   - An object outside the caller's audience (a round its organisation
//     does not take part in, and everything in it) is 404, never 403.
//   - Only a party sets its own stance and its own consent, by its capacity
//     in the round: outside the round it is 404 whatever the kind.
func accessTable(w *world) []row {
	own := func(s string) any {
		if s == "" {
			return map[string]string{"username": "nobody.at.all", "password": tablePassword}
		}
		return map[string]string{"username": s, "password": tablePassword}
	}
	ownForm := func(s string) any {
		if s == "" {
			return url.Values{"username": {"nobody.at.all"}, "password": {tablePassword}}
		}
		return url.Values{"username": {s}, "password": {tablePassword}}
	}
	// counterpart is the other party a subject names in a consent: the
	// government names the opposition in round 1 and the third party in
	// round 2; everyone else names the government.
	counterpart := func(round, s string) string {
		switch {
		case s == "gov.head" && round == w.round1:
			return w.org["opp"]
		case s == "gov.head":
			return w.org["third"]
		}
		return w.org["gov"]
	}
	consent := func(round string) func(string) any {
		return func(s string) any {
			return map[string]any{"counterpart": counterpart(round, s), "direct": s == "gov.head"}
		}
	}
	consentForm := func(round string) func(string) any {
		return func(s string) any {
			d := "no"
			if s == "gov.head" {
				d = "yes"
			}
			return url.Values{"counterpart": {counterpart(round, s)}, "direct": {d}}
		}
	}
	api := "/api/v1"
	r1, r2 := w.round1, w.round2
	const round1, round2 = "round 1 (all take part)", "round 2 (no mediation, opposition, observer, monitor)"

	return []row{
		// Operations.
		{route: "GET /healthz", path: "/healthz", body: none, want: all(ok)},

		// API: documents and sessions.
		{route: "GET " + api + "/openapi.json", path: api + "/openapi.json", body: none, want: all(ok)},
		{route: "POST " + api + "/auth/login", object: "own account", path: api + "/auth/login", body: own, want: loggedIn(unauth, ok)},
		{route: "POST " + api + "/auth/logout", object: "own token", path: api + "/auth/logout", body: none, want: loggedIn(unauth, noContent), spends: true},
		{route: "GET " + api + "/me", path: api + "/me", body: none, want: loggedIn(unauth, ok)},
		{route: "PUT " + api + "/me/password", object: "own account", path: api + "/me/password", spends: true,
			body: fixed(map[string]string{"current": tablePassword, "new": "a brand new passphrase"}), want: loggedIn(unauth, noContent)},
		{route: "PUT " + api + "/me/locale", object: "own account", path: api + "/me/locale", body: fixed(map[string]string{"locale": ""}), want: loggedIn(unauth, noContent)},
		{route: "POST " + api + "/me/totp", object: "own account", path: api + "/me/totp", body: none, want: loggedIn(unauth, ok)},
		{route: "POST " + api + "/me/totp/confirm", object: "own account, wrong code", path: api + "/me/totp/confirm",
			body: fixed(map[string]string{"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "code": "000000"}), want: loggedIn(unauth, 400)},
		{route: "POST " + api + "/me/totp/disable", object: "own account", path: api + "/me/totp/disable", spends: true, // it ends the other sessions
			body: fixed(map[string]string{"password": tablePassword}), want: loggedIn(unauth, noContent)},

		// API: organisations, users, security log.
		{route: "GET " + api + "/orgs", path: api + "/orgs", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/users", object: "all users (admins) or own organisation's", path: api + "/users", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/policies/second-factor", path: api + "/policies/second-factor", body: none, want: loggedIn(unauth, ok)},

		// API: processes and rounds.
		{route: "GET " + api + "/processes", path: api + "/processes", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/rounds", path: api + "/rounds", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/rounds/{id}", object: round1, path: api + "/rounds/" + r1, body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/rounds/{id}", object: round2, path: api + "/rounds/" + r2, body: none,
			want: cells{unauth, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}", object: "no such round", path: api + "/rounds/" + strings.Repeat("cd", 16), body: none, want: loggedIn(unauth, notFound)},
		{route: "PUT " + api + "/rounds/{id}/consent", object: "own consent, " + round1, path: api + "/rounds/" + r1 + "/consent", body: consent(r1),
			want: cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden, forbidden}},
		// Outside round 2 (the mediation, observer, monitor) the round is
		// not found, whatever the organisation's kind, as on the page.
		{route: "PUT " + api + "/rounds/{id}/consent", object: "own consent, " + round2, path: api + "/rounds/" + r2 + "/consent", body: consent(r2),
			want: cells{unauth, forbidden, notFound, ok, notFound, forbidden, notFound, notFound}},
		{route: "PUT " + api + "/agenda/{id}/stance", object: "own stance, item of " + round1, path: api + "/agenda/" + w.item1 + "/stance",
			body: fixed(map[string]string{"stance": "accept"}), want: cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/agenda/{id}/stance", object: "own stance, item of " + round2, path: api + "/agenda/" + w.item2 + "/stance",
			body: fixed(map[string]string{"stance": "accept"}), want: cells{unauth, forbidden, notFound, ok, notFound, forbidden, notFound, notFound}},

		// API: the ledger. The key and the witness list are public; an
		// event outside the caller's audience has no inclusion proof (404).
		{route: "GET " + api + "/ledger/key", path: api + "/ledger/key", body: none, want: all(ok)},
		{route: "GET " + api + "/ledger/checkpoint", path: api + "/ledger/checkpoint", body: none, want: loggedIn(unauth, ok)},
		{route: "POST " + api + "/ledger/checkpoint", path: api + "/ledger/checkpoint", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/ledger/events", object: "events the caller may read", path: api + "/ledger/events?from=0&limit=1000", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/ledger/inclusion", object: "event of " + round1, path: fmt.Sprintf("%s/ledger/inclusion?index=%d&size=%d", api, w.event1, w.size),
			body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/ledger/inclusion", object: "event of " + round2, path: fmt.Sprintf("%s/ledger/inclusion?index=%d&size=%d", api, w.event2, w.size),
			body: none, want: cells{unauth, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "GET " + api + "/ledger/consistency", path: fmt.Sprintf("%s/ledger/consistency?from=1&to=%d", api, w.size), body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/ledger/witnesses", path: api + "/ledger/witnesses", body: none, want: all(ok)},
		{route: "POST " + api + "/ledger/witnesses", object: "a second key for the caller's organisation, which has one (one witness each)", path: api + "/ledger/witnesses",
			body: func(s string) any {
				_, vkey := newWitnessKey(w.t, fmt.Sprintf("w%d", w.next()))
				return map[string]string{"name": "another witness", "vkey": vkey}
			},
			want: cells{unauth, forbidden, forbidden, conflict, conflict, conflict, forbidden, forbidden}},
		{route: "POST " + api + "/ledger/cosignatures", object: "the caller's organisation's witness key", path: api + "/ledger/cosignatures",
			body: func(s string) any {
				cs := w.witness[s]
				if cs == nil { // an organisation without a registered key signs with an unknown one
					cs, _ = newWitnessKey(w.t, "stranger")
				}
				return map[string]string{"checkpoint": w.checkpoint, "cosignature": cosign(w.t, cs, w.checkpoint)}
			},
			want: cells{unauth, forbidden, forbidden, noContent, noContent, noContent, forbidden, forbidden}},
		{route: api + "/", object: "no such API route", path: api + "/no/such/route", body: none, want: all(notFound)},

		// Web: static files, login and logout.
		{route: "GET /static/", path: w.static, body: none, want: all(ok)},
		{route: "GET /login", path: "/login", body: none, want: loggedIn(ok, seeOther)},
		{route: "POST /login", object: "own account", path: "/login", body: ownForm, want: loggedIn(unauth, seeOther)},
		{route: "GET /login/otp", object: "no login waiting for a code", path: "/login/otp", body: none, want: loggedIn(toLogin, seeOther)},
		{route: "POST /login/otp", object: "no login waiting for a code", path: "/login/otp", body: fixed(url.Values{"code": {"000000"}}), want: loggedIn(toLogin, seeOther)},
		{route: "POST /logout", object: "own session", path: "/logout", body: none, want: all(toLogin), spends: true},

		// Web: rounds.
		{route: "GET /{$}", object: "the caller's rounds", path: "/", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}", object: round1, path: "/rounds/" + r1, body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}", object: round2, path: "/rounds/" + r2, body: none,
			want: cells{toLogin, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "POST /rounds/{id}/agenda/{item}/stance", object: "own stance, item of " + round1, path: "/rounds/" + r1 + "/agenda/" + w.item1 + "/stance",
			body: fixed(url.Values{"stance": {"accept"}}), want: cells{toLogin, forbidden, forbidden, seeOther, seeOther, forbidden, forbidden, forbidden}},
		{route: "POST /rounds/{id}/agenda/{item}/stance", object: "own stance, item of " + round2, path: "/rounds/" + r2 + "/agenda/" + w.item2 + "/stance",
			body: fixed(url.Values{"stance": {"accept"}}), want: cells{toLogin, forbidden, notFound, seeOther, notFound, forbidden, notFound, notFound}},
		{route: "POST /rounds/{id}/consent", object: "own consent, " + round1, path: "/rounds/" + r1 + "/consent", body: consentForm(r1),
			want: cells{toLogin, forbidden, forbidden, seeOther, seeOther, forbidden, forbidden, forbidden}},
		{route: "POST /rounds/{id}/consent", object: "own consent, " + round2, path: "/rounds/" + r2 + "/consent", body: consentForm(r2),
			want: cells{toLogin, forbidden, notFound, seeOther, notFound, forbidden, notFound, notFound}},

		// Web: the record of a round (issue 4). The round's audience
		// decides who sees the page and the bundle; each event's own
		// audience decides who sees its proof, and an event of another
		// round is not found under this one.
		{route: "GET /rounds/{id}/record", object: round1, path: "/rounds/" + r1 + "/record", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}/record", object: round2, path: "/rounds/" + r2 + "/record", body: none,
			want: cells{toLogin, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "GET /rounds/{id}/record/bundle", object: round1, path: "/rounds/" + r1 + "/record/bundle", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}/record/bundle", object: round2, path: "/rounds/" + r2 + "/record/bundle", body: none,
			want: cells{toLogin, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "GET /rounds/{id}/record/{index}", object: "event of " + round1, path: fmt.Sprintf("/rounds/%s/record/%d", r1, w.event1), body: none,
			want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}/record/{index}", object: "consent event of " + round1 + ", outside the audience of guarantor, observer, monitor",
			path: fmt.Sprintf("/rounds/%s/record/%d", r1, w.consent1), body: none,
			want: cells{toLogin, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/record/{index}", object: "event of " + round2, path: fmt.Sprintf("/rounds/%s/record/%d", r2, w.event2), body: none,
			want: cells{toLogin, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "GET /rounds/{id}/record/{index}", object: "event of " + round2 + " under " + round1, path: fmt.Sprintf("/rounds/%s/record/%d", r1, w.event2), body: none,
			want: cells{toLogin, notFound, notFound, notFound, notFound, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/record/{index}", object: "no such event", path: fmt.Sprintf("/rounds/%s/record/%d", r1, 1<<40), body: none,
			want: loggedIn(toLogin, notFound)},

		// Web: administration.

		// Web: the account page.
		{route: "GET /account", object: "own account", path: "/account", body: none, want: loggedIn(toLogin, ok)},
		{route: "POST /account/password", object: "own account", path: "/account/password", spends: true,
			body: fixed(url.Values{"current": {tablePassword}, "password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}}),
			want: loggedIn(toLogin, seeOther)},
		{route: "POST /account/language", object: "own account", path: "/account/language", body: fixed(url.Values{"locale": {""}}), want: loggedIn(toLogin, seeOther)},
		{route: "POST /account/totp", object: "own account", path: "/account/totp", body: none, want: loggedIn(toLogin, seeOther)},
		{route: "GET /account/totp.png", object: "own enrolment", path: "/account/totp.png", body: none, want: loggedIn(toLogin, ok)},
		{route: "POST /account/totp/confirm", object: "own account, wrong code", path: "/account/totp/confirm",
			body: fixed(url.Values{"code": {"000000"}}), want: loggedIn(toLogin, 400)},
		{route: "POST /account/totp/disable", object: "own account", path: "/account/totp/disable", spends: true, // it ends the other sessions
			body: fixed(url.Values{"password": {tablePassword}}), want: loggedIn(toLogin, seeOther)},
		// API: the negotiating text.
		{route: "GET " + api + "/rounds/{id}/texts", object: round1, path: api + "/rounds/" + r1 + "/texts", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/rounds/{id}/texts", object: round2, path: api + "/rounds/" + r2 + "/texts", body: none,
			want: cells{unauth, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "POST " + api + "/rounds/{id}/texts", object: round1, path: api + "/rounds/" + r1 + "/texts", body: fixed(map[string]string{"title": "Another text"}),
			want: cells{unauth, forbidden, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/rounds/{id}/texts", object: round2, path: api + "/rounds/" + r2 + "/texts", body: fixed(map[string]string{"title": "Another text"}),
			want: cells{unauth, forbidden, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}", object: "text with Rev.1, " + round1, path: api + "/texts/" + w.text1, body: none,
			want: cells{unauth, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}", object: "text not issued, " + round1, path: api + "/texts/" + w.text2, body: none,
			want: cells{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}/draft", object: "text with Rev.1", path: api + "/texts/" + w.text1 + "/draft", body: none,
			want: cells{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}/revisions/{n}", object: "Rev.1", path: api + "/texts/" + w.text1 + "/revisions/1", body: none,
			want: cells{unauth, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}/revisions/{n}/export", object: "Rev.1 as Markdown", path: api + "/texts/" + w.text1 + "/revisions/1/export?format=md", body: none,
			want: cells{unauth, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}/compare", object: "Rev.1 with itself", path: api + "/texts/" + w.text1 + "/compare?from=1&to=1", body: none,
			want: cells{unauth, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}/adoption", object: "text with Rev.1", path: api + "/texts/" + w.text1 + "/adoption", body: none,
			want: cells{unauth, ok, ok, ok, ok, notFound, notFound, notFound}},
		// A write on a text the caller does not read is answered as for a
		// missing text (404); a reader without the capacity the write
		// needs in the text's round is refused (403). The kind of its
		// organisation alone decides nothing.
		{route: "PUT " + api + "/texts/{id}/revisions/{n}/paragraphs/{p}/position", object: "own position on Rev.1", path: api + "/texts/" + w.text1 + "/revisions/1/paragraphs/1/position",
			body: fixed(map[string]string{"alternative": "A", "stance": "accept"}), want: cells{unauth, forbidden, forbidden, ok, ok, notFound, notFound, notFound}},
		{route: "POST " + api + "/texts/{id}/adopt", object: "Rev.1, still bracketed", path: api + "/texts/" + w.text1 + "/adopt",
			body: fixed(map[string]string{"password": tablePassword}), want: cells{unauth, forbidden, forbidden, conflict, conflict, notFound, notFound, notFound}},
		{route: "POST " + api + "/texts/{id}/publish", object: "text not adopted", path: api + "/texts/" + w.text1 + "/publish", body: none,
			want: cells{unauth, forbidden, conflict, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "PUT " + api + "/texts/{id}/settings", object: "text with Rev.1", path: api + "/texts/" + w.text1 + "/settings",
			body: fixed(map[string]bool{"ad_referendum": false}), want: cells{unauth, forbidden, ok, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "PUT " + api + "/texts/{id}/summaries/{org}", object: "summary for the government", path: api + "/texts/" + w.text1 + "/summaries/" + w.org["gov"],
			body: fixed(map[string]bool{"shared": true}), want: cells{unauth, forbidden, ok, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST " + api + "/texts/{id}/draft/from-amendment", object: "the opposition's amendment", path: api + "/texts/" + w.text1 + "/draft/from-amendment",
			body: fixed(map[string]any{"revision": 1, "paragraph": 2, "org": w.org["opp"]}), want: cells{unauth, forbidden, created, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "PUT " + api + "/texts/{id}/draft", object: "text not issued", path: api + "/texts/" + w.text2 + "/draft",
			body: fixed(map[string]string{"source": "# Unissued text\n\n1. A paragraph.\n"}), want: cells{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "POST " + api + "/texts/{id}/issue", object: "text not issued", path: api + "/texts/" + w.text2 + "/issue", body: none,
			want: cells{unauth, notFound, created, forbidden, forbidden, notFound, notFound, notFound}},
		// API: parallel language versions of Rev.1. The mediation adds a
		// translation; the revision's readers read it.
		{route: "PUT " + api + "/texts/{id}/revisions/{n}/translations/{lang}", object: "Rev.1 in French", path: api + "/texts/" + w.text1 + "/revisions/1/translations/fr",
			body: fixed(map[string]string{"source": "# Texte\n\n1. Signalé à\nA) le groupe.\nB) les garants.\n2. Les convois passent [sans délai].\n"}), want: cells{unauth, forbidden, ok, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}/revisions/{n}/translations", object: "Rev.1", path: api + "/texts/" + w.text1 + "/revisions/1/translations", body: none,
			want: cells{unauth, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/texts/{id}/revisions/{n}/translations/{lang}", object: "Rev.1 in French", path: api + "/texts/" + w.text1 + "/revisions/1/translations/fr", body: none,
			want: cells{unauth, ok, ok, ok, ok, notFound, notFound, notFound}},

		// Web: the negotiating text. A refused form shows the text page
		// again: 403 to those who read the text, 404 to those who do not.
		{route: "GET /rounds/{id}/texts", object: round1, path: "/rounds/" + r1 + "/texts", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /rounds/{id}/texts", object: round2, path: "/rounds/" + r2 + "/texts", body: none,
			want: cells{toLogin, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "POST /rounds/{id}/texts", object: round1, path: "/rounds/" + r1 + "/texts", body: fixed(url.Values{"title": {"A web text"}}),
			want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /rounds/{id}/texts", object: round2, path: "/rounds/" + r2 + "/texts", body: fixed(url.Values{"title": {"A web text"}}),
			want: cells{toLogin, forbidden, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "GET /texts/{id}", object: "text with Rev.1", path: "/texts/" + w.text1, body: none,
			want: cells{toLogin, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET /texts/{id}/revisions/{n}", object: "Rev.1", path: "/texts/" + w.text1 + "/revisions/1", body: none,
			want: cells{toLogin, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET /texts/{id}/compare", object: "Rev.1 with itself", path: "/texts/" + w.text1 + "/compare?from=1&to=1", body: none,
			want: cells{toLogin, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET /texts/{id}/revisions/{n}/export", object: "Rev.1 as Akoma Ntoso", path: "/texts/" + w.text1 + "/revisions/1/export?format=akn", body: none,
			want: cells{toLogin, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET /texts/{id}/revisions/{n}/parallel", object: "Rev.1 side by side", path: "/texts/" + w.text1 + "/revisions/1/parallel", body: none,
			want: cells{toLogin, ok, ok, ok, ok, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/revisions/{n}/translations", object: "Rev.1 in Russian", path: "/texts/" + w.text1 + "/revisions/1/translations",
			body: fixed(url.Values{"language": {"ru"}, "source": {"# Текст\n\n1. Сообщается\nA) группе.\nB) гарантам.\n2. Колонны проходят [без задержки].\n"}}), want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/revisions/{n}/paragraphs/{p}/position", object: "own position on Rev.1", path: "/texts/" + w.text1 + "/revisions/1/paragraphs/1/position",
			body: fixed(url.Values{"alternative": {"A"}, "stance": {"accept"}}), want: cells{toLogin, forbidden, forbidden, seeOther, seeOther, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/adopt", object: "Rev.1, still bracketed", path: "/texts/" + w.text1 + "/adopt",
			body: fixed(url.Values{"password": {tablePassword}}), want: cells{toLogin, forbidden, forbidden, conflict, conflict, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/publish", object: "text not adopted", path: "/texts/" + w.text1 + "/publish", body: fixed(url.Values{}),
			want: cells{toLogin, forbidden, conflict, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/settings", object: "text with Rev.1", path: "/texts/" + w.text1 + "/settings", body: fixed(url.Values{"ad_referendum": {"on"}}),
			want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/summaries/{org}", object: "summary for the government", path: "/texts/" + w.text1 + "/summaries/" + w.org["gov"], body: fixed(url.Values{"shared": {"on"}}),
			want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/draft/from-amendment", object: "the opposition's amendment", path: "/texts/" + w.text1 + "/draft/from-amendment",
			body: fixed(url.Values{"revision": {"1"}, "paragraph": {"2"}, "org": {w.org["opp"]}}), want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/draft", object: "text with Rev.1", path: "/texts/" + w.text1 + "/draft",
			body: fixed(url.Values{"source": {"# Table text\n\n1. Reported to the group.\n2. Convoys pass within 48 hours.\n"}}), want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /texts/{id}/issue", object: "text with a new draft", path: "/texts/" + w.text1 + "/issue", body: latestDraft(w),
			want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		// API: the package analysis. The domain is the round's mediation's
		// and parties'; a profile its party's (and the mediation's while
		// shared); the analysis, the draft and proposals the mediation's.
		// Others in the round are refused writes (403) and find nothing to
		// read (404); outsiders find no round (404). Round 2 has no domain:
		// its mediation is not in it. Every cell is also checked for a
		// profile its reader may not read (checkConfidential).
		{route: "GET " + api + "/rounds/{id}/bargain/domain", object: round1, path: api + "/rounds/" + r1 + "/bargain/domain", body: none,
			want: cells{unauth, notFound, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/domain", object: round2 + ", no domain", path: api + "/rounds/" + r2 + "/bargain/domain", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "PUT " + api + "/rounds/{id}/bargain/domain", object: round1, path: api + "/rounds/" + r1 + "/bargain/domain", body: bargainDomainJSON,
			want: cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/rounds/{id}/bargain/domain", object: round2, path: api + "/rounds/" + r2 + "/bargain/domain", body: bargainDomainJSON,
			want: cells{unauth, forbidden, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/domain/geniusweb", object: round1, path: api + "/rounds/" + r1 + "/bargain/domain/geniusweb", body: none,
			want: cells{unauth, notFound, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/domain/geniusweb", object: round2 + ", no domain", path: api + "/rounds/" + r2 + "/bargain/domain/geniusweb", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "PUT " + api + "/rounds/{id}/bargain/domain/geniusweb", object: round1, path: api + "/rounds/" + r1 + "/bargain/domain/geniusweb",
			body: fixed(file{"application/json", w.bargainDomainFile()}), want: cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/rounds/{id}/bargain/domain/geniusweb", object: round2 + ", a malformed file", path: api + "/rounds/" + r2 + "/bargain/domain/geniusweb",
			body: fixed(file{"application/json", `{"name":`}), want: cells{unauth, forbidden, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile/geniusweb", object: "own profile, " + round1, path: api + "/rounds/" + r1 + "/bargain/profile/geniusweb",
			body: w.bargainProfileFiles(false), want: cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile/geniusweb", object: "own profile, " + round2 + ", no domain", path: api + "/rounds/" + r2 + "/bargain/profile/geniusweb",
			body: w.bargainProfileFiles(false), want: cells{unauth, forbidden, notFound, conflict, notFound, forbidden, notFound, notFound}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile/genius-xml", object: "own profile, " + round1, path: api + "/rounds/" + r1 + "/bargain/profile/genius-xml",
			body: w.bargainProfileFiles(true), want: cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile/genius-xml", object: "own profile, " + round2 + ", no domain", path: api + "/rounds/" + r2 + "/bargain/profile/genius-xml",
			body: w.bargainProfileFiles(true), want: cells{unauth, forbidden, notFound, conflict, notFound, forbidden, notFound, notFound}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile", object: "own profile, " + round1, path: api + "/rounds/" + r1 + "/bargain/profile",
			body: bargainProfileJSON, want: cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile", object: "own profile, " + round2 + ", no domain", path: api + "/rounds/" + r2 + "/bargain/profile",
			body: bargainProfileJSON, want: cells{unauth, forbidden, notFound, conflict, notFound, forbidden, notFound, notFound}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile/shared", object: "own profile, " + round1, path: api + "/rounds/" + r1 + "/bargain/profile/shared",
			body: bargainSharedJSON, want: cells{unauth, notFound, notFound, ok, ok, notFound, notFound, notFound}},
		{route: "PUT " + api + "/rounds/{id}/bargain/profile/shared", object: "own profile, " + round2 + ", none", path: api + "/rounds/" + r2 + "/bargain/profile/shared",
			body: bargainSharedJSON, want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/rounds/{id}/bargain/profile", object: "own profile, " + round1, path: api + "/rounds/" + r1 + "/bargain/profile", body: none,
			want: cells{unauth, notFound, notFound, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/profile", object: "own profile, " + round2 + ", none", path: api + "/rounds/" + r2 + "/bargain/profile", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/rounds/{id}/bargain/profile/geniusweb", object: "own profile, " + round1, path: api + "/rounds/" + r1 + "/bargain/profile/geniusweb", body: none,
			want: cells{unauth, notFound, notFound, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/profile/geniusweb", object: "own profile, " + round2 + ", none", path: api + "/rounds/" + r2 + "/bargain/profile/geniusweb", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/rounds/{id}/bargain/profile/genius-xml", object: "own profile, " + round1, path: api + "/rounds/" + r1 + "/bargain/profile/genius-xml", body: none,
			want: cells{unauth, notFound, notFound, ok, ok, notFound, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/profile/genius-xml", object: "own profile, " + round2 + ", none", path: api + "/rounds/" + r2 + "/bargain/profile/genius-xml", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/rounds/{id}/bargain/profiles", object: "the profiles the caller may read, " + round1, path: api + "/rounds/" + r1 + "/bargain/profiles", body: none,
			want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/rounds/{id}/bargain/profiles", object: "the profiles the caller may read, " + round2, path: api + "/rounds/" + r2 + "/bargain/profiles", body: none,
			want: cells{unauth, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/analysis", object: round1, path: api + "/rounds/" + r1 + "/bargain/analysis", body: none,
			want: cells{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/rounds/{id}/bargain/analysis", object: round2, path: api + "/rounds/" + r2 + "/bargain/analysis", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "PUT " + api + "/rounds/{id}/bargain/draft", object: round1, path: api + "/rounds/" + r1 + "/bargain/draft",
			body: fixed(map[string]any{"bid": map[string]string{"scope": "local", "monitoring": "UN"}}),
			want: cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/rounds/{id}/bargain/draft", object: round2, path: api + "/rounds/" + r2 + "/bargain/draft",
			body: fixed(map[string]any{"bid": map[string]string{"scope": "local", "monitoring": "UN"}}),
			want: cells{unauth, forbidden, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "POST " + api + "/rounds/{id}/bargain/proposals", object: "the Nash package, " + round1, path: api + "/rounds/" + r1 + "/bargain/proposals",
			body: fixed(map[string]string{"which": "nash"}), want: cells{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "POST " + api + "/rounds/{id}/bargain/proposals", object: "the Nash package, " + round2, path: api + "/rounds/" + r2 + "/bargain/proposals",
			body: fixed(map[string]string{"which": "nash"}), want: loggedIn(unauth, notFound)},

		// Web: the package analysis. /rounds/{id}/bargain is a party's
		// elicitation page or the mediation's analysis page; anyone else
		// finds none (404). A refused form shows the page again: 403 to
		// those who have the page, 404 to those who do not.
		{route: "GET /rounds/{id}/bargain", object: round1, path: "/rounds/" + r1 + "/bargain", body: none,
			want: cells{toLogin, notFound, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/bargain", object: round2 + ", no domain", path: "/rounds/" + r2 + "/bargain", body: none,
			want: cells{toLogin, notFound, notFound, ok, notFound, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/profile", object: "own profile, " + round1, path: "/rounds/" + r1 + "/bargain/profile", body: bargainProfileForm,
			want: cells{toLogin, notFound, forbidden, seeOther, seeOther, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/profile", object: "own profile, " + round2 + ", no domain", path: "/rounds/" + r2 + "/bargain/profile", body: bargainProfileForm,
			want: cells{toLogin, notFound, notFound, notFound, notFound, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/profile/import", object: "own profile, " + round1, path: "/rounds/" + r1 + "/bargain/profile/import", body: w.bargainImportForm,
			want: cells{toLogin, notFound, forbidden, seeOther, seeOther, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/profile/import", object: "own profile, " + round2 + ", no domain", path: "/rounds/" + r2 + "/bargain/profile/import", body: w.bargainImportForm,
			want: cells{toLogin, notFound, notFound, conflict, notFound, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/bargain/profile/export", object: "own profile, " + round1, path: "/rounds/" + r1 + "/bargain/profile/export?format=genius_xml", body: none,
			want: cells{toLogin, notFound, notFound, ok, ok, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/bargain/profile/export", object: "own profile, " + round2 + ", none", path: "/rounds/" + r2 + "/bargain/profile/export", body: none,
			want: loggedIn(toLogin, notFound)},
		{route: "POST /rounds/{id}/bargain/domain", object: round1, path: "/rounds/" + r1 + "/bargain/domain", body: fixed(bargainDomainForm()),
			want: cells{toLogin, notFound, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/domain", object: round2, path: "/rounds/" + r2 + "/bargain/domain", body: fixed(bargainDomainForm()),
			want: cells{toLogin, notFound, notFound, forbidden, notFound, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/domain/import", object: round1, path: "/rounds/" + r1 + "/bargain/domain/import", body: fixed(url.Values{"file": {w.bargainDomainFile()}}),
			want: cells{toLogin, notFound, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/domain/import", object: round2, path: "/rounds/" + r2 + "/bargain/domain/import", body: fixed(url.Values{"file": {w.bargainDomainFile()}}),
			want: cells{toLogin, notFound, notFound, forbidden, notFound, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/bargain/domain/export", object: round1, path: "/rounds/" + r1 + "/bargain/domain/export", body: none,
			want: cells{toLogin, notFound, ok, ok, ok, notFound, notFound, notFound}},
		{route: "GET /rounds/{id}/bargain/domain/export", object: round2 + ", no domain", path: "/rounds/" + r2 + "/bargain/domain/export", body: none,
			want: loggedIn(toLogin, notFound)},
		{route: "POST /rounds/{id}/bargain/draft", object: round1, path: "/rounds/" + r1 + "/bargain/draft", body: fixed(url.Values{"draft.0": {"local"}, "draft.1": {"UN"}}),
			want: cells{toLogin, notFound, seeOther, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "POST /rounds/{id}/bargain/draft", object: round2 + ", no domain", path: "/rounds/" + r2 + "/bargain/draft", body: fixed(url.Values{"draft.0": {"local"}, "draft.1": {"UN"}}),
			want: loggedIn(toLogin, notFound)},
		{route: "/", object: "no such page", path: "/no/such/page", body: none, want: all(notFound)},
	}
}

func newWorld(t *testing.T, cfg app.Config) *world {
	t.Helper()
	ctx := context.Background()
	cfg.Auth.HashParams = cheapHash
	// The table logs in more often than the per-address login throttle
	// allows from one address in a minute; the clock moves on before each
	// login instead of the test waiting.
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	cfg.Auth.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := demo.Seed(ctx, a.Talks, a.Auth, tablePassword); err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	w := &world{
		t: t, a: a, srv: srv, clock: &clock,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		org:    map[string]string{}, user: map[string]auth.User{},
		token: map[string]string{}, cookie: map[string]*http.Cookie{},
	}
	for _, s := range subjects[1:] {
		w.login(s)
	}

	orgs, err := a.Talks.Orgs(ctx, access.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range demo.Orgs {
		for _, got := range orgs {
			if got.Name == o.Name {
				w.org[o.Key] = got.ID
			}
		}
	}
	chair := w.user["chair"].Actor()
	rounds, err := a.Talks.Rounds(ctx, chair)
	if err != nil || len(rounds) != 1 {
		t.Fatalf("demo rounds: %v %v", rounds, err)
	}
	r1, err := a.Talks.Round(ctx, chair, rounds[0].ID)
	if err != nil || len(r1.Agenda) == 0 {
		t.Fatalf("demo round: %v", err)
	}
	w.round1, w.item1, w.process = r1.ID, r1.Agenda[0].ID, r1.ProcessID

	third, err := a.Talks.AddOrg(ctx, access.System, "Third party delegation", "Third", access.Party)
	if err != nil {
		t.Fatal(err)
	}
	w.org["third"] = third.ID
	// The operator seeds it: a head's round would only invite them.
	r2, err := a.Talks.CreateRound(ctx, access.System, talks.NewRound{ProcessID: w.process, Name: "Round 2",
		Participants: []string{w.org["host"], w.org["gov"], w.org["ru"], third.ID}})
	if err != nil {
		t.Fatalf("round 2: %v", err)
	}
	w.round2 = r2.ID
	it, err := a.Talks.AddAgendaItem(ctx, chair, r2.ID, talks.NewAgendaItem{Track: "ceasefire", Title: "Monitoring mechanism"})
	if err != nil {
		t.Fatalf("round 2 agenda: %v", err)
	}
	w.item2 = it.ID
	med, opp := w.user["mediator"].Actor(), w.user["opp.head"].Actor()
	t1, err := a.Text.Create(ctx, med, r1.ID, text.NewText{Source: "# Table text\n\n1. Reported to\nA) the group.\nB) the guarantors.\n2. Convoys pass [without delay].\n"})
	if err != nil {
		t.Fatalf("text 1: %v", err)
	}
	if _, err := a.Text.Issue(ctx, med, t1.ID); err != nil {
		t.Fatalf("text 1 Rev.1: %v", err)
	}
	if _, err := a.Text.SetPosition(ctx, opp, t1.ID, 1, 2, text.PositionInput{Stance: text.Amend, Wording: "Convoys pass within 48 hours."}); err != nil {
		t.Fatalf("text 1 amendment: %v", err)
	}
	t2, err := a.Text.Create(ctx, med, r1.ID, text.NewText{Title: "Unissued text"})
	if err != nil {
		t.Fatalf("text 2: %v", err)
	}
	w.text1, w.text2 = t1.ID, t2.ID

	// The ledger: a signing key (unless the app has one), a checkpoint, and
	// a registered witness key for each party and the guarantor.
	if a.Ledger.VerifierKey() == "" {
		signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/access-table")
		if err != nil {
			t.Fatal(err)
		}
		a.Ledger.SetKey(signer, vkey)
	}
	w.event1, w.event2, w.size = r1.LedgerIndex, r2.LedgerIndex, it.LedgerIndex+1
	w.consent1 = -1
	evs, err := a.Ledger.RoundEvents(ctx, chair, r1.ID, 0, ledger.MaxEventsLimit)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if strings.Contains(e.Type, "consent") {
			w.consent1 = e.Index
		}
	}
	if w.consent1 < 0 {
		t.Fatal("the demo round has no consent event")
	}
	cp, err := a.Ledger.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	w.checkpoint, _, _ = strings.Cut(string(cp), "\n\n")
	w.checkpoint += "\n"
	w.witness = map[string]*torchwood.CosignatureSigner{}
	for _, s := range []string{"gov.head", "opp.head", "guarantor.ru"} {
		cs, vkey := newWitnessKey(t, "witness-"+s)
		if _, err := a.Ledger.RegisterWitness(ctx, w.user[s].Actor(), s+" witness", vkey); err != nil {
			t.Fatalf("register witness for %s: %v", s, err)
		}
		w.witness[s] = cs
	}

	w.seedBargain()
	w.seedChannel()

	// A static file the login page links to.
	_, body := w.do("GET", "/login", "", nil)
	m := regexp.MustCompile(`/static/[^"?#]+`).Find(body)
	if m == nil {
		t.Fatalf("the login page links no static file:\n%s", snippet(body))
	}
	w.static = string(m)
	return w
}

// newWitnessKey returns a fresh c2sp.org/tlog-cosignature key: its signer and
// verifier key.
func newWitnessKey(t *testing.T, name string) (*torchwood.CosignatureSigner, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := torchwood.NewCosignatureSigner(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	return cs, cs.Verifier().String()
}

// cosign returns the cosignature line of cs on the checkpoint text.
func cosign(t *testing.T, cs *torchwood.CosignatureSigner, checkpoint string) string {
	t.Helper()
	signed, err := note.Sign(&note.Note{Text: checkpoint}, cs)
	if err != nil {
		t.Fatal(err)
	}
	_, line, _ := strings.Cut(string(signed), "\n\n")
	return line
}

// login gives subject a fresh API token and web session cookie, and
// restores the demo password first in case a cell changed it.
func (w *world) login(subject string) {
	t := w.t
	t.Helper()
	ctx := context.Background()
	if u, ok := w.user[subject]; ok {
		if err := w.a.Auth.SetPassword(ctx, access.System, u.ID, tablePassword); err != nil {
			t.Fatalf("restore the password of %s: %v", subject, err)
		}
	}
	status, body := w.do("POST", "/api/v1/auth/login", "", map[string]string{"username": subject, "password": tablePassword})
	if status != http.StatusOK {
		t.Fatalf("API login %s: %d %s", subject, status, body)
	}
	var l struct {
		Token string
		User  struct{ ID string }
	}
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	w.token[subject] = l.Token
	u, err := w.a.Auth.User(ctx, l.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.user[subject] = u

	w.clock.Add(int64(4 * time.Second))
	resp, err := w.client.PostForm(w.srv.URL+"/login", url.Values{"username": {subject}, "password": {tablePassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "session") && c.Value != "" {
			w.cookie[subject] = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if resp.StatusCode != http.StatusSeeOther || w.cookie[subject] == nil {
		t.Fatalf("web login %s: %d, cookies %v", subject, resp.StatusCode, resp.Cookies())
	}
}

// call runs one cell and returns the status and body.
func (w *world) call(r row, subject string) (int, []byte) {
	w.t.Helper()
	path := r.path
	if r.pathFor != nil {
		path = r.pathFor(subject)
	}
	if strings.Contains(path, "{fresh-user}") {
		u, err := w.a.Auth.AddUser(context.Background(), access.System, auth.NewUser{
			Username: fmt.Sprintf("target%d", w.next()), OrgID: w.org["gov"], Role: access.Member, Password: tablePassword})
		if err != nil {
			w.t.Fatalf("fresh user: %v", err)
		}
		path = strings.ReplaceAll(path, "{fresh-user}", u.ID)
	}
	if strings.Contains(path, "{self}") {
		self := strings.Repeat("ef", 16)
		if u, ok := w.user[subject]; ok {
			self = u.ID
		}
		path = strings.ReplaceAll(path, "{self}", self)
	}
	if r.spends && subject != "" {
		// Spend a session of its own, so the shared ones stay valid;
		// then renew everything, since a password change ends the
		// other sessions too.
		w.login(subject)
		defer w.login(subject)
	}
	return w.do(methodOf(r.route), path, subject, r.body(subject))
}

// next returns a number not returned before, for unique names.
func (w *world) next() int { w.seq++; return w.seq }

func methodOf(pattern string) string {
	if m, _, ok := strings.Cut(pattern, " "); ok && !strings.HasPrefix(m, "/") {
		return m
	}
	return http.MethodGet
}

// do sends one request as subject: with its bearer token under /api/, with
// its session cookie elsewhere.
func (w *world) do(method, path, subject string, body any) (int, []byte) {
	t := w.t
	t.Helper()
	if method == http.MethodPost && (path == "/login" || path == "/api/v1/auth/login") {
		w.clock.Add(int64(4 * time.Second))
	}
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case file:
		rd, ctype = strings.NewReader(b.data), b.ctype
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, w.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if subject != "" {
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+w.token[subject])
		} else {
			req.AddCookie(w.cookie[subject])
		}
	}
	resp, err := w.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if isEventStream(resp) {
		return cellStatus(resp), nil // a live stream does not end
	}
	b, _ := io.ReadAll(resp.Body)
	return cellStatus(resp), b
}
