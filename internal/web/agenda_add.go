package web

import (
	"net/http"
)

// agendaAdd adds an item to the round's agenda (its administrators).
func (w *Web) agendaAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.parseAdminForm(rw, r, "agenda")
	if !ok {
		return
	}
	in := agendaInput(r, v, f)
	var err error
	if !f.HasErrors() {
		_, err = w.talks.AddAgendaItem(r.Context(), v.Actor(), r.PathValue("id"), in)
	}
	w.adminAct(rw, r, v, f, err, "agenda", "agenda", "track", "title", "description")
}
