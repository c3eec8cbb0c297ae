package api

import (
	"net/http"

	"parley/internal/channel"
	"strconv"
	"strings"
	"time"

	"parley/internal/errs"
	"parley/internal/router"
	"parley/internal/text"
)

// The negotiating text (internal/text, docs/text.md): thin translations to
// the text service, which checks every rule and filters every read by the
// caller's audience.

// registerText adds the text routes.
func (a *API) registerText(mux *router.Mux) {
	route := a.textRoute
	mux.Handle("GET "+Prefix+"/rounds/{id}/texts", route(a.listTexts))
	mux.Handle("POST "+Prefix+"/rounds/{id}/texts", route(a.createText))
	mux.Handle("GET "+Prefix+"/texts/{id}", route(a.showText))
	mux.Handle("GET "+Prefix+"/texts/{id}/draft", route(a.showDraft))
	mux.Handle("PUT "+Prefix+"/texts/{id}/draft", route(a.saveDraft))
	mux.Handle("POST "+Prefix+"/texts/{id}/draft/from-amendment", route(a.draftFromAmendment))
	mux.Handle("POST "+Prefix+"/texts/{id}/issue", route(a.issueText))
	mux.Handle("PUT "+Prefix+"/texts/{id}/settings", route(a.textSettings))
	mux.Handle("POST "+Prefix+"/texts/{id}/guarantors", route(a.shareWithGuarantors))
	mux.Handle("PUT "+Prefix+"/texts/{id}/summaries/{org}", route(a.textSummary))
	mux.Handle("GET "+Prefix+"/texts/{id}/revisions/{n}", route(a.showRevision))
	mux.Handle("PUT "+Prefix+"/texts/{id}/revisions/{n}/paragraphs/{p}/position", route(a.setPosition))
	mux.Handle("GET "+Prefix+"/texts/{id}/revisions/{n}/export", route(a.exportRevision))
	mux.Handle("GET "+Prefix+"/texts/{id}/compare", route(a.compareRevisions))
	mux.Handle("GET "+Prefix+"/texts/{id}/adoption", route(a.showAdoption))
	mux.Handle("POST "+Prefix+"/texts/{id}/adopt", route(a.adoptText))
	mux.Handle("POST "+Prefix+"/texts/{id}/publish", route(a.publishText))
	a.registerTranslations(mux)
}

// textRoute serves h, a route of the negotiating text.
func (a *API) textRoute(h errorFunc) http.Handler {
	return a.serve(needs(a.text != nil, "the negotiating text", h))
}

