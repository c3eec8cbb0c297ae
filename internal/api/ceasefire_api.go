package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/ceasefire"
	"parley/internal/errs"
	"parley/internal/router"
)

// Ceasefire monitoring (internal/ceasefire, docs/ceasefire.md): thin
// translations to the ceasefire service, which checks every rule and
// filters every read by the caller's audience.

// registerCeasefire adds the ceasefire routes.
func (a *API) registerCeasefire(mux *router.Mux) {
	p := Prefix + "/processes/{id}/ceasefire"
	c := Prefix + "/ceasefire"
	mux.Handle("POST "+p+"/reports", a.serve(a.createCeasefireReport))
	mux.Handle("POST "+p+"/reports/import", a.serve(a.importCeasefireReports))
	mux.Handle("GET "+p+"/incidents", a.serve(a.listCeasefireIncidents))
	mux.Handle("GET "+p+"/incidents/export", a.serve(a.exportCeasefireIncidents))
	mux.Handle("GET "+p+"/duplicates", a.serve(a.ceasefireDuplicates))
	mux.Handle("GET "+p+"/zones", a.serve(a.ceasefireZones))
	mux.Handle("POST "+p+"/zones", a.serve(a.importCeasefireZones))
	mux.Handle("GET "+p+"/statistics", a.serve(a.ceasefireStatistics))
	mux.Handle("PUT "+p+"/public-summary", a.serve(a.setCeasefireSummary))
	mux.Handle("GET "+p+"/summary", a.open(a.ceasefireSummary))
	mux.Handle("GET "+p+"/events", a.serve(a.ceasefireUpdates))
	mux.Handle("GET "+c+"/reports/{id}", a.serve(a.showCeasefireReport))
	mux.Handle("POST "+c+"/reports/{id}/evidence", a.serve(a.addCeasefireEvidence))
	mux.Handle("POST "+c+"/reports/{id}/grades", a.serve(a.gradeCeasefireSource))
	mux.Handle("GET "+c+"/evidence/{id}", a.serve(a.downloadCeasefireEvidence))
	mux.Handle("GET "+c+"/incidents/{id}", a.serve(a.showCeasefireIncident))
	mux.Handle("POST "+c+"/incidents/{id}/merge", a.serve(a.mergeCeasefireIncidents))
	mux.Handle("POST "+c+"/incidents/{id}/split", a.serve(a.splitCeasefireIncident))
	mux.Handle("POST "+c+"/incidents/{id}/verification", a.serve(a.verifyCeasefireIncident))
	mux.Handle("POST "+c+"/incidents/{id}/publish", a.serve(a.publishCeasefireIncident))
	mux.Handle("POST "+c+"/incidents/{id}/answers", a.serve(a.answerCeasefireIncident))
}

// CeasefireReportRequest is the body of POST .../ceasefire/reports.
type CeasefireReportRequest struct{ ceasefire.ReportInput }

// Validate leaves the checks to the service, which names the bad field.
func (q *CeasefireReportRequest) Validate() error { return nil }

func (a *API) createCeasefireReport(w http.ResponseWriter, r *http.Request, c call) error {
	var q CeasefireReportRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	rep, err := a.ceasefire.CreateReport(r.Context(), c.Actor, r.PathValue("id"), q.ReportInput)
	return reply(w, http.StatusCreated, rep, err, ceasefireReportJSON)
}

// CeasefireImportJSON answers an import: the reports filed.
type CeasefireImportJSON struct {
	Imported int                   `json:"imported"`
	Reports  []CeasefireReportJSON `json:"reports"`
}

// ceasefireImportError is the error body of a refused import: every bad
// row by line.
type ceasefireImportError struct {
	Error struct {
		errorDetail
		Rows []ceasefire.RowError `json:"rows"`
	} `json:"error"`
}

func (a *API) importCeasefireReports(w http.ResponseWriter, r *http.Request, c call) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		return errs.New(UnsupportedMediaType, "the import is a CSV file (Content-Type: text/csv)")
	}
	body := http.MaxBytesReader(w, r.Body, ceasefire.MaxImport)
	reps, err := a.ceasefire.Import(r.Context(), c.Actor, r.PathValue("id"), body)
	return reply(w, http.StatusCreated, reps, importError(err), func(reps []ceasefire.Report) CeasefireImportJSON {
		out := CeasefireImportJSON{Imported: len(reps), Reports: []CeasefireReportJSON{}}
		for _, rep := range reps {
			out.Reports = append(out.Reports, ceasefireReportJSON(rep))
		}
		return out
	})
}

