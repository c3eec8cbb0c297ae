package web

import "net/http"

// textGuarantors shares the text's issued revisions with the round's
// guarantors (text.Service.ShareWithGuarantors); the round's
// administrators only.
func (w *Web) textGuarantors(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.postForm(rw, r, "guarantors")
	if !ok {
		return
	}
	id := r.PathValue("id")
	err := w.text.ShareWithGuarantors(r.Context(), v.Actor(), id)
	w.textDone(rw, r, v, f, err, id, 0, "/texts/"+id+"#guarantors")
}
