package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/humanitarian"
	"parley/internal/router"
)

// Humanitarian access (issue 13, docs/humanitarian.md): the locations map
// with the convoys the viewer reads and, for an agency, the request form;
// a convoy's page, its steps as a timeline with the forms of the steps the
// viewer may record; and the dashboard with a funnel chart per location.
// Every rule and every read check is the humanitarian service's.

const (
	pageHumLocations = "humanitarian_locations"
	pageHumConvoy    = "humanitarian_convoy"
	pageHumDashboard = "humanitarian_dashboard"
)

func init() {
	pageNames = append(pageNames, pageHumLocations, pageHumConvoy, pageHumDashboard)
}

// registerHumanitarian adds the humanitarian pages to mux.
func (w *Web) registerHumanitarian(mux *router.Mux) {
	mux.HandleFunc("GET /processes/{id}/humanitarian", w.user(w.humLocations))
	mux.HandleFunc("POST /processes/{id}/humanitarian/convoys", w.user(w.humRequest))
	mux.HandleFunc("GET /processes/{id}/humanitarian/dashboard", w.user(w.humDashboard))
	mux.HandleFunc("GET /processes/{id}/humanitarian/export", w.user(w.humExport))
	mux.HandleFunc("GET /humanitarian/convoys/{id}", w.user(w.humConvoy))
	mux.HandleFunc("POST /humanitarian/convoys/{id}/steps", w.user(w.humStep))
}

// humOrgs maps organisation ids to names (names are not confidential).
func (w *Web) humOrgs(r *http.Request, v *viewer) (map[string]string, error) {
	orgs, err := w.talks.Orgs(r.Context(), v.Actor())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// mapLocation is a location as the map's script reads it.
type mapLocation struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Lat        float64         `json:"lat"`
	Lon        float64         `json:"lon"`
	Status     string          `json:"status"`
	StatusText string          `json:"status_text"`
	Polygon    json.RawMessage `json:"polygon,omitempty"`
	Detail     string          `json:"detail"`
}

type humLocationsPage struct {
	page
	forms
	ProcessID  string
	Can        humanitarian.Can
	Locations  []humanitarian.Location
	Convoys    []humanitarian.ConvoySummary
	Orgs       map[string]string
	Parties    []orgOption
	Units      []string
	MapData    string
	Rows       []int // item rows of the request form
	Approvals  []int // approval rows of the request form
	DueDefault string
}

type orgOption struct{ ID, Name string }

func (w *Web) humLocations(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.humLocationsAgain(rw, r, v, r.PathValue("id"), nil)
}