// TextJSON is a negotiating text.
type TextJSON struct {
	ID            string `json:"id"`
	RoundID       string `json:"round_id"`
	Title         string `json:"title"`
	AdReferendum  bool   `json:"ad_referendum"`
	Revision      int    `json:"revision"`
	Adopted       int    `json:"adopted_revision"`
	AdoptedAt     string `json:"adopted_at,omitempty"`
	AdoptedSHA256 string `json:"adopted_sha256,omitempty"`
	CreatedAt     string `json:"created_at"`
	LedgerIndex   int64  `json:"ledger_index"`
	Language      string `json:"language"`
	// Guarantors: the issued revisions are shared with the round's
	// guarantors.
	Guarantors bool `json:"guarantors"`
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func textJSON(t text.Text) TextJSON {
	return TextJSON{ID: t.ID, RoundID: t.RoundID, Title: t.Title, AdReferendum: t.AdReferendum, Revision: t.Revision,
		Adopted: t.Adopted, AdoptedAt: jsonTime(t.AdoptedAt), AdoptedSHA256: t.AdoptedHash,
		CreatedAt: jsonTime(t.CreatedAt), LedgerIndex: t.LedgerIndex, Language: t.Language, Guarantors: t.Guarantors}
}

// DraftJSON is one save of the mediation's draft.
type DraftJSON struct {
	ID          string `json:"id"`
	TextID      string `json:"text_id"`
	Seq         int    `json:"seq"`
	Source      string `json:"source"`
	SavedAt     string `json:"saved_at"`
	LedgerIndex int64  `json:"ledger_index"`
}

func draftJSON(d text.Draft) DraftJSON {
	return DraftJSON{ID: d.ID, TextID: d.TextID, Seq: d.Seq, Source: d.Source, SavedAt: jsonTime(d.SavedAt), LedgerIndex: d.LedgerIndex}
}

// PositionJSON is a party's stance on a paragraph or alternative.
type PositionJSON struct {
	Paragraph   int    `json:"paragraph"`
	Alternative string `json:"alternative,omitempty"`
	Org         string `json:"org"`
	OrgName     string `json:"org_name"`
	Stance      string `json:"stance"`
	Wording     string `json:"wording,omitempty"`
	Comment     string `json:"comment,omitempty"`
	UpdatedAt   string `json:"updated_at"`
	LedgerIndex int64  `json:"ledger_index"`
	// CarriedFrom: the revision the position was recorded on, when an
	// unchanged paragraph carried it over; absent when recorded here.
	CarriedFrom int `json:"carried_from,omitempty"`
}

func positionJSON(p text.Position) PositionJSON {
	return PositionJSON{Paragraph: p.Paragraph, Alternative: p.Alternative, Org: p.OrgID, OrgName: p.OrgName, Stance: p.Stance,
		Wording: p.Wording, Comment: p.Comment, UpdatedAt: jsonTime(p.UpdatedAt), LedgerIndex: p.LedgerIndex, CarriedFrom: p.CarriedFrom}
}

// SummaryJSON is one party's stance in a summary the mediation shows.
type SummaryJSON struct {
	Alternative string `json:"alternative,omitempty"`
	Org         string `json:"org"`
	OrgName     string `json:"org_name"`
	Stance      string `json:"stance"`
}

// OptionJSON is an alternative of a paragraph.
type OptionJSON struct {
	Label string      `json:"label"`
	Text  string      `json:"text"` // markup
	Spans []text.Span `json:"spans"`
}

// ParagraphJSON is a paragraph with what the caller may know about it.
type ParagraphJSON struct {
	Number    int            `json:"number"`
	Section   string         `json:"section,omitempty"`
	Text      string         `json:"text"` // markup
	Spans     []text.Span    `json:"spans"`
	Options   []OptionJSON   `json:"alternatives"`
	Bracketed bool           `json:"bracketed"`
	Whole     bool           `json:"wholly_bracketed"`
	Status    string         `json:"status"`
	Agreed    string         `json:"agreed_alternative,omitempty"`
	Positions []PositionJSON `json:"positions"`
	Summary   []SummaryJSON  `json:"summary"`
}

// PartyJSON is a party of the round.
type PartyJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ConfirmationJSON is a party head's confirmation of the adoption.
type ConfirmationJSON struct {
	Org         string `json:"org"`
	OrgName     string `json:"org_name"`
	At          string `json:"at"`
	LedgerIndex int64  `json:"ledger_index"`
}

// RevisionJSON is an issued revision as the caller may read it.
type RevisionJSON struct {
	ID            string             `json:"id"`
	TextID        string             `json:"text_id"`
	RoundID       string             `json:"round_id"`
	Number        int                `json:"number"`
	Label         string             `json:"label"`
	Latest        int                `json:"latest"`
	Superseded    bool               `json:"superseded"`
	IssuedAt      string             `json:"issued_at"`
	Title         string             `json:"title"`
	Preamble      []string           `json:"preamble"`
	Paragraphs    []ParagraphJSON    `json:"paragraphs"`
	Source        string             `json:"source"`
	SHA256        string             `json:"sha256"`
	AdReferendum  bool               `json:"ad_referendum"`
	Adopted       bool               `json:"adopted"`
	Parties       []PartyJSON        `json:"parties"`
	Confirmations []ConfirmationJSON `json:"confirmations"`
	LedgerIndex   int64              `json:"ledger_index"`
}

func confirmationsJSON(cs []text.Confirmation) []ConfirmationJSON {
	out := make([]ConfirmationJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, ConfirmationJSON{Org: c.OrgID, OrgName: c.OrgName, At: jsonTime(c.At), LedgerIndex: c.LedgerIndex})
	}
	return out
}

func partiesJSON(ps []text.Party) []PartyJSON {
	out := make([]PartyJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, PartyJSON{ID: p.ID, Name: p.Name})
	}
	return out
}

