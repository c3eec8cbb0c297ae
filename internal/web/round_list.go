package web

import (
	"net/http"

	"parley/internal/access"
	"parley/internal/talks"
)

// roundListPage is the data of the home page.
type roundListPage struct {
	page
	Rounds []talks.Round
	// Invitations are the rounds the viewer's organisation is proposed
	// for; its head accepts or declines each (invitations.html).
	Invitations []talks.Invitation
	// Head: the viewer is a head of its organisation, who answers them.
	Head bool
}

// roundList shows the rounds the viewer's organisation takes part in.
func (w *Web) roundList(rw http.ResponseWriter, r *http.Request, v *viewer) {
	rounds, err := w.talks.Rounds(r.Context(), v.Actor())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	inv, err := w.talks.Invitations(r.Context(), v.Actor())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := roundListPage{page: w.page(r, v), Rounds: rounds, Invitations: inv, Head: v.Actor().Role == access.Head}
	ids := make([]string, len(rounds))
	for i, rd := range rounds {
		ids[i] = rd.ID
	}
	p.Names = w.loadNames(r, v.Actor(), map[string][]string{"round": ids})
	w.renderPage(rw, r, http.StatusOK, pageRoundList, p)
}
