package api_test

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"parley/internal/api"
	"parley/internal/bargain"
	"parley/internal/channel"
	"parley/internal/router"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// bargainSubjects are the columns of the package-analysis access table.
var bargainSubjects = []string{"", "chair", "mediator", "gov.head", "opp.head", "guarantor.ru", "observer.us"}

// The secrets of each party's profile: its name and one weight no other
// profile uses, looked for in every answer the other party gets.
const (
	govSecret = "gov-secret-profile"
	oppSecret = "opp-secret-profile"
)

const bargainDomainFile = `{"name":"astana","issuesValues":{"scope":{"values":["nationwide","excluding listed groups","local"]},"monitoring":{"values":["joint group","guarantors","UN"]}}}`

func bargainDomainBody() map[string]any {
	return map[string]any{"name": "astana", "issues": []map[string]any{
		{"name": "scope", "values": []string{"nationwide", "excluding listed groups", "local"}},
		{"name": "monitoring", "values": []string{"joint group", "guarantors", "UN"}},
	}}
}

func bargainProfileBody(subject string) map[string]any {
	name, w := govSecret, 71.25
	scope := map[string]float64{"nationwide": 0.1, "excluding listed groups": 1, "local": 0.5}
	mon := map[string]float64{"joint group": 1, "guarantors": 0.8, "UN": 0}
	if subject == "opp.head" {
		name, w = oppSecret, 13.75
		scope = map[string]float64{"nationwide": 1, "excluding listed groups": 0, "local": 0.3}
		mon = map[string]float64{"joint group": 0, "guarantors": 0.4, "UN": 1}
	}
	return map[string]any{"name": name, "issues": map[string]any{
		"scope":      map[string]any{"weight": w, "values": scope},
		"monitoring": map[string]any{"weight": 100 - w, "values": mon},
	}}
}

