package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"parley/internal/api"
	"parley/internal/auth"
	"parley/internal/demo"
	"parley/internal/detainees"
	"parley/internal/ledger"
	"parley/internal/router"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
)

// newDetaineesWorld is the channel's demo world served with the detainee
// track, the ICRC named its neutral agency.
func newDetaineesWorld(t *testing.T, db *store.DB) *chanWorld {
	t.Helper()
	w := newChanWorld(t, db)
	log := slog.New(slog.DiscardHandler)
	led := ledger.New(db)
	as := auth.New(db, led, log, auth.Options{HashParams: cheapHash})
	ts := talks.New(db, led)
	ds, err := detainees.New(db, led, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedDetainees(context.Background(), ts, as, ds); err != nil {
		t.Fatal(err)
	}
	mux := router.New()
	api.New(api.Deps{Auth: as, Talks: ts, Ledger: led, Log: log, Detainees: ds}).Register(mux)
	w.srv.Close()
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

// uploadList posts a list file as username.
func (w *chanWorld) uploadList(t *testing.T, username, process, kind, data string) chanResp {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("kind", kind)
	mw.WriteField("name", "list of "+username)
	fw, _ := mw.CreateFormFile("file", "list.csv")
	fw.Write([]byte(data))
	mw.Close()
	req, err := http.NewRequest("POST", w.srv.URL+"/api/v1/processes/"+process+"/detainees/lists", &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.send(t, username, req)
}

// TestDetaineesLeaks checks every demo user against the detainee track's
// content on every path that returns it: the lists of a process, a list
// with its records, the review queue and the pairs, the exchanges and one
// exchange, and the dashboard. A list is read by its submitter, the
// mediation and the neutral agency; the pairs by the mediation and the
// agency; an exchange by its two sides too, who read the identifying
// fields of its people and nothing else of the records behind them.
func TestDetaineesLeaks(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newDetaineesWorld(t, db)
		res := w.do(t, "chair", "GET", "/api/v1/processes", nil)
		var ps struct{ Processes []struct{ ID string } }
		res.decode(t, &ps)
		if len(ps.Processes) != 1 {
			t.Fatalf("processes: %s", res.body)
		}
		proc := ps.Processes[0].ID
		gov := w.uploadList(t, "gov.head", proc, "held", "record_id,name_latin,arrest_place,birth_year,status\n"+
			"G1,Leakswap Gamma,Leakplace Delta,1980,held\nG2,Leakgov Alpha,Adra,1977,held\n")
		opp := w.uploadList(t, "opp.head", proc, "sought", "record_id,name_latin,birth_year,status\n"+
			"O1,Leakswap Gamma,1980,held\nO2,Leakopp Beta,1990,unknown\n")
		if gov.status != 201 || opp.status != 201 {
			t.Fatalf("uploads: %d %s / %d %s", gov.status, gov.body, opp.status, opp.body)
		}
		var gl, ol api.DetaineeListJSON
		gov.decode(t, &gl)
		opp.decode(t, &ol)
		records := func(list string) []api.DetaineeRecordJSON {
			var out struct{ Records []api.DetaineeRecordJSON }
			w.do(t, "mediator", "GET", "/api/v1/detainees/lists/"+list, nil).decode(t, &out)
			return out.Records
		}
		grecs, orecs := records(gl.ID), records(ol.ID)
		if res := w.do(t, "icrc", "POST", "/api/v1/processes/"+proc+"/detainees/decisions",
			map[string]string{"a": grecs[0].ID, "b": orecs[0].ID, "decision": "match"}); res.status != 201 {
			t.Fatalf("link: %d %s", res.status, res.body)
		}
		if res := w.do(t, "mediator", "POST", "/api/v1/processes/"+proc+"/detainees/matching", nil); res.status != 201 {
			t.Fatalf("matching: %d %s", res.status, res.body)
		}
		res = w.do(t, "mediator", "POST", "/api/v1/processes/"+proc+"/detainees/exchanges", map[string]any{
			"kind": "unilateral", "title": "Leakexchange Echo", "sides": []string{w.org["gov"], w.org["opp"]},
			"people": []map[string]any{{"records": []string{grecs[0].ID, orecs[0].ID}}}})
		if res.status != 201 {
			t.Fatalf("exchange: %d %s", res.status, res.body)
		}
		var ex api.DetaineeExchangeJSON
		res.decode(t, &ex)
		if res := w.do(t, "icrc", "POST", "/api/v1/detainees/exchanges/"+ex.ID+"/releases",
			map[string]string{"person": ex.People[0].ID, "at": "2017-02-01T10:00:00Z", "place": "Leakcrossing Foxtrot"}); res.status != 201 {
			t.Fatalf("release: %d %s", res.status, res.body)
		}

		overseers := []string{"un", "icrc"}
		sides := []string{"gov", "opp", "un", "icrc"}
		secrets := []struct {
			token   string
			readers []string
		}{
			{"Leakgov Alpha", []string{"gov", "un", "icrc"}},
			{"Leakplace Delta", []string{"gov", "un", "icrc"}},
			{"Leakopp Beta", []string{"opp", "un", "icrc"}},
			{"Leakswap Gamma", sides},
			{"Leakexchange Echo", sides},
			{"Leakcrossing Foxtrot", sides},
			// parley's id of a record behind the person: the list's
			// readers, not the other side.
			{grecs[0].ID, []string{"gov", "un", "icrc"}},
		}
		paths := []struct {
			path    string
			readers []string // nil: every organisation of the process
		}{
			{"/api/v1/processes/" + proc + "/detainees/lists", nil},
			{"/api/v1/detainees/lists/" + gl.ID, []string{"gov", "un", "icrc"}},
			{"/api/v1/detainees/lists/" + ol.ID, []string{"opp", "un", "icrc"}},
			{"/api/v1/processes/" + proc + "/detainees/review", overseers},
			{"/api/v1/processes/" + proc + "/detainees/pairs", overseers},
			{"/api/v1/processes/" + proc + "/detainees/exchanges", nil},
			{"/api/v1/detainees/exchanges/" + ex.ID, sides},
			{"/api/v1/processes/" + proc + "/detainees/dashboard", nil},
			{"/api/v1/processes/" + proc + "/detainees/agency", nil},
		}
		for _, acc := range demo.Accounts {
			org := w.user[acc.Username]
			var all strings.Builder
			for _, p := range paths {
				res := w.do(t, acc.Username, "GET", p.path, nil)
				want := 200
				if p.readers != nil && !slices.Contains(p.readers, org) {
					want = 404
				}
				if res.status != want {
					t.Errorf("%s GET %s: %d, want %d\n%s", acc.Username, p.path, res.status, want, res.body)
				}
				all.Write(res.body)
			}
			for _, s := range secrets {
				if got, want := strings.Contains(all.String(), s.token), slices.Contains(s.readers, org); got != want {
					t.Errorf("%s (%s) reads %q: %v, want %v", acc.Username, org, s.token, got, want)
				}
			}
			var d struct{ Promised, Verified int }
			json.Unmarshal(w.do(t, acc.Username, "GET", "/api/v1/processes/"+proc+"/detainees/dashboard", nil).body, &d)
			if in := slices.Contains(sides, org); in != (d.Promised == 1 && d.Verified == 1) || !in && d.Promised != 0 {
				t.Errorf("%s's dashboard: %+v", acc.Username, d)
			}
		}
	})
}
