package web

import (
	"net/http"
)

// timeLayout is the value of an <input type="datetime-local">. Session times
// are entered and shown in UTC (the page says so): the round's location
// does not tell parley its time zone.
const timeLayout = "2006-01-02T15:04"

// sessionAdd schedules a session of the round (its administrators). A
// direct session between parties that have not both consented is refused
// with no_direct_consent, shown next to the form on the administration tab.
func (w *Web) sessionAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.parseAdminForm(rw, r, "session")
	if !ok {
		return
	}
	in := sessionInput(r, v, f)
	var err error
	if !f.HasErrors() {
		_, err = w.talks.ScheduleSession(r.Context(), v.Actor(), r.PathValue("id"), in)
	}
	w.adminAct(rw, r, v, f, err, "session", "sessions", "title", "format", "starts_at", "ends_at", "orgs")
}
