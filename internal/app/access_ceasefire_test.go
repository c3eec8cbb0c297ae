package app_test

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"parley/internal/access"
	"parley/internal/ceasefire"
)

// The ceasefire's rows of the access table (issue 12; docs/ceasefire.md),
// and the secrets no cell may show to an organisation outside their
// audience: the opposition's report (its narrative, its place, its
// evidence), and the opposition's answer to an unpublished incident.

// ceasefireSeed are the ceasefire objects the rows refer to.
type ceasefireSeed struct {
	report     string // the opposition's report against the government (inc1)
	evidence   string // a text file on it
	grade      string // the monitors' grade of its source
	inc1       string // its incident: the mechanism and the opposition read it
	published  string // the monitors' report, confirmed and published; the government answered
	mergeInto  string // two monitor reports to merge
	mergeFrom  string
	split      string // an incident of two reports
	splitOut   string // the report to split out of it
	confirmed  string // confirmed, not yet published
	answerable string // the monitors' incident against the opposition, with the opposition's report merged in
	// The same again for the pages' forms.
	mergeInto2, mergeFrom2, split2, splitOut2, confirmed2 string
}

var ceasefireSeeds = map[*world]ceasefireSeed{}

// ceasefireSecrets are texts that only their readers may find in any
// answer of any cell.
var ceasefireSecrets = []struct {
	text    string
	readers []string
}{
	{"Cfsecret narrative alpha", []string{"mediator", "opp.head", "guarantor.ru", "monitor"}},
	{"Cfsecretplace", []string{"mediator", "opp.head", "guarantor.ru", "monitor"}},
	{"cfsecret evidence bravo", []string{"mediator", "opp.head", "guarantor.ru", "monitor"}},
	{"Cfsecret answer charlie", []string{"mediator", "opp.head", "guarantor.ru", "monitor"}},
	{"Cfsecret grade delta", []string{"mediator", "opp.head", "guarantor.ru", "monitor"}},
}

// checkCeasefireSecrets fails the cell when body holds a ceasefire secret
// subject may not read.
func (w *world) checkCeasefireSecrets(r row, subject string, body []byte) {
	w.t.Helper()
	for _, s := range ceasefireSecrets {
		if !slices.Contains(s.readers, subject) && strings.Contains(string(body), s.text) {
			w.t.Errorf("%s [%s] as %s: the answer holds %q", r.route, r.object, name(subject), s.text)
		}
	}
}

func f64(v float64) *float64 { return &v }

// ceasefireReport is a valid report against perpetrator.
func ceasefireReport(perpetrator, narrative, place string) ceasefire.ReportInput {
	return ceasefire.ReportInput{OccurredAt: "2017-01-25T08:00:00Z", Lat: f64(33.62), Lon: f64(36.17), Place: place, Admin1: "Rif Dimashq",
		Type: "shelling", Perpetrator: perpetrator, Affected: "civilians", Knowledge: "seen", Platform: "patrol", Narrative: narrative}
}