// importError is the failure of an import as the API answers it: a body
// past the cap is too large, and refused rows are listed by line.
func importError(err error) error {
	var mbe *http.MaxBytesError
	var ie *ceasefire.ImportError
	e, ok := errs.As(err)
	switch {
	case ok && errors.As(err, &ie):
		var out ceasefireImportError
		out.Error.errorDetail = errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}
		out.Error.Rows = ie.Rows
		return &detailedError{err: err, body: out}
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	}
	return err
}

// ceasefireFilter reads the map's filters from the query string.
func ceasefireFilter(r *http.Request) (ceasefire.Filter, error) {
	q := r.URL.Query()
	var f ceasefire.Filter
	var err error
	if v := q.Get("bbox"); v != "" {
		if f.BBox, err = ceasefire.ParseBBox(v); err != nil {
			return f, err
		}
	}
	for _, t := range []struct {
		name string
		to   *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			if *t.to, err = parseDateOrTime(v); err != nil {
				return f, errs.Field(t.name, "%s is a date (2006-01-02) or an RFC 3339 time", t.name)
			}
		}
	}
	f.Types = splitList(q["type"])
	f.Statuses = splitList(q["status"])
	f.Perpetrator = q.Get("perpetrator")
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 {
			return f, errs.Field("limit", "limit is a positive number")
		}
	}
	return f, f.Check()
}

func parseDateOrTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// splitList reads a repeated or comma-separated parameter.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (a *API) listCeasefireIncidents(w http.ResponseWriter, r *http.Request, c call) error {
	f, err := ceasefireFilter(r)
	if err != nil {
		return err
	}
	incs, err := a.ceasefire.Incidents(r.Context(), c.Actor, r.PathValue("id"), f)
	return reply(w, http.StatusOK, incs, err, listOf("incidents", ceasefireIncidentJSON))
}

// exportCeasefireIncidents writes the export once it is whole, so that a
// failure is still answered as an error.
func (a *API) exportCeasefireIncidents(w http.ResponseWriter, r *http.Request, c call) error {
	f, err := ceasefireFilter(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("limit") == "" {
		f.Limit = -1
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = ceasefire.FormatCSV
	}
	var buf strings.Builder
	if err := a.ceasefire.Export(r.Context(), c.Actor, r.PathValue("id"), f, format, &buf); err != nil {
		return err
	}
	WriteCeasefireExport(w, format, buf.String())
	return nil
}

// WriteCeasefireExport writes an export as a download named for its
// format. The web pages serve exports through it too.
func WriteCeasefireExport(w http.ResponseWriter, format, body string) {
	ctype, ext := "text/csv; charset=utf-8", "csv"
	switch format {
	case ceasefire.FormatGeoJSON:
		ctype, ext = "application/geo+json", "geojson"
	case ceasefire.FormatHXL:
		ext = "hxl.csv"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="ceasefire-incidents.`+ext+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, body)
}

func (a *API) ceasefireDuplicates(w http.ResponseWriter, r *http.Request, c call) error {
	q := r.URL.Query()
	var o ceasefire.DuplicateOptions
	for _, p := range []struct {
		name string
		to   *float64
	}{{"distance", &o.Distance}, {"similarity", &o.MinSimilarity}} {
		if v := q.Get(p.name); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return errs.Field(p.name, "%s is a positive number", p.name)
			}
			*p.to = f
		}
	}
	if v := q.Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errs.Field("window", "window is a duration such as 2h")
		}
		o.Window = d
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errs.Field("limit", "limit is a positive number")
		}
		o.Limit = n
	}
	cands, err := a.ceasefire.Duplicates(r.Context(), c.Actor, r.PathValue("id"), o)
	return reply(w, http.StatusOK, cands, err, listOf("candidates", ceasefireCandidateJSON))
}

