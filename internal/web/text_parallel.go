package web

import (
	"html/template"
	"net/http"
	"strconv"

	"parley/internal/errs"
	"parley/internal/router"
	"parley/internal/text"
)

// Parallel language versions (docs/text.md): a revision's authoritative
// text and its translations side by side, paragraph by paragraph, each
// column in its own language and direction; the mediation adds a
// translation from the same page.

const pageTextParallel = "text_parallel"

func init() { pageNames = append(pageNames, pageTextParallel) }

// registerTextParallel adds the parallel view and the translation form.
func (w *Web) registerTextParallel(mux *router.Mux) {
	mux.HandleFunc("GET /texts/{id}/revisions/{n}/parallel", w.textPage(w.textParallel))
	mux.HandleFunc("POST /texts/{id}/revisions/{n}/translations", w.textPage(w.textTranslationAdd))
}

// parallelPage is the data of the parallel view.
type parallelPage struct {
	page
	forms
	Text      text.Text
	Number    int
	Columns   []parallelColumn
	Rows      []parallelRow
	Mediation bool   // the viewer adds translations
	Source    string // the authoritative markup, the starting point of a translation
}

// parallelColumn is one language version.
type parallelColumn struct {
	Language, Dir string
	Authoritative bool
	Title         string
	Preamble      []string
	SHA256        string
}

// parallelRow is one paragraph in every language.
type parallelRow struct {
	Number int
	Cells  []parallelCell
}

// parallelCell is a paragraph in one language, with the heading of the
// section it opens, if any.
type parallelCell struct {
	Language, Dir string
	Heading       string
	Lead          template.HTML
	Options       []optionView
}

func (w *Web) textParallel(rw http.ResponseWriter, r *http.Request, v *viewer) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		w.notFound(rw, r)
		return
	}
	w.parallelAgain(rw, r, v, r.PathValue("id"), n, nil)
}

// parallelAgain shows the parallel view of Rev.n, with a failed
// translation form when f is not nil.
func (w *Web) parallelAgain(rw http.ResponseWriter, r *http.Request, v *viewer, textID string, n int, f *form) {
	ctx, actor := r.Context(), v.Actor()
	t, round, err := w.textRound(r, v, textID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rev, err := w.text.Revision(ctx, actor, t.ID, n)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	trs, err := w.text.Translations(ctx, actor, t.ID, n)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := parallelPage{page: w.page(r, v), forms: forms{failed: f}, Text: t, Number: n, Source: rev.Source,
		Mediation: round.As.Mediates()}
	docs := []*text.Document{rev.Document}
	p.Columns = append(p.Columns, parallelColumn{Language: t.Language, Dir: text.Direction(t.Language), Authoritative: true,
		Title: rev.Document.Title, Preamble: rev.Document.Preamble, SHA256: rev.SHA256})
	for _, tr := range trs {
		docs = append(docs, tr.Document)
		p.Columns = append(p.Columns, parallelColumn{Language: tr.Language, Dir: tr.Dir, Title: tr.Document.Title,
			Preamble: tr.Document.Preamble, SHA256: tr.SHA256})
	}
	p.Rows = parallelRows(docs, p.Columns)
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageTextParallel, p)
}

// parallelRows links the documents paragraph by paragraph. Translations
// have the authoritative text's paragraphs and alternatives (the service
// refuses any other), so paragraph i of one is paragraph i of every other.
func parallelRows(docs []*text.Document, cols []parallelColumn) []parallelRow {
	type located struct {
		p       text.Paragraph
		heading string
	}
	per := make([][]located, len(docs))
	for i, d := range docs {
		for _, s := range d.Sections {
			for j, para := range s.Paragraphs {
				l := located{p: para}
				if j == 0 {
					l.heading = s.Heading
				}
				per[i] = append(per[i], l)
			}
		}
	}
	var rows []parallelRow
	for k := range per[0] {
		row := parallelRow{Number: per[0][k].p.Number}
		for i := range docs {
			c := parallelCell{Language: cols[i].Language, Dir: cols[i].Dir}
			if k < len(per[i]) {
				para := per[i][k].p
				c.Heading, c.Lead = per[i][k].heading, text.HTMLSpans(para.Spans)
				for _, o := range para.Options {
					c.Options = append(c.Options, optionView{Label: o.Label, HTML: text.HTMLSpans(o.Spans)})
				}
			}
			row.Cells = append(row.Cells, c)
		}
		rows = append(rows, row)
	}
	return rows
}

// textTranslationAdd adds (or corrects) a translation of Rev.n from the
// mediation's form and shows the parallel view.
func (w *Web) textTranslationAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		w.notFound(rw, r)
		return
	}
	f, ok := w.postForm(rw, r, "translation")
	if !ok {
		return
	}
	id := r.PathValue("id")
	_, err = w.text.SetTranslation(r.Context(), v.Actor(), id, n, r.PostForm.Get("language"), r.PostForm.Get("source"))
	to := "/texts/" + id + "/revisions/" + strconv.Itoa(n) + "/parallel"
	if err == nil {
		redirect(rw, r, to+"#parallel")
		return
	}
	if !f.fail(v.L, err, "language", "source") {
		w.fail(rw, r, err)
		return
	}
	if e, ok := localizeTextError(v, f, err); ok && e.Field == "source" {
		// Where the markup or the structure went wrong, after the
		// localized message, as in the draft editor.
		f.Errors["source"] += " (" + e.Message + ")"
	}
	w.parallelAgain(rw, r, v, id, n, f)
}

// localizeTextError puts the text's own message for the error's code, when
// the catalogue has one, in place of the generic one.
func localizeTextError(v *viewer, f *form, err error) (*errs.Error, bool) {
	e, ok := errs.As(err)
	if !ok {
		return nil, false
	}
	if key := "text.error." + e.Code; v.L.Has(key) {
		for field, msg := range f.Errors {
			if msg != "" {
				f.Errors[field] = v.L.T(key)
			}
		}
	}
	return e, true
}
