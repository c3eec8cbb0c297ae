package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"parley/internal/api"
	"parley/internal/ceasefire"
	"parley/internal/errs"
	"parley/internal/router"
)

// Ceasefire monitoring (issue 12, docs/ceasefire.md): the map of a
// process's incidents with its filters and zones, the report form, an
// incident with its reports, evidence, history and answers and the
// monitors' and the accused's forms, the duplicate candidates and the
// statistics. The service decides every read and every action; the pages
// offer what ceasefire.Allowed says.

const (
	pageCeasefireMap        = "ceasefire_map"
	pageCeasefireReport     = "ceasefire_report"
	pageCeasefireIncident   = "ceasefire_incident"
	pageCeasefireDuplicates = "ceasefire_duplicates"
	pageCeasefireStats      = "ceasefire_stats"
	pageCeasefireSummary    = "ceasefire_summary"
)

func init() {
	pageNames = append(pageNames, pageCeasefireMap, pageCeasefireReport, pageCeasefireIncident, pageCeasefireDuplicates, pageCeasefireStats, pageCeasefireSummary)
}

// registerCeasefire adds the ceasefire pages to mux.
func (w *Web) registerCeasefire(mux *router.Mux) {
	p := "/processes/{id}/ceasefire"
	mux.HandleFunc("GET "+p, w.user(w.ceasefireMap))
	mux.HandleFunc("GET "+p+"/new", w.user(w.ceasefireNewReport))
	mux.HandleFunc("POST "+p+"/reports", w.user(w.ceasefireCreateReport))
	mux.HandleFunc("GET "+p+"/duplicates", w.user(w.ceasefireDuplicates))
	mux.HandleFunc("GET "+p+"/statistics", w.user(w.ceasefireStats))
	mux.HandleFunc("GET "+p+"/export", w.user(w.ceasefireExport))
	mux.HandleFunc("POST "+p+"/public-summary", w.user(w.ceasefireSummarySwitch))
	mux.HandleFunc("GET /ceasefire/incidents/{id}", w.user(w.ceasefireIncident))
	mux.HandleFunc("POST /ceasefire/incidents/{id}/verification", w.user(w.ceasefireVerify))
	mux.HandleFunc("POST /ceasefire/incidents/{id}/publish", w.user(w.ceasefirePublish))
	mux.HandleFunc("POST /ceasefire/incidents/{id}/merge", w.user(w.ceasefireMerge))
	mux.HandleFunc("POST /ceasefire/incidents/{id}/split", w.user(w.ceasefireSplit))
	mux.HandleFunc("POST /ceasefire/incidents/{id}/answers", w.user(w.ceasefireAnswer))
	mux.HandleFunc("POST /ceasefire/reports/{id}/evidence", w.user(w.ceasefireEvidence))
	mux.HandleFunc("GET /ceasefire/evidence/{id}", w.user(w.ceasefireEvidenceDownload))
	mux.HandleFunc("POST /ceasefire/reports/{id}/grades", w.user(w.ceasefireGrade))
	mux.HandleFunc("GET "+p+"/data", w.user(w.ceasefireMapJSON))
	mux.HandleFunc("GET "+p+"/events", w.user(w.ceasefireEvents))
	mux.HandleFunc("POST "+p+"/zones", w.user(w.ceasefireZones))
	mux.HandleFunc("GET "+p+"/summary", w.ceasefireSummary)
}

// ceasefireHead is what every ceasefire page starts with.
type ceasefireHead struct {
	page
	forms
	ProcessID string
	Allowed   ceasefire.Allowed
	Orgs      []ceasefire.OrgRef
	Types     []string
	Statuses  []string
}

// ceasefireHead reads the viewer's part in the process; false when the
// page has been answered (not found, or an error).
func (w *Web) ceasefireHead(rw http.ResponseWriter, r *http.Request, v *viewer, processID string) (ceasefireHead, bool) {
	al, orgs, err := w.ceasefire.Participation(r.Context(), v.Actor(), processID)
	if err != nil {
		w.fail(rw, r, err)
		return ceasefireHead{}, false
	}
	return ceasefireHead{page: w.page(r, v), ProcessID: processID, Allowed: al, Orgs: orgs,
		Types: ceasefire.Types, Statuses: ceasefire.Statuses}, true
}

// --- the map ---

type ceasefireMapPage struct {
	ceasefireHead
	Filter    url.Values
	Incidents []ceasefire.Incident
	Answers   map[string][]ceasefire.Answer
	// Data is the incidents and zones as GeoJSON for the map script, in
	// a JSON script element (the CSP runs no inline script); the template
	// writes it as JSON.
	Data     any
	Tiles    string
	Limit    int
	After    int64 // the last ledger index the page reflects, for the live map
	Exports  []string
	QueryStr string
}

