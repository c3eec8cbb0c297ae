package api

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"parley/internal/bargain"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/router"
)

// The package analysis (internal/bargain, docs/bargain.md): thin
// translations to the bargain service, which checks every rule and filters
// every read by the caller's audience. A party reads and writes only its own
// profile; the analysis, the draft package and proposals are the
// mediation's.

// registerBargain adds the package-analysis routes.
func (a *API) registerBargain(mux *router.Mux) {
	r := Prefix + "/rounds/{id}/bargain"
	route := a.offered(a.bargain != nil)
	mux.Handle("GET "+r+"/domain", route(a.showBargainDomain))
	mux.Handle("PUT "+r+"/domain", route(a.setBargainDomain))
	mux.Handle("GET "+r+"/domain/geniusweb", route(a.exportBargainDomain))
	mux.Handle("PUT "+r+"/domain/geniusweb", route(a.importBargainDomain))
	mux.Handle("GET "+r+"/profile", route(a.showBargainProfile))
	mux.Handle("PUT "+r+"/profile", route(a.setBargainProfile))
	mux.Handle("PUT "+r+"/profile/shared", route(a.setBargainShared))
	mux.Handle("GET "+r+"/profile/geniusweb", route(a.exportBargainProfile(bargain.FormatGeniusWeb)))
	mux.Handle("PUT "+r+"/profile/geniusweb", route(a.importBargainProfile(bargain.FormatGeniusWeb)))
	mux.Handle("GET "+r+"/profile/genius-xml", route(a.exportBargainProfile(bargain.FormatGeniusXML)))
	mux.Handle("PUT "+r+"/profile/genius-xml", route(a.importBargainProfile(bargain.FormatGeniusXML)))
	mux.Handle("GET "+r+"/profiles", route(a.listBargainProfiles))
	mux.Handle("GET "+r+"/analysis", route(a.showBargainAnalysis))
	mux.Handle("PUT "+r+"/draft", route(a.setBargainDraft))
	mux.Handle("POST "+r+"/proposals", route(a.proposeBargain))
}

// BargainIssueJSON is one issue of a round's negotiation domain: discrete
// values or a numeric range, and the agenda item it belongs to.
type BargainIssueJSON struct {
	Name       string               `json:"name"`
	Values     []string             `json:"values,omitempty"`
	Range      *bargain.NumberRange `json:"range,omitempty"`
	AgendaItem string               `json:"agenda_item,omitempty"`
}

// BargainDomainJSON is a round's negotiation domain.
type BargainDomainJSON struct {
	RoundID     string             `json:"round_id"`
	Version     int                `json:"version"`
	Name        string             `json:"name"`
	Issues      []BargainIssueJSON `json:"issues"`
	UpdatedAt   string             `json:"updated_at"`
	LedgerIndex int64              `json:"ledger_index"`
}

func bargainDomainJSON(rd bargain.RoundDomain) BargainDomainJSON {
	out := BargainDomainJSON{RoundID: rd.RoundID, Version: rd.Version, Name: rd.Domain.Name,
		Issues: []BargainIssueJSON{}, UpdatedAt: jsonTime(rd.UpdatedAt), LedgerIndex: rd.LedgerIndex}
	for _, is := range rd.Domain.Issues {
		out.Issues = append(out.Issues, BargainIssueJSON{Name: is.Name, Values: is.Values, Range: is.Range, AgendaItem: rd.Agenda[is.Name]})
	}
	return out
}

// BargainDomainRequest is the body of PUT .../bargain/domain.
type BargainDomainRequest struct {
	Name   string             `json:"name"`
	Issues []BargainIssueJSON `json:"issues"`
}

// Validate checks the shape; the service checks the domain itself and
// names the offending path.
func (q *BargainDomainRequest) Validate() error {
	if err := checkText("name", q.Name, 1, maxName, false); err != nil {
		return err
	}
	if len(q.Issues) == 0 || len(q.Issues) > bargain.MaxIssues {
		return errs.Field("issues", "between 1 and %d issues", bargain.MaxIssues)
	}
	return nil
}

// BargainAnswerJSON is an answer to "which of these two packages do you
// prefer": prefer is "a", "b" or "".
type BargainAnswerJSON struct {
	A      bargain.Bid `json:"a"`
	B      bargain.Bid `json:"b"`
	Prefer string      `json:"prefer"`
}

// BargainProfileJSON is a party's profile: weights (relative; the pages
// keep them at a total of 100), ratings in [0, 1], the reservation, the
// answers to the comparison questions and those the profile contradicts.
type BargainProfileJSON struct {
	ID               string                          `json:"id"`
	RoundID          string                          `json:"round_id"`
	OrgID            string                          `json:"org_id"`
	OrgName          string                          `json:"org_name"`
	Name             string                          `json:"name"`
	Shared           bool                            `json:"shared"`
	Stale            bool                            `json:"stale"`
	Issues           map[string]bargain.IssueUtility `json:"issues"`
	ReservationValue *float64                        `json:"reservation_value,omitempty"`
	ReservationBid   bargain.Bid                     `json:"reservation_bid,omitempty"`
	Answers          []BargainAnswerJSON             `json:"answers"`
	Contradictions   []int                           `json:"contradictions"`
	UpdatedAt        string                          `json:"updated_at"`
	LedgerIndex      int64                           `json:"ledger_index"`
}

