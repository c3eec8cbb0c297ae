package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"parley/internal/detainees"
	"parley/internal/errs"
	"parley/internal/router"
)

// The detainee track (internal/detainees, docs/detainees.md): thin
// translations to the detainee service, which checks every rule and filters
// every read by the caller's audience.

// registerDetainees adds the detainee routes.
func (a *API) registerDetainees(mux *router.Mux) {
	p := Prefix + "/processes/{id}/detainees"
	route := a.offered(a.detainees != nil)
	mux.Handle("GET "+p+"/agency", route(a.showDetaineeAgency))
	mux.Handle("PUT "+p+"/agency", route(a.setDetaineeAgency))
	mux.Handle("GET "+p+"/lists", route(a.listDetaineeLists))
	mux.Handle("POST "+p+"/lists", route(a.submitDetaineeList))
	mux.Handle("POST "+p+"/matching", route(a.runDetaineeMatching))
	mux.Handle("GET "+p+"/review", route(a.detaineePairs(detainees.BandReview)))
	mux.Handle("GET "+p+"/pairs", route(a.detaineePairs("")))
	mux.Handle("POST "+p+"/decisions", route(a.linkDetaineeRecords))
	mux.Handle("GET "+p+"/exchanges", route(a.listDetaineeExchanges))
	mux.Handle("POST "+p+"/exchanges", route(a.recordDetaineeExchange))
	mux.Handle("GET "+p+"/dashboard", route(a.showDetaineeDashboard))
	mux.Handle("GET "+Prefix+"/detainees/lists/{id}", route(a.showDetaineeList))
	mux.Handle("POST "+Prefix+"/detainees/pairs/{id}/decision", route(a.decideDetaineePair))
	mux.Handle("GET "+Prefix+"/detainees/exchanges/{id}", route(a.showDetaineeExchange))
	mux.Handle("POST "+Prefix+"/detainees/exchanges/{id}/releases", route(a.confirmDetaineeRelease))
}

// DetaineeSideJSON is an organisation in the detainee track.
type DetaineeSideJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func sideJSON(s detainees.Side) *DetaineeSideJSON {
	if s.OrgID == "" {
		return nil
	}
	return &DetaineeSideJSON{ID: s.OrgID, Name: s.Name}
}

func (a *API) showDetaineeAgency(w http.ResponseWriter, r *http.Request, c call) error {
	ag, err := a.detainees.Agency(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, ag, err, agencyJSON)
}

func agencyJSON(ag detainees.Side) map[string]any { return map[string]any{"agency": sideJSON(ag)} }

// DetaineeAgencyRequest names a process's neutral agency.
type DetaineeAgencyRequest struct {
	Org string `json:"org"`
}

// Validate checks the shape.
func (q *DetaineeAgencyRequest) Validate() error {
	return checkText("org", q.Org, 1, 64, false)
}

func (a *API) setDetaineeAgency(w http.ResponseWriter, r *http.Request, c call) error {
	var q DetaineeAgencyRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	ag, err := a.detainees.SetAgency(r.Context(), c.Actor, r.PathValue("id"), q.Org)
	return reply(w, http.StatusOK, ag, err, agencyJSON)
}

// DetaineeListJSON is a list without its records.
type DetaineeListJSON struct {
	ID          string           `json:"id"`
	ProcessID   string           `json:"process_id"`
	Org         DetaineeSideJSON `json:"org"`
	Kind        string           `json:"kind"`
	Name        string           `json:"name"`
	Records     int              `json:"records"`
	SHA256      string           `json:"sha256"`
	CreatedAt   string           `json:"created_at"`
	LedgerIndex int64            `json:"ledger_index"`
}

func detaineeListJSON(l detainees.List) DetaineeListJSON {
	return DetaineeListJSON{ID: l.ID, ProcessID: l.ProcessID, Org: DetaineeSideJSON{ID: l.OrgID, Name: l.OrgName}, Kind: l.Kind,
		Name: l.Name, Records: l.Records, SHA256: l.FileSHA256, CreatedAt: jsonTime(l.CreatedAt), LedgerIndex: l.LedgerIndex}
}

// DetaineeRecordJSON is a record of a list: parley's id, the row of the
// file and the canonical fields.
type DetaineeRecordJSON struct {
	ID  string `json:"id"`
	Row int    `json:"row"`
	detainees.Record
}