// seedCeasefire writes the objects of the ceasefire's rows.
func (w *world) seedCeasefire() ceasefireSeed {
	t := w.t
	t.Helper()
	if s, ok := ceasefireSeeds[w]; ok {
		return s
	}
	ctx := context.Background()
	cf := w.a.Ceasefire
	mon, opp, gov := w.user["monitor"].Actor(), w.user["opp.head"].Actor(), w.user["gov.head"].Actor()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("ceasefire seed: %v", err)
		}
	}
	report := func(a access.Actor, in ceasefire.ReportInput) ceasefire.Report {
		t.Helper()
		r, err := cf.CreateReport(ctx, a, w.process, in)
		must(err)
		return r
	}
	verify := func(id string, states ...string) {
		t.Helper()
		for _, st := range states {
			_, err := cf.Verify(ctx, mon, id, ceasefire.Verification{Status: st, Reason: "checked"})
			must(err)
		}
	}
	var s ceasefireSeed
	r1 := report(opp, ceasefireReport(w.org["gov"], "Cfsecret narrative alpha: shells on the spring.", "Cfsecretplace"))
	ev, err := cf.AddEvidence(ctx, opp, r1.ID, "note.txt", []byte("cfsecret evidence bravo"))
	must(err)
	s.report, s.evidence, s.inc1 = r1.ID, ev.ID, r1.IncidentID
	g, err := cf.GradeSource(ctx, mon, r1.ID, "D", "Cfsecret grade delta: wrong twice before.")
	must(err)
	s.grade = g.ID

	pub := report(mon, ceasefireReport(w.org["gov"], "Shelling seen by the patrol.", "Ain al-Fijah"))
	verify(pub.IncidentID, ceasefire.UnderReview, ceasefire.ConfirmedViolation)
	_, err = cf.Publish(ctx, mon, pub.IncidentID)
	must(err)
	_, err = cf.AnswerIncident(ctx, gov, pub.IncidentID, "The government denies firing.")
	must(err)
	s.published = pub.IncidentID

	split := func() (string, string) {
		a := report(mon, ceasefireReport("unknown", "Two reports of one event.", "Village"))
		b := report(mon, ceasefireReport("unknown", "Two reports of one event, again.", "Village"))
		_, err := cf.Merge(ctx, mon, a.IncidentID, []string{b.IncidentID}, "same event")
		must(err)
		return a.IncidentID, b.ID
	}
	confirmed := func() string {
		c := report(mon, ceasefireReport(w.org["gov"], "Confirmed, to publish.", "Hill"))
		verify(c.IncidentID, ceasefire.UnderReview, ceasefire.ConfirmedViolation)
		return c.IncidentID
	}
	s.mergeInto = report(mon, ceasefireReport("unknown", "Clash north of the town.", "Town")).IncidentID
	s.mergeFrom = report(mon, ceasefireReport("unknown", "Clash to the north.", "Town")).IncidentID
	s.mergeInto2 = report(mon, ceasefireReport("unknown", "Clash south of the town.", "Town")).IncidentID
	s.mergeFrom2 = report(mon, ceasefireReport("unknown", "Clash to the south.", "Town")).IncidentID
	s.split, s.splitOut = split()
	s.split2, s.splitOut2 = split()
	s.confirmed, s.confirmed2 = confirmed(), confirmed()

	acc := report(mon, ceasefireReport(w.org["opp"], "Mortar fire from opposition lines.", "Ridge"))
	own := report(opp, ceasefireReport(w.org["opp"], "Our own account of the ridge.", "Ridge"))
	_, err = cf.Merge(ctx, mon, acc.IncidentID, []string{own.IncidentID}, "same event")
	must(err)
	_, err = cf.AnswerIncident(ctx, opp, acc.IncidentID, "Cfsecret answer charlie: we returned fire only.")
	must(err)
	s.answerable = acc.IncidentID

	must(cf.SetPublicSummary(ctx, w.user["mediator"].Actor(), w.process, true))
	ceasefireSeeds[w] = s
	return s
}

// multipartFile is a multipart/form-data body with one part "file".
func multipartFile(name, data string) file {
	const boundary = "cfboundary7"
	body := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n" + data + "\r\n--" + boundary + "--\r\n"
	return file{ctype: "multipart/form-data; boundary=" + boundary, data: body}
}