func bargainProfileJSON(sp bargain.StoredProfile, d *bargain.Domain) BargainProfileJSON {
	out := BargainProfileJSON{ID: sp.ID, RoundID: sp.RoundID, OrgID: sp.OrgID, OrgName: sp.OrgName, Name: sp.Profile.Name,
		Shared: sp.Shared, Stale: sp.Stale, Issues: sp.Profile.Issues, ReservationValue: sp.Profile.ReservationValue,
		ReservationBid: sp.Profile.ReservationBid, Answers: []BargainAnswerJSON{}, Contradictions: []int{},
		UpdatedAt: jsonTime(sp.UpdatedAt), LedgerIndex: sp.LedgerIndex}
	for _, an := range sp.Answers {
		out.Answers = append(out.Answers, BargainAnswerJSON{A: an.A, B: an.B, Prefer: an.Prefer})
	}
	if d != nil && !sp.Stale {
		if c := bargain.Contradictions(d, &sp.Profile, sp.Answers); c != nil {
			out.Contradictions = c
		}
	}
	return out
}

// BargainProfileRequest is the body of PUT .../bargain/profile.
type BargainProfileRequest struct {
	Name             string                          `json:"name"`
	Shared           bool                            `json:"shared"`
	Issues           map[string]bargain.IssueUtility `json:"issues"`
	ReservationValue *float64                        `json:"reservation_value"`
	ReservationBid   bargain.Bid                     `json:"reservation_bid"`
	Answers          []BargainAnswerJSON             `json:"answers"`
}

// Validate checks the shape; the service checks the profile against the
// round's domain and names the offending path.
func (q *BargainProfileRequest) Validate() error {
	if q.Name != "" {
		if err := checkText("name", q.Name, 1, maxName, false); err != nil {
			return err
		}
	}
	if len(q.Issues) == 0 || len(q.Issues) > bargain.MaxIssues {
		return errs.Field("issues", "between 1 and %d issues", bargain.MaxIssues)
	}
	if len(q.Answers) > 10 {
		return errs.Field("answers", "at most 10 answers")
	}
	return nil
}

// BargainSharedRequest is the body of PUT .../bargain/profile/shared.
type BargainSharedRequest struct {
	Shared bool `json:"shared"`
}

// Validate accepts any boolean.
func (q *BargainSharedRequest) Validate() error { return nil }

// BargainDraftRequest is the body of PUT .../bargain/draft.
type BargainDraftRequest struct {
	Bid bargain.Bid `json:"bid"`
}

// Validate requires a package.
func (q *BargainDraftRequest) Validate() error {
	if len(q.Bid) == 0 {
		return errs.Field("bid", "is required")
	}
	return nil
}

// BargainProposalRequest is the body of POST .../bargain/proposals.
type BargainProposalRequest struct {
	// Which is nash, kalai, max_welfare, draft or frontier:N.
	Which string `json:"which"`
	// Note also saves the proposal as a message in the mediation's own
	// notes of the round, a draft it can reword and relay.
	Note bool `json:"note,omitempty"`
}

// BargainProposalJSON is a proposal, with the note made of it when asked.
type BargainProposalJSON struct {
	bargain.Proposal
	Message *MessageJSON `json:"message,omitempty"`
}

// Validate requires which.
func (q *BargainProposalRequest) Validate() error {
	return checkText("which", q.Which, 1, 32, false)
}

func (a *API) showBargainDomain(w http.ResponseWriter, r *http.Request, c call) error {
	rd, err := a.bargain.Domain(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, rd, err, bargainDomainJSON)
}

func (a *API) setBargainDomain(w http.ResponseWriter, r *http.Request, c call) error {
	var q BargainDomainRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	d := bargain.Domain{Name: q.Name}
	links := map[string]string{}
	for _, is := range q.Issues {
		d.Issues = append(d.Issues, bargain.Issue{Name: is.Name, Values: is.Values, Range: is.Range})
		if is.AgendaItem != "" {
			links[is.Name] = is.AgendaItem
		}
	}
	rd, err := a.bargain.SetDomain(r.Context(), c.Actor, r.PathValue("id"), d, links)
	return reply(w, http.StatusOK, rd, err, bargainDomainJSON)
}

// readFile reads an imported file: the raw body, of one of the media types
// given, capped like every body.
func readFile(w http.ResponseWriter, r *http.Request, types ...string) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := err == nil
	if ok {
		ok = false
		for _, t := range types {
			ok = ok || mt == t
		}
	}
	if !ok {
		return nil, errs.New(UnsupportedMediaType, "the file must be sent as %s", strings.Join(types, " or "))
	}
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, tooLarge(MaxBody)
	}
	return b, nil
}

