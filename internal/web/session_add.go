package web

import (
	"net/http"
	"time"

	"parley/internal/errs"
	"parley/internal/talks"
)

// timeLayout is the value of an <input type="datetime-local">. Session times
// are entered and shown in UTC (the page says so): the round's location
// does not tell parley its time zone.
const timeLayout = "2006-01-02T15:04"

// sessionAdd schedules a session of the round (administrators only). A
// direct session between parties that have not both consented is refused
// with no_direct_consent, shown next to the form.
func (w *Web) sessionAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	f := newForm("session", r)
	in := talks.NewSession{
		Title:  r.PostForm.Get("title"),
		Format: talks.Format(r.PostForm.Get("format")),
		Orgs:   r.PostForm["orgs"],
	}
	if in.Title == "" {
		f.Errors["title"] = v.L.T("error.required")
	}
	if !in.Format.Valid() {
		f.Errors["format"] = v.L.T("error.invalid.format")
	}
	var err error
	if in.StartsAt, err = time.Parse(timeLayout, r.PostForm.Get("starts_at")); err != nil {
		f.Errors["starts_at"] = v.L.T("error.invalid.starts_at")
	}
	if s := r.PostForm.Get("ends_at"); s != "" {
		if in.EndsAt, err = time.Parse(timeLayout, s); err != nil {
			f.Errors["ends_at"] = v.L.T("error.invalid.ends_at")
		}
	}
	if !f.HasErrors() {
		_, err := w.talks.ScheduleSession(r.Context(), v.Actor(), roundID, in)
		if err == nil {
			redirect(rw, r, "/rounds/"+roundID+"#sessions")
			return
		}
		if !f.fail(v.L, err, "title", "format", "starts_at", "ends_at", "orgs") {
			w.fail(rw, r, err)
			return
		}
	}
	w.roundAgain(rw, r, v, roundID, f)
}