func revisionJSON(r text.Revision) RevisionJSON {
	out := RevisionJSON{ID: r.ID, TextID: r.TextID, RoundID: r.RoundID, Number: r.Number, Label: text.RevisionLabel(r.Number),
		Latest: r.Latest, Superseded: r.Number < r.Latest, IssuedAt: jsonTime(r.IssuedAt), Title: r.Title,
		Preamble: r.Document.Preamble, Paragraphs: []ParagraphJSON{}, Source: r.Source, SHA256: r.SHA256,
		AdReferendum: r.AdReferendum, Adopted: r.Adopted, Parties: partiesJSON(r.Parties),
		Confirmations: confirmationsJSON(r.Confirmations), LedgerIndex: r.LedgerIndex}
	states := map[int]text.ParagraphState{}
	for _, s := range r.Paragraphs {
		states[s.Number] = s
	}
	for _, sec := range r.Document.Sections {
		for _, p := range sec.Paragraphs {
			st := states[p.Number]
			pj := ParagraphJSON{Number: p.Number, Section: sec.Heading, Text: text.FormatSpans(p.Spans), Spans: p.Spans,
				Options: []OptionJSON{}, Bracketed: p.Bracketed(), Whole: p.Whole(), Status: st.Status, Agreed: st.Agreed,
				Positions: []PositionJSON{}, Summary: []SummaryJSON{}}
			for _, o := range p.Options {
				pj.Options = append(pj.Options, OptionJSON{Label: o.Label, Text: text.FormatSpans(o.Spans), Spans: o.Spans})
			}
			for _, x := range st.Positions {
				pj.Positions = append(pj.Positions, positionJSON(x))
			}
			for _, e := range st.Summary {
				pj.Summary = append(pj.Summary, SummaryJSON{Alternative: e.Alternative, Org: e.OrgID, OrgName: e.OrgName, Stance: e.Stance})
			}
			out.Paragraphs = append(out.Paragraphs, pj)
		}
	}
	return out
}

// AdoptionJSON is the state of the adoption of a text.
type AdoptionJSON struct {
	TextID        string             `json:"text_id"`
	Revision      int                `json:"revision"`
	Confirmations []ConfirmationJSON `json:"confirmations"`
	Pending       []PartyJSON        `json:"pending"`
	Adopted       bool               `json:"adopted"`
	AdoptedAt     string             `json:"adopted_at,omitempty"`
	SHA256        string             `json:"sha256,omitempty"`
	LedgerIndex   int64              `json:"ledger_index"`
}

func adoptionJSON(ad text.Adoption) AdoptionJSON {
	out := AdoptionJSON{TextID: ad.TextID, Revision: ad.Revision, Confirmations: confirmationsJSON(ad.Confirmations),
		Pending: partiesJSON(ad.Pending), Adopted: ad.Adopted, AdoptedAt: jsonTime(ad.AdoptedAt), LedgerIndex: -1}
	if ad.Adopted {
		out.SHA256, out.LedgerIndex = ad.SHA256, ad.LedgerIndex
	}
	return out
}

// TextRequest is the body of POST /api/v1/rounds/{id}/texts: a title, or
// the whole first draft in the markup.
type TextRequest struct {
	Title        string `json:"title,omitempty"`
	Source       string `json:"source,omitempty"`
	AdReferendum bool   `json:"ad_referendum,omitempty"`
	// Language is the BCP 47 tag of the authoritative text; "" is "en".
	Language string `json:"language,omitempty"`
}

// Validate checks the lengths; the text service parses the markup.
func (q *TextRequest) Validate() error {
	if strings.TrimSpace(q.Title) == "" && strings.TrimSpace(q.Source) == "" {
		return errs.Field("title", "is required when there is no source")
	}
	if err := checkText("title", q.Title, 0, text.MaxTitle, false); err != nil {
		return err
	}
	return checkText("source", q.Source, 0, text.MaxSource, true)
}

// DraftRequest is the body of PUT /api/v1/texts/{id}/draft.
type DraftRequest struct {
	Source string `json:"source"`
}

// Validate checks the length; the text service parses the markup and
// reports bad brackets with line and column.
func (q *DraftRequest) Validate() error {
	if strings.TrimSpace(q.Source) == "" {
		return errs.Field("source", "is required")
	}
	if len(q.Source) > text.MaxSource {
		return errs.Field("source", "must be at most %d bytes", text.MaxSource)
	}
	return nil
}

