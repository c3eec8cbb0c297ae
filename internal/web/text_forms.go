package web

import (
	"fmt"
	"net/http"
	"strconv"

	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/text"
)

// The text page's forms. Each redirects to the page on success and shows
// it again with the form's errors otherwise; the text service checks every
// rule.

// textDone finishes a text form: redirect on success, else the page again
// with the error next to one of fields (or for the whole form).
func (w *Web) textDone(rw http.ResponseWriter, r *http.Request, v *viewer, f *form, err error, textID string, n int, to string, fields ...string) {
	if err == nil {
		redirect(rw, r, to)
		return
	}
	if !f.fail(v.L, err, fields...) {
		w.fail(rw, r, err)
		return
	}
	if e, ok := errs.As(err); ok {
		// The text's own refusals have their own messages.
		if key := "text.error." + e.Code; v.L.Has(key) {
			for field, msg := range f.Errors {
				if msg != "" {
					f.Errors[field] = v.L.T(key)
				}
			}
		}
		// The markup's line:column tells where the source went wrong; the
		// editor shows it after the localized message.
		if e.Field == "source" {
			f.Errors["source"] += " (" + e.Message + ")"
		}
		// A position on a superseded revision is shown again on the
		// current one, where its form is.
		if e.Code == text.CodeSuperseded {
			n = 0
		}
	}
	w.textAgain(rw, r, v, textID, n, f)
}

func (w *Web) textCreate(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "text-create")
	if !ok {
		return
	}
	t, err := w.text.Create(r.Context(), v.Actor(), r.PathValue("id"), text.NewText{
		Title: r.PostForm.Get("title"), AdReferendum: r.PostForm.Get("ad_referendum") == "on"})
	if err == nil {
		redirect(rw, r, "/texts/"+t.ID)
		return
	}
	if !f.fail(v.L, err, "title") {
		w.fail(rw, r, err)
		return
	}
	w.textListAgain(rw, r, v, r.PathValue("id"), f)
}

func (w *Web) textDraftSave(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "draft")
	if !ok {
		return
	}
	id := r.PathValue("id")
	_, err := w.text.SaveDraft(r.Context(), v.Actor(), id, r.PostForm.Get("source"))
	w.textDone(rw, r, v, f, err, id, 0, "/texts/"+id+"#draft", "source")
}

func (w *Web) textFromAmendment(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "draft")
	if !ok {
		return
	}
	id := r.PathValue("id")
	n, _ := strconv.Atoi(r.PostForm.Get("revision"))
	p, _ := strconv.Atoi(r.PostForm.Get("paragraph"))
	_, err := w.text.DraftFromAmendment(r.Context(), v.Actor(), id, n, p, r.PostForm.Get("alternative"), r.PostForm.Get("org"))
	w.textDone(rw, r, v, f, err, id, 0, "/texts/"+id+"#draft")
}

func (w *Web) textSettings(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "settings")
	if !ok {
		return
	}
	id := r.PathValue("id")
	err := w.text.SetAdReferendum(r.Context(), v.Actor(), id, r.PostForm.Get("ad_referendum") == "on")
	w.textDone(rw, r, v, f, err, id, 0, "/texts/"+id+"#desk")
}

func (w *Web) textSummary(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "settings")
	if !ok {
		return
	}
	id := r.PathValue("id")
	err := w.text.SetSummary(r.Context(), v.Actor(), id, r.PathValue("org"), r.PostForm.Get("shared") == "on")
	w.textDone(rw, r, v, f, err, id, 0, "/texts/"+id+"#desk")
}

func (w *Web) textPosition(rw http.ResponseWriter, r *http.Request, v *viewer) {
	n, err1 := strconv.Atoi(r.PathValue("n"))
	p, err2 := strconv.Atoi(r.PathValue("p"))
	if err1 != nil || err2 != nil {
		w.notFound(rw, r)
		return
	}
	f, ok := w.postForm(rw, r, fmt.Sprintf("position-%d", p))
	if !ok {
		return
	}
	id := r.PathValue("id")
	_, err := w.text.SetPosition(r.Context(), v.Actor(), id, n, p, text.PositionInput{
		Alternative: r.PostForm.Get("alternative"), Stance: r.PostForm.Get("stance"),
		Wording: r.PostForm.Get("wording"), Comment: r.PostForm.Get("comment")})
	w.textDone(rw, r, v, f, err, id, n, fmt.Sprintf("/texts/%s/revisions/%d?saved=%d#para-%d", id, n, p, p), "stance", "alternative", "wording", "comment")
}

func (w *Web) textAdopt(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "adopt")
	if !ok {
		return
	}
	id := r.PathValue("id")
	_, err := w.text.Adopt(r.Context(), v.Actor(), id, r.PostForm.Get("password"), r.PostForm.Get("otp"))
	// The password is never refilled.
	f.Values.Del("password")
	w.textDone(rw, r, v, f, err, id, 0, "/texts/"+id+"#adoption", "password", "otp")
}

// textPublish publishes the adopted text as a public statement of the
// mediation, released at once, and shows the statements page.
func (w *Web) textPublish(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "publish")
	if !ok {
		return
	}
	id := r.PathValue("id")
	p, err := w.text.Publication(r.Context(), v.Actor(), id)
	if err == nil && w.channel == nil {
		err = errs.New(errs.Internal, "statements are not configured")
	}
	if err == nil {
		var st channel.Statement
		if st, err = w.channel.CreateStatement(r.Context(), v.Actor(), channel.NewStatement{Title: p.Title, Body: p.Body}); err == nil {
			_, err = w.channel.ReleaseStatement(r.Context(), v.Actor(), st.ID)
		}
	}
	w.textDone(rw, r, v, f, err, id, 0, "/statements")
}
