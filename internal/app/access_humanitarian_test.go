package app_test

// Humanitarian access in the access table (issue 13, docs/humanitarian.md).
// OCHA, which takes part in the demo round as an agency, records three
// locations and the convoys the rows refer to; the table's subjects
// include no agency, so every request of a convoy or logistics step by a
// subject is refused. The service's own tests and the API's leak test
// cover the agency's side.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/humanitarian"
)

// humSeed are the humanitarian objects of the rows.
type humSeed struct {
	oppHeld, govHeld, statusLoc string // locations
	// toOpp: requested, to the opposition-held area, approval by the
	// government pending; toGov: the same to the government-held area,
	// which the opposition does not read; forApproval: awaits the
	// government's approval for the approval row; approved: the
	// government has approved it already.
	toOpp, toGov, forApproval, approved string
	forWebApproval                      string // awaits the government's approval for the web form's row
}

func (w *world) seedHumanitarian() humSeed {
	t := w.t
	t.Helper()
	ctx := context.Background()
	h := w.a.Humanitarian
	u, err := w.a.Auth.UserByUsername(ctx, access.System, "ocha")
	if err != nil {
		t.Fatalf("ocha: %v", err)
	}
	ocha := u.Actor()
	loc := func(name, controlled, besieged string) string {
		t.Helper()
		l, err := h.CreateLocation(ctx, ocha, w.process, humanitarian.NewLocation{Name: name, Admin1: "Rural Damascus", Lat: 33.6, Lon: 36.2,
			Population: 10000, ControlledBy: controlled, BesiegedBy: besieged})
		if err != nil {
			t.Fatalf("location %s: %v", name, err)
		}
		return l.ID
	}
	s := humSeed{oppHeld: loc("Held by the opposition", w.org["opp"], w.org["gov"]), govHeld: loc("Held by the government", w.org["gov"], w.org["opp"]),
		statusLoc: loc("Whose status changes", w.org["opp"], w.org["gov"])}
	convoy := func(dest string) string {
		t.Helper()
		cv, err := h.RequestConvoy(ctx, ocha, w.process, humanitarian.NewConvoy{Destination: dest,
			Items:     []humanitarian.NewItem{{Name: "wheat flour", Unit: "t", Requested: 10}, {Name: "medical kits", Unit: "kit", Requested: 50}},
			Route:     []string{"Checkpoint north"},
			Approvals: []humanitarian.NewApproval{{Party: w.org["gov"], Due: time.Now().Add(30 * 24 * time.Hour)}}})
		if err != nil {
			t.Fatalf("convoy: %v", err)
		}
		return cv.ID
	}
	s.toOpp, s.toGov, s.forApproval, s.approved = convoy(s.oppHeld), convoy(s.govHeld), convoy(s.oppHeld), convoy(s.oppHeld)
	s.forWebApproval = convoy(s.oppHeld)
	if _, err := h.RecordStep(ctx, w.user["gov.head"].Actor(), s.approved, humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.Approved}); err != nil {
		t.Fatalf("approval: %v", err)
	}
	return s
}

