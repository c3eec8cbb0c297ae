package web

import (
	"net/http"

	"parley/internal/errs"
)

// consentSet records whether the viewer party consents to direct talks with
// one counterpart in the round. htmx gets the consent section back.
func (w *Web) consentSet(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	f := newForm("consent", r)
	counterpart := r.PostForm.Get("counterpart")
	direct := r.PostForm.Get("direct")
	if direct != "yes" && direct != "no" {
		f.Errors["direct"] = v.L.T("error.invalid.direct")
	}
	if !f.HasErrors() {
		_, err := w.talks.SetConsent(r.Context(), v.Actor(), roundID, counterpart, direct == "yes")
		if err == nil {
			if isHTMX(r) {
				w.consentFragment(rw, r, v, roundID, nil, http.StatusOK)
				return
			}
			redirect(rw, r, "/rounds/"+roundID+"#consent")
			return
		}
		if !f.fail(v.L, err, "counterpart", "direct") {
			w.fail(rw, r, err)
			return
		}
	}
	if isHTMX(r) {
		w.consentFragment(rw, r, v, roundID, f, f.status())
		return
	}
	w.roundAgain(rw, r, v, roundID, f)
}

// consentFragment answers htmx with the consent section as it now stands.
func (w *Web) consentFragment(rw http.ResponseWriter, r *http.Request, v *viewer, roundID string, f *form, status int) {
	round, err := w.talks.Round(r.Context(), v.Actor(), roundID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderFragment(rw, r, status, fragmentConsent, w.roundPage(r, v, round, f).Consent)
}
