package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"parley/internal/access"
	"parley/internal/bargain"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/router"
	"parley/internal/talks"
)

// The package analysis (issue 5, docs/bargain.md): a party's elicitation
// page, where it enters its confidential profile, and the mediation's
// analysis page with the domain, the frontier chart or table, the fair
// points, the draft package and proposals. /rounds/{id}/bargain shows
// whichever the viewer's capacity in the round gives; anyone else gets 404.

const (
	pageBargainProfile  = "bargain_profile"
	pageBargainAnalysis = "bargain_analysis"
)

func init() {
	pageNames = append(pageNames, pageBargainProfile, pageBargainAnalysis)
}

// maxFrontierRows bounds the frontier rows a page lists; the chart shows
// every stored point.
const maxFrontierRows = 200

// registerBargain adds the package-analysis pages to mux.
func (w *Web) registerBargain(mux *router.Mux) {
	route := func(h handler) http.HandlerFunc { return w.user(w.withService(w.bargain != nil, h)) }
	mux.HandleFunc("GET /rounds/{id}/bargain", route(w.bargainShow))
	mux.HandleFunc("POST /rounds/{id}/bargain/profile", route(w.bargainProfileSave))
	mux.HandleFunc("POST /rounds/{id}/bargain/profile/import", route(w.bargainProfileImport))
	mux.HandleFunc("GET /rounds/{id}/bargain/profile/export", route(w.bargainProfileExport))
	mux.HandleFunc("POST /rounds/{id}/bargain/domain", route(w.bargainDomainSave))
	mux.HandleFunc("POST /rounds/{id}/bargain/domain/import", route(w.bargainDomainImport))
	mux.HandleFunc("GET /rounds/{id}/bargain/domain/export", route(w.bargainDomainExport))
	mux.HandleFunc("POST /rounds/{id}/bargain/draft", route(w.bargainDraftSave))
}

// bidLine is one issue of a package as a page shows it.
type bidLine struct{ Issue, Option string }

func bidLines(d *bargain.Domain, b bargain.Bid) []bidLine {
	var out []bidLine
	for _, is := range d.Issues {
		out = append(out, bidLine{Issue: is.Name, Option: b[is.Name]})
	}
	return out
}

// pct writes a 0–1 utility as a percentage with one decimal.
func pct(u float64) string { return strconv.FormatFloat(math.Round(u*1000)/10, 'f', 1, 64) }

// ratingText writes a 0–1 rating on the page's 0–100 scale.
func ratingText(u float64) string { return strconv.FormatFloat(math.Round(u*10000)/100, 'f', -1, 64) }

// --- the party's elicitation page ---

type optionField struct {
	Field, Value, Rating string
}

type issueField struct {
	Index                   int
	Name, AgendaTitle       string
	Weight                  string
	Discrete                bool
	Options                 []optionField
	Low, High               string // a numeric issue's range
	LowRating, HighRating   string
	WeightField, LowField   string
	HighField, RatingPrefix string
}

type questionView struct {
	Index, Number int
	Field         string
	A, B          []bidLine
	Prefer        string
	Contradicted  bool
}

type bargainProfilePage struct {
	page
	forms
	Round       talks.Round
	HasDomain   bool
	Saved       bool // a profile is stored
	Stale       bool
	Shared      bool
	Rescaled    bool // the weights were brought to a total of 100
	Notice      string
	Issues      []issueField
	Reservation string
	Questions   []questionView
	Contradicts bool
}

func (w *Web) bargainShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.bargainAgain(rw, r, v, r.PathValue("id"), nil)
}

