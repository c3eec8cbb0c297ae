package web

import (
	"html/template"
	"net/http"
	"strconv"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/router"
	"parley/internal/talks"
	"parley/internal/text"
)

// The negotiating text (issue 6, docs/text.md): the texts of a round, a
// text with its latest (or any) revision, the mediation's desk and draft
// editor, each party's position forms and the heads' adoption, and the
// comparison of two revisions.

const (
	pageTextList    = "text_list"
	pageTextShow    = "text_show"
	pageTextCompare = "text_compare"
)

func init() {
	pageNames = append(pageNames, pageTextList, pageTextShow, pageTextCompare)
}

// registerText adds the text pages to mux.
func (w *Web) registerText(mux *router.Mux) {
	route := w.textPage
	mux.HandleFunc("GET /rounds/{id}/texts", route(w.textList))
	mux.HandleFunc("POST /rounds/{id}/texts", route(w.textCreate))
	mux.HandleFunc("GET /texts/{id}", route(w.textShow))
	mux.HandleFunc("GET /texts/{id}/revisions/{n}", route(w.textShow))
	mux.HandleFunc("GET /texts/{id}/compare", route(w.textCompare))
	mux.HandleFunc("GET /texts/{id}/revisions/{n}/export", route(w.textExport))
	w.registerTextParallel(mux)
	mux.HandleFunc("POST /texts/{id}/draft", route(w.textDraftSave))
	mux.HandleFunc("POST /texts/{id}/draft/from-amendment", route(w.textFromAmendment))
	mux.HandleFunc("POST /texts/{id}/issue/preview", route(w.textIssuePreview))
	mux.HandleFunc("POST /texts/{id}/preview", route(w.textPreview))
	mux.HandleFunc("POST /texts/{id}/issue", route(w.textIssue))
	mux.HandleFunc("POST /texts/{id}/settings", route(w.textSettings))
	mux.HandleFunc("POST /texts/{id}/guarantors", route(w.textGuarantors))
	mux.HandleFunc("POST /texts/{id}/summaries/{org}", route(w.textSummary))
	mux.HandleFunc("POST /texts/{id}/revisions/{n}/paragraphs/{p}/position", route(w.textPosition))
	mux.HandleFunc("POST /texts/{id}/adopt", route(w.textAdopt))
	mux.HandleFunc("POST /texts/{id}/publish", route(w.textPublish))
}

// textPage serves h, a page of the negotiating text, to logged-in users.
func (w *Web) textPage(h handler) http.HandlerFunc {
	return w.user(w.withService(w.text != nil, h))
}

// textListPage is the texts of a round.
type textListPage struct {
	page
	forms
	Round     talks.Round
	Texts     []text.Text
	Mediation bool // the viewer may start a text
	// Reader: the viewer's organisation reads the round's issued texts
	// (a party, the mediation or the host); others are told who does.
	Reader bool
}

func (w *Web) textList(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.textListAgain(rw, r, v, r.PathValue("id"), nil)
}

func (w *Web) textListAgain(rw http.ResponseWriter, r *http.Request, v *viewer, roundID string, f *form) {
	round, err := w.talks.Round(r.Context(), v.Actor(), roundID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ts, err := w.text.Texts(r.Context(), v.Actor(), round.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := textListPage{page: w.page(r, v), forms: forms{failed: f}, Round: round, Texts: ts,
		Mediation: round.As.Mediates()}
	p.Reader = round.As.In(access.Mediation, access.Party, access.Host)
	items := map[string][]string{"round": {round.ID}}
	for _, t := range ts {
		items["text"] = append(items["text"], t.ID)
	}
	p.Names = w.loadNames(r, v.Actor(), items)
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageTextList, p)
}

// textPage is the data of the text page.
type textPage struct {
	page
	forms
	Text      text.Text
	Round     talks.Round
	Rev       *text.Revision // nil before Rev.1
	Revisions []int          // every revision number, for the links
	Sections  []sectionView
	Preamble  []string
	// Mediation: the viewer drafts, issues and sees the desk.
	Mediation bool
	// Party: the viewer records positions; Head: and confirms adoption.
	Party, Head bool
	Draft       *text.Draft // the latest draft, for the mediation
	Desk        deskView
	Adoption    text.Adoption
	Summaries   map[string]bool
	Stances     []string
	Bracketed   []int // paragraphs of the shown revision still bracketed
	Next        int   // the number the next issued revision will have
	Prev        int   // the revision before the shown one, whose positions show beside changed paragraphs
	// MayShare: the viewer administers the round and may share the text
	// with the guarantors.
	MayShare bool
	// Saved is the paragraph whose position was just recorded, to confirm.
	Saved int
}

// sectionView is a heading with its paragraphs.
type sectionView struct {
	Heading    string
	Paragraphs []paragraphView
}

// paragraphView is one paragraph rendered, with its state for the viewer.
type paragraphView struct {
	Number  int
	Lead    template.HTML
	Options []optionView
	Whole   bool
	State   text.ParagraphState
	Mine    []text.Position // the viewer party's own positions
	// MineEarlier are the viewer party's positions on the previous
	// revision's wording of a paragraph that changed.
	MineEarlier []text.Position
	Summary     []text.SummaryEntry
	Positions   []text.Position
}

// optionView is one alternative rendered.
type optionView struct {
	Label string
	HTML  template.HTML
}

// deskView is the mediation's grid: paragraphs (and options) × parties.
type deskView struct {
	Filter  string // "", "contested" or "awaiting"
	Parties []text.Party
	Rows    []deskRow
	Cols    int // the grid's columns: paragraph, status and one per party
	// Amendments are every proposed wording on the revision, each a click
	// away from the next draft.
	Amendments []text.Position
}

// deskRow is one paragraph or one of its options.
type deskRow struct {
	Number int
	Option string
	Status string
	Cells  []deskCell
}

// deskCell is one party's stance on a row; Stance "" is no stance yet.
type deskCell struct {
	Stance, Wording, Comment string
	// Carried is the revision a carried-over stance was recorded on.
	Carried int
	// Earlier is the party's stance on the previous revision's wording of
	// a paragraph that changed.
	Earlier string
}

func (w *Web) textShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	n := 0
	if s := r.PathValue("n"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			w.notFound(rw, r)
			return
		}
	}
	w.textAgain(rw, r, v, r.PathValue("id"), n, nil)
}