func (a *API) listDetaineeLists(w http.ResponseWriter, r *http.Request, c call) error {
	ls, err := a.detainees.Lists(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, ls, err, listOf("lists", detaineeListJSON))
}

func (a *API) showDetaineeList(w http.ResponseWriter, r *http.Request, c call) error {
	l, recs, err := a.detainees.List(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]DetaineeRecordJSON, len(recs))
	for i, rec := range recs {
		out[i] = DetaineeRecordJSON{ID: rec.ID, Row: rec.Row, Record: rec.Record}
	}
	writeJSON(w, http.StatusOK, map[string]any{"list": detaineeListJSON(l), "records": out})
	return nil
}

// submitDetaineeList imports a list file: multipart/form-data with the
// parts "file" (CSV or XLSX), "kind" (held or sought), "name" and,
// optionally, "mapping" (a JSON object from the file's headers to canonical
// columns or "ignore").
func (a *API) submitDetaineeList(w http.ResponseWriter, r *http.Request, c call) error {
	in, err := readDetaineeList(w, r)
	if err != nil {
		return err
	}
	l, err := a.detainees.SubmitList(r.Context(), c.Actor, r.PathValue("id"), in)
	if err != nil {
		return fileError(err)
	}
	w.Header().Set("Location", Prefix+"/detainees/lists/"+l.ID)
	writeJSON(w, http.StatusCreated, detaineeListJSON(l))
	return nil
}

// readDetaineeList reads the parts of a list upload.
func readDetaineeList(w http.ResponseWriter, r *http.Request) (detainees.NewList, error) {
	var in detainees.NewList
	r.Body = http.MaxBytesReader(w, r.Body, detainees.MaxFile+MaxBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, errs.New(errs.Invalid, "the body is multipart/form-data with the parts file, kind and name")
	}
	hasFile := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var data []byte
		if err == nil {
			limit := int64(MaxBody)
			if p.FormName() == "file" {
				limit = detainees.MaxFile + 1
			}
			data, err = io.ReadAll(io.LimitReader(p, limit))
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, tooLarge(mbe.Limit)
			}
			return in, errs.New(errs.Invalid, "malformed multipart body")
		}
		switch p.FormName() {
		case "file":
			in.File, hasFile = data, true
		case "kind":
			in.Kind = strings.TrimSpace(string(data))
		case "name":
			in.Name = string(data)
		case "mapping":
			if err := json.Unmarshal(data, &in.Mapping); err != nil {
				return in, errs.Field("mapping", "a JSON object from the file's headers to canonical columns")
			}
		default:
			return in, errs.Field("multipart", "unknown part %q", p.FormName())
		}
	}
	if !hasFile {
		return in, errs.Field("file", "the list file is required")
	}
	return in, nil
}

// DetaineeProblemJSON is one bad row of a refused file.
type DetaineeProblemJSON struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// fileError is err as the API answers it; a refused file's error lists
// every bad row: {"error": {"code": "invalid_file", "message", "field":
// "file", "rows": [{"row", "column", "message"}], "more": n}}.
func fileError(err error) error {
	fe, ok := detainees.AsFileError(err)
	e, isErr := errs.As(err)
	if !ok || !isErr {
		return err
	}
	rows := make([]DetaineeProblemJSON, len(fe.Problems))
	for i, p := range fe.Problems {
		rows[i] = DetaineeProblemJSON{Row: p.Row, Column: p.Column, Message: p.Message}
	}
	return &detailedError{err: err, body: map[string]any{"error": map[string]any{
		"code": e.Code, "message": e.Message, "field": e.Field, "rows": rows, "more": fe.More}}}
}

// DetaineeRunJSON is a matching run's counts.
type DetaineeRunJSON struct {
	ID          string `json:"id,omitempty"`
	Records     int    `json:"records"`
	Pairs       int    `json:"pairs"`
	Review      int    `json:"review"`
	Decided     int    `json:"decided"`
	CreatedAt   string `json:"created_at,omitempty"`
	LedgerIndex int64  `json:"ledger_index,omitempty"`
}