// bargainAgain shows the page of the viewer's capacity, with f's errors
// when a form was refused.
func (w *Web) bargainAgain(rw http.ResponseWriter, r *http.Request, v *viewer, roundID string, f *form) {
	round, err := w.talks.Round(r.Context(), v.Actor(), roundID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	switch {
	case round.As.In(access.Party):
		w.bargainProfilePage(rw, r, v, round, f)
	case round.As.Mediates():
		w.bargainAnalysisPage(rw, r, v, round, f)
	default:
		w.notFound(rw, r)
	}
}

func agendaTitles(round talks.Round) map[string]string {
	out := map[string]string{}
	for _, it := range round.Agenda {
		out[it.ID] = it.Title
	}
	return out
}

func (w *Web) bargainProfilePage(rw http.ResponseWriter, r *http.Request, v *viewer, round talks.Round, f *form) {
	ctx, actor := r.Context(), v.Actor()
	p := bargainProfilePage{page: w.page(r, v), forms: forms{failed: f}, Round: round}
	switch r.URL.Query().Get("saved") {
	case "1":
		p.Notice = v.L.T("bargain.saved")
	case "rescaled":
		p.Notice, p.Rescaled = v.L.T("bargain.saved_rescaled"), true
	case "imported":
		p.Notice = v.L.T("bargain.imported")
	}
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	rd, err := w.bargain.Domain(ctx, actor, round.ID)
	if errs.Code(err) == errs.NotFound {
		w.renderPage(rw, r, status, pageBargainProfile, p)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p.HasDomain = true
	sp, err := w.bargain.Profile(ctx, actor, round.ID)
	has := err == nil
	if err != nil && errs.Code(err) != errs.NotFound {
		w.fail(rw, r, err)
		return
	}
	p.Saved, p.Stale, p.Shared = has, has && sp.Stale, sp.Shared
	usable := has && !sp.Stale
	titles := agendaTitles(round)
	n := len(rd.Domain.Issues)
	for i, is := range rd.Domain.Issues {
		fi := issueField{Index: i, Name: is.Name, AgendaTitle: titles[rd.Agenda[is.Name]], Discrete: is.Range == nil,
			WeightField: fmt.Sprintf("weight.%d", i), LowField: fmt.Sprintf("low.%d", i), HighField: fmt.Sprintf("high.%d", i)}
		iu, ok := sp.Profile.Issues[is.Name]
		if usable && ok {
			fi.Weight = strconv.FormatFloat(iu.Weight, 'f', -1, 64)
		} else {
			fi.Weight = strconv.Itoa(equalShare(100, n, i))
		}
		if is.Range != nil {
			fi.Low, fi.High = is.Range.Low, is.Range.High
			if usable && iu.Number != nil {
				fi.LowRating, fi.HighRating = ratingText(iu.Number.LowUtility), ratingText(iu.Number.HighUtility)
			}
		} else {
			for k, o := range is.Values {
				of := optionField{Field: fmt.Sprintf("rating.%d.%d", i, k), Value: o}
				if usable {
					if u, ok := iu.Values[o]; ok {
						of.Rating = ratingText(u)
					}
				}
				fi.Options = append(fi.Options, of)
			}
		}
		p.Issues = append(p.Issues, fi)
	}
	if usable && sp.Profile.ReservationValue != nil {
		p.Reservation = ratingText(*sp.Profile.ReservationValue)
	}
	qs := bargain.Questions(&rd.Domain, questionSeed(round.ID, actor.Org, rd.Version), bargain.MaxQuestions)
	var answers []bargain.Answer
	for k, q := range qs {
		prefer := ""
		for _, a := range sp.Answers {
			if sameBid(a.A, q.A) && sameBid(a.B, q.B) {
				prefer = a.Prefer
			}
		}
		q.Prefer = prefer
		answers = append(answers, q)
		p.Questions = append(p.Questions, questionView{Index: k, Number: k + 1, Field: fmt.Sprintf("q.%d", k),
			A: bidLines(&rd.Domain, q.A), B: bidLines(&rd.Domain, q.B), Prefer: prefer})
	}
	if usable {
		for _, k := range bargain.Contradictions(&rd.Domain, &sp.Profile, answers) {
			p.Questions[k].Contradicted, p.Contradicts = true, true
		}
	}
	w.renderPage(rw, r, status, pageBargainProfile, p)
}

func sameBid(x, y bargain.Bid) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if y[k] != v {
			return false
		}
	}
	return true
}

// questionSeed makes the comparison questions stable for a party and a
// domain version, and different between parties.
func questionSeed(round, org string, version int) string {
	return fmt.Sprintf("%s/%s/%d", round, org, version)
}

// equalShare is the i-th of n integer parts of total, as equal as possible.
func equalShare(total, n, i int) int {
	s := total / n
	if i < total%n {
		s++
	}
	return s
}