func (w *Web) ceasefireMap(rw http.ResponseWriter, r *http.Request, v *viewer) {
	h, ok := w.ceasefireHead(rw, r, v, r.PathValue("id"))
	if !ok {
		return
	}
	q := r.URL.Query()
	f, err := pageFilter(q)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The live map listens for the events after those the page shows:
	// the ledger's size is read before the incidents, so an event written
	// in between is heard again rather than missed.
	size, err := w.ledger.Size(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	incs, answers, data, err := w.ceasefireMapData(r, v, h, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, http.StatusOK, pageCeasefireMap, ceasefireMapPage{ceasefireHead: h, Filter: q, Incidents: incs, Answers: answers, After: size - 1,
		Data: data, Tiles: w.mapTiles, Limit: ceasefire.DefaultLimit, Exports: []string{ceasefire.FormatCSV, ceasefire.FormatGeoJSON, ceasefire.FormatHXL},
		QueryStr: filterQuery(q)})
}

// ceasefireMapData reads what the map shows for filter f: the incidents
// with their answers, and the incidents and zones as GeoJSON for the map
// script (the page writes it once; the live map reads it again as JSON
// when an update comes).
func (w *Web) ceasefireMapData(r *http.Request, v *viewer, h ceasefireHead, f ceasefire.Filter) ([]ceasefire.Incident, map[string][]ceasefire.Answer, any, error) {
	incs, err := w.ceasefire.Incidents(r.Context(), v.Actor(), h.ProcessID, f)
	if err != nil {
		return nil, nil, nil, err
	}
	ids := make([]string, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	answers, err := w.ceasefire.AnswersFor(r.Context(), v.Actor(), ids)
	if err != nil {
		return nil, nil, nil, err
	}
	zones, err := w.ceasefire.Zones(r.Context(), v.Actor(), h.ProcessID)
	if err != nil {
		return nil, nil, nil, err
	}
	features := make([]ceasefire.Feature, len(incs))
	for i, inc := range incs {
		features[i] = ceasefire.IncidentFeature(inc, answers[inc.ID])
		features[i].Properties["url"] = "/ceasefire/incidents/" + inc.ID
		features[i].Properties["type_label"] = h.L.T(cfKey("type", inc.Type))
		features[i].Properties["status_label"] = h.L.T(cfKey("status", inc.Status))
	}
	data := map[string]any{
		"incidents": map[string]any{"type": "FeatureCollection", "features": features},
		"zones":     json.RawMessage(ceasefire.ZonesGeoJSON(zones)),
	}
	return incs, answers, data, nil
}

// cfKey is the message id of a value of one of the ceasefire's families
// (types, statuses, ...).
func cfKey(family, value string) string { return "ceasefire." + family + "." + value }

// pageFilter reads the map's filter form: from and to dates, a type, a
// status and an alleged perpetrator.
func pageFilter(q url.Values) (ceasefire.Filter, error) {
	var f ceasefire.Filter
	for _, d := range []struct {
		name string
		to   *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(d.name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, errs.Field(d.name, "a date such as 2017-01-25")
			}
			*d.to = t
		}
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the whole day
	}
	if v := q.Get("type"); v != "" {
		f.Types = []string{v}
	}
	if v := q.Get("status"); v != "" {
		f.Statuses = []string{v}
	}
	f.Perpetrator = q.Get("perpetrator")
	return f, f.Check()
}

// filterQuery keeps the filter's parameters, for the export links.
func filterQuery(q url.Values) string {
	keep := url.Values{}
	for _, k := range []string{"from", "to", "type", "status", "perpetrator"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	return keep.Encode()
}

func (w *Web) ceasefireExport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, err := pageFilter(r.URL.Query())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f.Limit = -1
	format := r.URL.Query().Get("format")
	var buf strings.Builder
	if err := w.ceasefire.Export(r.Context(), v.Actor(), r.PathValue("id"), f, format, &buf); err != nil {
		w.fail(rw, r, err)
		return
	}
	api.WriteCeasefireExport(rw, format, buf.String())
}

// --- the report form ---

type ceasefireReportPage struct {
	ceasefireHead
	TimePrecisions, LocationPrecisions, Knowledges, Platforms []string
	Estimates, EstimateParts                                  []string
	Now                                                       string
}

var reportFields = []string{"occurred_at", "time_precision", "lat", "lon", "location_precision", "place", "admin1", "admin2", "type",
	"perpetrator", "affected", "killed", "injured", "knowledge", "platform", "narrative", "photo"}

func (w *Web) ceasefireNewReport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.ceasefireReportAgain(rw, r, v, nil)
}