func writeFile(w http.ResponseWriter, ctype, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (a *API) importBargainDomain(w http.ResponseWriter, r *http.Request, c call) error {
	b, err := readFile(w, r, "application/json")
	if err != nil {
		return err
	}
	rd, err := a.bargain.ImportDomain(r.Context(), c.Actor, r.PathValue("id"), b)
	return reply(w, http.StatusOK, rd, err, bargainDomainJSON)
}

func (a *API) exportBargainDomain(w http.ResponseWriter, r *http.Request, c call) error {
	b, err := a.bargain.ExportDomain(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeFile(w, "application/json", "domain.json", b)
	return nil
}

// ownProfile answers the caller's profile with its contradictions, which
// need the domain; change is the write before it, which returns only its
// error.
func (a *API) ownProfile(w http.ResponseWriter, r *http.Request, c call, change error) error {
	if change != nil {
		return change
	}
	round := r.PathValue("id")
	sp, err := a.bargain.Profile(r.Context(), c.Actor, round)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bargainProfileJSON(sp, a.bargainDomain(r, c)))
	return nil
}

// bargainDomain is the round's domain the caller reads, nil when none.
func (a *API) bargainDomain(r *http.Request, c call) *bargain.Domain {
	if rd, err := a.bargain.Domain(r.Context(), c.Actor, r.PathValue("id")); err == nil {
		return &rd.Domain
	}
	return nil
}

func (a *API) showBargainProfile(w http.ResponseWriter, r *http.Request, c call) error {
	return a.ownProfile(w, r, c, nil)
}

func (a *API) setBargainProfile(w http.ResponseWriter, r *http.Request, c call) error {
	var q BargainProfileRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	in := bargain.ProfileInput{Shared: q.Shared, Profile: bargain.Profile{Name: q.Name, Issues: q.Issues,
		ReservationValue: q.ReservationValue, ReservationBid: q.ReservationBid}}
	for _, an := range q.Answers {
		in.Answers = append(in.Answers, bargain.Answer{A: an.A, B: an.B, Prefer: an.Prefer})
	}
	_, err := a.bargain.SetProfile(r.Context(), c.Actor, r.PathValue("id"), in)
	return a.ownProfile(w, r, c, err)
}

func (a *API) setBargainShared(w http.ResponseWriter, r *http.Request, c call) error {
	var q BargainSharedRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	_, err := a.bargain.SetShared(r.Context(), c.Actor, r.PathValue("id"), q.Shared)
	return a.ownProfile(w, r, c, err)
}

func (a *API) importBargainProfile(format string) errorFunc {
	types := []string{"application/json"}
	if format == bargain.FormatGeniusXML {
		types = []string{"application/xml", "text/xml"}
	}
	return func(w http.ResponseWriter, r *http.Request, c call) error {
		b, err := readFile(w, r, types...)
		if err != nil {
			return err
		}
		shared := r.URL.Query().Get("shared") == "true"
		_, err = a.bargain.ImportProfile(r.Context(), c.Actor, r.PathValue("id"), format, b, shared)
		return a.ownProfile(w, r, c, err)
	}
}

func (a *API) exportBargainProfile(format string) errorFunc {
	return func(w http.ResponseWriter, r *http.Request, c call) error {
		b, err := a.bargain.ExportProfile(r.Context(), c.Actor, r.PathValue("id"), format)
		if err != nil {
			return err
		}
		if format == bargain.FormatGeniusXML {
			writeFile(w, "application/xml", "profile.xml", b)
		} else {
			writeFile(w, "application/json", "profile.json", b)
		}
		return nil
	}
}

// listBargainProfiles lists the profiles the caller may read: a party its
// own, the mediation those shared with it.
func (a *API) listBargainProfiles(w http.ResponseWriter, r *http.Request, c call) error {
	ps, err := a.bargain.Profiles(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := a.bargainDomain(r, c)
	return reply(w, http.StatusOK, ps, nil, listOf("profiles", func(sp bargain.StoredProfile) BargainProfileJSON { return bargainProfileJSON(sp, d) }))
}

func (a *API) showBargainAnalysis(w http.ResponseWriter, r *http.Request, c call) error {
	ra, err := a.bargain.Analysis(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, ra, err, asIs)
}

func (a *API) setBargainDraft(w http.ResponseWriter, r *http.Request, c call) error {
	var q BargainDraftRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	ra, err := a.bargain.SetDraft(r.Context(), c.Actor, r.PathValue("id"), q.Bid)
	return reply(w, http.StatusOK, ra, err, asIs)
}

func (a *API) proposeBargain(w http.ResponseWriter, r *http.Request, c call) error {
	var q BargainProposalRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	pr, err := a.bargain.Propose(r.Context(), c.Actor, r.PathValue("id"), q.Which)
	if err != nil {
		return err
	}
	out := BargainProposalJSON{Proposal: pr}
	if !q.Note {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	if a.channel == nil {
		return errs.New(errs.Conflict, "this server has no message channel to keep the note in")
	}
	m, err := a.channel.Send(r.Context(), c.Actor, r.PathValue("id"), channel.NewMessage{To: []string{"internal"}, Body: pr.Text})
	if err != nil {
		return err
	}
	mj := messageJSON(m)
	out.Message = &mj
	writeJSON(w, http.StatusCreated, out)
	return nil
}
