package web

import (
	"net/http"

	"parley/internal/errs"
)

// proposalAnswer records the viewer's party's answer to a participant
// proposed for the round (talks.AcceptParticipant checks that the viewer is
// a head of a party taking part), then goes back to the round's
// participants.
func (w *Web) proposalAnswer(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	accept := r.PostForm.Get("accept")
	if accept != "yes" && accept != "no" {
		w.fail(rw, r, errs.Field("accept", "accept is yes or no"))
		return
	}
	roundID := r.PathValue("id")
	if _, err := w.talks.AcceptParticipant(r.Context(), v.Actor(), roundID, r.PathValue("org"), accept == "yes"); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirect(rw, r, "/rounds/"+roundID+"#participants")
}