func (w *Web) ceasefireReportAgain(rw http.ResponseWriter, r *http.Request, v *viewer, f *form) {
	h, ok := w.ceasefireHead(rw, r, v, r.PathValue("id"))
	if !ok {
		return
	}
	if !h.Allowed.Report {
		w.fail(rw, r, errs.New(errs.Forbidden, "no reports"))
		return
	}
	status := http.StatusOK
	if f != nil {
		h.forms, status = forms{failed: f}, f.status()
	}
	w.renderPage(rw, r, status, pageCeasefireReport, ceasefireReportPage{ceasefireHead: h, TimePrecisions: ceasefire.TimePrecisions,
		LocationPrecisions: ceasefire.LocationPrecisions, Knowledges: ceasefire.Knowledges, Platforms: ceasefire.Platforms,
		Estimates: []string{"killed", "injured"}, EstimateParts: []string{"low", "best", "high"},
		Now: w.now().UTC().Format("2006-01-02T15:04")})
}

// ceasefireCreateReport files the report form, with an optional photo
// (multipart), and shows the new incident.
func (w *Web) ceasefireCreateReport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		w.fail(rw, r, errs.New(errs.Invalid, "malformed form"))
		return
	}
	if r.PostForm == nil {
		r.ParseForm()
	}
	f := newForm("report", r)
	in, err := reportInput(r.PostForm)
	var rep ceasefire.Report
	if err == nil {
		rep, err = w.ceasefire.CreateReport(r.Context(), v.Actor(), r.PathValue("id"), in)
	}
	if err == nil && r.MultipartForm != nil && len(r.MultipartForm.File["photo"]) > 0 {
		err = w.addPhoto(r, v, rep.ID, "photo")
	}
	if err != nil {
		if !f.fail(v.L, err, reportFields...) {
			w.fail(rw, r, err)
			return
		}
		w.ceasefireReportAgain(rw, r, v, f)
		return
	}
	redirect(rw, r, "/ceasefire/incidents/"+rep.IncidentID)
}

// addPhoto stores the multipart file of field as evidence of a report.
func (w *Web) addPhoto(r *http.Request, v *viewer, reportID, field string) error {
	fh := r.MultipartForm.File[field][0]
	if fh.Size > ceasefire.MaxEvidence {
		return &errs.Error{Code: ceasefire.EvidenceTooLarge, Field: field, Message: "too large"}
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return err
	}
	_, err = w.ceasefire.AddEvidence(r.Context(), v.Actor(), reportID, fh.Filename, data)
	if e, ok := errs.As(err); ok && e.Field == "file" {
		e.Field = field
	}
	return err
}

// reportInput reads the report form. The datetime-local input has no
// zone: it is read as UTC, as the form says.
func reportInput(pf url.Values) (ceasefire.ReportInput, error) {
	in := ceasefire.ReportInput{TimePrecision: pf.Get("time_precision"), LocationPrecision: pf.Get("location_precision"),
		Place: pf.Get("place"), Admin1: pf.Get("admin1"), Admin2: pf.Get("admin2"), Type: pf.Get("type"), Perpetrator: pf.Get("perpetrator"),
		Affected: pf.Get("affected"), Knowledge: pf.Get("knowledge"), Platform: pf.Get("platform"), Narrative: pf.Get("narrative")}
	if t, err := time.Parse("2006-01-02T15:04", pf.Get("occurred_at")); err == nil {
		in.OccurredAt = t.Format(time.RFC3339)
	} else {
		in.OccurredAt = pf.Get("occurred_at")
	}
	for _, c := range []struct {
		name string
		to   **float64
	}{{"lat", &in.Lat}, {"lon", &in.Lon}} {
		f, err := parseNumber(pf.Get(c.name))
		if err != nil {
			return in, errs.Field(c.name, "not a number")
		}
		*c.to = &f
	}
	for _, e := range []struct {
		name string
		to   *ceasefire.Estimate
	}{{"killed", &in.Killed}, {"injured", &in.Injured}} {
		for _, part := range []struct {
			suffix string
			to     *int
		}{{"_low", &e.to.Low}, {"_best", &e.to.Best}, {"_high", &e.to.High}} {
			s := strings.TrimSpace(pf.Get(e.name + part.suffix))
			if s == "" {
				continue
			}
			n, err := parseNumber(s)
			if err != nil || n != float64(int(n)) {
				return in, errs.Field(e.name, "whole numbers")
			}
			*part.to = int(n)
		}
	}
	return in, nil
}

func parseNumber(s string) (float64, error) {
	var f float64
	err := json.Unmarshal([]byte(strings.TrimSpace(s)), &f)
	return f, err
}

func (w *Web) ceasefireEvidenceDownload(rw http.ResponseWriter, r *http.Request, v *viewer) {
	ev, data, err := w.ceasefire.OpenEvidence(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	api.ServeEvidence(rw, ev, data)
}

func (w *Web) ceasefireSummarySwitch(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if err := w.ceasefire.SetPublicSummary(r.Context(), v.Actor(), r.PathValue("id"), r.PostFormValue("enabled") == "on"); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirect(rw, r, "/processes/"+r.PathValue("id")+"/ceasefire/statistics")
}