func ceasefireCandidateJSON(cd ceasefire.Candidate) CeasefireCandidateJSON {
	return CeasefireCandidateJSON{Incidents: cd.Incidents[:], Reports: cd.Reports[:], Type: cd.Type,
		Score: cd.Score, Similarity: cd.Similarity, DistanceM: cd.DistanceM, GapSeconds: int64(cd.Gap.Seconds())}
}

func (a *API) showCeasefireReport(w http.ResponseWriter, r *http.Request, c call) error {
	rep, err := a.ceasefire.Report(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, rep, err, ceasefireReportJSON)
}

// addCeasefireEvidence reads one multipart part "file", capped at the
// evidence size limit.
func (a *API) addCeasefireEvidence(w http.ResponseWriter, r *http.Request, c call) error {
	name, data, err := readEvidencePart(w, r)
	if err != nil {
		return err
	}
	ev, err := a.ceasefire.AddEvidence(r.Context(), c.Actor, r.PathValue("id"), name, data)
	return reply(w, http.StatusCreated, ev, err, ceasefireEvidenceJSON)
}

// readEvidencePart reads the part "file" of a multipart body.
func readEvidencePart(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, ceasefire.MaxEvidence+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, &errs.Error{Code: errs.Invalid, Field: "file", Message: "the body is multipart/form-data with a part \"file\""}
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, errs.Field("file", "the part \"file\" is missing")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", nil, &errs.Error{Code: ceasefire.EvidenceTooLarge, Field: "file", Message: "the file is too large"}
			}
			return "", nil, errs.New(errs.Invalid, "malformed multipart body")
		}
		if p.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p, ceasefire.MaxEvidence+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", nil, &errs.Error{Code: ceasefire.EvidenceTooLarge, Field: "file", Message: "the file is too large"}
			}
			return "", nil, errs.New(errs.Invalid, "malformed multipart body")
		}
		return p.FileName(), data, nil
	}
}