func detaineeRunJSON(u detainees.Run) DetaineeRunJSON {
	out := DetaineeRunJSON{ID: u.ID, Records: u.Records, Pairs: u.Pairs, Review: u.Review, Decided: u.Decided, LedgerIndex: u.LedgerIndex}
	if u.ID != "" {
		out.CreatedAt = jsonTime(u.CreatedAt)
	}
	return out
}

func (a *API) runDetaineeMatching(w http.ResponseWriter, r *http.Request, c call) error {
	u, err := a.detainees.RunMatching(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusCreated, u, err, detaineeRunJSON)
}

// DetaineePairRecordJSON is one side of a pair.
type DetaineePairRecordJSON struct {
	DetaineeRecordJSON
	ListID   string `json:"list_id"`
	ListName string `json:"list_name"`
	ListKind string `json:"list_kind"`
	Org      string `json:"org"`
}

// DetaineePairJSON is a pair of records of a matching run.
type DetaineePairJSON struct {
	ID          string                 `json:"id"`
	Probability float64                `json:"probability"`
	Band        string                 `json:"band"`
	Decision    string                 `json:"decision,omitempty"`
	A           DetaineePairRecordJSON `json:"a"`
	B           DetaineePairRecordJSON `json:"b"`
}

func pairRecordJSON(p detainees.PairRecord) DetaineePairRecordJSON {
	return DetaineePairRecordJSON{DetaineeRecordJSON: DetaineeRecordJSON{ID: p.ID, Row: p.Row, Record: p.Record},
		ListID: p.ListID, ListName: p.ListName, ListKind: p.ListKind, Org: p.OrgName}
}

// detaineePairs answers the pairs of the latest run in band: the review
// queue, or (with band "") every pair, narrowed by ?band=.
func (a *API) detaineePairs(band string) errorFunc {
	return func(w http.ResponseWriter, r *http.Request, c call) error {
		b := band
		if b == "" {
			b = r.URL.Query().Get("band")
		}
		u, ps, err := a.detainees.Pairs(r.Context(), c.Actor, r.PathValue("id"), b)
		if err != nil {
			return err
		}
		out := make([]DetaineePairJSON, len(ps))
		for i, p := range ps {
			out[i] = DetaineePairJSON{ID: p.ID, Probability: p.Probability, Band: p.Band, Decision: p.Decision,
				A: pairRecordJSON(p.A), B: pairRecordJSON(p.B)}
		}
		writeJSON(w, http.StatusOK, map[string]any{"run": detaineeRunJSON(u), "pairs": out})
		return nil
	}
}

// DetaineeDecisionRequest is a reviewer's decision on a pair.
type DetaineeDecisionRequest struct {
	Decision string `json:"decision"`
}

// Validate checks the shape.
func (q *DetaineeDecisionRequest) Validate() error {
	if q.Decision != detainees.Match && q.Decision != detainees.NoMatch {
		return errs.Field("decision", "a decision is %q or %q", detainees.Match, detainees.NoMatch)
	}
	return nil
}

func (a *API) decideDetaineePair(w http.ResponseWriter, r *http.Request, c call) error {
	var q DetaineeDecisionRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	d, err := a.detainees.Decide(r.Context(), c.Actor, r.PathValue("id"), q.Decision)
	return reply(w, http.StatusCreated, d, err, decisionJSON)
}

func decisionJSON(d detainees.Decision) map[string]any {
	return map[string]any{"id": d.ID, "pair_id": d.PairID, "decision": d.Decision,
		"decided_at": jsonTime(d.DecidedAt), "ledger_index": d.LedgerIndex}
}

// DetaineeLinkRequest is a reviewer's decision on two records named by
// their ids.
type DetaineeLinkRequest struct {
	A        string `json:"a"`
	B        string `json:"b"`
	Decision string `json:"decision"`
}

// Validate checks the shape.
func (q *DetaineeLinkRequest) Validate() error {
	d := DetaineeDecisionRequest{Decision: q.Decision}
	return d.Validate()
}

func (a *API) linkDetaineeRecords(w http.ResponseWriter, r *http.Request, c call) error {
	var q DetaineeLinkRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	d, err := a.detainees.LinkRecords(r.Context(), c.Actor, r.PathValue("id"), q.A, q.B, q.Decision)
	return reply(w, http.StatusCreated, d, err, decisionJSON)
}
