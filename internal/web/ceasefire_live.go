package web

import (
	"encoding/json"
	"io"
	"net/http"

	"parley/internal/access"
	"parley/internal/api"
	"parley/internal/ceasefire"
	"parley/internal/errs"
)

// The live map, the zones' import, the source grades and the public
// summary page (docs/ceasefire.md).
//
// The map page listens to the process's ceasefire events (the API's live
// feed, read here through the session) and, when one comes, reads the
// map's data again for its filters: the same query as the page, so a new
// report shows up only for those who read it.

// ceasefireEvents is the live feed of the process's ceasefire events the
// viewer reads, for the map page's script.
func (w *Web) ceasefireEvents(rw http.ResponseWriter, r *http.Request, v *viewer) {
	api.ServeCeasefireUpdates(rw, r, w.ceasefire, v.Actor(), func(err error) { w.fail(rw, r, err) })
}

// ceasefireMapJSON is the map's data (incidents and zones as GeoJSON) for
// the filters in the query, as the page holds it.
func (w *Web) ceasefireMapJSON(rw http.ResponseWriter, r *http.Request, v *viewer) {
	h, ok := w.ceasefireHead(rw, r, v, r.PathValue("id"))
	if !ok {
		return
	}
	f, err := pageFilter(r.URL.Query())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	_, _, data, err := w.ceasefireMapData(r, v, h, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(rw).Encode(data)
}

// ceasefireZones imports the zones of a GeoJSON file (the mediation and
// the monitors) and shows the map with them.
func (w *Web) ceasefireZones(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseMultipartForm(8 << 20); err != nil || len(r.MultipartForm.File["file"]) == 0 {
		w.fail(rw, r, errs.Field("file", "choose a GeoJSON file"))
		return
	}
	file, err := r.MultipartForm.File["file"][0].Open()
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, ceasefire.MaxImport))
	if err == nil {
		_, err = w.ceasefire.ImportZones(r.Context(), v.Actor(), r.PathValue("id"), data)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	redirect(rw, r, "/processes/"+r.PathValue("id")+"/ceasefire#cf-map")
}

// ceasefireGrade records a monitor's grade of a report's source and shows
// the incident.
func (w *Web) ceasefireGrade(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if _, err := w.ceasefire.GradeSource(r.Context(), v.Actor(), r.PathValue("id"), r.PostFormValue("reliability"), r.PostFormValue("reason")); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.showReport(rw, r, v, r.PathValue("id"))
}

// ceasefireSummaryPage is the public summary: counts of published
// incidents by day, area and type, no narrative, no evidence.
type ceasefireSummaryPage struct {
	page
	ProcessID string
	Summary   ceasefire.Summary
}

// ceasefireSummary is the public summary's page: no login while the
// mediation has it switched on, and the same 404 as any page when off.
func (w *Web) ceasefireSummary(rw http.ResponseWriter, r *http.Request) {
	v, r := w.publicViewer(r)
	sum, _, err := w.ceasefire.PublicSummary(r.Context(), access.Actor{}, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, http.StatusOK, pageCeasefireSummary, ceasefireSummaryPage{page: w.page(r, v), ProcessID: r.PathValue("id"), Summary: sum})
}