func ceasefireRows(w *world) []row {
	const api = "/api/v1"
	s := w.seedCeasefire()
	p := api + "/processes/" + w.process + "/ceasefire"
	missing := strings.Repeat("cd", 16)
	// The opposition's report: the monitors, the mediation, the
	// guarantors and the opposition read it.
	mech := func(anon, yes, no int) cells { return cells{anon, no, yes, no, yes, yes, no, yes} }
	// Parties, guarantors, the mediation and the monitors file reports.
	reporters := func(anon, yes, no int) cells { return cells{anon, no, yes, yes, yes, yes, no, yes} }
	monitorOnly := func(readers cells, status int) cells {
		// Readers other than the monitor are refused; the monitor gets
		// status; non-readers see nothing.
		for i := range readers {
			if readers[i] == ok {
				readers[i] = forbidden
			}
		}
		readers[7] = status
		return readers
	}
	report := func(string) any {
		in := ceasefireReport(w.org["gov"], "Heavy shelling reported near the checkpoint.", "Checkpoint")
		return in
	}
	csvFile := file{ctype: "text/csv", data: strings.Join(ceasefire.ImportColumns, ",") + "\n" +
		"2017-01-25T08:00:00Z,exact,33.6,36.1,town,Checkpoint,Rif Dimashq,,shelling,unknown,civilians,0,0,0,0,1,2,heard,witness,Shelling heard\n"}
	zones := file{ctype: "application/geo+json", data: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Zone A","kind":"de-escalation"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[36,33],[37,33],[37,34],[36,34],[36,33]]]}}]}`}
	return []row{
		{route: "POST " + api + "/processes/{id}/ceasefire/reports", object: "a report against the government", path: p + "/reports", body: report,
			want: reporters(unauth, created, forbidden)},
		{route: "POST " + api + "/processes/{id}/ceasefire/reports", object: "a report at latitude 91", path: p + "/reports",
			body: fixed(map[string]any{"occurred_at": "2017-01-25T08:00:00Z", "lat": 91, "lon": 36, "type": "shelling", "narrative": "x"}),
			want: loggedIn(unauth, bad)},
		{route: "POST " + api + "/processes/{id}/ceasefire/reports", object: "no such process", path: api + "/processes/" + missing + "/ceasefire/reports", body: report,
			want: loggedIn(unauth, notFound)},
		{route: "POST " + api + "/processes/{id}/ceasefire/reports/import", object: "one good row", path: p + "/reports/import", body: fixed(csvFile),
			want: reporters(unauth, created, forbidden)},
		{route: "GET " + api + "/processes/{id}/ceasefire/incidents", object: "the demo process", path: p + "/incidents?bbox=35,32,38,37&type=shelling", body: none,
			want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/ceasefire/incidents/export", object: "CSV", path: p + "/incidents/export?format=csv", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/ceasefire/incidents/export", object: "GeoJSON", path: p + "/incidents/export?format=geojson", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/ceasefire/incidents/export", object: "HXL", path: p + "/incidents/export?format=hxl", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/ceasefire/duplicates", object: "the demo process", path: p + "/duplicates", body: none,
			want: cells{unauth, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, ok}},
		{route: "GET " + api + "/processes/{id}/ceasefire/zones", object: "the demo process", path: p + "/zones", body: none, want: loggedIn(unauth, ok)},
		{route: "POST " + api + "/processes/{id}/ceasefire/zones", object: "one zone", path: p + "/zones", body: fixed(zones),
			want: cells{unauth, forbidden, created, forbidden, forbidden, forbidden, forbidden, created}},
		{route: "GET " + api + "/processes/{id}/ceasefire/statistics", object: "the demo process", path: p + "/statistics?split=2017-01-24", body: none, want: loggedIn(unauth, ok)},
		{route: "PUT " + api + "/processes/{id}/ceasefire/public-summary", object: "switched on", path: p + "/public-summary", body: fixed(map[string]bool{"enabled": true}),
			want: cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET " + api + "/processes/{id}/ceasefire/summary", object: "switched on", path: p + "/summary", body: none, want: all(ok)},
		{route: "GET " + api + "/processes/{id}/ceasefire/summary", object: "no such process", path: api + "/processes/" + missing + "/ceasefire/summary", body: none, want: all(notFound)},
		{route: "GET " + api + "/processes/{id}/ceasefire/events", object: "the feed", path: p + "/events?after=0", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/ceasefire/events", object: "no such process", path: api + "/processes/" + missing + "/ceasefire/events", body: none, want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/ceasefire/reports/{id}", object: "the opposition's report", path: api + "/ceasefire/reports/" + s.report, body: none, want: mech(unauth, ok, notFound)},
		{route: "POST " + api + "/ceasefire/reports/{id}/evidence", object: "the opposition's report", path: api + "/ceasefire/reports/" + s.report + "/evidence",
			body: fixed(multipartFile("photo.txt", "a witness statement")), want: mech(unauth, created, notFound)},
		{route: "POST " + api + "/ceasefire/reports/{id}/grades", object: "the opposition's report", path: api + "/ceasefire/reports/" + s.report + "/grades",
			body: fixed(map[string]string{"reliability": "C", "reason": "first report from this source"}), want: monitorOnly(mech(unauth, ok, notFound), created)},
		{route: "POST " + api + "/ceasefire/reports/{id}/grades", object: "the opposition's report, grade G", path: api + "/ceasefire/reports/" + s.report + "/grades",
			body: fixed(map[string]string{"reliability": "G", "reason": "no such grade"}), want: loggedIn(unauth, bad)},
		{route: "GET " + api + "/ceasefire/evidence/{id}", object: "the evidence of the opposition's report", path: api + "/ceasefire/evidence/" + s.evidence, body: none,
			want: mech(unauth, ok, notFound)},
		{route: "GET " + api + "/ceasefire/incidents/{id}", object: "the opposition's incident", path: api + "/ceasefire/incidents/" + s.inc1, body: none,
			want: mech(unauth, ok, notFound)},
		{route: "GET " + api + "/ceasefire/incidents/{id}", object: "a published incident", path: api + "/ceasefire/incidents/" + s.published, body: none,
			want: loggedIn(unauth, ok)},
		{route: "POST " + api + "/ceasefire/incidents/{id}/merge", object: "two monitor incidents", path: api + "/ceasefire/incidents/" + s.mergeInto + "/merge",
			body: fixed(map[string]any{"incidents": []string{s.mergeFrom}, "reason": "one clash"}),
			want: monitorOnly(cells{unauth, notFound, ok, notFound, notFound, ok, notFound, ok}, ok)},
		{route: "POST " + api + "/ceasefire/incidents/{id}/split", object: "an incident of two reports", path: api + "/ceasefire/incidents/" + s.split + "/split",
			body: fixed(map[string]any{"report": s.splitOut, "reason": "two strikes"}),
			want: monitorOnly(cells{unauth, notFound, ok, notFound, notFound, ok, notFound, ok}, created)},
		{route: "POST " + api + "/ceasefire/incidents/{id}/verification", object: "the opposition's incident", path: api + "/ceasefire/incidents/" + s.inc1 + "/verification",
			body: fixed(map[string]any{"status": "under_review", "reason": "patrol sent"}), want: monitorOnly(mech(unauth, ok, notFound), ok)},
		{route: "POST " + api + "/ceasefire/incidents/{id}/verification", object: "a published incident, to its own state", path: api + "/ceasefire/incidents/" + s.published + "/verification",
			body: fixed(map[string]any{"status": "confirmed_violation", "reason": "again"}), want: monitorOnly(loggedIn(unauth, ok), conflict)},
		{route: "POST " + api + "/ceasefire/incidents/{id}/publish", object: "a confirmed incident", path: api + "/ceasefire/incidents/" + s.confirmed + "/publish",
			body: none, want: monitorOnly(cells{unauth, notFound, ok, notFound, notFound, ok, notFound, ok}, ok)},
		{route: "POST " + api + "/ceasefire/incidents/{id}/answers", object: "a published incident against the government", path: api + "/ceasefire/incidents/" + s.published + "/answers",
			body: fixed(map[string]string{"body": "We maintain our denial."}), want: cells{unauth, forbidden, forbidden, created, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST " + api + "/ceasefire/incidents/{id}/answers", object: "the opposition's incident against the government, unpublished", path: api + "/ceasefire/incidents/" + s.inc1 + "/answers",
			body: fixed(map[string]string{"body": "We were not there."}), want: cells{unauth, notFound, forbidden, notFound, forbidden, forbidden, notFound, forbidden}},
		{route: "POST " + api + "/ceasefire/incidents/{id}/answers", object: "an incident against the opposition", path: api + "/ceasefire/incidents/" + s.answerable + "/answers",
			body: fixed(map[string]string{"body": "Returned fire."}), want: cells{unauth, notFound, forbidden, notFound, created, forbidden, notFound, forbidden}},

		{route: "GET /processes/{id}/ceasefire", object: "the map", path: "/processes/" + w.process + "/ceasefire?type=shelling&from=2017-01-01", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/ceasefire", object: "no such process", path: "/processes/" + missing + "/ceasefire", body: none, want: loggedIn(toLogin, notFound)},
		{route: "GET /processes/{id}/ceasefire/new", object: "the report form", path: "/processes/" + w.process + "/ceasefire/new", body: none,
			want: reporters(toLogin, ok, forbidden)},
		{route: "POST /processes/{id}/ceasefire/reports", object: "the report form", path: "/processes/" + w.process + "/ceasefire/reports",
			body: fixed(url.Values{"occurred_at": {"2017-01-25T08:00"}, "lat": {"33.6"}, "lon": {"36.2"}, "type": {"shelling"}, "perpetrator": {"unknown"},
				"affected": {"civilians"}, "narrative": {"Shelling heard at dawn."}}), want: reporters(toLogin, seeOther, forbidden)},
		{route: "POST /processes/{id}/ceasefire/reports", object: "the report form, latitude 91", path: "/processes/" + w.process + "/ceasefire/reports",
			body: fixed(url.Values{"occurred_at": {"2017-01-25T08:00"}, "lat": {"91"}, "lon": {"36.2"}, "type": {"shelling"}, "narrative": {"x"}}),
			want: reporters(toLogin, bad, forbidden)},
		{route: "GET /processes/{id}/ceasefire/duplicates", object: "the demo process", path: "/processes/" + w.process + "/ceasefire/duplicates", body: none,
			want: cells{toLogin, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, ok}},
		{route: "GET /processes/{id}/ceasefire/statistics", object: "the demo process", path: "/processes/" + w.process + "/ceasefire/statistics?split=2017-01-24", body: none,
			want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/ceasefire/export", object: "HXL", path: "/processes/" + w.process + "/ceasefire/export?format=hxl", body: none, want: loggedIn(toLogin, ok)},
		{route: "POST /processes/{id}/ceasefire/public-summary", object: "switched on", path: "/processes/" + w.process + "/ceasefire/public-summary",
			body: fixed(url.Values{"enabled": {"on"}}), want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET /ceasefire/incidents/{id}", object: "the opposition's incident", path: "/ceasefire/incidents/" + s.inc1, body: none, want: mech(toLogin, ok, notFound)},
		{route: "GET /ceasefire/incidents/{id}", object: "a published incident", path: "/ceasefire/incidents/" + s.published, body: none, want: loggedIn(toLogin, ok)},
		{route: "POST /ceasefire/incidents/{id}/verification", object: "the opposition's incident", path: "/ceasefire/incidents/" + s.inc1 + "/verification",
			body: fixed(url.Values{"status": {"unverifiable"}, "reason": {"no access to the site"}, "reliability": {"C"}}), want: monitorOnly(mech(toLogin, ok, notFound), seeOther)},
		{route: "POST /ceasefire/incidents/{id}/publish", object: "a confirmed incident", path: "/ceasefire/incidents/" + s.confirmed2 + "/publish", body: fixed(url.Values{}),
			want: monitorOnly(cells{toLogin, notFound, ok, notFound, notFound, ok, notFound, ok}, seeOther)},
		{route: "POST /ceasefire/incidents/{id}/merge", object: "two monitor incidents", path: "/ceasefire/incidents/" + s.mergeInto2 + "/merge",
			body: fixed(url.Values{"incidents": {s.mergeFrom2}, "reason": {"one clash"}}), want: monitorOnly(cells{toLogin, notFound, ok, notFound, notFound, ok, notFound, ok}, seeOther)},
		{route: "POST /ceasefire/incidents/{id}/split", object: "an incident of two reports", path: "/ceasefire/incidents/" + s.split2 + "/split",
			body: fixed(url.Values{"report": {s.splitOut2}, "reason": {"two strikes"}}), want: monitorOnly(cells{toLogin, notFound, ok, notFound, notFound, ok, notFound, ok}, seeOther)},
		{route: "POST /ceasefire/incidents/{id}/answers", object: "a published incident against the government", path: "/ceasefire/incidents/" + s.published + "/answers",
			body: fixed(url.Values{"body": {"We maintain our denial."}}), want: cells{toLogin, forbidden, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /ceasefire/reports/{id}/evidence", object: "the opposition's report", path: "/ceasefire/reports/" + s.report + "/evidence",
			body: fixed(multipartFile("statement.txt", "a witness statement")), want: mech(toLogin, seeOther, notFound)},
		{route: "GET /ceasefire/evidence/{id}", object: "the evidence of the opposition's report", path: "/ceasefire/evidence/" + s.evidence, body: none,
			want: mech(toLogin, ok, notFound)},
		{route: "POST /ceasefire/reports/{id}/grades", object: "the opposition's report", path: "/ceasefire/reports/" + s.report + "/grades",
			body: fixed(url.Values{"reliability": {"B"}, "reason": {"confirmed twice before"}}), want: monitorOnly(mech(toLogin, ok, notFound), seeOther)},
		{route: "GET /processes/{id}/ceasefire/data", object: "the map's data", path: "/processes/" + w.process + "/ceasefire/data?type=shelling", body: none,
			want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/ceasefire/data", object: "no such process", path: "/processes/" + missing + "/ceasefire/data", body: none,
			want: loggedIn(toLogin, notFound)},
		{route: "GET /processes/{id}/ceasefire/events", object: "the map's feed", path: "/processes/" + w.process + "/ceasefire/events?after=0", body: none,
			want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/ceasefire/events", object: "no such process", path: "/processes/" + missing + "/ceasefire/events", body: none,
			want: loggedIn(toLogin, notFound)},
		{route: "POST /processes/{id}/ceasefire/zones", object: "one zone", path: "/processes/" + w.process + "/ceasefire/zones",
			body: fixed(multipartFile("zones.geojson", zones.data)), want: cells{toLogin, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden, seeOther}},
		{route: "GET /processes/{id}/ceasefire/summary", object: "switched on", path: "/processes/" + w.process + "/ceasefire/summary", body: none, want: all(ok)},
		{route: "GET /processes/{id}/ceasefire/summary", object: "no such process", path: "/processes/" + missing + "/ceasefire/summary", body: none, want: all(notFound)},
	}
}