// normalise brings non-negative weights to integers summing to 100 by the
// largest remainder, so that the page's sliders always total 100 without
// script. It reports whether anything changed.
func normalise(ws []float64) ([]int, bool) {
	var sum float64
	for _, x := range ws {
		sum += x
	}
	out := make([]int, len(ws))
	rem := make([]float64, len(ws))
	got := 0
	for i, x := range ws {
		e := x / sum * 100
		out[i] = int(math.Floor(e))
		rem[i] = e - float64(out[i])
		got += out[i]
	}
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return 0
	})
	for k := 0; got < 100; k++ {
		out[order[k%len(order)]]++
		got++
	}
	changed := false
	for i, x := range ws {
		changed = changed || float64(out[i]) != x
	}
	return out, changed
}

// score reads a 0–100 field.
func score(f *form, l *i18n.Localizer, field string, required bool) (float64, bool, bool) {
	s := strings.TrimSpace(f.Values.Get(field))
	if s == "" {
		if required {
			f.Errors[field] = l.T("bargain.error_score")
		}
		return 0, false, !required
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || x < 0 || x > 100 {
		f.Errors[field] = l.T("bargain.error_score")
		return 0, false, false
	}
	return x, true, true
}

func (w *Web) bargainProfileSave(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	f, rd, ok := w.bargainDomainForm(rw, r, v, "bargain-profile")
	if !ok {
		return
	}
	d := &rd.Domain
	ws := make([]float64, len(d.Issues))
	for i := range d.Issues {
		ws[i], _, _ = score(f, v.L, fmt.Sprintf("weight.%d", i), true)
	}
	p := bargain.Profile{Issues: map[string]bargain.IssueUtility{}}
	for i, is := range d.Issues {
		iu := bargain.IssueUtility{}
		if is.Range != nil {
			lo, _, _ := score(f, v.L, fmt.Sprintf("low.%d", i), true)
			hi, _, _ := score(f, v.L, fmt.Sprintf("high.%d", i), true)
			iu.Number = &bargain.NumberUtility{LowValue: is.Range.Low, LowUtility: lo / 100, HighValue: is.Range.High, HighUtility: hi / 100}
		} else {
			iu.Values = map[string]float64{}
			for k, o := range is.Values {
				x, _, _ := score(f, v.L, fmt.Sprintf("rating.%d.%d", i, k), true)
				iu.Values[o] = x / 100
			}
		}
		p.Issues[is.Name] = iu
	}
	if x, set, _ := score(f, v.L, "reservation", false); set {
		x /= 100
		p.ReservationValue = &x
	}
	var total float64
	for _, x := range ws {
		total += x
	}
	if total <= 0 && !f.HasErrors() {
		f.Errors[""] = v.L.T("bargain.error_weights")
	}
	if f.HasErrors() {
		w.bargainAgain(rw, r, v, roundID, f)
		return
	}
	norm, changed := normalise(ws)
	for i, is := range d.Issues {
		iu := p.Issues[is.Name]
		iu.Weight = float64(norm[i])
		p.Issues[is.Name] = iu
	}
	var answers []bargain.Answer
	for k, q := range bargain.Questions(d, questionSeed(roundID, v.Actor().Org, rd.Version), bargain.MaxQuestions) {
		if pr := f.Values.Get(fmt.Sprintf("q.%d", k)); pr == "a" || pr == "b" {
			q.Prefer = pr
			answers = append(answers, q)
		}
	}
	_, err := w.bargain.SetProfile(r.Context(), v.Actor(), roundID, bargain.ProfileInput{
		Profile: p, Shared: f.Values.Get("shared") == "on", Answers: answers})
	saved := "1"
	if changed {
		saved = "rescaled"
	}
	w.bargainDone(rw, r, v, f, err, "?saved="+saved)
}

// bargainDomainForm parses a POST into a form with id and reads the round's
// domain the form's fields are numbered after; it reports false once it
// has answered.
func (w *Web) bargainDomainForm(rw http.ResponseWriter, r *http.Request, v *viewer, id string) (*form, bargain.RoundDomain, bool) {
	f, ok := w.postForm(rw, r, id)
	if !ok {
		return nil, bargain.RoundDomain{}, false
	}
	rd, err := w.bargain.Domain(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return nil, bargain.RoundDomain{}, false
	}
	return f, rd, true
}

// bargainDone finishes a bargain form: to the round's bargain page with
// query on success, else the form again with the error.
func (w *Web) bargainDone(rw http.ResponseWriter, r *http.Request, v *viewer, f *form, err error, query string) {
	roundID := r.PathValue("id")
	if err != nil {
		w.bargainFormFailed(rw, r, v, roundID, f, err)
		return
	}
	redirect(rw, r, "/rounds/"+roundID+"/bargain"+query)
}

// bargainFormFailed shows a refused form again with the error, naming the
// offending path of a refused file or package.
func (w *Web) bargainFormFailed(rw http.ResponseWriter, r *http.Request, v *viewer, roundID string, f *form, err error) {
	if !f.fail(v.L, err) {
		w.fail(rw, r, err)
		return
	}
	if e, ok := errs.As(err); ok && e.Field != "" {
		f.Errors[""] += " " + v.L.T("bargain.error_at", "Path", e.Field)
	}
	w.bargainAgain(rw, r, v, roundID, f)
}

func (w *Web) bargainProfileImport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	f, ok := w.postForm(rw, r, "bargain-profile-import")
	if !ok {
		return
	}
	format := f.Values.Get("format")
	if format != bargain.FormatGeniusWeb && format != bargain.FormatGeniusXML {
		f.Errors["format"] = v.L.T("error.invalid")
		w.bargainAgain(rw, r, v, roundID, f)
		return
	}
	_, err := w.bargain.ImportProfile(r.Context(), v.Actor(), roundID, format, []byte(f.Values.Get("file")), f.Values.Get("shared") == "on")
	w.bargainDone(rw, r, v, f, err, "?saved=imported")
}

