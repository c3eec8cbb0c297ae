package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/talks"
)

// The statements desk: an organisation drafts its public statements and
// releases them. Before a statement is public only its organisation and
// the mediation read it, so the desk lists what channel.StatementDrafts
// returns for the viewer: its organisation's drafts and scheduled
// releases, and on the mediation's desk every other organisation's drafts
// too (which it reads but does not release).

const pageStatementsDesk = "statements_desk"

func init() {
	pageNames = append(pageNames, pageStatementsDesk)
}

// deskPage is the data of the statements desk.
type deskPage struct {
	page
	forms
	// CanDraft: the viewer belongs to an organisation, which is all
	// channel.CreateStatement asks.
	CanDraft bool
	// Mediates: the viewer's organisation is the mediation of a round it
	// takes part in, whose desk also shows the other organisations' drafts
	// (channel.ReadsOthersDrafts); its kind alone gives no such section.
	Mediates bool
	Own      deskList
	Others   deskList
	// ReleaseError is the message of a refused release whose statement is
	// not on the desk to show it next to.
	ReleaseError string
	// Rounds are the rounds a statement may name.
	Rounds []talks.Round
}

// deskList is one of the desk's lists of statements.
type deskList struct {
	L     *i18n.Localizer
	Items []deskItem
}

// deskItem is one statement on the desk.
type deskItem struct {
	L  *i18n.Localizer
	St channel.Statement
	// CanRelease: a draft of the viewer's own organisation, which alone
	// releases it (channel.ReleaseStatement checks it again).
	CanRelease bool
	// Embargoed: the embargo is still ahead, so a release now waits for it.
	Embargoed bool
	Form      *form // the item's release form
	// Edit is the item's edit form; Rounds the rounds it may name.
	Edit   *form
	Rounds []talks.Round
	// Names are the statement's title and body in other languages; its
	// organisation gives them while it may edit the draft (CanRelease).
	Names names
}

// EditValue is a field of the edit form: as refused, else the draft's.
func (it deskItem) EditValue(field string) string {
	if it.Edit.Values != nil {
		return it.Edit.Value(field)
	}
	switch field {
	case "title":
		return it.St.Title
	case "body":
		return it.St.Body
	case "round":
		return it.St.Round.ID
	case "embargo_until":
		if !it.St.EmbargoUntil.IsZero() {
			return it.St.EmbargoUntil.UTC().Format(timeLayout)
		}
	}
	return ""
}

// Scheduled reports whether the statement is released and waits for its
// embargo (the desk lists nothing public).
func (it deskItem) Scheduled() bool { return !it.St.ReleasedAt.IsZero() }

func (w *Web) statementsDesk(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	p, err := w.deskPage(r, v, nil)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, http.StatusOK, pageStatementsDesk, p)
}

// deskPage builds the desk's data; failed is a form refused.
func (w *Web) deskPage(r *http.Request, v *viewer, failed *form) (deskPage, error) {
	actor := v.Actor()
	p := deskPage{page: w.page(r, v), forms: forms{failed: failed}, CanDraft: actor.Org != "",
		Own: deskList{L: v.L}, Others: deskList{L: v.L}}
	sts, err := w.channel.StatementDrafts(r.Context(), actor, channel.MaxLimit)
	if err != nil {
		return p, err
	}
	if p.Mediates, err = w.channel.ReadsOthersDrafts(r.Context(), actor); err != nil {
		return p, err
	}
	if p.Rounds, err = w.roundChoices(r, v); err != nil {
		return p, err
	}
	now := w.now()
	listed := false
	p.Names = w.loadNames(r, actor, statementNameItems(sts...))
	for _, st := range sts {
		it := deskItem{L: v.L, St: st, Embargoed: st.EmbargoUntil.After(now), Form: p.Form("release-" + st.ID),
			Edit: p.Form("edit-" + st.ID), Rounds: p.Rounds, Names: p.Names}
		if st.Org.ID == actor.Org {
			it.CanRelease = st.ReleasedAt.IsZero()
			p.Own.Items = append(p.Own.Items, it)
		} else {
			p.Others.Items = append(p.Others.Items, it)
		}
		listed = listed || it.CanRelease && failed != nil && failed.ID == "release-"+st.ID
	}
	if failed != nil && strings.HasPrefix(failed.ID, "release-") && !listed {
		p.ReleaseError = failed.Err("")
	}
	return p, nil
}

// embargoLayouts are the values an <input type="datetime-local"> sends,
// read as UTC (the form says so).
var embargoLayouts = []string{timeLayout, "2006-01-02T15:04:05"}

func parseEmbargo(s string) (time.Time, bool) {
	for _, layout := range embargoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// statementDraft saves a draft from the desk's form and shows it on the
// desk; refused input shows the form again as typed, nothing saved.
func (w *Web) statementDraft(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if !w.channelForm(rw, r) {
		return
	}
	f := newForm("statement", r)
	in := statementInput(f, v)
	if !f.HasErrors() {
		st, err := w.channel.CreateStatement(r.Context(), v.Actor(), in)
		if err == nil {
			redirect(rw, r, "/statements/desk#s-"+st.ID)
			return
		}
		if !f.fail(v.L, err, "title", "body", "embargo_until", "round") {
			w.fail(rw, r, err)
			return
		}
	}
	w.deskAgain(rw, r, v, f)
}

// statementRelease releases one of the viewer's organisation's drafts: to
// the public page when it is public at once, else back to the desk, where
// it shows as scheduled.
func (w *Web) statementRelease(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if !w.channelForm(rw, r) {
		return
	}
	id := r.PathValue("id")
	st, err := w.channel.ReleaseStatement(r.Context(), v.Actor(), id)
	switch {
	case err == nil && st.Public(w.now()):
		redirect(rw, r, "/statements#s-"+st.ID)
		return
	case err == nil:
		redirect(rw, r, "/statements/desk#s-"+st.ID)
		return
	case errs.Code(err) == errs.NotFound:
		w.fail(rw, r, err)
		return
	}
	f := newForm("release-"+id, r)
	if !f.fail(v.L, err) {
		w.fail(rw, r, err)
		return
	}
	w.deskAgain(rw, r, v, f)
}

// deskAgain shows the desk again with a refused form.
func (w *Web) deskAgain(rw http.ResponseWriter, r *http.Request, v *viewer, f *form) {
	p, err := w.deskPage(r, v, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, f.status(), pageStatementsDesk, p)
}
