package web

import (
	"net/http"
)

// pastShare lets a mediation that joined the round later read what the
// viewer's organisation sent the mediation before (talks.SharePast checks
// that the viewer is a head of an organisation taking part and that the
// newcomer is a mediation of the round), then goes back to the round's
// participants.
func (w *Web) pastShare(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	if err := w.talks.SharePast(r.Context(), v.Actor(), roundID, r.PathValue("org")); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirect(rw, r, "/rounds/"+roundID+"#past-shares")
}
