package api_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/api"
	"parley/internal/demo"
	"parley/internal/humanitarian"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
)

// newHumWorld is the demo served by the API with humanitarian access,
// every demo user logged in; it reuses chanWorld's request helpers.
func newHumWorld(t *testing.T, db *store.DB) (*chanWorld, string) {
	t.Helper()
	w := demoAPI(t, db, func(_ *chanWorld, d *api.Deps) { d.Humanitarian = humanitarian.New(db, d.Ledger) })
	ps, err := talks.New(db, w.led).Processes(context.Background(), access.System)
	if err != nil || len(ps) != 1 {
		t.Fatalf("demo process: %v %v", ps, err)
	}
	return w, ps[0].ID
}

// TestHumanitarianLeaks checks every demo user against every convoy on
// every path that could carry it: the convoy itself, the list, the
// exports, the dashboard and the ledger's events (each step is one). A
// convoy is read exactly by its agency, the mediation, the parties named
// in its approvals and the party controlling its destination; its steps'
// reasons appear nowhere else; the dashboard and the GeoJSON carry figures
// to everyone but the observer, and no convoy the reader may not read.
func TestHumanitarianLeaks(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w, process := newHumWorld(t, db)
		p := "/api/v1/processes/" + process + "/humanitarian"
		must := func(user, method, path string, body any, status int, v any) {
			t.Helper()
			res := w.do(t, user, method, path, body)
			if res.status != status {
				t.Fatalf("%s %s %s: %d %s", user, method, path, res.status, res.body)
			}
			if v != nil {
				res.decode(t, v)
			}
		}
		var oppHeld, govHeld api.HumLocationJSON
		must("ocha", "POST", p+"/locations", map[string]any{"name": "East of the river", "admin1": "Rural Damascus", "lat": 33.5, "lon": 36.4,
			"controlled_by": w.org["opp"], "besieged_by": w.org["gov"]}, 201, &oppHeld)
		must("icrc", "POST", p+"/locations", map[string]any{"name": "Two villages", "admin1": "Idlib", "lat": 35.9, "lon": 36.6,
			"controlled_by": w.org["gov"], "besieged_by": w.org["opp"]}, 201, &govHeld)

		type convoy struct {
			id, token string
			readers   []string // org keys
		}
		var convoys []convoy
		request := func(agency, dest, party, token string, readers ...string) {
			t.Helper()
			var cv api.ConvoyJSON
			must(agency, "POST", p+"/convoys", map[string]any{"destination": dest,
				"items":     []map[string]any{{"name": "medical kits", "unit": "kit", "requested": 40}},
				"route":     []string{"Checkpoint one"},
				"approvals": []map[string]any{{"party": w.org[party], "due": "2100-01-01"}}}, 201, &cv)
			head := map[string]string{"gov": "gov.head", "opp": "opp.head"}[party]
			must(head, "POST", "/api/v1/humanitarian/convoys/"+cv.ID+"/steps", map[string]any{"step": "approval", "decision": "partially_approved",
				"items": []map[string]any{{"name": "medical kits", "approved": 30}}, "reason": token + " approval"}, 201, nil)
			must(agency, "POST", "/api/v1/humanitarian/convoys/"+cv.ID+"/steps", map[string]any{"step": "dispatched"}, 201, nil)
			must(agency, "POST", "/api/v1/humanitarian/convoys/"+cv.ID+"/steps", map[string]any{"step": "checkpoint", "checkpoint": "Checkpoint one",
				"outcome": "items_removed", "removed": []map[string]any{{"name": "medical kits", "quantity": 5, "reason": token + " removal"}}}, 201, nil)
			must(agency, "POST", "/api/v1/humanitarian/convoys/"+cv.ID+"/steps", map[string]any{"step": "delivered", "reason": token + " delivery"}, 201, nil)
			convoys = append(convoys, convoy{cv.ID, token, readers})
		}
		request("ocha", oppHeld.ID, "gov", "leakconvoyalpha", "ocha", "un", "gov", "opp")
		request("ocha", govHeld.ID, "gov", "leakconvoybravo", "ocha", "un", "gov")
		request("icrc", oppHeld.ID, "opp", "leakconvoycharlie", "icrc", "un", "opp")

		check := func(summaryOn bool) {
			for _, a := range demo.Accounts {
				user, org := a.Username, a.OrgKey
				list := w.do(t, user, "GET", p+"/convoys", nil)
				export := w.do(t, user, "GET", p+"/convoys/export?format=hxl", nil)
				dash := w.do(t, user, "GET", p+"/dashboard", nil)
				geo := w.do(t, user, "GET", p+"/convoys/export?format=geojson", nil)
				var evs ledger.EventList
				w.do(t, user, "GET", "/api/v1/ledger/events?limit=1000", nil).decode(t, &evs)
				if list.status != 200 || export.status != 200 {
					t.Fatalf("%s: list %d, export %d", user, list.status, export.status)
				}
				if lines := strings.Split(string(export.body), "\n"); !strings.HasPrefix(lines[1], "#loc+dest,#adm1+name,#org+impl,#item+name") {
					t.Errorf("%s: the export's second row is %q", user, lines[1])
				}
				figures := org != "us" || summaryOn
				if want := map[bool]int{true: 200, false: 404}[figures]; dash.status != want || geo.status != want {
					t.Errorf("%s (summary %v): dashboard %d, GeoJSON %d, want %d", user, summaryOn, dash.status, geo.status, want)
				}
				for _, c := range convoys {
					reads := slices.Contains(c.readers, org)
					res := w.do(t, user, "GET", "/api/v1/humanitarian/convoys/"+c.id, nil)
					if want := map[bool]int{true: 200, false: 404}[reads]; res.status != want {
						t.Errorf("%s reads convoy %s: %d, want %d", user, c.token, res.status, want)
					}
					for _, step := range []string{" approval", " removal", " delivery"} {
						if reads && !strings.Contains(string(res.body), c.token+step) {
							t.Errorf("%s: convoy %s does not show the reason of its%s", user, c.token, step)
						}
					}
					if got := bytes.Contains(list.body, []byte(c.id)); got != reads {
						t.Errorf("%s: the list holds convoy %s: %v, want %v", user, c.token, got, reads)
					}
					if got := bytes.Contains(export.body, []byte(c.id)); got != reads {
						t.Errorf("%s: the export holds convoy %s: %v, want %v", user, c.token, got, reads)
					}
					for _, body := range [][]byte{dash.body, geo.body} {
						if bytes.Contains(body, []byte(c.token)) || !reads && bytes.Contains(body, []byte(c.id)) {
							t.Errorf("%s: the dashboard or GeoJSON holds convoy %s", user, c.token)
						}
					}
					var steps int
					for _, e := range evs.Events {
						if bytes.Contains(e.Record, []byte(c.id)) {
							steps++
						}
					}
					if want := map[bool]int{true: 5, false: 0}[reads]; steps != want {
						t.Errorf("%s reads %d ledger events of convoy %s, want %d", user, steps, c.token, want)
					}
				}
			}
		}
		check(false)
		must("mediator", "PUT", p+"/public-summary", map[string]bool{"public": true}, 200, nil)
		check(true)
		var sum api.DashboardJSON
		must("observer.us", "GET", p+"/dashboard", nil, 200, &sum)
		if !sum.Summary || len(sum.Locations) != 2 || sum.Locations[0].Obstacles != nil || sum.Locations[0].RecentConvoys != nil {
			t.Errorf("the observer's summary: %+v", sum)
		}
	})
}
