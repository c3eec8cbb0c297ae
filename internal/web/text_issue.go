package web

import (
	"net/http"
	"strconv"

	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/text"
)

// Issuing a revision (docs/text.md, "Drafts and revisions"): the editor's
// "Review and issue" button posts the textarea as it stands. What differs
// from the latest saved draft is saved first (or refused, with the edits
// kept in the editor), and the mediation sees exactly what the parties will
// receive before confirming. The confirmation names the reviewed draft, so
// a save made since then is refused instead of issued unseen.

const pageTextIssue = "text_issue"

func init() { pageNames = append(pageNames, pageTextIssue) }

// textIssuePage is the preview of the next revision.
type textIssuePage struct {
	page
	Text  text.Text
	Next  int
	Draft text.Draft
	Doc   textDocument
	// Changes is the word-level comparison with the latest revision; nil
	// before Rev.1.
	Changes [][]text.Segment
	Latest  int
}

// textIssuePreview saves the editor's text when it changed and shows the
// revision it would issue.
func (w *Web) textIssuePreview(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "draft")
	if !ok {
		return
	}
	ctx, actor, id := r.Context(), v.Actor(), r.PathValue("id")
	ds, err := w.text.Drafts(ctx, actor, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(ds) == 0 {
		// The text is readable, its drafts are not: not the mediation.
		w.fail(rw, r, errs.New(errs.Forbidden, "only the mediation of this round drafts its text"))
		return
	}
	d := ds[0]
	if src, posted := r.PostForm["source"]; posted && src[0] != d.Source {
		if d, err = w.text.SaveDraft(ctx, actor, id, src[0]); err != nil {
			w.textDone(rw, r, v, f, err, id, 0, "", "source")
			return
		}
	}
	w.textIssueShow(rw, r, v, id, d)
}

// textIssueShow renders the preview of draft d as the next revision.
func (w *Web) textIssueShow(rw http.ResponseWriter, r *http.Request, v *viewer, id string, d text.Draft) {
	ctx, actor := r.Context(), v.Actor()
	t, err := w.text.Text(ctx, actor, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	doc, err := text.Parse(d.Source)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := textIssuePage{page: w.page(r, v), Text: t, Next: t.Revision + 1, Draft: d, Latest: t.Revision,
		Doc: documentOf(v, "issue-preview", doc)}
	if t.Revision > 0 {
		last, err := w.text.Revision(ctx, actor, t.ID, t.Revision)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		p.Changes = text.Lines(text.Diff(text.Plain(last.Document, nil), text.Plain(doc, nil)))
	}
	w.renderPage(rw, r, http.StatusOK, pageTextIssue, p)
}

// textIssue issues the reviewed draft (its number in "seq").
func (w *Web) textIssue(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "draft")
	if !ok {
		return
	}
	id := r.PathValue("id")
	seq, _ := strconv.Atoi(r.PostForm.Get("seq"))
	_, err := w.text.IssueDraft(r.Context(), v.Actor(), id, seq)
	if e, ok := errs.As(err); ok && (e.Code == text.CodeDraftChanged || e.Field == "seq") {
		// The draft moved on since the review: review the latest one.
		f.Errors[""] = v.L.T("text.issue.changed")
		f.Status = http.StatusConflict
		f.Values = nil // the editor shows the latest draft, not this form
		w.textAgain(rw, r, v, id, 0, f)
		return
	}
	w.textDone(rw, r, v, f, err, id, 0, "/texts/"+id, "source")
}

// textDocument is the data of the "text_document" template: a text as the
// parties read it, without positions.
type textDocument struct {
	L        *i18n.Localizer
	ID       string // the article's id; paragraphs are ID-para-N
	Title    string
	Preamble []string
	Sections []sectionView
}

func documentOf(v *viewer, id string, doc *text.Document) textDocument {
	return textDocument{L: v.L, ID: id, Title: doc.Title, Preamble: doc.Preamble,
		Sections: sectionsOf(text.Revision{Document: doc}, "")}
}
