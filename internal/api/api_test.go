package api_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"parley/internal/api"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestStableRoutes(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		t.Run("healthz", func(t *testing.T) { testHealthz(t, f) })
		t.Run("login", func(t *testing.T) { testLogin(t, f) })
		t.Run("me", func(t *testing.T) { testMe(t, f) })
		t.Run("rounds", func(t *testing.T) { testRounds(t, f) })
		t.Run("consent", func(t *testing.T) { testConsent(t, f) })
		t.Run("direct session", func(t *testing.T) { testDirectSession(t, f) })
		t.Run("stance", func(t *testing.T) { testStance(t, f) })
		t.Run("bad input", func(t *testing.T) { testBadInput(t, f) })
		t.Run("unknown routes", func(t *testing.T) { testUnknownRoutes(t, f) })
		t.Run("ledger", func(t *testing.T) { testLedger(t, f) })
		t.Run("logout", func(t *testing.T) { testLogout(t, f) })
	})
}

func testHealthz(t *testing.T, f *fixture) {
	res := f.do(t, "", "GET", "/healthz", nil)
	if res.status != 200 || strings.TrimSpace(string(res.body)) != "ok" {
		t.Fatalf("GET /healthz = %d %q", res.status, res.body)
	}
}

func testLogin(t *testing.T, f *fixture) {
	unknown := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "nobody.here", "password": testPassword})
	wrong := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "observer.us", "password": "not the password"})
	if unknown.status != 401 || wrong.status != 401 {
		t.Fatalf("unknown user %d, wrong password %d; want 401 for both", unknown.status, wrong.status)
	}
	if string(unknown.body) != string(wrong.body) {
		t.Fatalf("the answers tell an unknown user from a wrong password:\n%s\n%s", unknown.body, wrong.body)
	}
	if c := unknown.errorCode(); c != "invalid_credentials" {
		t.Errorf("code %q, want invalid_credentials", c)
	}

	ok := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "gov.head", "password": testPassword})
	if ok.status != 200 {
		t.Fatalf("login: %d %s", ok.status, ok.body)
	}
	var body map[string]json.RawMessage
	ok.decode(t, &body)
	if got := slices.Sorted(maps.Keys(body)); !slices.Contains(got, "token") || !slices.Contains(got, "user") {
		t.Fatalf("login body keys %v, want token and user", got)
	}
	var l api.LoginJSON
	ok.decode(t, &l)
	if l.Token == "" || l.User.Username != "gov.head" || l.User.Org.ID != f.org["gov"] || l.User.Org.Kind != "party" {
		t.Fatalf("login body %s", ok.body)
	}
	if strings.Contains(string(ok.body), "hash") {
		t.Fatalf("login body mentions a hash: %s", ok.body)
	}
}

func testMe(t *testing.T, f *fixture) {
	res := f.do(t, f.token["opp.head"], "GET", "/api/v1/me", nil)
	if res.status != 200 {
		t.Fatalf("GET /me: %d %s", res.status, res.body)
	}
	// The stable shape: {"username", "org": {"id","name","kind"}, "role"}.
	var me struct {
		Username string
		Org      struct{ ID, Name, Kind string }
		Role     string
	}
	res.decode(t, &me)
	if me.Username != "opp.head" || me.Org.ID != f.org["opp"] || me.Org.Name != "Opposition delegation" || me.Org.Kind != "party" || me.Role != "head" {
		t.Fatalf("GET /me = %s", res.body)
	}
	if res := f.do(t, "", "GET", "/api/v1/me", nil); res.status != 401 || res.errorCode() != "unauthorized" {
		t.Fatalf("GET /me without a token = %d %s", res.status, res.body)
	}
	if res := f.do(t, "not-a-token", "GET", "/api/v1/me", nil); res.status != 401 || res.errorCode() != "unauthorized" {
		t.Fatalf("GET /me with a bad token = %d %s", res.status, res.body)
	}
}

