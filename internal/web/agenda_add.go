package web

import (
	"net/http"
	"strings"

	"parley/internal/errs"
	"parley/internal/talks"
)

// agendaAdd adds an item to the round's agenda (administrators only). The
// track is one of the standard tracks or, when "other" is chosen, the custom
// track typed next to it.
func (w *Web) agendaAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	roundID := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	f := newForm("agenda", r)
	in := talks.NewAgendaItem{
		Track:       r.PostForm.Get("track"),
		Title:       r.PostForm.Get("title"),
		Description: r.PostForm.Get("description"),
	}
	if in.Track == "other" {
		in.Track = strings.ToLower(strings.TrimSpace(r.PostForm.Get("custom_track")))
		if in.Track == "" {
			f.Errors["custom_track"] = v.L.T("error.required")
		} else if !talks.ValidTrack(in.Track) {
			f.Errors["custom_track"] = v.L.T("error.invalid.track")
		}
	} else if !talks.ValidTrack(in.Track) {
		f.Errors["track"] = v.L.T("error.invalid.track")
	}
	if strings.TrimSpace(in.Title) == "" {
		f.Errors["title"] = v.L.T("error.required")
	}
	if !f.HasErrors() {
		it, err := w.talks.AddAgendaItem(r.Context(), v.Actor(), roundID, in)
		if err == nil {
			redirect(rw, r, "/rounds/"+roundID+"#agenda-item-"+it.ID)
			return
		}
		if !f.fail(v.L, err, "track", "title", "description") {
			w.fail(rw, r, err)
			return
		}
	}
	w.roundAgain(rw, r, v, roundID, f)
}
