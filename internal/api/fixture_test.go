package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/api"
	"parley/internal/auth"
	"parley/internal/ledger"
	"parley/internal/router"
	"parley/internal/store"
	"parley/internal/talks"
)

// testPassword is the password of every fixture account.
const testPassword = "correct horse battery"

// fixture is a small world of talks served by the API alone: a host, a
// mediation, two parties, a guarantor and an observer, each with one head;
// round 1 with all of them, round 2 without the opposition and the observer.
type fixture struct {
	srv    *httptest.Server
	mux    *router.Mux
	talks  *talks.Service
	auth   *auth.Service
	led    *ledger.Ledger
	logs   *bytes.Buffer
	org    map[string]string // key → org id
	token  map[string]string // username → API token
	round1 string
	round2 string
	item1  string // an agenda item of round 1
}

// cheapHash keeps argon2id fast in tests; production parameters are the
// auth package's to test.
var cheapHash = &auth.HashParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

var fixtureOrgs = []struct {
	key, name, user string
	kind            access.OrgKind
}{
	{"host", "Host ministry", "chair", access.Host},
	{"un", "Mediation team", "mediator", access.Mediation},
	{"gov", "Government delegation", "gov.head", access.Party},
	{"opp", "Opposition delegation", "opp.head", access.Party},
	{"ru", "Guarantor state", "guarantor.ru", access.Guarantor},
	{"us", "Observer state", "observer.us", access.Observer},
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	led := ledger.New(db)
	f := &fixture{
		auth:  auth.New(db, led, log, auth.Options{HashParams: cheapHash}),
		led:   led,
		talks: talks.New(db, led),
		logs:  logs,
		org:   map[string]string{},
		token: map[string]string{},
		mux:   router.New(),
	}
	sys := access.System
	for _, o := range fixtureOrgs {
		org, err := f.talks.AddOrg(ctx, sys, o.name, "", o.kind)
		if err != nil {
			t.Fatalf("AddOrg %s: %v", o.key, err)
		}
		f.org[o.key] = org.ID
		if _, err := f.auth.AddUser(ctx, sys, auth.NewUser{Username: o.user, OrgID: org.ID, Role: access.Head, Password: testPassword}); err != nil {
			t.Fatalf("AddUser %s: %v", o.user, err)
		}
	}
	p, err := f.talks.AddProcess(ctx, sys, "Test process")
	if err != nil {
		t.Fatalf("AddProcess: %v", err)
	}
	all := []string{f.org["host"], f.org["un"], f.org["gov"], f.org["opp"], f.org["ru"], f.org["us"]}
	r1, err := f.talks.CreateRound(ctx, sys, talks.NewRound{ProcessID: p.ID, Name: "Round 1", Participants: all})
	if err != nil {
		t.Fatalf("CreateRound 1: %v", err)
	}
	r2, err := f.talks.CreateRound(ctx, sys, talks.NewRound{ProcessID: p.ID, Name: "Round 2",
		Participants: []string{f.org["host"], f.org["un"], f.org["gov"], f.org["ru"]}})
	if err != nil {
		t.Fatalf("CreateRound 2: %v", err)
	}
	f.round1, f.round2 = r1.ID, r2.ID
	it, err := f.talks.AddAgendaItem(ctx, sys, r1.ID, talks.NewAgendaItem{Track: talks.TrackHumanitarian, Title: "Aid convoys"})
	if err != nil {
		t.Fatalf("AddAgendaItem: %v", err)
	}
	f.item1 = it.ID

	api.New(api.Deps{Auth: f.auth, Talks: f.talks, Ledger: led, Log: log}).Register(f.mux)
	f.srv = httptest.NewServer(f.mux)
	t.Cleanup(f.srv.Close)
	for _, o := range fixtureOrgs {
		f.token[o.user] = f.login(t, o.user)
	}
	return f
}

func (f *fixture) login(t *testing.T, username string) string {
	t.Helper()
	res := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": testPassword})
	if res.status != 200 {
		t.Fatalf("login %s: %d %s", username, res.status, res.body)
	}
	var l api.LoginJSON
	res.decode(t, &l)
	return l.Token
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// errorCode returns the code of an error body, or "".
func (r response) errorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

// do sends a request as the holder of token ("" for none). body is encoded
// as JSON unless it is a string, which is sent as it is.
func (f *fixture) do(t *testing.T, token, method, path string, body any) response {
	t.Helper()
	return roundTrip(t, f.srv, jsonRequest(t, f.srv, token, method, path, body))
}

// jsonRequest builds a request to srv as the holder of token ("" for
// none); body is encoded as JSON unless it is a string, which is sent as
// it is.
func jsonRequest(t testing.TB, srv *httptest.Server, token, method, path string, body any) *http.Request {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// roundTrip sends req to srv and reads the whole answer.
func roundTrip(t testing.TB, srv *httptest.Server, req *http.Request) response {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// request builds a request with a raw body.
func (f *fixture) request(t *testing.T, token, method, path, body string) *http.Request {
	t.Helper()
	return jsonRequest(t, f.srv, token, method, path, body)
}

func (f *fixture) send(t *testing.T, req *http.Request) response {
	t.Helper()
	return roundTrip(t, f.srv, req)
}