// stanceNow is what a paragraph's position control starts from: the
// refused form's values, else the viewer party's current stance.
type stanceNow struct {
	Alternative, Stance, Wording, Comment string
	Recorded                              bool // the party has a stance on the paragraph
}

// Current is the position control's starting values for the paragraph.
func (pv paragraphView) Current(f *form) stanceNow {
	if f != nil && f.Values != nil {
		return stanceNow{Alternative: f.Value("alternative"), Stance: f.Value("stance"), Wording: f.Value("wording"),
			Comment: f.Value("comment"), Recorded: len(pv.Mine) > 0}
	}
	if len(pv.Mine) == 0 {
		return stanceNow{}
	}
	// A stance on an option says more than one on the whole paragraph.
	m := pv.Mine[len(pv.Mine)-1]
	return stanceNow{Alternative: m.Alternative, Stance: m.Stance, Wording: m.Wording, Comment: m.Comment, Recorded: true}
}

// textRound reads a text the viewer reads and the round it belongs to.
func (w *Web) textRound(r *http.Request, v *viewer, textID string) (text.Text, talks.Round, error) {
	t, err := w.text.Text(r.Context(), v.Actor(), textID)
	if err != nil {
		return text.Text{}, talks.Round{}, err
	}
	round, err := w.talks.Round(r.Context(), v.Actor(), t.RoundID)
	return t, round, err
}