func humanitarianRows(w *world) []row {
	const api = "/api/v1"
	s := w.seedHumanitarian()
	p := api + "/processes/" + w.process + "/humanitarian"
	missing := strings.Repeat("ef", 16)
	// Only agencies request convoys, and none is a subject.
	agencyOnly := cells{unauth, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}
	// Figures: every organisation of the process but the observer.
	figures := func(status int) cells { return cells{unauth, status, status, status, status, status, notFound, status} }
	// The convoy to the opposition-held area: the agency, the mediation,
	// the government (named in the approvals) and the opposition
	// (controlling the destination) read it.
	toOpp := func(med, gov, opp int) cells {
		return cells{unauth, notFound, med, gov, opp, notFound, notFound, notFound}
	}
	convoyBody := func(string) any {
		return map[string]any{"destination": s.oppHeld, "items": []map[string]any{{"name": "wheat flour", "unit": "t", "requested": 5}},
			"route": []string{"Checkpoint north"}, "approvals": []map[string]any{{"party": w.org["gov"], "due": "2100-01-01"}}}
	}
	approve := fixed(map[string]any{"step": "approval", "decision": "approved"})
	web := "/processes/" + w.process + "/humanitarian"
	webFigures := func(status int) cells {
		return cells{toLogin, status, status, status, status, status, notFound, status}
	}
	return []row{
		{route: "POST " + api + "/processes/{id}/humanitarian/locations", object: "a new location", path: p + "/locations",
			body: func(string) any {
				return map[string]any{"name": "Area " + strings.Repeat("x", w.next()), "admin1": "Idlib", "lat": 35.9, "lon": 36.6}
			},
			want: cells{unauth, forbidden, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET " + api + "/processes/{id}/humanitarian/locations", object: "the demo process (none for the observer)", path: p + "/locations", body: none,
			want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/humanitarian/locations", object: "no such process", path: api + "/processes/" + missing + "/humanitarian/locations", body: none,
			want: loggedIn(unauth, notFound)},
		{route: "GET " + api + "/humanitarian/locations/{id}", object: "the opposition-held area", path: api + "/humanitarian/locations/" + s.oppHeld, body: none,
			want: figures(ok)},
		{route: "POST " + api + "/humanitarian/locations/{id}/status", object: "an area becoming hard to reach", path: api + "/humanitarian/locations/" + s.statusLoc + "/status",
			body: fixed(map[string]string{"status": "hard_to_reach", "reason": "the siege eased"}),
			want: cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, notFound, forbidden}},

		{route: "POST " + api + "/processes/{id}/humanitarian/convoys", object: "to the opposition-held area", path: p + "/convoys", body: convoyBody, want: agencyOnly},
		{route: "GET " + api + "/processes/{id}/humanitarian/convoys", object: "the convoys the caller reads", path: p + "/convoys", body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/humanitarian/convoys/{id}", object: "to the opposition-held area", path: api + "/humanitarian/convoys/" + s.toOpp, body: none,
			want: toOpp(ok, ok, ok)},
		{route: "GET " + api + "/humanitarian/convoys/{id}", object: "to the government-held area", path: api + "/humanitarian/convoys/" + s.toGov, body: none,
			want: cells{unauth, notFound, ok, ok, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/humanitarian/convoys/{id}", object: "no such convoy", path: api + "/humanitarian/convoys/" + missing, body: none,
			want: loggedIn(unauth, notFound)},
		{route: "POST " + api + "/humanitarian/convoys/{id}/steps", object: "approval of a convoy awaiting the government", path: api + "/humanitarian/convoys/" + s.forApproval + "/steps",
			body: approve, want: toOpp(forbidden, created, forbidden)},
		{route: "POST " + api + "/humanitarian/convoys/{id}/steps", object: "approval of a convoy the government approved already", path: api + "/humanitarian/convoys/" + s.approved + "/steps",
			body: approve, want: toOpp(forbidden, conflict, forbidden)},
		{route: "POST " + api + "/humanitarian/convoys/{id}/steps", object: "approval above the requested quantity", path: api + "/humanitarian/convoys/" + s.toOpp + "/steps",
			body: fixed(map[string]any{"step": "approval", "decision": "partially_approved", "items": []map[string]any{{"name": "medical kits", "approved": 51}}}),
			want: toOpp(forbidden, bad, forbidden)},
		{route: "POST " + api + "/humanitarian/convoys/{id}/steps", object: "delivery of a convoy not dispatched", path: api + "/humanitarian/convoys/" + s.toOpp + "/steps",
			body: fixed(map[string]any{"step": "delivered"}), want: toOpp(forbidden, forbidden, forbidden)},
		{route: "POST " + api + "/humanitarian/convoys/{id}/steps", object: "no such convoy", path: api + "/humanitarian/convoys/" + missing + "/steps",
			body: approve, want: loggedIn(unauth, notFound)},

		{route: "POST " + api + "/processes/{id}/humanitarian/commitments", object: "access to the opposition-held area every 14 days", path: p + "/commitments",
			body: fixed(map[string]any{"round": w.round1, "location": s.oppHeld, "title": "Access every 14 days", "cadence_days": 14}),
			want: cells{unauth, forbidden, created, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET " + api + "/processes/{id}/humanitarian/dashboard", object: "the demo process, public summary off", path: p + "/dashboard", body: none, want: figures(ok)},
		{route: "PUT " + api + "/processes/{id}/humanitarian/public-summary", object: "kept off", path: p + "/public-summary",
			body: fixed(map[string]bool{"public": false}), want: cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET " + api + "/processes/{id}/humanitarian/convoys/export", object: "as HXL (the rows the caller reads)", path: p + "/convoys/export?format=hxl", body: none,
			want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/processes/{id}/humanitarian/convoys/export", object: "as GeoJSON (the dashboard's figures)", path: p + "/convoys/export?format=geojson", body: none,
			want: figures(ok)},
		{route: "GET " + api + "/processes/{id}/humanitarian/convoys/export", object: "in an unknown format", path: p + "/convoys/export?format=xls", body: none,
			want: loggedIn(unauth, bad)},

		// The pages.
		{route: "GET /processes/{id}/humanitarian", object: "the demo process (no area for the observer)", path: web, body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/humanitarian", object: "no such process", path: "/processes/" + missing + "/humanitarian", body: none, want: loggedIn(toLogin, notFound)},
		{route: "POST /processes/{id}/humanitarian/convoys", object: "a request to the opposition-held area", path: web + "/convoys",
			body: fixed(url.Values{"destination": {s.oppHeld}, "item.0.name": {"flour"}, "item.0.unit": {"t"}, "item.0.requested": {"5"},
				"approval.0.party": {w.org["gov"]}, "approval.0.due": {"2100-01-01"}}),
			want: loggedIn(toLogin, forbidden)},
		{route: "GET /processes/{id}/humanitarian/dashboard", object: "the demo process, public summary off", path: web + "/dashboard", body: none, want: webFigures(ok)},
		{route: "GET /processes/{id}/humanitarian/export", object: "as HXL", path: web + "/export?format=hxl", body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /processes/{id}/humanitarian/export", object: "as GeoJSON", path: web + "/export?format=geojson", body: none, want: webFigures(ok)},
		{route: "GET /humanitarian/convoys/{id}", object: "to the opposition-held area", path: "/humanitarian/convoys/" + s.toOpp, body: none,
			want: cells{toLogin, notFound, ok, ok, ok, notFound, notFound, notFound}},
		{route: "POST /humanitarian/convoys/{id}/steps", object: "approval of a convoy awaiting the government", path: "/humanitarian/convoys/" + s.forWebApproval + "/steps",
			body: fixed(url.Values{"step": {"approval"}, "decision": {"approved"}}),
			want: cells{toLogin, notFound, forbidden, http.StatusSeeOther, forbidden, notFound, notFound, notFound}},
	}
}
