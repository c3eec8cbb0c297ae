package api

import "net/http"

// shareWithGuarantors shares a text's issued revisions with the round's
// guarantors (text.Service.ShareWithGuarantors): the round's
// administrators only; it cannot be withdrawn.
func (a *API) shareWithGuarantors(w http.ResponseWriter, r *http.Request, c call) {
	svc, err := a.textService()
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := svc.ShareWithGuarantors(r.Context(), c.Actor, r.PathValue("id")); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := svc.Text(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, textJSON(t))
}