func testRounds(t *testing.T, f *fixture) {
	for _, tc := range []struct {
		user string
		want []string
	}{
		{"chair", []string{f.round1, f.round2}},
		{"gov.head", []string{f.round1, f.round2}},
		{"opp.head", []string{f.round1}},
		{"observer.us", []string{f.round1}},
	} {
		res := f.do(t, f.token[tc.user], "GET", "/api/v1/rounds", nil)
		if res.status != 200 {
			t.Fatalf("%s: GET /rounds = %d %s", tc.user, res.status, res.body)
		}
		var list struct{ Rounds []api.RoundJSON }
		res.decode(t, &list)
		var got []string
		for _, r := range list.Rounds {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s sees rounds %v, want %v", tc.user, got, want)
		}
	}

	res := f.do(t, f.token["observer.us"], "GET", "/api/v1/rounds/"+f.round1, nil)
	if res.status != 200 {
		t.Fatalf("GET round 1 = %d %s", res.status, res.body)
	}
	var r api.RoundDetailJSON
	res.decode(t, &r)
	if r.ID != f.round1 || len(r.Participants) != 6 || len(r.Agenda) != 1 || r.Agenda[0].ID != f.item1 || r.LedgerIndex < 0 || r.Agenda[0].LedgerIndex < 0 {
		t.Fatalf("round 1 = %s", res.body)
	}
	var raw map[string]json.RawMessage
	res.decode(t, &raw)
	for _, k := range []string{"sessions", "agenda", "participants", "consents", "ledger_index"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("round JSON has no %q: %s", k, res.body)
		}
	}

	// Not taking part, unknown and malformed all answer the same 404.
	var bodies []string
	for _, id := range []string{f.round2, store.NewID(), "..%2f..", "x"} {
		res := f.do(t, f.token["opp.head"], "GET", "/api/v1/rounds/"+id, nil)
		if res.status != 404 || res.errorCode() != "not_found" {
			t.Fatalf("GET /rounds/%s as opp.head = %d %s; want 404", id, res.status, res.body)
		}
		bodies = append(bodies, string(res.body))
	}
	if len(slices.Compact(bodies)) != 1 {
		t.Errorf("404 bodies differ: %q", bodies)
	}
}

func testConsent(t *testing.T, f *fixture) {
	path := "/api/v1/rounds/" + f.round1 + "/consent"
	res := f.do(t, f.token["gov.head"], "PUT", path, map[string]any{"counterpart": f.org["opp"], "direct": true})
	if res.status != 200 {
		t.Fatalf("gov.head consent = %d %s", res.status, res.body)
	}
	var c api.ConsentJSON
	res.decode(t, &c)
	if c.Org.ID != f.org["gov"] || c.Counterpart.ID != f.org["opp"] || !c.Direct {
		t.Fatalf("consent = %s", res.body)
	}
	for _, user := range []string{"chair", "mediator", "guarantor.ru", "observer.us"} {
		res := f.do(t, f.token[user], "PUT", path, map[string]any{"counterpart": f.org["opp"], "direct": true})
		if res.status != 403 {
			t.Errorf("%s sets a party's consent: %d %s; want 403", user, res.status, res.body)
		}
	}
	// The opposition does not take part in round 2: that round is missing
	// to it.
	res = f.do(t, f.token["opp.head"], "PUT", "/api/v1/rounds/"+f.round2+"/consent", map[string]any{"counterpart": f.org["gov"], "direct": true})
	if res.status != 404 {
		t.Errorf("opp.head consents in a round it is not in: %d %s; want 404", res.status, res.body)
	}
	// "direct" is required: a missing value is not read as false.
	res = f.do(t, f.token["opp.head"], "PUT", path, map[string]any{"counterpart": f.org["gov"]})
	if res.status != 400 || !strings.Contains(string(res.body), `"field":"direct"`) {
		t.Errorf("consent without direct: %d %s", res.status, res.body)
	}
	// The government's consent is readable in the round.
	res = f.do(t, f.token["mediator"], "GET", "/api/v1/rounds/"+f.round1, nil)
	var r api.RoundDetailJSON
	res.decode(t, &r)
	if len(r.Consents) != 1 || !r.Consents[0].Direct {
		t.Errorf("mediator sees consents %+v", r.Consents)
	}
}

func testDirectSession(t *testing.T, f *fixture) {
	path := "/api/v1/rounds/" + f.round1 + "/sessions"
	session := map[string]any{"title": "Face to face", "format": "direct", "starts_at": "2017-01-24T10:00:00Z",
		"orgs": []string{f.org["gov"], f.org["opp"]}}
	// The government consents (testConsent), the opposition has not.
	res := f.do(t, f.token["mediator"], "POST", path, session)
	if res.status != 409 || res.errorCode() != "no_direct_consent" {
		t.Fatalf("direct session without mutual consent = %d %s; want 409 no_direct_consent", res.status, res.body)
	}
	res = f.do(t, f.token["opp.head"], "PUT", "/api/v1/rounds/"+f.round1+"/consent", map[string]any{"counterpart": f.org["gov"], "direct": true})
	if res.status != 200 {
		t.Fatalf("opp.head consent = %d %s", res.status, res.body)
	}
	res = f.do(t, f.token["mediator"], "POST", path, session)
	if res.status != 201 {
		t.Fatalf("direct session with mutual consent = %d %s", res.status, res.body)
	}
	var s api.SessionJSON
	res.decode(t, &s)
	if s.Format != "direct" || s.RoundID != f.round1 || s.LedgerIndex <= 0 {
		t.Fatalf("session = %s", res.body)
	}
	// Withdraw it again so other tests see the opposition's refusal.
	f.do(t, f.token["opp.head"], "PUT", "/api/v1/rounds/"+f.round1+"/consent", map[string]any{"counterpart": f.org["gov"], "direct": false})
	if res := f.do(t, f.token["opp.head"], "POST", path, session); res.status != 403 {
		t.Errorf("a party schedules a session: %d %s; want 403", res.status, res.body)
	}
}

