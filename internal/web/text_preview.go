package web

import (
	"net/http"

	"parley/internal/errs"
	"parley/internal/text"
)

// The editor's live preview (issue 11): as the mediation types, htmx posts
// the markup to POST /texts/{id}/preview and swaps in the text as the
// parties will read it, rendered by the same "text_document" template as
// the issue preview, or the markup's error with its line and column.
// Nothing is saved.

const (
	fragmentTextDocument = "text_document"
	fragmentPreviewError = "text_preview_error"
)

func init() {
	fragmentNames = append(fragmentNames, fragmentTextDocument, fragmentPreviewError)
}

// previewError is the data of the "text_preview_error" fragment.
type previewError struct{ Message, Where string }

func (w *Web) textPreview(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if _, ok := w.postForm(rw, r, "draft"); !ok {
		return
	}
	ds, err := w.text.Drafts(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(ds) == 0 {
		// The text is readable, its drafts are not: not the mediation.
		w.fail(rw, r, errs.New(errs.Forbidden, "only the mediation of this round drafts its text"))
		return
	}
	doc, err := text.Parse(r.PostForm.Get("source"))
	if err != nil {
		e, _ := errs.As(err)
		msg := errorMessage(v.L, e)
		if key := "text.error." + e.Code; v.L.Has(key) {
			msg = v.L.T(key)
		}
		w.renderFragment(rw, r, http.StatusOK, fragmentPreviewError, previewError{Message: msg, Where: e.Message})
		return
	}
	w.renderFragment(rw, r, http.StatusOK, fragmentTextDocument, documentOf(v, "draft-preview-text", doc))
}