func (a *API) downloadCeasefireEvidence(w http.ResponseWriter, r *http.Request, c call) error {
	ev, data, err := a.ceasefire.OpenEvidence(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	ServeEvidence(w, ev, data)
	return nil
}

// ServeEvidence writes an evidence file as a download, byte for byte as
// uploaded, with its SHA-256 in a Digest header.
func ServeEvidence(w http.ResponseWriter, ev ceasefire.Evidence, data []byte) {
	serveDownload(w, ev.Name, ev.ContentType, ev.SHA256, data)
}

func (a *API) showCeasefireIncident(w http.ResponseWriter, r *http.Request, c call) error {
	inc, err := a.ceasefire.Incident(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, inc, err, ceasefireIncidentJSON)
}

// CeasefireMergeRequest is the body of POST .../merge.
type CeasefireMergeRequest struct {
	Incidents []string `json:"incidents"`
	Reason    string   `json:"reason"`
}

// Validate leaves the checks to the service.
func (q *CeasefireMergeRequest) Validate() error { return nil }

// CeasefireSplitRequest is the body of POST .../split.
type CeasefireSplitRequest struct {
	Report string `json:"report"`
	Reason string `json:"reason"`
}

// Validate checks that a report is named.
func (q *CeasefireSplitRequest) Validate() error {
	if q.Report == "" {
		return errs.Field("report", "name the report to split out")
	}
	return nil
}

// CeasefireVerificationRequest is the body of POST .../verification.
type CeasefireVerificationRequest struct{ ceasefire.Verification }

// Validate leaves the checks to the service.
func (q *CeasefireVerificationRequest) Validate() error { return nil }

// CeasefireAnswerRequest is the body of POST .../answers.
type CeasefireAnswerRequest struct {
	Body string `json:"body"`
}

// Validate leaves the checks to the service.
func (q *CeasefireAnswerRequest) Validate() error { return nil }

func (a *API) mergeCeasefireIncidents(w http.ResponseWriter, r *http.Request, c call) error {
	var q CeasefireMergeRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	inc, err := a.ceasefire.Merge(r.Context(), c.Actor, r.PathValue("id"), q.Incidents, q.Reason)
	return reply(w, http.StatusOK, inc, err, ceasefireIncidentJSON)
}

func (a *API) splitCeasefireIncident(w http.ResponseWriter, r *http.Request, c call) error {
	var q CeasefireSplitRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	inc, err := a.ceasefire.Split(r.Context(), c.Actor, r.PathValue("id"), q.Report, q.Reason)
	return reply(w, http.StatusCreated, inc, err, ceasefireIncidentJSON)
}

func (a *API) verifyCeasefireIncident(w http.ResponseWriter, r *http.Request, c call) error {
	var q CeasefireVerificationRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	inc, err := a.ceasefire.Verify(r.Context(), c.Actor, r.PathValue("id"), q.Verification)
	return reply(w, http.StatusOK, inc, err, ceasefireIncidentJSON)
}

func (a *API) publishCeasefireIncident(w http.ResponseWriter, r *http.Request, c call) error {
	inc, err := a.ceasefire.Publish(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, inc, err, ceasefireIncidentJSON)
}

func (a *API) answerCeasefireIncident(w http.ResponseWriter, r *http.Request, c call) error {
	var q CeasefireAnswerRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	ans, err := a.ceasefire.AnswerIncident(r.Context(), c.Actor, r.PathValue("id"), q.Body)
	return reply(w, http.StatusCreated, ans, err, ceasefireAnswerJSON)
}

// CeasefireGradeRequest is the body of POST .../reports/{id}/grades.
type CeasefireGradeRequest struct {
	Reliability string `json:"reliability"`
	Reason      string `json:"reason"`
}

// Validate leaves the checks to the service, which names the bad field.
func (q *CeasefireGradeRequest) Validate() error { return nil }

func (a *API) gradeCeasefireSource(w http.ResponseWriter, r *http.Request, c call) error {
	var q CeasefireGradeRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	g, err := a.ceasefire.GradeSource(r.Context(), c.Actor, r.PathValue("id"), q.Reliability, q.Reason)
	return reply(w, http.StatusCreated, g, err, ceasefireGradeJSON)
}

// writeGeoJSON writes a GeoJSON document that is read, not downloaded.
func writeGeoJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func (a *API) ceasefireZones(w http.ResponseWriter, r *http.Request, c call) error {
	zones, err := a.ceasefire.Zones(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeGeoJSON(w, ceasefire.ZonesGeoJSON(zones))
	return nil
}

func (a *API) importCeasefireZones(w http.ResponseWriter, r *http.Request, c call) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		return tooLarge(8 << 20)
	}
	zones, err := a.ceasefire.ImportZones(r.Context(), c.Actor, r.PathValue("id"), data)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.WriteHeader(http.StatusCreated)
	w.Write(ceasefire.ZonesGeoJSON(zones))
	return nil
}

func (a *API) ceasefireStatistics(w http.ResponseWriter, r *http.Request, c call) error {
	var split time.Time
	if v := r.URL.Query().Get("split"); v != "" {
		var err error
		if split, err = parseDateOrTime(v); err != nil {
			return errs.Field("split", "split is a date (2006-01-02)")
		}
	}
	st, err := a.ceasefire.Statistics(r.Context(), c.Actor, r.PathValue("id"), split)
	return reply(w, http.StatusOK, st, err, ceasefireStatsJSON)
}

// CeasefireSummaryRequest is the body of PUT .../public-summary.
type CeasefireSummaryRequest struct {
	Enabled *bool `json:"enabled"`
}

// Validate requires the switch.
func (q *CeasefireSummaryRequest) Validate() error {
	if q.Enabled == nil {
		return errs.Field("enabled", "enabled is true or false")
	}
	return nil
}

func (a *API) setCeasefireSummary(w http.ResponseWriter, r *http.Request, c call) error {
	var q CeasefireSummaryRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	err := a.ceasefire.SetPublicSummary(r.Context(), c.Actor, r.PathValue("id"), *q.Enabled)
	return reply(w, http.StatusOK, map[string]bool{"enabled": *q.Enabled}, err, asIs)
}

// ceasefireSummary is public: anyone reads the counts while the mediation
// has the summary switched on.
func (a *API) ceasefireSummary(w http.ResponseWriter, r *http.Request) error {
	sum, _, err := a.ceasefire.PublicSummary(r.Context(), access.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, CeasefireSummaryJSON{Days: countsJSON(sum.Days), Areas: countsJSON(sum.Areas), Types: countsJSON(sum.Types)})
	return nil
}