func testStance(t *testing.T, f *fixture) {
	path := "/api/v1/agenda/" + f.item1 + "/stance"
	res := f.do(t, f.token["opp.head"], "PUT", path, map[string]string{"stance": "refuse", "reason": "Not before the ceasefire holds"})
	if res.status != 200 {
		t.Fatalf("opp.head refuses = %d %s", res.status, res.body)
	}
	var it api.AgendaItemJSON
	res.decode(t, &it)
	if len(it.Stances) != 1 || it.Stances[0].Org.ID != f.org["opp"] || it.Stances[0].Stance != "refuse" {
		t.Fatalf("item = %s", res.body)
	}
	if res := f.do(t, f.token["opp.head"], "PUT", path, map[string]string{"stance": "refuse"}); res.status != 400 || !strings.Contains(string(res.body), `"field":"reason"`) {
		t.Errorf("refusal without a reason: %d %s", res.status, res.body)
	}
	for _, user := range []string{"observer.us", "guarantor.ru", "chair"} {
		if res := f.do(t, f.token[user], "PUT", path, map[string]string{"stance": "accept"}); res.status != 403 {
			t.Errorf("%s sets a stance: %d %s; want 403", user, res.status, res.body)
		}
	}
	if res := f.do(t, f.token["opp.head"], "PUT", "/api/v1/agenda/"+store.NewID()+"/stance", map[string]string{"stance": "accept"}); res.status != 404 {
		t.Errorf("stance on an unknown item: %d %s; want 404", res.status, res.body)
	}
}

func testBadInput(t *testing.T, f *fixture) {
	tok := f.token["mediator"]
	path := "/api/v1/processes"
	for _, tc := range []struct {
		name, token, ctype, body string
		status                   int
		code, field              string
	}{
		{"no token before the body is read", "", "application/json", "{", 401, "unauthorized", ""},
		{"not JSON", tok, "text/plain", `{"name":"x"}`, 415, "unsupported_media_type", ""},
		{"form content type", tok, "application/x-www-form-urlencoded", `{"name":"x"}`, 415, "unsupported_media_type", ""},
		{"text content type", tok, "text/plain", `{"name":"x"}`, 415, "unsupported_media_type", ""},
		{"no content type, read as JSON", tok, "", `{"name":`, 400, "invalid_json", ""},
		{"empty", tok, "application/json", "", 400, "invalid_json", ""},
		{"malformed", tok, "application/json", `{"name":`, 400, "invalid_json", ""},
		{"syntax", tok, "application/json", `{"name" "x"}`, 400, "invalid_json", ""},
		{"array", tok, "application/json", `["x"]`, 400, "invalid_json", ""},
		{"unknown field", tok, "application/json", `{"name":"x","owner":"me"}`, 400, "invalid_json", "owner"},
		{"trailing data", tok, "application/json", `{"name":"x"} {"name":"y"}`, 400, "invalid_json", ""},
		// Keys are matched exactly and given once: encoding/json alone took
		// the last of "name" and "Name".
		{"key in another case", tok, "application/json", `{"name":"x","Name":"y"}`, 400, "invalid_json", "Name"},
		{"key in another case alone", tok, "application/json", `{"NAME":"x"}`, 400, "invalid_json", "NAME"},
		{"duplicate key", tok, "application/json", `{"name":"x","name":"y"}`, 400, "invalid_json", ""},
		{"wrong type", tok, "application/json", `{"name":7}`, 400, "invalid", "name"},
		{"missing field", tok, "application/json", `{}`, 400, "invalid", "name"},
		{"blank", tok, "application/json", `{"name":"   "}`, 400, "invalid", "name"},
		{"too long", tok, "application/json", `{"name":"` + strings.Repeat("x", 201) + `"}`, 400, "invalid", "name"},
		{"control character", tok, "application/json", `{"name":"a\u0007b"}`, 400, "invalid", "name"},
		{"too large", tok, "application/json", `{"name":"` + strings.Repeat("x", api.MaxBody) + `"}`, 413, "too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := f.request(t, tc.token, "POST", path, tc.body)
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			} else {
				req.Header.Del("Content-Type")
			}
			res := f.send(t, req)
			var e struct {
				Error struct{ Code, Message, Field string } `json:"error"`
			}
			res.decode(t, &e)
			if res.status != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Fatalf("= %d %s; want %d %s field %q", res.status, res.body, tc.status, tc.code, tc.field)
			}
		})
	}
	// Nothing was half-written: no process exists besides the fixture's.
	res := f.do(t, tok, "GET", "/api/v1/processes", nil)
	var list struct{ Processes []api.ProcessJSON }
	res.decode(t, &list)
	if len(list.Processes) != 1 {
		t.Errorf("processes after bad input: %s", res.body)
	}
}