// textAgain shows the text page (Rev.n, or the latest when n is 0), with a
// failed form and its errors when f is not nil.
func (w *Web) textAgain(rw http.ResponseWriter, r *http.Request, v *viewer, textID string, n int, f *form) {
	ctx, actor := r.Context(), v.Actor()
	t, round, err := w.textRound(r, v, textID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := textPage{page: w.page(r, v), forms: forms{failed: f}, Text: t, Round: round, Stances: text.Stances,
		Mediation: round.As.Mediates(), Party: round.As.In(access.Party)}
	p.Head = p.Party && round.As.Head()
	p.Names = w.loadNames(r, v.Actor(), map[string][]string{"text": {t.ID}, "round": {round.ID}})
	if p.MayShare, err = w.text.MayShareWithGuarantors(ctx, actor, t.RoundID); err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Next = t.Revision + 1
	for i := 1; i <= t.Revision; i++ {
		p.Revisions = append(p.Revisions, i)
	}
	if n == 0 {
		n = t.Revision
	}
	p.Saved, _ = strconv.Atoi(r.URL.Query().Get("saved"))
	if p.Mediation {
		ds, err := w.text.Drafts(ctx, actor, t.ID)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		if len(ds) > 0 {
			p.Draft = &ds[0]
		}
		if p.Summaries, err = w.text.Summaries(ctx, actor, t.ID); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	if n > 0 {
		rev, err := w.text.Revision(ctx, actor, t.ID, n)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		p.Rev = &rev
		p.Prev = rev.Number - 1
		p.Preamble = rev.Document.Preamble
		p.Bracketed = rev.Document.Bracketed()
		p.Sections = sectionsOf(rev, actor.Org)
		if p.Mediation {
			p.Desk = deskOf(rev, r.URL.Query().Get("filter"))
		}
		if p.Adoption, err = w.text.AdoptionState(ctx, actor, t.ID); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageTextShow, p)
}

func sectionsOf(rev text.Revision, org string) []sectionView {
	states := map[int]text.ParagraphState{}
	for _, s := range rev.Paragraphs {
		states[s.Number] = s
	}
	var out []sectionView
	for _, s := range rev.Document.Sections {
		sv := sectionView{Heading: s.Heading}
		for _, para := range s.Paragraphs {
			st := states[para.Number]
			pv := paragraphView{Number: para.Number, Lead: text.HTMLSpans(para.Spans), Whole: para.Whole(), State: st,
				Summary: st.Summary, Positions: st.Positions}
			for _, o := range para.Options {
				pv.Options = append(pv.Options, optionView{Label: o.Label, HTML: text.HTMLSpans(o.Spans)})
			}
			for _, x := range st.Positions {
				if x.OrgID == org {
					pv.Mine = append(pv.Mine, x)
				}
			}
			for _, x := range st.Earlier {
				if x.OrgID == org {
					pv.MineEarlier = append(pv.MineEarlier, x)
				}
			}
			sv.Paragraphs = append(sv.Paragraphs, pv)
		}
		out = append(out, sv)
	}
	return out
}

// deskOf builds the mediation's grid. "contested" keeps the rows not
// agreed on which some party rejects or amends; "awaiting" the rows where
// some party reserves (awaits instructions) or a bracket is pending
// instructions.
func deskOf(rev text.Revision, filter string) deskView {
	d := deskView{Filter: filter, Parties: rev.Parties, Cols: len(rev.Parties) + 2}
	states := map[int]text.ParagraphState{}
	for _, s := range rev.Paragraphs {
		states[s.Number] = s
	}
	for _, para := range rev.Document.Paragraphs() {
		st := states[para.Number]
		alts := []string{""}
		for _, o := range para.Options {
			alts = append(alts, o.Label)
		}
		for _, alt := range alts {
			row := deskRow{Number: para.Number, Option: alt, Status: st.Status}
			any, contested, awaiting := false, false, hasPending(para, alt)
			for _, pt := range rev.Parties {
				c := deskCell{}
				for _, x := range st.Positions {
					if x.OrgID == pt.ID && x.Alternative == alt {
						c = deskCell{Stance: x.Stance, Wording: x.Wording, Comment: x.Comment, Carried: x.CarriedFrom}
						any = true
					}
				}
				for _, x := range st.Earlier {
					if x.OrgID == pt.ID && x.Alternative == alt {
						c.Earlier = x.Stance
					}
				}
				contested = contested || c.Stance == text.Reject || c.Stance == text.Amend
				awaiting = awaiting || c.Stance == text.Reserve
				row.Cells = append(row.Cells, c)
			}
			if alt == "" && len(para.Options) > 0 && !any {
				continue // the paragraph as a whole: shown only when someone spoke to it
			}
			agreed := st.Status == text.StatusAgreed || st.Status == text.StatusAdReferendum
			switch {
			case filter == "contested" && (agreed || !contested):
				continue
			case filter == "awaiting" && !awaiting:
				continue
			}
			d.Rows = append(d.Rows, row)
		}
		for _, x := range st.Positions {
			if x.Stance == text.Amend {
				d.Amendments = append(d.Amendments, x)
			}
		}
	}
	return d
}

// hasPending reports whether the paragraph (or its option alt) holds a
// bracket pending instructions.
func hasPending(p text.Paragraph, alt string) bool {
	var walk func([]text.Span) bool
	walk = func(ss []text.Span) bool {
		for _, s := range ss {
			if s.Kind == text.Pending || walk(s.Children) {
				return true
			}
		}
		return false
	}
	if alt == "" {
		return walk(p.Spans)
	}
	o, _ := p.Option(alt)
	return walk(o.Spans)
}

// textComparePage is the comparison of two revisions.
type textComparePage struct {
	page
	Text       text.Text
	From, To   int
	Revisions  []int
	Comparison text.Comparison
}

func (w *Web) textCompare(rw http.ResponseWriter, r *http.Request, v *viewer) {
	t, err := w.text.Text(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	to, _ := strconv.Atoi(r.URL.Query().Get("to"))
	if to < 1 {
		to = t.Revision
	}
	if from < 1 {
		from = max(to-1, 1)
	}
	cmp, err := w.text.Compare(r.Context(), v.Actor(), t.ID, from, to)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.NotFound {
			w.notFound(rw, r)
			return
		}
		w.fail(rw, r, err)
		return
	}
	p := textComparePage{page: w.page(r, v), Text: t, From: from, To: to, Comparison: cmp}
	for i := 1; i <= t.Revision; i++ {
		p.Revisions = append(p.Revisions, i)
	}
	w.renderPage(rw, r, http.StatusOK, pageTextCompare, p)
}

// textExport downloads an issued revision as print-ready HTML, Markdown or
// Akoma Ntoso XML. The pages link here rather than to the API's export,
// which wants a bearer token a browser does not send.
func (w *Web) textExport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		w.notFound(rw, r)
		return
	}
	ex, err := w.text.Export(r.Context(), v.Actor(), r.PathValue("id"), n, r.URL.Query().Get("format"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", ex.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	disposition := "attachment"
	if ex.StyleHash != "" {
		// The print view opens in the browser, ready to print to PDF.
		disposition = "inline"
	}
	h.Set("Content-Disposition", disposition+`; filename="`+ex.Filename+`"`)
	if ex.StyleHash != "" {
		// The print page's one stylesheet, allowed by its hash.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src "+ex.StyleHash+"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	}
	rw.WriteHeader(http.StatusOK)
	rw.Write(ex.Body)
}
