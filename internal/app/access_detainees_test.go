package app_test

// The detainee track in the access table (issue 14, docs/detainees.md). The
// demo process has the ICRC as its neutral agency; the government submitted
// a held list and the opposition a sought list; a matching run has pairs;
// the mediation recorded an exchange of one person of the government's
// list. The rows check every detainee route once per subject, and every
// cell's answer for names and fields its reader may not read
// (checkDetaineeSecrets). The ICRC is not a column of the table: its cells
// are in TestDetaineesNeutralAgencyCells, and the API's leak test checks
// every demo user, the ICRC and OCHA included.

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/url"
	"slices"
	"strings"
	"testing"

	"parley/internal/app"
	"parley/internal/demo"
	"parley/internal/detainees"
)

// detaineeSeed are the objects the rows refer to.
type detaineeSeed struct {
	govList, oppList string
	pair             string    // a pair of the latest matching run
	records          [2]string // two records, one of each list, linked by hand
	exchange         string
	person           string // the person of the exchange
}

var detaineeSeeds = map[*world]*detaineeSeed{}

const (
	detGovCSV = `record_id,name_latin,name_ar,sex,birth_date,national_id,arrest_place,status
G-1,Rami Shaar,رامي شعار,M,1988-04-12,03011223344,Sednaya wing C,held
G-2,Zubair Qatarji,زبير قاطرجي,M,1975-09-30,04055667788,Adra,held
`
	detOppCSV = `id,full name,sex,dob,national_id,status
O-1,Rami Shaar,M,1988-04-12,03011223344,held
O-2,Nizar Tahhan,M,1969-01-05,,unknown
`
)

// detaineeSecrets are texts only their readers may find in any answer: a
// list's names its submitter, the mediation (and the ICRC) read; the person
// exchanged is read by both sides, but the place of their arrest, a field
// not needed to identify them, stays with the government's list.
var detaineeSecrets = []struct {
	text    string
	readers []string
}{
	{"Zubair Qatarji", []string{"gov.head", "mediator"}},
	{"Sednaya wing C", []string{"gov.head", "mediator"}},
	{"Nizar Tahhan", []string{"opp.head", "mediator"}},
	{"Rami Shaar", []string{"gov.head", "opp.head", "mediator"}},
}

// checkDetaineeSecrets fails the cell when body holds a detainee secret
// subject may not read.
func (w *world) checkDetaineeSecrets(r row, subject string, body []byte) {
	w.t.Helper()
	for _, s := range detaineeSecrets {
		if !slices.Contains(s.readers, subject) && strings.Contains(string(body), s.text) {
			w.t.Errorf("%s [%s] as %s: the answer holds %q", r.route, r.object, name(subject), s.text)
		}
	}
}

// listUpload is a list file as a multipart body.
func listUpload(kind, data string, mapping map[string]string) file {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("kind", kind)
	mw.WriteField("name", kind+" list")
	if mapping != nil {
		m, _ := json.Marshal(mapping)
		mw.WriteField("mapping", string(m))
	}
	fw, _ := mw.CreateFormFile("file", "list.csv")
	fw.Write([]byte(data))
	mw.Close()
	return file{ctype: mw.FormDataContentType(), data: b.String()}
}

