package web

import (
	"net/http"

	"parley/internal/errs"
)

// proposalAnswer records the viewer's party's answer to a participant
// proposed for the round, or the viewer's organisation's answer to its own
// invitation (talks.AcceptParticipant checks that the viewer is a head of a
// party taking part, or of the organisation proposed), then goes back to
// the round's participants, or to the invitations while the round is not
// the viewer's yet.
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
	roundID, org := r.PathValue("id"), r.PathValue("org")
	joined, err := w.talks.AcceptParticipant(r.Context(), v.Actor(), roundID, org, accept == "yes")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if org == v.Actor().Org && !joined {
		// An invitation answered: the round is not the viewer's yet.
		redirect(rw, r, "/#invitations")
		return
	}
	redirect(rw, r, "/rounds/"+roundID+"#participants")
}
