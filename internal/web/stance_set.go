package web

import (
	"net/http"
	"strings"

	"parley/internal/errs"
)

// stanceSet records the viewer party's acceptance or refusal of an agenda
// item. htmx gets the item's fragment back; a plain form POST is redirected
// to the item on the round page.
func (w *Web) stanceSet(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID, itemID := r.PathValue("id"), r.PathValue("item")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	f := newForm("stance-"+itemID, r)
	stance := r.PostForm.Get("stance")
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	switch {
	case stance != "accept" && stance != "refuse":
		f.Errors["stance"] = v.L.T("error.invalid.stance")
	case stance == "refuse" && reason == "":
		// A refusal without a reason tells the mediation nothing to work
		// with; the page asks for one.
		f.Errors["reason"] = v.L.T("error.refuse_reason")
	}
	if !f.HasErrors() {
		_, err := w.talks.SetStance(r.Context(), v.Actor(), itemID, stance, reason)
		if err == nil {
			if isHTMX(r) {
				w.agendaItemFragment(rw, r, v, roundID, itemID, nil, http.StatusOK)
				return
			}
			redirect(rw, r, "/rounds/"+roundID+"#agenda-item-"+itemID)
			return
		}
		if !f.fail(v.L, err, "stance", "reason") {
			w.fail(rw, r, err)
			return
		}
	}
	if isHTMX(r) {
		w.agendaItemFragment(rw, r, v, roundID, itemID, f, f.status())
		return
	}
	w.roundAgain(rw, r, v, roundID, f)
}

// agendaItemFragment answers htmx with one agenda item as it now stands.
func (w *Web) agendaItemFragment(rw http.ResponseWriter, r *http.Request, v *viewer, roundID, itemID string, f *form, status int) {
	round, err := w.talks.Round(r.Context(), v.Actor(), roundID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.roundPage(r, v, round, f)
	for _, t := range p.Tracks {
		for _, it := range t.Items {
			if it.Item.ID == itemID {
				w.renderFragment(rw, r, status, fragmentAgendaItem, it)
				return
			}
		}
	}
	w.notFound(rw, r)
}

// roundAgain shows the round page again with a failed form and its errors.
func (w *Web) roundAgain(rw http.ResponseWriter, r *http.Request, v *viewer, roundID string, f *form) {
	round, err := w.talks.Round(r.Context(), v.Actor(), roundID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, f.status(), pageRoundShow, w.roundPage(r, v, round, f))
}