func testUnknownRoutes(t *testing.T, f *fixture) {
	res := f.do(t, f.token["chair"], "GET", "/api/v1/no/such/thing", nil)
	if res.status != 404 || res.errorCode() != "not_found" {
		t.Errorf("unknown route = %d %s", res.status, res.body)
	}
	res = f.do(t, f.token["chair"], "DELETE", "/api/v1/me", nil)
	if res.status != 405 || res.errorCode() != "method_not_allowed" || res.header.Get("Allow") == "" {
		t.Errorf("DELETE /me = %d %s (Allow %q)", res.status, res.body, res.header.Get("Allow"))
	}
}

func testLogout(t *testing.T, f *fixture) {
	tok := f.login(t, "observer.us")
	if res := f.do(t, tok, "POST", "/api/v1/auth/logout", nil); res.status != 204 {
		t.Fatalf("logout = %d %s", res.status, res.body)
	}
	if res := f.do(t, tok, "GET", "/api/v1/me", nil); res.status != 401 {
		t.Fatalf("token still works after logout: %d", res.status)
	}
}

func testLedger(t *testing.T, f *fixture) {
	// Before the server has its signing key the ledger says so, rather
	// than failing with an internal error.
	if res := f.do(t, "", "GET", "/api/v1/ledger/key", nil); res.status != 503 || res.errorCode() != "ledger_unavailable" {
		t.Fatalf("key without a signing key = %d %s", res.status, res.body)
	}
	signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/api")
	if err != nil {
		t.Fatal(err)
	}
	f.led.SetKey(signer, vkey)
	if res := f.do(t, "", "GET", "/api/v1/ledger/key", nil); res.status != 200 || string(res.body) != vkey+"\n" {
		t.Fatalf("key = %d %q", res.status, res.body)
	}
	res := f.do(t, f.token["opp.head"], "GET", "/api/v1/ledger/checkpoint", nil)
	if res.status != 200 || !strings.HasPrefix(string(res.body), "parley.test/api\n") {
		t.Fatalf("checkpoint = %d %s", res.status, res.body)
	}

	// The opposition reads fewer events than the government: round 2 and
	// everything in it are outside its audience.
	count := func(user string) int {
		res := f.do(t, f.token[user], "GET", "/api/v1/ledger/events?limit=1000", nil)
		var l ledger.EventList
		res.decode(t, &l)
		return len(l.Events)
	}
	if gov, opp := count("gov.head"), count("opp.head"); opp >= gov || opp == 0 {
		t.Errorf("events: government %d, opposition %d", gov, opp)
	}

	for _, tc := range []struct {
		path   string
		status int
		field  string
	}{
		{"/api/v1/ledger/events?from=x", 400, "from"},
		{"/api/v1/ledger/events?limit=0", 400, "limit"},
		{"/api/v1/ledger/events?limit=100000", 400, "limit"},
		{"/api/v1/ledger/inclusion?index=0", 400, "size"},
		{"/api/v1/ledger/inclusion?index=-1&size=1", 400, "index"},
		{"/api/v1/ledger/inclusion?index=0&size=99999999", 400, "size"},
		{"/api/v1/ledger/consistency?from=1", 400, "to"},
		{"/api/v1/ledger/consistency?from=1&to=1e3", 400, "to"},
		{"/api/v1/ledger/consistency?from=1&to=1", 200, ""},
	} {
		res := f.do(t, f.token["gov.head"], "GET", tc.path, nil)
		if res.status != tc.status || (tc.field != "" && !strings.Contains(string(res.body), `"field":"`+tc.field+`"`)) {
			t.Errorf("GET %s = %d %s; want %d field %q", tc.path, res.status, res.body, tc.status, tc.field)
		}
	}
}