// seedDetainees names the ICRC, submits both lists, runs the matching and
// records an exchange.
func (w *world) seedDetainees() *detaineeSeed {
	t := w.t
	t.Helper()
	if s := detaineeSeeds[w]; s != nil {
		return s
	}
	ctx := context.Background()
	d := w.a.Detainees
	if err := demo.SeedDetainees(ctx, w.a.Talks, w.a.Auth, d); err != nil {
		t.Fatal(err)
	}
	s := &detaineeSeed{}
	gov, err := d.SubmitList(ctx, w.user["gov.head"].Actor(), w.process, detainees.NewList{Kind: detainees.Held, Name: "Held by the government", File: []byte(detGovCSV)})
	if err != nil {
		t.Fatalf("government list: %v", err)
	}
	opp, err := d.SubmitList(ctx, w.user["opp.head"].Actor(), w.process, detainees.NewList{Kind: detainees.Sought, Name: "Sought by the opposition",
		File: []byte(detOppCSV), Mapping: map[string]string{"full name": "name_latin"}})
	if err != nil {
		t.Fatalf("opposition list: %v", err)
	}
	s.govList, s.oppList = gov.ID, opp.ID
	med := w.user["mediator"].Actor()
	// The mediation links the first record of each list by hand, so that
	// the run has a pair whatever the model finds.
	_, grecs, err := d.List(ctx, med, gov.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, orecs, err := d.List(ctx, med, opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.LinkRecords(ctx, med, w.process, grecs[0].ID, orecs[0].ID, detainees.Match); err != nil {
		t.Fatalf("link by hand: %v", err)
	}
	s.records = [2]string{grecs[0].ID, orecs[0].ID}
	if _, err := d.RunMatching(ctx, med, w.process); err != nil {
		t.Fatalf("matching: %v", err)
	}
	_, pairs, err := d.Pairs(ctx, med, w.process, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) == 0 {
		t.Fatal("the run has no pair: the records linked by hand are not in it")
	}
	s.pair = pairs[0].ID
	recs := grecs
	ex, err := d.RecordExchange(ctx, med, w.process, detainees.NewExchange{Kind: detainees.Unilateral, Title: "First release",
		Sides: []string{w.org["gov"], w.org["opp"]}, People: []detainees.NewPerson{{Records: []string{recs[0].ID}}}})
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	s.exchange, s.person = ex.ID, ex.People[0].ID
	detaineeSeeds[w] = s
	return s
}

// detaineeRows are the detainee track's rows. Columns as in accessTable.
func detaineeRows(w *world) []row {
	s := w.seedDetainees()
	api := "/api/v1"
	p := api + "/processes/" + w.process + "/detainees"
	unknown := api + "/processes/" + strings.Repeat("cd", 16) + "/detainees"
	const proc, noProc = "the demo process", "no such process"
	upload := func(subject string) any {
		if subject == "opp.head" {
			return listUpload(detainees.Sought, detOppCSV, map[string]string{"full name": "name_latin"})
		}
		return listUpload(detainees.Held, detGovCSV, nil)
	}
	release := fixed(map[string]string{"person": s.person, "at": "2017-02-01T10:00:00Z", "place": "Crossing point"})
	exchange := fixed(map[string]any{"kind": "unilateral", "title": "Second release", "sides": []string{w.org["gov"], w.org["opp"]},
		"people": []map[string]any{{"records": []string{}}}})
	// Only the mediation may record an exchange; its body names the
	// person already exchanged, whom both sides read.
	exchangeOf := func(subject string) any {
		_, recs, err := w.a.Detainees.List(context.Background(), w.user["mediator"].Actor(), s.govList)
		if err != nil {
			w.t.Fatal(err)
		}
		return map[string]any{"kind": "unilateral", "title": "Second release", "sides": []string{w.org["gov"], w.org["opp"]},
			"people": []map[string]any{{"records": []string{recs[0].ID}}}}
	}
	rows := []row{
		// The neutral agency: every participant reads it; the head of the
		// mediation names it (again: no change).
		{route: "GET " + api + "/processes/{id}/detainees/agency", object: proc, path: p + "/agency", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/detainees/agency", object: noProc, path: unknown + "/agency", body: none, want: loggedIn(unauth, notFound)},
		{route: "PUT " + api + "/processes/{id}/detainees/agency", object: proc + ", the ICRC again", path: p + "/agency",
			body: fixed(map[string]string{"org": w.org["icrc"]}), want: cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
		// Lists: a party, the mediation (or the neutral agency) submits;
		// each reads its own, the mediation every one.
		{route: "GET " + api + "/processes/{id}/detainees/lists", object: proc, path: p + "/lists", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/detainees/lists", object: noProc, path: unknown + "/lists", body: none, want: loggedIn(unauth, notFound)},
		{route: "POST " + api + "/processes/{id}/detainees/lists", object: proc + ", a valid file", path: p + "/lists", body: upload,
			want: cells{unauth, forbidden, created, created, created, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/processes/{id}/detainees/lists", object: proc + ", a file with bad rows", path: p + "/lists",
			body: fixed(listUpload(detainees.Held, "record_id,name_latin,status\nX,Someone,free\n", nil)),
			want: cells{unauth, forbidden, bad, bad, bad, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/processes/{id}/detainees/lists", object: noProc, path: unknown + "/lists", body: upload, want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/detainees/lists/{id}", object: "the government's list", path: api + "/detainees/lists/" + s.govList, body: none,
			want: cells{unauth, notFound, ok, ok, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/detainees/lists/{id}", object: "the opposition's list", path: api + "/detainees/lists/" + s.oppList, body: none,
			want: cells{unauth, notFound, ok, notFound, ok, notFound, notFound, notFound}},
		// Matching and review: the mediation and the neutral agency.
		{route: "POST " + api + "/processes/{id}/detainees/matching", object: proc, path: p + "/matching", body: none,
			want: cells{unauth, forbidden, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET " + api + "/processes/{id}/detainees/review", object: proc, path: p + "/review", body: none,
			want: cells{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/processes/{id}/detainees/pairs", object: proc, path: p + "/pairs", body: none,
			want: cells{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "POST " + api + "/detainees/pairs/{id}/decision", object: "a pair of the first run", path: api + "/detainees/pairs/" + s.pair + "/decision",
			body: fixed(map[string]string{"decision": "match"}), want: cells{unauth, notFound, created, notFound, notFound, notFound, notFound, notFound}},
		{route: "POST " + api + "/processes/{id}/detainees/decisions", object: "a record of each list", path: p + "/decisions",
			body: fixed(map[string]string{"a": s.records[0], "b": s.records[1], "decision": "match"}),
			want: cells{unauth, forbidden, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/detainees/pairs/{id}/decision", object: "no such pair", path: api + "/detainees/pairs/" + strings.Repeat("ab", 16) + "/decision",
			body: fixed(map[string]string{"decision": "match"}), want: loggedIn(unauth, notFound)},
		// Exchanges: the mediation records them; the two sides read them.
		{route: "POST " + api + "/processes/{id}/detainees/exchanges", object: proc, path: p + "/exchanges", body: exchangeOf,
			want: cells{unauth, forbidden, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/processes/{id}/detainees/exchanges", object: proc + ", a person without records", path: p + "/exchanges", body: exchange,
			want: cells{unauth, forbidden, bad, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET " + api + "/processes/{id}/detainees/exchanges", object: proc, path: p + "/exchanges", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/detainees/exchanges/{id}", object: "the first release", path: api + "/detainees/exchanges/" + s.exchange, body: none,
			want: cells{unauth, notFound, ok, ok, ok, notFound, notFound, notFound}},
		// Releases: the neutral agency only (403 to the others who read
		// the exchange, 404 to those who do not).
		{route: "POST " + api + "/detainees/exchanges/{id}/releases", object: "a person of the first release", path: api + "/detainees/exchanges/" + s.exchange + "/releases",
			body: release, want: cells{unauth, notFound, forbidden, forbidden, forbidden, notFound, notFound, notFound}},
		{route: "GET " + api + "/processes/{id}/detainees/dashboard", object: proc, path: p + "/dashboard", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/detainees/dashboard", object: noProc, path: unknown + "/dashboard", body: none, want: loggedIn(unauth, notFound)},
	}
	return append(rows, detaineePageRows(w)...)
}

// TestDetaineesNeutralAgencyCells are the ICRC's cells: it reads both
// lists, the review queue and the exchange, confirms a release (and only
// once), and is refused a person who is not in the exchange (400).
func TestDetaineesNeutralAgencyCells(t *testing.T) {
	w := newWorld(t, app.Config{DataDir: t.TempDir()})
	s := w.seedDetainees()
	w.login("icrc")
	api := "/api/v1"
	for _, c := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"GET", api + "/detainees/lists/" + s.govList, nil, 200},
		{"GET", api + "/detainees/lists/" + s.oppList, nil, 200},
		{"GET", api + "/processes/" + w.process + "/detainees/review", nil, 200},
		{"POST", api + "/processes/" + w.process + "/detainees/matching", nil, 201},
		{"GET", api + "/detainees/exchanges/" + s.exchange, nil, 200},
		{"POST", api + "/processes/" + w.process + "/detainees/exchanges", map[string]any{"kind": "unilateral", "title": "x", "sides": []string{}}, 403},
		{"POST", api + "/detainees/exchanges/" + s.exchange + "/releases", map[string]string{"person": strings.Repeat("ab", 16), "at": "2017-02-01T10:00:00Z", "place": "Crossing"}, 400},
		{"POST", api + "/detainees/exchanges/" + s.exchange + "/releases", map[string]string{"person": s.person, "at": "2017-02-01T10:00:00Z", "place": "Crossing"}, 201},
		{"POST", api + "/detainees/exchanges/" + s.exchange + "/releases", map[string]string{"person": s.person, "at": "2017-02-01T10:00:00Z", "place": "Crossing"}, 409},
	} {
		got, body := w.do(c.method, c.path, "icrc", c.body)
		if got != c.want {
			t.Errorf("icrc %s %s: %d, want %d\n%s", c.method, c.path, got, c.want, snippet(body))
		}
	}
	got, body := w.do("GET", api+"/processes/"+w.process+"/detainees/dashboard", "opp.head", nil)
	if got != 200 || !strings.Contains(string(body), `"verified":1`) {
		t.Errorf("the opposition's dashboard after the release: %d %s", got, body)
	}
}

// detaineePageRows are the detainee track's web pages. A refused form
// shows its page again: 403 to those who have the page, 404 to those who
// do not.
func detaineePageRows(w *world) []row {
	s := w.seedDetainees()
	p := "/processes/" + w.process + "/detainees"
	unknown := "/processes/" + strings.Repeat("cd", 16) + "/detainees"
	const proc, noProc = "the demo process", "no such process"
	upload := func(subject string) any {
		if subject == "opp.head" {
			return listUpload(detainees.Sought, detOppCSV, map[string]string{"full name": "name_latin"})
		}
		return listUpload(detainees.Held, detGovCSV, nil)
	}
	exchange := func(string) any {
		return url.Values{"kind": {"unilateral"}, "title": {"Web release"}, "side_a": {w.org["gov"]}, "side_b": {w.org["opp"]},
			"person": {s.records[0]}}
	}
	return []row{
		{route: "GET /processes/{id}/detainees", object: proc, path: p, body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/detainees", object: noProc, path: unknown, body: none, want: loggedIn(toLogin, notFound)},
		{route: "POST /processes/{id}/detainees/agency", object: proc + ", the ICRC again", path: p + "/agency",
			body: fixed(url.Values{"org": {w.org["icrc"]}}), want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /processes/{id}/detainees/lists/check", object: proc, path: p + "/lists/check", body: upload,
			want: cells{toLogin, forbidden, ok, ok, ok, forbidden, forbidden, forbidden}},
		{route: "POST /processes/{id}/detainees/lists/check", object: noProc, path: unknown + "/lists/check", body: upload, want: loggedIn(toLogin, notFound)},
		{route: "POST /processes/{id}/detainees/lists", object: proc, path: p + "/lists", body: upload,
			want: cells{toLogin, forbidden, seeOther, seeOther, seeOther, forbidden, forbidden, forbidden}},
		{route: "POST /processes/{id}/detainees/matching", object: proc, path: p + "/matching", body: none,
			want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET /processes/{id}/detainees/review", object: proc, path: p + "/review", body: none,
			want: cells{toLogin, notFound, ok, notFound, notFound, notFound, notFound, notFound}},
		{route: "POST /processes/{id}/detainees/exchanges", object: proc, path: p + "/exchanges", body: exchange,
			want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET /processes/{id}/detainees/dashboard", object: proc, path: p + "/dashboard", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/detainees/dashboard", object: noProc, path: unknown + "/dashboard", body: none, want: loggedIn(toLogin, notFound)},
		{route: "GET /detainees/lists/{id}", object: "the government's list", path: "/detainees/lists/" + s.govList, body: none,
			want: cells{toLogin, notFound, ok, ok, notFound, notFound, notFound, notFound}},
		{route: "POST /detainees/pairs/{id}/decision", object: "a pair of the first run", path: "/detainees/pairs/" + s.pair + "/decision",
			body: fixed(url.Values{"decision": {"match"}}), want: cells{toLogin, notFound, seeOther, notFound, notFound, notFound, notFound, notFound}},
		{route: "GET /detainees/exchanges/{id}", object: "the first release", path: "/detainees/exchanges/" + s.exchange, body: none,
			want: cells{toLogin, notFound, ok, ok, ok, notFound, notFound, notFound}},
		{route: "POST /detainees/exchanges/{id}/releases", object: "a person of the first release", path: "/detainees/exchanges/" + s.exchange + "/releases",
			body: fixed(url.Values{"person": {s.person}, "at": {"2017-02-01T10:00"}, "place": {"Crossing point"}}),
			want: cells{toLogin, notFound, forbidden, forbidden, forbidden, notFound, notFound, notFound}},
	}
}