// bargainServer serves the fixture's API with the package analysis on.
func bargainServer(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixture(t, db)
	mux := router.New()
	ch, err := channel.New(db, f.led, f.talks, channel.Options{MasterKey: make([]byte, channel.MasterKeySize), AttachmentDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	api.New(api.Deps{Auth: f.auth, Talks: f.talks, Ledger: f.led, Bargain: bargain.New(db, f.led), Channel: ch}).Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// TestBargainAccess is the access table of the package-analysis routes:
// every route × anonymous and one user per organisation kind × a round
// everyone takes part in and one without the opposition and the observer.
// Then it checks that neither party reaches the other's profile through any
// route.
func TestBargainAccess(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := bargainServer(t, db)
		base := func(round string) string { return "/api/v1/rounds/" + round + "/bargain" }
		for _, round := range []string{f.round1, f.round2} {
			if res := f.do(t, f.token["mediator"], "PUT", base(round)+"/domain", bargainDomainBody()); res.status != 200 {
				t.Fatalf("domain: %d %s", res.status, res.body)
			}
		}
		for _, s := range []string{"gov.head", "opp.head"} {
			if res := f.do(t, f.token[s], "PUT", base(f.round1)+"/profile", bargainProfileBody(s)); res.status != 200 {
				t.Fatalf("profile of %s: %d %s", s, res.status, res.body)
			}
		}
		if res := f.do(t, f.token["gov.head"], "PUT", base(f.round2)+"/profile", bargainProfileBody("gov.head")); res.status != 200 {
			t.Fatalf("profile in round 2: %d %s", res.status, res.body)
		}
		govXML := `<utility_space><objective name="astana">
<issue index="1" type="discrete" name="scope"><item index="1" value="nationwide" evaluation="1"/><item index="2" value="excluding listed groups" evaluation="10"/><item index="3" value="local" evaluation="5"/></issue>
<issue index="2" type="discrete" name="monitoring"><item index="1" value="joint group" evaluation="10"/><item index="2" value="guarantors" evaluation="8"/><item index="3" value="UN" evaluation="0"/></issue>
<weight index="1" value="0.7125"/><weight index="2" value="0.2875"/></objective></utility_space>`

		const neutralFile = `{"LinearAdditiveUtilitySpace":{"name":"imported","issueWeights":{"scope":0.5,"monitoring":0.5},"issueUtilities":{` +
			`"scope":{"DiscreteValueSetUtilities":{"valueUtilities":{"nationwide":1,"excluding listed groups":0,"local":0.5}}},` +
			`"monitoring":{"discreteutils":{"valueUtilities":{"joint group":1,"guarantors":0.5,"UN":0}}}}}}`
		const (
			ok        = 200
			unauth    = 401
			forbidden = 403
			notFound  = 404
			conflict  = 409
		)
		type cells [7]int
		body := func(v any) func(string) any { return func(string) any { return v } }
		own := func(s string) any { return bargainProfileBody(s) }
		rows := []struct {
			method, route string
			round         int // 1 or 2
			body          func(subject string) any
			ctype         string
			want          cells
		}{
			{"GET", "/domain", 1, nil, "", cells{unauth, notFound, ok, ok, ok, notFound, notFound}},
			{"GET", "/domain", 2, nil, "", cells{unauth, notFound, ok, ok, notFound, notFound, notFound}},
			{"PUT", "/domain", 1, body(bargainDomainBody()), "", cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden}},
			{"PUT", "/domain", 2, body(bargainDomainBody()), "", cells{unauth, forbidden, ok, forbidden, notFound, forbidden, notFound}},
			{"GET", "/domain/geniusweb", 1, nil, "", cells{unauth, notFound, ok, ok, ok, notFound, notFound}},
			{"GET", "/domain/geniusweb", 2, nil, "", cells{unauth, notFound, ok, ok, notFound, notFound, notFound}},
			{"PUT", "/domain/geniusweb", 1, body(bargainDomainFile), "", cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden}},
			{"PUT", "/domain/geniusweb", 2, body(bargainDomainFile), "", cells{unauth, forbidden, ok, forbidden, notFound, forbidden, notFound}},
			{"GET", "/profile", 1, nil, "", cells{unauth, notFound, notFound, ok, ok, notFound, notFound}},
			{"GET", "/profile", 2, nil, "", cells{unauth, notFound, notFound, ok, notFound, notFound, notFound}},
			{"PUT", "/profile", 1, own, "", cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden}},
			{"PUT", "/profile", 2, own, "", cells{unauth, forbidden, forbidden, ok, notFound, forbidden, notFound}},
			{"PUT", "/profile/shared", 1, body(map[string]bool{"shared": false}), "", cells{unauth, notFound, notFound, ok, ok, notFound, notFound}},
			{"PUT", "/profile/shared", 2, body(map[string]bool{"shared": false}), "", cells{unauth, notFound, notFound, ok, notFound, notFound, notFound}},
			{"GET", "/profile/geniusweb", 1, nil, "", cells{unauth, notFound, notFound, ok, ok, notFound, notFound}},
			{"GET", "/profile/geniusweb", 2, nil, "", cells{unauth, notFound, notFound, ok, notFound, notFound, notFound}},
			{"PUT", "/profile/geniusweb", 1, body(neutralFile), "", cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden}},
			{"PUT", "/profile/geniusweb", 2, body(neutralFile), "", cells{unauth, forbidden, forbidden, ok, notFound, forbidden, notFound}},
			{"GET", "/profile/genius-xml", 1, nil, "", cells{unauth, notFound, notFound, ok, ok, notFound, notFound}},
			{"GET", "/profile/genius-xml", 2, nil, "", cells{unauth, notFound, notFound, ok, notFound, notFound, notFound}},
			{"PUT", "/profile/genius-xml", 1, body(govXML), "application/xml", cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden}},
			{"PUT", "/profile/genius-xml", 2, body(govXML), "application/xml", cells{unauth, forbidden, forbidden, ok, notFound, forbidden, notFound}},
			{"PUT", "/profile", 1, own, "", cells{unauth, forbidden, forbidden, ok, ok, forbidden, forbidden}}, // restore the secrets
			{"GET", "/profiles", 1, nil, "", cells{unauth, ok, ok, ok, ok, ok, ok}},
			{"GET", "/profiles", 2, nil, "", cells{unauth, ok, ok, ok, notFound, ok, notFound}},
			{"GET", "/analysis", 1, nil, "", cells{unauth, notFound, ok, notFound, notFound, notFound, notFound}},
			{"GET", "/analysis", 2, nil, "", cells{unauth, notFound, ok, notFound, notFound, notFound, notFound}},
			{"PUT", "/draft", 1, body(map[string]any{"bid": map[string]string{"scope": "local", "monitoring": "UN"}}), "", cells{unauth, forbidden, ok, forbidden, forbidden, forbidden, forbidden}},
			{"PUT", "/draft", 2, body(map[string]any{"bid": map[string]string{"scope": "local", "monitoring": "UN"}}), "", cells{unauth, forbidden, ok, forbidden, notFound, forbidden, notFound}},
			{"POST", "/proposals", 1, body(map[string]string{"which": "nash"}), "", cells{unauth, notFound, ok, notFound, notFound, notFound, notFound}},
			{"POST", "/proposals", 2, body(map[string]string{"which": "nash"}), "", cells{unauth, notFound, conflict, notFound, notFound, notFound, notFound}},
		}
		// Every registered bargain route has a row.
		mux := router.New()
		api.New(api.Deps{}).Register(mux)
		for _, p := range mux.Patterns() {
			if !strings.Contains(p, "/bargain/") {
				continue
			}
			if !slices.ContainsFunc(rows, func(r struct {
				method, route string
				round         int
				body          func(subject string) any
				ctype         string
				want          cells
			}) bool {
				return p == r.method+" /api/v1/rounds/{id}/bargain"+r.route
			}) {
				t.Errorf("route %s has no row", p)
			}
		}
		n := 0
		for _, r := range rows {
			round := f.round1
			if r.round == 2 {
				round = f.round2
			}
			for i, s := range bargainSubjects {
				var b any
				if r.body != nil {
					b = r.body(s)
				}
				var res response
				if str, isStr := b.(string); isStr && r.ctype != "" {
					req := f.request(t, f.token[s], r.method, base(round)+r.route, str)
					req.Header.Set("Content-Type", r.ctype)
					if s == "" {
						req.Header.Del("Authorization")
					}
					res = f.send(t, req)
				} else {
					res = f.do(t, f.token[s], r.method, base(round)+r.route, b)
				}
				n++
				if res.status != r.want[i] {
					t.Errorf("%s %s round %d as %q: %d, want %d\n%.300s", r.method, r.route, r.round, s, res.status, r.want[i], res.body)
				}
				// Neither party reaches the other's profile, whatever the
				// route; nobody else reaches either.
				secrets := []string{govSecret, oppSecret, "71.25", "13.75"}
				switch s {
				case "gov.head":
					secrets = []string{oppSecret, "13.75"}
				case "opp.head":
					secrets = []string{govSecret, "71.25"}
				}
				for _, secret := range secrets {
					// As a number of its own: "13.75" inside a timestamp
					// ("…:13.751Z") is not the secret.
					whole := regexp.MustCompile(`(^|[^0-9.:])` + regexp.QuoteMeta(secret) + `($|[^0-9])`)
					if whole.Match(res.body) {
						t.Errorf("%s %s round %d as %q: the answer holds %q", r.method, r.route, r.round, s, secret)
					}
				}
			}
		}
		t.Logf("%d cells", n)

		// The analysis holds utilities, not weights; sharing shows the
		// mediation that party's profile, and only that one.
		res := f.do(t, f.token["mediator"], "GET", base(f.round1)+"/analysis", nil)
		if !strings.Contains(string(res.body), `"status":"ready"`) || strings.Contains(string(res.body), "weight") {
			t.Errorf("analysis: %.500s", res.body)
		}
		if res := f.do(t, f.token["gov.head"], "PUT", base(f.round1)+"/profile/shared", map[string]bool{"shared": true}); res.status != 200 {
			t.Fatalf("share: %d %s", res.status, res.body)
		}
		res = f.do(t, f.token["mediator"], "GET", base(f.round1)+"/profiles", nil)
		if !strings.Contains(string(res.body), govSecret) || strings.Contains(string(res.body), oppSecret) {
			t.Errorf("mediation's profiles after the government shared: %.500s", res.body)
		}
		if res := f.do(t, f.token["opp.head"], "GET", base(f.round1)+"/profiles", nil); strings.Contains(string(res.body), govSecret) {
			t.Errorf("the opposition reads a shared government profile")
		}

		// A bad file is refused with its path; nothing is saved.
		res = f.do(t, f.token["gov.head"], "PUT", base(f.round1)+"/profile/geniusweb",
			`{"LinearAdditiveUtilitySpace":{"name":"x","issueWeights":{"scope":1,"monitoring":1},"issueUtilities":{"scope":{"DiscreteValueSetUtilities":{"valueUtilities":{"nationwide":1,"local":1}}},"monitoring":{"discreteutils":{"valueUtilities":{"joint group":1,"guarantors":1,"UN":1}}}}}}`)
		if res.status != 400 || !strings.Contains(string(res.body), `"field":"profile.issueUtilities.scope.valueUtilities.excluding listed groups"`) {
			t.Errorf("bad profile file: %d %s", res.status, res.body)
		}
		if res := f.do(t, f.token["gov.head"], "GET", base(f.round1)+"/profile", nil); !strings.Contains(string(res.body), govSecret) {
			t.Errorf("a refused import changed the profile: %s", res.body)
		}
		res = f.do(t, f.token["mediator"], "POST", base(f.round1)+"/proposals", map[string]string{"which": "frontier:0"})
		if res.status != 200 || !strings.Contains(string(res.body), "Proposed package") {
			t.Errorf("proposal: %d %s", res.status, res.body)
		}
		// Kept as a note, the proposal is a message only the mediation reads.
		res = f.do(t, f.token["mediator"], "POST", base(f.round1)+"/proposals", map[string]any{"which": "nash", "note": true})
		var kept struct{ Message struct{ ID string } }
		res.decode(t, &kept)
		if res.status != 201 || kept.Message.ID == "" {
			t.Fatalf("proposal kept as a note: %d %s", res.status, res.body)
		}
		for user, want := range map[string]int{"mediator": 200, "gov.head": 404, "opp.head": 404, "chair": 404} {
			if got := f.do(t, f.token[user], "GET", "/api/v1/messages/"+kept.Message.ID, nil).status; got != want {
				t.Errorf("%s reads the mediation's note: %d, want %d", user, got, want)
			}
		}
	})
}