func (w *Web) bargainProfileExport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	format, ctype, name := bargain.FormatGeniusWeb, "application/json", "profile.json"
	if r.URL.Query().Get("format") == bargain.FormatGeniusXML {
		format, ctype, name = bargain.FormatGeniusXML, "application/xml", "profile.xml"
	}
	b, err := w.bargain.ExportProfile(r.Context(), v.Actor(), r.PathValue("id"), format)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	download(rw, ctype, name, b)
}

func download(rw http.ResponseWriter, ctype, name string, b []byte) {
	h := rw.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(http.StatusOK)
	rw.Write(b)
}

// --- the mediation's analysis page ---

type domainRow struct {
	Index, Number          int
	Name, Values           string
	Low, High, Step        string
	AgendaItem             string
	NameField, ValuesFld   string
	LowFld, HighFld, StFld string
	AgendaFld              string
}

type pointView struct {
	Key   string // nash, kalai, max_welfare, draft
	Label string
	Bid   []bidLine
	Utils []string
}

type frontierRow struct {
	Index  int // the package's index on the frontier, in proposal keys
	Number int // Index + 1: rows are numbered from 1 for readers
	Utils  []string
	Bid    []bidLine
	Marks  []string
}

type sortLink struct {
	Label, Href string
	Current     bool
	Desc        bool
}

type chartDot struct {
	X, Y  string
	Title string
	Class string
	// R is the radius: each solution has its own, so that solutions on the
	// same package draw as concentric rings, none hiding another.
	R string
}

type chartView struct {
	ID, Title, XLabel, YLabel string
	Polyline                  string
	Dots                      []chartDot
	Marks                     []chartDot
	Ticks                     []chartTick
}

type chartTick struct {
	Pos, Label string
}

type sharedView struct {
	OrgName string
	Weights []bidLine
}

type draftIssue struct {
	Index    int
	Field    string
	Name     string
	Options  []string
	Selected string
}

type bargainAnalysisPage struct {
	page
	forms
	Round        talks.Round
	Agenda       []talks.AgendaItem
	HasDomain    bool
	DomainName   string
	DomainRows   []domainRow
	Analysis     bargain.RoundAnalysis
	Parties      []string
	Points       []pointView
	Draft        *pointView
	DraftStatus  string
	Improvements []frontierRow
	DraftIssues  []draftIssue
	Rows         []frontierRow
	RowsShown    int
	SortLinks    []sortLink
	Charts       []chartView
	Shared       []sharedView
	Proposal     *bargain.Proposal
	ProposalText string
	Notice       string
}