func (w *Web) humLocationsAgain(rw http.ResponseWriter, r *http.Request, v *viewer, processID string, f *form) {
	ctx, actor := r.Context(), v.Actor()
	can, err := w.humanitarian.Abilities(ctx, actor, processID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := humLocationsPage{page: w.page(r, v), forms: forms{failed: f}, ProcessID: processID, Can: can, Units: humanitarian.Units,
		Rows: []int{0, 1, 2}, Approvals: []int{0, 1}, DueDefault: w.now().Add(7 * 24 * time.Hour).UTC().Format(time.DateOnly)}
	if p.Locations, err = w.humanitarian.Locations(ctx, actor, processID); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Convoys, err = w.humanitarian.Convoys(ctx, actor, processID, ""); err != nil {
		w.fail(rw, r, err)
		return
	}
	orgs, err := w.talks.Orgs(ctx, actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Orgs = map[string]string{}
	for _, o := range orgs {
		p.Orgs[o.ID] = o.Name
		if o.Kind == access.Party {
			p.Parties = append(p.Parties, orgOption{o.ID, o.Name})
		}
	}
	var ml []mapLocation
	for _, l := range p.Locations {
		m := mapLocation{ID: l.ID, Name: l.Name, Lat: l.Lat, Lon: l.Lon, Status: l.Status, StatusText: v.L.Value("humanitarian.status", l.Status),
			Detail: v.L.T("humanitarian.map_detail", "Population", l.Population, "Controller", p.Orgs[l.ControlledBy])}
		if l.Polygon != "" {
			m.Polygon = json.RawMessage(l.Polygon)
		}
		ml = append(ml, m)
	}
	b, err := json.Marshal(ml)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p.MapData = string(b)
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageHumLocations, p)
}

// funnel is one location's chart: the share of each item's requested
// quantity that reached each stage (approved, loaded, through the
// checkpoints, that is loaded less removed, and delivered).
type funnel struct {
	Stages []string       `json:"stages"`
	Series []funnelSeries `json:"series"`
	Label  string         `json:"label"`
}

type funnelSeries struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// humLocationView is one location of the dashboard page; its lists shadow
// the figures' with what the page writes.
type humLocationView struct {
	humanitarian.LocationFigures
	Days        int
	Funnel      string
	Median      string
	Items       []humItemView
	Commitments []humCommitmentView
	Recent      []humRecentView
}

type humItemView struct {
	humanitarian.ItemFigures
	Gap humanitarian.Quantity // requested less delivered
}

type humCommitmentView struct {
	humanitarian.CommitmentFigures
	WaitDays string
}

type humRecentView struct {
	humanitarian.ConvoySummary
	Hours string
}

type humDashboardPage struct {
	page
	ProcessID string
	Dashboard humanitarian.Dashboard
	Locations []humLocationView
	Orgs      map[string]string
	Median    string
}

func (w *Web) humDashboard(rw http.ResponseWriter, r *http.Request, v *viewer) {
	d, err := w.humanitarian.Dashboard(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := humDashboardPage{page: w.page(r, v), ProcessID: d.ProcessID, Dashboard: d, Median: humHours(v, d.MedianApproval)}
	if p.Orgs, err = w.humOrgs(r, v); err != nil {
		w.fail(rw, r, err)
		return
	}
	stages := []string{"requested", "approved", "loaded", "through", "delivered"}
	var labels []string
	for _, s := range stages {
		labels = append(labels, v.L.Value("humanitarian.figure", s))
	}
	for _, l := range d.Locations {
		fn := funnel{Stages: labels, Label: v.L.T("humanitarian.funnel_axis")}
		for _, it := range l.Items {
			if it.Requested == 0 {
				continue
			}
			share := func(q humanitarian.Quantity) float64 { return float64(q) * 100 / float64(it.Requested) }
			fn.Series = append(fn.Series, funnelSeries{Name: it.Name + " (" + it.Unit + ")",
				Values: []float64{100, share(it.Approved), share(it.Loaded), share(it.Loaded - it.Removed), share(it.Delivered)}})
		}
		b, err := json.Marshal(fn)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		lv := humLocationView{LocationFigures: l, Days: l.DaysSinceLastDelivery(d.GeneratedAt), Funnel: string(b), Median: humHours(v, l.MedianApproval)}
		for _, it := range l.Items {
			lv.Items = append(lv.Items, humItemView{ItemFigures: it, Gap: it.Requested - it.Delivered})
		}
		for _, m := range l.Commitments {
			lv.Commitments = append(lv.Commitments, humCommitmentView{CommitmentFigures: m, WaitDays: fmt.Sprintf("%.1f", m.LongestWait.Hours()/24)})
		}
		for _, cs := range l.Recent {
			lv.Recent = append(lv.Recent, humRecentView{ConvoySummary: cs, Hours: humHours(v, cs.ApprovalTime)})
		}
		p.Locations = append(p.Locations, lv)
	}
	w.renderPage(rw, r, http.StatusOK, pageHumDashboard, p)
}

// humHours writes a duration in hours, or a dash when there is none.
func humHours(v *viewer, d *time.Duration) string {
	if d == nil {
		return "—"
	}
	return v.L.T("humanitarian.hours", "Hours", fmt.Sprintf("%.1f", d.Hours()))
}

// humExport serves the exports to the web session: CSV (with the HXL
// hashtags for format hxl) and GeoJSON.
func (w *Web) humExport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	ctx, pid := r.Context(), r.PathValue("id")
	var buf bytes.Buffer
	ctype, name := "text/csv; charset=utf-8", "convoys.csv"
	switch format := r.URL.Query().Get("format"); format {
	case "", "hxl", "csv":
		if err := w.humanitarian.WriteCSV(ctx, v.Actor(), pid, format != "csv", &buf); err != nil {
			w.fail(rw, r, err)
			return
		}
	case "geojson":
		d, err := w.humanitarian.Dashboard(ctx, v.Actor(), pid)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		b, err := humanitarian.GeoJSON(d)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		buf.Write(b)
		ctype, name = "application/geo+json", "locations.geojson"
	default:
		w.fail(rw, r, errs.Field("format", "format must be hxl, csv or geojson"))
		return
	}
	h := rw.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	rw.Write(buf.Bytes())
}
