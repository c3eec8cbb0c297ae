package api

import "net/http"

// shareWithGuarantors shares a text's issued revisions with the round's
// guarantors (text.Service.ShareWithGuarantors): the round's
// administrators only; it cannot be withdrawn.
func (a *API) shareWithGuarantors(w http.ResponseWriter, r *http.Request, c call) error {
	return a.textAfter(w, r, c, a.text.ShareWithGuarantors(r.Context(), c.Actor, r.PathValue("id")))
}
