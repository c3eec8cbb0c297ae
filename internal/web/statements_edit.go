package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/router"
	"parley/internal/talks"
)

// The statements desk's corrections (docs/channel.md "The statements
// desk"): an organisation edits or deletes its drafts until it releases
// them, and names the round a statement is about. A released statement
// has a page of its own, /statements/{id}, its permanent link.

const pageStatementShow = "statement_show"

func init() { pageNames = append(pageNames, pageStatementShow) }

// registerStatementEdits adds the desk's edit and delete forms and the
// statement's own page to mux.
func (w *Web) registerStatementEdits(mux *router.Mux) {
	mux.HandleFunc("POST /statements/{id}/edit", w.user(w.statementEdit))
	mux.HandleFunc("POST /statements/{id}/delete", w.user(w.statementDelete))
	mux.HandleFunc("GET /statements/{id}", w.statementShow)
}

// statementInput reads the draft and edit forms: title, body, embargo (UTC)
// and round. A bad embargo is recorded on f.
func statementInput(f *form, v *viewer) channel.NewStatement {
	// Browsers send a textarea's line breaks as CRLF; the statement keeps
	// the plain line breaks the API would send.
	in := channel.NewStatement{Title: f.Value("title"), Body: strings.ReplaceAll(f.Value("body"), "\r\n", "\n"), RoundID: f.Value("round")}
	if s := strings.TrimSpace(f.Value("embargo_until")); s != "" {
		t, ok := parseEmbargo(s)
		if !ok {
			f.Errors["embargo_until"] = v.L.T("error.invalid.embargo_until")
		}
		in.EmbargoUntil = t
	}
	return in
}

// statementEdit saves the desk's edit form of one draft.
func (w *Web) statementEdit(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if !w.channelForm(rw, r) {
		return
	}
	id := r.PathValue("id")
	f := newForm("edit-"+id, r)
	in := statementInput(f, v)
	if !f.HasErrors() {
		_, err := w.channel.EditStatement(r.Context(), v.Actor(), id, in)
		if err == nil {
			redirect(rw, r, "/statements/desk#s-"+id)
			return
		}
		if errs.Code(err) == errs.NotFound || !f.fail(v.L, err, "title", "body", "embargo_until", "round") {
			w.fail(rw, r, err)
			return
		}
	}
	w.deskAgain(rw, r, v, f)
}

// statementDelete deletes one draft of the viewer's organisation.
func (w *Web) statementDelete(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if !w.channelForm(rw, r) {
		return
	}
	id := r.PathValue("id")
	err := w.channel.DeleteStatement(r.Context(), v.Actor(), id)
	if err == nil {
		redirect(rw, r, "/statements/desk#own")
		return
	}
	f := newForm("release-"+id, r)
	if errs.Code(err) == errs.NotFound || !f.fail(v.L, err) {
		w.fail(rw, r, err)
		return
	}
	w.deskAgain(rw, r, v, f)
}

// roundChoices are the rounds a statement of the viewer's organisation may
// name: those it takes part in.
func (w *Web) roundChoices(r *http.Request, v *viewer) ([]talks.Round, error) {
	if v.Actor().Org == "" {
		return nil, nil
	}
	return w.talks.Rounds(r.Context(), v.Actor())
}

// statementPage is one public statement on its own page.
type statementPage struct {
	page
	St        channel.Statement
	Permalink string
}

// statementShow is a released statement's own page, its permanent link:
// no login, and the same 404 as any page for a statement that is not
// public (a draft, an embargo still running, an unknown id).
func (w *Web) statementShow(rw http.ResponseWriter, r *http.Request) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	v, r := w.publicViewer(r)
	st, err := w.channel.Statement(r.Context(), access.Actor{}, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := statementPage{page: w.page(r, v), St: st, Permalink: w.baseURL + "/statements/" + st.ID}
	p.Names = w.loadNames(r, access.Actor{}, statementNameItems(st))
	w.renderPage(rw, r, http.StatusOK, pageStatementShow, p)
}

// roundFieldData is the data of the "statement_round" template: the round
// a statement names, as a select.
type roundFieldData struct {
	ID, Value, Err string
	Rounds         []talks.Round
	L              *i18n.Localizer
}

// publicViewer is the logged-in viewer of a public page, for its
// navigation, or nil (no session, or one awaiting its second factor). The
// request it returns carries the viewer, so that the page and the names
// on it come in the viewer's language.
func (w *Web) publicViewer(r *http.Request) (*viewer, *http.Request) {
	v, _ := w.authenticate(r)
	if v == nil || v.Session.MFAPending {
		return nil, r
	}
	return v, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v))
}