func (w *Web) bargainAnalysisPage(rw http.ResponseWriter, r *http.Request, v *viewer, round talks.Round, f *form) {
	ctx, actor, l := r.Context(), v.Actor(), v.L
	p := bargainAnalysisPage{page: w.page(r, v), forms: forms{failed: f}, Round: round, Agenda: round.Agenda}
	if r.URL.Query().Get("saved") != "" {
		p.Notice = l.T("bargain.saved")
	}
	rd, err := w.bargain.Domain(ctx, actor, round.ID)
	switch {
	case err == nil:
		p.HasDomain, p.DomainName = true, rd.Domain.Name
	case errs.Code(err) != errs.NotFound:
		w.fail(rw, r, err)
		return
	}
	for i, is := range rd.Domain.Issues {
		row := domainRow{Index: i, Name: is.Name, Values: strings.Join(is.Values, "\n"), AgendaItem: rd.Agenda[is.Name]}
		if is.Range != nil {
			row.Low, row.High, row.Step = is.Range.Low, is.Range.High, is.Range.Step
		}
		p.DomainRows = append(p.DomainRows, row)
	}
	for i := len(p.DomainRows); i < len(rd.Domain.Issues)+2; i++ {
		p.DomainRows = append(p.DomainRows, domainRow{Index: i})
	}
	for i := range p.DomainRows {
		row := &p.DomainRows[i]
		row.Number = i + 1
		row.NameField, row.ValuesFld = fmt.Sprintf("issue.%d.name", i), fmt.Sprintf("issue.%d.values", i)
		row.LowFld, row.HighFld, row.StFld = fmt.Sprintf("issue.%d.low", i), fmt.Sprintf("issue.%d.high", i), fmt.Sprintf("issue.%d.step", i)
		row.AgendaFld = fmt.Sprintf("issue.%d.agenda", i)
	}
	ra, err := w.bargain.Analysis(ctx, actor, round.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Analysis = ra
	for _, pt := range ra.Parties {
		p.Parties = append(p.Parties, pt.OrgName)
	}
	d := &rd.Domain
	mark := func(key string, pt *bargain.Point) {
		if pt == nil {
			return
		}
		pv := pointView{Key: key, Label: l.T("bargain.point." + key), Bid: bidLines(d, pt.Bid)}
		for _, u := range pt.Utilities {
			pv.Utils = append(pv.Utils, pct(u))
		}
		p.Points = append(p.Points, pv)
	}
	mark(bargain.ProposeNash, ra.Nash)
	mark(bargain.ProposeKalai, ra.Kalai)
	mark(bargain.ProposeMaxWelfare, ra.MaxWelfare)
	current, _ := w.bargain.Draft(ctx, actor, round.ID)
	if ra.Draft != nil {
		mark(bargain.ProposeDraft, &ra.Draft.Draft)
		p.Draft = &p.Points[len(p.Points)-1]
		p.DraftStatus = l.T("bargain.draft_status." + ra.Draft.Status)
		for _, im := range ra.Draft.Improvements {
			p.Improvements = append(p.Improvements, frontierRowOf(d, -1, im, nil))
		}
	}
	for i, is := range d.Issues {
		opts, _ := is.Options()
		p.DraftIssues = append(p.DraftIssues, draftIssue{Index: i, Field: fmt.Sprintf("draft.%d", i), Name: is.Name, Options: opts, Selected: current[is.Name]})
	}
	w.frontierTable(&p, r, d)
	p.Charts = charts(ra, l)
	ps, err := w.bargain.Profiles(ctx, actor, round.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, sp := range ps {
		if sp.Stale {
			continue
		}
		var total float64
		for _, iu := range sp.Profile.Issues {
			total += iu.Weight
		}
		sv := sharedView{OrgName: sp.OrgName}
		for _, is := range d.Issues {
			sv.Weights = append(sv.Weights, bidLine{Issue: is.Name, Option: pct(sp.Profile.Issues[is.Name].Weight / total)})
		}
		p.Shared = append(p.Shared, sv)
	}
	if which := r.URL.Query().Get("propose"); which != "" && ra.Status == bargain.StatusReady {
		pr, err := w.bargain.Propose(ctx, actor, round.ID, which)
		if err == nil {
			p.Proposal = &pr
			var b strings.Builder
			b.WriteString(l.T("bargain.proposal_intro", "Round", round.Name))
			b.WriteString("\n")
			for _, line := range pr.Lines {
				if line.AgendaTitle != "" {
					b.WriteString("- " + l.T("bargain.proposal_line_agenda", "Issue", line.Issue, "Agenda", line.AgendaTitle, "Option", line.Option) + "\n")
				} else {
					b.WriteString("- " + l.T("bargain.proposal_line", "Issue", line.Issue, "Option", line.Option) + "\n")
				}
			}
			p.ProposalText = b.String()
		}
	}
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageBargainAnalysis, p)
}

func frontierRowOf(d *bargain.Domain, k int, pt bargain.Point, marks []string) frontierRow {
	row := frontierRow{Index: k, Number: k + 1, Bid: bidLines(d, pt.Bid), Marks: marks}
	for _, u := range pt.Utilities {
		row.Utils = append(row.Utils, pct(u))
	}
	return row
}

// frontierTable lists the frontier sorted by the column the query names
// (server-side, so the links work without script).
func (w *Web) frontierTable(p *bargainAnalysisPage, r *http.Request, d *bargain.Domain) {
	ra := p.Analysis
	col, _ := strconv.Atoi(r.URL.Query().Get("sort"))
	if col < 0 || col >= len(ra.Parties) {
		col = 0
	}
	desc := r.URL.Query().Get("dir") != "asc"
	order := make([]int, len(ra.Frontier))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := ra.Frontier[a].Utilities[col], ra.Frontier[b].Utilities[col]
		if desc {
			x, y = y, x
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	same := func(x *bargain.Point, y bargain.Point) bool {
		return x != nil && sameBid(x.Bid, y.Bid)
	}
	for _, k := range order {
		if len(p.Rows) == maxFrontierRows {
			break
		}
		pt := ra.Frontier[k]
		var marks []string
		if same(ra.Nash, pt) {
			marks = append(marks, p.L.T("bargain.point.nash"))
		}
		if same(ra.Kalai, pt) {
			marks = append(marks, p.L.T("bargain.point.kalai"))
		}
		if same(ra.MaxWelfare, pt) {
			marks = append(marks, p.L.T("bargain.point.max_welfare"))
		}
		if ra.Draft != nil && same(&ra.Draft.Draft, pt) {
			marks = append(marks, p.L.T("bargain.point.draft"))
		}
		p.Rows = append(p.Rows, frontierRowOf(d, k, pt, marks))
	}
	p.RowsShown = len(p.Rows)
	for i, name := range p.Parties {
		dir := "desc"
		if i == col && desc {
			dir = "asc"
		}
		q := url.Values{"sort": {strconv.Itoa(i)}, "dir": {dir}}
		p.SortLinks = append(p.SortLinks, sortLink{Label: name, Href: "/rounds/" + p.Round.ID + "/bargain?" + q.Encode() + "#frontier",
			Current: i == col, Desc: i == col && desc})
	}
}

// Chart geometry, in SVG user units.
const (
	chartSize   = 320.0
	chartMargin = 40.0
)

func chartXY(x, y float64) (string, string) {
	span := chartSize - 2*chartMargin
	return strconv.FormatFloat(chartMargin+x*span, 'f', 1, 64), strconv.FormatFloat(chartSize-chartMargin-y*span, 'f', 1, 64)
}

// charts draws the frontier for every pair of parties: one chart for two
// parties, three for three, and so on.
func charts(ra bargain.RoundAnalysis, l *i18n.Localizer) []chartView {
	if ra.Status != bargain.StatusReady || len(ra.Parties) < 2 {
		return nil
	}
	var out []chartView
	for a := 0; a < len(ra.Parties); a++ {
		for b := a + 1; b < len(ra.Parties); b++ {
			out = append(out, chart(ra, a, b, l))
		}
	}
	return out
}

func chart(ra bargain.RoundAnalysis, a, b int, l *i18n.Localizer) chartView {
	cv := chartView{ID: fmt.Sprintf("chart-%d-%d", a, b), XLabel: ra.Parties[a].OrgName, YLabel: ra.Parties[b].OrgName,
		Title: l.T("bargain.chart_title", "X", ra.Parties[a].OrgName, "Y", ra.Parties[b].OrgName)}
	pts := slices.Clone(ra.Frontier)
	slices.SortStableFunc(pts, func(p, q bargain.Point) int {
		switch {
		case p.Utilities[a] < q.Utilities[a]:
			return -1
		case p.Utilities[a] > q.Utilities[a]:
			return 1
		}
		return 0
	})
	var line []string
	for _, pt := range pts {
		x, y := chartXY(pt.Utilities[a], pt.Utilities[b])
		cv.Dots = append(cv.Dots, chartDot{X: x, Y: y, Class: "frontier",
			Title: fmt.Sprintf("%s %s · %s %s", ra.Parties[a].OrgName, pct(pt.Utilities[a]), ra.Parties[b].OrgName, pct(pt.Utilities[b]))})
		line = append(line, x+","+y)
	}
	if len(ra.Parties) == 2 {
		// With two parties the frontier is a staircase: joining it in
		// order of the first party's utility draws it.
		cv.Polyline = strings.Join(line, " ")
	}
	mk := func(key string, pt *bargain.Point) {
		if pt == nil {
			return
		}
		x, y := chartXY(pt.Utilities[a], pt.Utilities[b])
		cv.Marks = append(cv.Marks, chartDot{X: x, Y: y, Class: "mark-" + strings.ReplaceAll(key, "_", "-"), Title: l.T("bargain.point." + key), R: markRadius[key]})
	}
	mk(bargain.ProposeMaxWelfare, ra.MaxWelfare)
	mk(bargain.ProposeKalai, ra.Kalai)
	mk(bargain.ProposeNash, ra.Nash)
	if ra.Draft != nil {
		mk(bargain.ProposeDraft, &ra.Draft.Draft)
	}
	for _, t := range []float64{0, 0.5, 1} {
		pos, _ := chartXY(t, 0)
		cv.Ticks = append(cv.Ticks, chartTick{Pos: pos, Label: pct(t)})
	}
	return cv
}

// markRadius gives each solution's ring its own size, widest first in
// drawing order, so that coinciding solutions stay distinguishable.
var markRadius = map[string]string{
	bargain.ProposeMaxWelfare: "13", bargain.ProposeKalai: "9.5", bargain.ProposeNash: "6", bargain.ProposeDraft: "3.5",
}

func (w *Web) bargainDomainSave(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	f, ok := w.postForm(rw, r, "bargain-domain")
	if !ok {
		return
	}
	d := bargain.Domain{Name: strings.TrimSpace(f.Values.Get("name"))}
	links := map[string]string{}
	for i := 0; i <= bargain.MaxIssues; i++ {
		get := func(k string) string { return strings.TrimSpace(f.Values.Get(fmt.Sprintf("issue.%d.%s", i, k))) }
		name := get("name")
		if name == "" {
			continue
		}
		is := bargain.Issue{Name: name}
		for _, o := range strings.Split(get("values"), "\n") {
			if o = strings.TrimSpace(o); o != "" {
				is.Values = append(is.Values, o)
			}
		}
		if len(is.Values) == 0 {
			is.Range = &bargain.NumberRange{Low: get("low"), High: get("high"), Step: get("step")}
		}
		d.Issues = append(d.Issues, is)
		if item := get("agenda"); item != "" {
			links[name] = item
		}
	}
	_, err := w.bargain.SetDomain(r.Context(), v.Actor(), roundID, d, links)
	w.bargainDone(rw, r, v, f, err, "?saved=1")
}

func (w *Web) bargainDomainImport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	f, ok := w.postForm(rw, r, "bargain-domain-import")
	if !ok {
		return
	}
	_, err := w.bargain.ImportDomain(r.Context(), v.Actor(), roundID, []byte(f.Values.Get("file")))
	w.bargainDone(rw, r, v, f, err, "?saved=1")
}

func (w *Web) bargainDomainExport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	b, err := w.bargain.ExportDomain(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	download(rw, "application/json", "domain.json", b)
}

func (w *Web) bargainDraftSave(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	f, rd, ok := w.bargainDomainForm(rw, r, v, "bargain-draft")
	if !ok {
		return
	}
	b := bargain.Bid{}
	for i, is := range rd.Domain.Issues {
		b[is.Name] = f.Values.Get(fmt.Sprintf("draft.%d", i))
	}
	_, err := w.bargain.SetDraft(r.Context(), v.Actor(), roundID, b)
	w.bargainDone(rw, r, v, f, err, "?saved=1#draft")
}
