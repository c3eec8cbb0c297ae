package api

import (
	"net/http"
	"time"

	"parley/internal/detainees"
	"parley/internal/errs"
)

// Exchanges, releases and the dashboard of the detainee track.

// DetaineeReleaseJSON is a verified release.
type DetaineeReleaseJSON struct {
	At          string `json:"at"`
	Place       string `json:"place"`
	VerifiedAt  string `json:"verified_at"`
	LedgerIndex int64  `json:"ledger_index"`
}

// DetaineePersonJSON is a person of an exchange: identifying fields only;
// records for the mediation and the neutral agency.
type DetaineePersonJSON struct {
	ID         string               `json:"id"`
	Seq        int                  `json:"seq"`
	ReleasedBy DetaineeSideJSON     `json:"released_by"`
	Identity   detainees.Identity   `json:"identity"`
	Records    []string             `json:"records,omitempty"`
	Release    *DetaineeReleaseJSON `json:"release,omitempty"`
}

// DetaineeExchangeJSON is an exchange with its people.
type DetaineeExchangeJSON struct {
	ID          string               `json:"id"`
	ProcessID   string               `json:"process_id"`
	Kind        string               `json:"kind"`
	Title       string               `json:"title"`
	Sides       []DetaineeSideJSON   `json:"sides"`
	Promised    int                  `json:"promised"`
	Verified    int                  `json:"verified"`
	People      []DetaineePersonJSON `json:"people"`
	CreatedAt   string               `json:"created_at"`
	LedgerIndex int64                `json:"ledger_index"`
}

func personJSON(p detainees.Person) DetaineePersonJSON {
	out := DetaineePersonJSON{ID: p.ID, Seq: p.Seq, ReleasedBy: DetaineeSideJSON{ID: p.ReleasedBy, Name: p.ReleasedByOrg},
		Identity: p.Identity, Records: p.Records}
	if p.Release != nil {
		out.Release = &DetaineeReleaseJSON{At: jsonTime(p.Release.At), Place: p.Release.Place,
			VerifiedAt: jsonTime(p.Release.VerifiedAt), LedgerIndex: p.Release.LedgerIndex}
	}
	return out
}

func exchangeJSON(e detainees.Exchange) DetaineeExchangeJSON {
	out := DetaineeExchangeJSON{ID: e.ID, ProcessID: e.ProcessID, Kind: e.Kind, Title: e.Title, Sides: []DetaineeSideJSON{},
		Promised: e.Promised(), Verified: e.Verified(), People: []DetaineePersonJSON{}, CreatedAt: jsonTime(e.CreatedAt), LedgerIndex: e.LedgerIndex}
	for _, s := range e.Sides {
		out.Sides = append(out.Sides, DetaineeSideJSON{ID: s.OrgID, Name: s.Name})
	}
	for _, p := range e.People {
		out.People = append(out.People, personJSON(p))
	}
	return out
}

// DetaineeExchangeRequest records an exchange.
type DetaineeExchangeRequest struct {
	Kind   string                  `json:"kind"`
	Title  string                  `json:"title"`
	Sides  []string                `json:"sides"`
	People []DetaineePersonRequest `json:"people"`
}

// DetaineePersonRequest is one person of a new exchange.
type DetaineePersonRequest struct {
	Records    []string `json:"records"`
	ReleasedBy string   `json:"released_by,omitempty"`
}

// Validate checks the shape; the service checks the rest.
func (q *DetaineeExchangeRequest) Validate() error {
	if len(q.People) > detainees.MaxPeople {
		return errs.Field("people", "at most %d people", detainees.MaxPeople)
	}
	return checkText("title", q.Title, 1, maxName, false)
}

func (a *API) recordDetaineeExchange(w http.ResponseWriter, r *http.Request, c call) error {
	var q DetaineeExchangeRequest
	if err := decode(w, r, &q, 4*MaxBody); err != nil {
		return err
	}
	in := detainees.NewExchange{Kind: q.Kind, Title: q.Title, Sides: q.Sides}
	for _, p := range q.People {
		in.People = append(in.People, detainees.NewPerson{Records: p.Records, ReleasedBy: p.ReleasedBy})
	}
	e, err := a.detainees.RecordExchange(r.Context(), c.Actor, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/detainees/exchanges/"+e.ID)
	writeJSON(w, http.StatusCreated, exchangeJSON(e))
	return nil
}

func (a *API) listDetaineeExchanges(w http.ResponseWriter, r *http.Request, c call) error {
	es, err := a.detainees.Exchanges(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, es, err, listOf("exchanges", exchangeJSON))
}

func (a *API) showDetaineeExchange(w http.ResponseWriter, r *http.Request, c call) error {
	e, err := a.detainees.Exchange(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, e, err, exchangeJSON)
}

// DetaineeReleaseRequest confirms a release.
type DetaineeReleaseRequest struct {
	Person string `json:"person"`
	At     string `json:"at"` // RFC 3339
	Place  string `json:"place"`
	at     time.Time
}

// Validate checks the shape and parses the time.
func (q *DetaineeReleaseRequest) Validate() error {
	if err := checkText("person", q.Person, 1, 64, false); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339, q.At)
	if err != nil {
		return errs.Field("at", "the time of the release, RFC 3339 (2017-02-01T10:00:00Z)")
	}
	q.at = t
	return checkText("place", q.Place, 1, 200, false)
}

func (a *API) confirmDetaineeRelease(w http.ResponseWriter, r *http.Request, c call) error {
	var q DetaineeReleaseRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	p, err := a.detainees.ConfirmRelease(r.Context(), c.Actor, r.PathValue("id"), detainees.NewRelease{Person: q.Person, At: q.at, Place: q.Place})
	return reply(w, http.StatusCreated, p, err, personJSON)
}

// DetaineePointJSON is a side's running counts at a time.
type DetaineePointJSON struct {
	At       string `json:"at"`
	Promised int    `json:"promised"`
	Verified int    `json:"verified"`
}

// DetaineeSideReleasesJSON is one releasing side on the dashboard.
type DetaineeSideReleasesJSON struct {
	Org      DetaineeSideJSON    `json:"org"`
	Promised int                 `json:"promised"`
	Verified int                 `json:"verified"`
	Series   []DetaineePointJSON `json:"series"`
}

func (a *API) showDetaineeDashboard(w http.ResponseWriter, r *http.Request, c call) error {
	d, err := a.detainees.Dashboard(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	sides := []DetaineeSideReleasesJSON{}
	for _, s := range d.Sides {
		sr := DetaineeSideReleasesJSON{Org: DetaineeSideJSON{ID: s.OrgID, Name: s.Name}, Promised: s.Promised, Verified: s.Verified, Series: []DetaineePointJSON{}}
		for _, p := range s.Series {
			sr.Series = append(sr.Series, DetaineePointJSON{At: jsonTime(p.At), Promised: p.Promised, Verified: p.Verified})
		}
		sides = append(sides, sr)
	}
	writeJSON(w, http.StatusOK, map[string]any{"process_id": d.ProcessID, "agency": sideJSON(d.Agency),
		"promised": d.Promised, "verified": d.Verified, "sides": sides})
	return nil
}