// PositionRequest is the body of PUT …/paragraphs/{p}/position.
type PositionRequest struct {
	Alternative string `json:"alternative,omitempty"`
	Stance      string `json:"stance"`
	Wording     string `json:"wording,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

// Validate checks the stance and the lengths.
func (q *PositionRequest) Validate() error {
	if err := checkEnum("stance", q.Stance, text.Stances); err != nil {
		return err
	}
	if len(q.Alternative) > 2 {
		return errs.Field("alternative", "is a letter like A")
	}
	if err := checkText("wording", q.Wording, 0, text.MaxWording, true); err != nil {
		return err
	}
	return checkText("comment", q.Comment, 0, text.MaxComment, true)
}

// AdoptRequest is the body of POST /api/v1/texts/{id}/adopt: the head's
// password again, and the second factor when enrolled.
type AdoptRequest struct {
	Password string `json:"password"`
	OTP      string `json:"otp,omitempty"`
}

// Validate checks that a password is given.
func (q *AdoptRequest) Validate() error {
	if q.Password == "" {
		return errs.Field("password", "is required")
	}
	if len(q.Password) > maxLoginSecret || len(q.OTP) > 64 {
		return errs.Field("password", "is too long")
	}
	return nil
}

// TextSettingsRequest is the body of PUT /api/v1/texts/{id}/settings.
type TextSettingsRequest struct {
	AdReferendum bool `json:"ad_referendum"`
}

// Validate accepts any value.
func (q *TextSettingsRequest) Validate() error { return nil }

// SummaryRequest is the body of PUT /api/v1/texts/{id}/summaries/{org}.
type SummaryRequest struct {
	Shared bool `json:"shared"`
}

// Validate accepts any value.
func (q *SummaryRequest) Validate() error { return nil }

// AmendmentDraftRequest is the body of POST …/draft/from-amendment: which
// amendment starts the next draft.
type AmendmentDraftRequest struct {
	Revision    int    `json:"revision"`
	Paragraph   int    `json:"paragraph"`
	Alternative string `json:"alternative,omitempty"`
	Org         string `json:"org"`
}

// Validate checks the references.
func (q *AmendmentDraftRequest) Validate() error {
	if q.Revision < 1 {
		return errs.Field("revision", "is required")
	}
	if q.Paragraph < 1 {
		return errs.Field("paragraph", "is required")
	}
	return checkID("org", q.Org)
}

// pathNumber reads a positive number from the path; anything else is a
// missing revision or paragraph.
func pathNumber(r *http.Request, name, what string) (int, error) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, errs.NotFoundf(what)
	}
	return n, nil
}

func (a *API) listTexts(w http.ResponseWriter, r *http.Request, c call) error {
	ts, err := a.text.Texts(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, ts, err, listOf("texts", textJSON))
}

func (a *API) createText(w http.ResponseWriter, r *http.Request, c call) error {
	var q TextRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	t, err := a.text.Create(r.Context(), c.Actor, r.PathValue("id"), text.NewText{Title: q.Title, Source: q.Source, AdReferendum: q.AdReferendum, Language: q.Language})
	return reply(w, http.StatusCreated, t, err, textJSON)
}

func (a *API) showText(w http.ResponseWriter, r *http.Request, c call) error {
	t, err := a.text.Text(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, t, err, textJSON)
}

// showDraft answers the latest draft: the mediation's only, so anyone else
// gets 404 as for a text that does not exist.
func (a *API) showDraft(w http.ResponseWriter, r *http.Request, c call) error {
	ds, err := a.text.Drafts(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return errs.NotFoundf("draft")
	}
	writeJSON(w, http.StatusOK, draftJSON(ds[0]))
	return nil
}

func (a *API) saveDraft(w http.ResponseWriter, r *http.Request, c call) error {
	var q DraftRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	d, err := a.text.SaveDraft(r.Context(), c.Actor, r.PathValue("id"), q.Source)
	return reply(w, http.StatusOK, d, err, draftJSON)
}

func (a *API) draftFromAmendment(w http.ResponseWriter, r *http.Request, c call) error {
	var q AmendmentDraftRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	d, err := a.text.DraftFromAmendment(r.Context(), c.Actor, r.PathValue("id"), q.Revision, q.Paragraph, q.Alternative, q.Org)
	return reply(w, http.StatusCreated, d, err, draftJSON)
}

func (a *API) issueText(w http.ResponseWriter, r *http.Request, c call) error {
	rev, err := a.text.Issue(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusCreated, rev, err, revisionJSON)
}

// textAfter answers the text as it is after change, a write that returns
// only its error.
func (a *API) textAfter(w http.ResponseWriter, r *http.Request, c call, change error) error {
	if change != nil {
		return change
	}
	return a.showText(w, r, c)
}

func (a *API) textSettings(w http.ResponseWriter, r *http.Request, c call) error {
	var q TextSettingsRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return a.textAfter(w, r, c, a.text.SetAdReferendum(r.Context(), c.Actor, r.PathValue("id"), q.AdReferendum))
}

func (a *API) textSummary(w http.ResponseWriter, r *http.Request, c call) error {
	var q SummaryRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	if err := a.text.SetSummary(r.Context(), c.Actor, r.PathValue("id"), r.PathValue("org"), q.Shared); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"org": r.PathValue("org"), "shared": q.Shared})
	return nil
}

func (a *API) showRevision(w http.ResponseWriter, r *http.Request, c call) error {
	n, err := pathNumber(r, "n", "revision")
	if err != nil {
		return err
	}
	rev, err := a.text.Revision(r.Context(), c.Actor, r.PathValue("id"), n)
	return reply(w, http.StatusOK, rev, err, revisionJSON)
}

func (a *API) setPosition(w http.ResponseWriter, r *http.Request, c call) error {
	n, err := pathNumber(r, "n", "revision")
	if err != nil {
		return err
	}
	p, err := strconv.Atoi(r.PathValue("p"))
	if err != nil || p < 1 {
		return errs.Field("paragraph", "is a paragraph number like 1")
	}
	var q PositionRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	pos, err := a.text.SetPosition(r.Context(), c.Actor, r.PathValue("id"), n, p, text.PositionInput{
		Alternative: q.Alternative, Stance: q.Stance, Wording: q.Wording, Comment: q.Comment})
	return reply(w, http.StatusOK, pos, err, positionJSON)
}

// exportRevision serves a download. The HTML export carries its own print
// stylesheet, so its Content-Security-Policy allows exactly that one
// stylesheet by hash and nothing else.
func (a *API) exportRevision(w http.ResponseWriter, r *http.Request, c call) error {
	n, err := pathNumber(r, "n", "revision")
	if err != nil {
		return err
	}
	ex, err := a.text.Export(r.Context(), c.Actor, r.PathValue("id"), n, r.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ex.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", `attachment; filename="`+ex.Filename+`"`)
	if ex.StyleHash != "" {
		h.Set("Content-Security-Policy", "default-src 'none'; style-src "+ex.StyleHash+"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(ex.Body)
	return nil
}

func (a *API) compareRevisions(w http.ResponseWriter, r *http.Request, c call) error {
	from, err1 := strconv.Atoi(r.URL.Query().Get("from"))
	to, err2 := strconv.Atoi(r.URL.Query().Get("to"))
	if err1 != nil || err2 != nil || from < 1 || to < 1 {
		return errs.Field("from", "from and to are revision numbers like 1 and 2")
	}
	cmp, err := a.text.Compare(r.Context(), c.Actor, r.PathValue("id"), from, to)
	if err != nil {
		return err
	}
	type seg struct {
		Op   string `json:"op"`
		Text string `json:"text"`
	}
	lines := make([][]seg, 0, len(cmp.Lines))
	for _, l := range cmp.Lines {
		out := make([]seg, 0, len(l))
		for _, s := range l {
			out = append(out, seg{s.Op, s.Text})
		}
		lines = append(lines, out)
	}
	writeJSON(w, http.StatusOK, map[string]any{"text_id": cmp.TextID, "from": cmp.From, "to": cmp.To, "lines": lines})
	return nil
}

func (a *API) showAdoption(w http.ResponseWriter, r *http.Request, c call) error {
	ad, err := a.text.AdoptionState(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, ad, err, adoptionJSON)
}

func (a *API) adoptText(w http.ResponseWriter, r *http.Request, c call) error {
	var q AdoptRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	ad, err := a.text.Adopt(r.Context(), c.Actor, r.PathValue("id"), q.Password, q.OTP)
	return reply(w, http.StatusOK, ad, err, adoptionJSON)
}

// publishText publishes the adopted text as a public statement of the
// mediation: the statement is created and released at once.
func (a *API) publishText(w http.ResponseWriter, r *http.Request, c call) error {
	p, err := a.text.Publication(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if a.channel == nil {
		return errs.New(errs.Internal, "statements are not configured")
	}
	st, err := a.channel.CreateStatement(r.Context(), c.Actor, channel.NewStatement{Title: p.Title, Body: p.Body})
	if err != nil {
		return err
	}
	st, err = a.channel.ReleaseStatement(r.Context(), c.Actor, st.ID)
	return reply(w, http.StatusCreated, st, err, statementJSON)
}
