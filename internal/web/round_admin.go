package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/router"
	"parley/internal/talks"
)

// The round's administration tab (issue 11, item 13): its own page, so the
// round page carries no administration forms. The round's administrators
// (talks' Round.As.Administers: the heads of the host and mediation taking
// part, docs/security.md) schedule, edit and cancel sessions, add, edit and
// withdraw agenda items, and propose participants here. Anyone else gets
// the 404 page, as for a page that does not exist; talks checks every act
// again.

const pageRoundAdmin = "round_admin"

func init() { pageNames = append(pageNames, pageRoundAdmin) }

// roundAdminPage is the data of the administration tab.
type roundAdminPage struct {
	page
	forms
	Round     talks.Round
	Formats   []talks.Format
	StdTracks []string
	// Sessions and Agenda are the round's, each with its forms.
	Sessions []sessionView
	Agenda   []talks.AgendaItem
	// Proposable are the organisations that neither take part nor are
	// proposed: those a participant may be proposed from.
	Proposable []talks.Org
	Done       string // what the last form did, for the confirmation line
	// Names and NamesOrg serve the participants list as on the round page
	// (round_show.go).
	Names    names
	NamesOrg string
}

// sessionView is a session as the pages show it: its table named.
type sessionView struct {
	L *i18n.Localizer
	talks.Session
	OrgNames []string
	// Names are the page's names in other languages (names.go); CanName:
	// the viewer administers the round, so it names the session in them.
	Names   names
	CanName bool
}

func (w *Web) registerRoundAdmin(mux *router.Mux) {
	mux.HandleFunc("GET /rounds/{id}/admin", w.user(w.roundAdminShow))
	mux.HandleFunc("POST /rounds/{id}/sessions/{session}", w.user(w.sessionEdit))
	mux.HandleFunc("POST /rounds/{id}/sessions/{session}/cancel", w.user(w.sessionCancel))
	mux.HandleFunc("POST /rounds/{id}/agenda/{item}", w.user(w.agendaEdit))
	mux.HandleFunc("POST /rounds/{id}/agenda/{item}/withdraw", w.user(w.agendaWithdraw))
	mux.HandleFunc("POST /rounds/{id}/participants", w.user(w.participantPropose))
}

// roundAdminDone are the confirmations the page shows after a form.
var roundAdminDone = []string{"session", "agenda", "edited", "cancelled", "withdrawn", "proposed"}

func (w *Web) roundAdminShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.roundAdminPage(rw, r, v, r.PathValue("id"), nil)
}

// roundAdminPage shows the administration tab, with failed shown again
// with its messages (nil for none). A round the viewer does not
// administer is the 404 page.
func (w *Web) roundAdminPage(rw http.ResponseWriter, r *http.Request, v *viewer, roundID string, failed *form) {
	ctx, actor := r.Context(), v.Actor()
	round, err := w.talks.Round(ctx, actor, roundID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !round.As.Administers() {
		w.notFound(rw, r)
		return
	}
	p := roundAdminPage{page: w.page(r, v), forms: forms{failed: failed}, Round: round,
		Formats: talks.Formats, StdTracks: talks.Tracks, Agenda: round.Agenda}
	p.Names = w.loadNames(r, actor, roundNameItems(round))
	if actor.Manages(actor.Org) {
		p.NamesOrg = actor.Org
	}
	if d := r.URL.Query().Get("done"); failed == nil && slices.Contains(roundAdminDone, d) {
		p.Done = d
	}
	for _, s := range round.Sessions {
		sv := sessionViewOf(v, s, round)
		sv.Names = p.Names
		p.Sessions = append(p.Sessions, sv)
	}
	orgs, err := w.talks.Orgs(ctx, actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, o := range orgs {
		in := slices.ContainsFunc(round.Participants, func(pt talks.Participant) bool { return pt.Org.ID == o.ID })
		proposed := slices.ContainsFunc(round.Proposals, func(pr talks.Proposal) bool { return pr.Org.ID == o.ID })
		if !in && !proposed {
			p.Proposable = append(p.Proposable, o)
		}
	}
	status := http.StatusOK
	if failed != nil {
		status = failed.status()
	}
	w.renderPage(rw, r, status, pageRoundAdmin, p)
}

// sessionViewOf names the organisations at a session's table.
func sessionViewOf(v *viewer, s talks.Session, round talks.Round) sessionView {
	sv := sessionView{L: v.L, Session: s}
	for _, id := range s.Orgs {
		name := id
		for _, pt := range round.Participants {
			if pt.Org.ID == id {
				name = pt.Org.Name
			}
		}
		sv.OrgNames = append(sv.OrgNames, name)
	}
	return sv
}

// fieldsView is the data of the "session_fields" and "agenda_fields"
// templates: one form's fields, for a new session or item or an edit of
// one, refilled from the submitted form when it came back with an error.
type fieldsView struct {
	L *i18n.Localizer
	// Prefix starts the id of every control, unique on the page.
	Prefix  string
	F       *form
	Values  map[string]string
	Orgs    []orgChoice // the parties that may sit at a session's table
	Formats []talks.Format
	Tracks  []string
}

// orgChoice is an organisation offered as a checkbox.
type orgChoice struct {
	ID, Name string
	Checked  bool
}

// Value returns a field's value.
func (fv fieldsView) Value(field string) string { return fv.Values[field] }

// SessionFields lays out a session form: the new session's (id "") or the
// edit of session id, under form formID.
func (p roundAdminPage) SessionFields(formID, id string) fieldsView {
	f := p.Form(formID)
	fv := fieldsView{L: p.L, Prefix: formID, F: f, Formats: p.Formats, Values: map[string]string{}}
	var cur *talks.Session
	for i := range p.Round.Sessions {
		if p.Round.Sessions[i].ID == id {
			cur = &p.Round.Sessions[i]
		}
	}
	switch {
	case f.Values != nil:
		for _, k := range []string{"title", "format", "starts_at", "ends_at"} {
			fv.Values[k] = f.Value(k)
		}
	case cur != nil:
		fv.Values["title"], fv.Values["format"] = cur.Title, string(cur.Format)
		fv.Values["starts_at"] = cur.StartsAt.UTC().Format(timeLayout)
		if !cur.EndsAt.IsZero() {
			fv.Values["ends_at"] = cur.EndsAt.UTC().Format(timeLayout)
		}
	}
	for _, pt := range p.Round.Participants {
		if pt.Capacity != access.Party {
			continue
		}
		c := orgChoice{ID: pt.Org.ID, Name: pt.Org.Name}
		if f.Values != nil {
			c.Checked = f.Checked("orgs", pt.Org.ID)
		} else if cur != nil {
			c.Checked = slices.Contains(cur.Orgs, pt.Org.ID)
		}
		fv.Orgs = append(fv.Orgs, c)
	}
	return fv
}

// AgendaFields lays out an agenda item form: the new item's (id "") or the
// edit of item id, under form formID.
func (p roundAdminPage) AgendaFields(formID, id string) fieldsView {
	f := p.Form(formID)
	fv := fieldsView{L: p.L, Prefix: formID, F: f, Tracks: p.StdTracks, Values: map[string]string{}}
	switch i := slices.IndexFunc(p.Round.Agenda, func(it talks.AgendaItem) bool { return it.ID == id }); {
	case f.Values != nil:
		for _, k := range []string{"track", "custom_track", "title", "description"} {
			fv.Values[k] = f.Value(k)
		}
	case i >= 0:
		it := p.Round.Agenda[i]
		fv.Values["track"], fv.Values["title"], fv.Values["description"] = it.Track, it.Title, it.Description
		if !slices.Contains(p.StdTracks, it.Track) {
			fv.Values["track"], fv.Values["custom_track"] = "other", it.Track
		}
	}
	return fv
}

// sessionInput reads a session form: the new session's or an edit's.
func sessionInput(r *http.Request, v *viewer, f *form) talks.NewSession {
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
	return in
}

// agendaInput reads an agenda item form: the new item's or an edit's. The
// track is a standard one or, when "other" is chosen, the custom one typed
// next to it.
func agendaInput(r *http.Request, v *viewer, f *form) talks.NewAgendaItem {
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
	return in
}

// adminAct finishes an administration form of the round: on success back
// to the tab with a confirmation at anchor; a correctable refusal shows
// the tab again with the message next to the form's field; anything else
// (not found, forbidden) is the error page.
func (w *Web) adminAct(rw http.ResponseWriter, r *http.Request, v *viewer, f *form, err error, done, anchor string, fields ...string) {
	roundID := r.PathValue("id")
	if err == nil && !f.HasErrors() {
		redirect(rw, r, "/rounds/"+roundID+"/admin?done="+done+"#"+anchor)
		return
	}
	if err != nil && (!correctable(err) || !f.fail(v.L, err, fields...)) {
		w.fail(rw, r, err)
		return
	}
	w.roundAdminPage(rw, r, v, roundID, f)
}

// correctable reports whether a refusal is one to show next to a form:
// not "no such thing" or "not yours", which are the error page, as for
// any other request the viewer may not make.
func correctable(err error) bool {
	code := errs.Code(err)
	return code != errs.NotFound && code != errs.Forbidden
}

// parseAdminForm parses a posted form; it reports false when it has
// already answered.
func (w *Web) parseAdminForm(rw http.ResponseWriter, r *http.Request, id string) (*form, bool) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return nil, false
	}
	return newForm(id, r), true
}

// sessionEdit changes a session.
func (w *Web) sessionEdit(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("session")
	f, ok := w.parseAdminForm(rw, r, "session-"+id)
	if !ok {
		return
	}
	in := sessionInput(r, v, f)
	var err error
	if !f.HasErrors() {
		_, err = w.talks.UpdateSession(r.Context(), v.Actor(), id, in)
	}
	w.adminAct(rw, r, v, f, err, "edited", "session-"+id, "title", "format", "starts_at", "ends_at", "orgs")
}

// sessionCancel calls a session off.
func (w *Web) sessionCancel(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("session")
	f, ok := w.parseAdminForm(rw, r, "cancel-"+id)
	if !ok {
		return
	}
	err := w.talks.CancelSession(r.Context(), v.Actor(), id, r.PostForm.Get("reason"))
	w.adminAct(rw, r, v, f, err, "cancelled", "session-"+id, "reason")
}

// agendaEdit changes an agenda item.
func (w *Web) agendaEdit(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("item")
	f, ok := w.parseAdminForm(rw, r, "item-"+id)
	if !ok {
		return
	}
	in := agendaInput(r, v, f)
	var err error
	if !f.HasErrors() {
		_, err = w.talks.UpdateAgendaItem(r.Context(), v.Actor(), id, in)
	}
	w.adminAct(rw, r, v, f, err, "edited", "item-"+id, "track", "title", "description")
}

// agendaWithdraw takes an item off the agenda.
func (w *Web) agendaWithdraw(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("item")
	f, ok := w.parseAdminForm(rw, r, "withdraw-"+id)
	if !ok {
		return
	}
	err := w.talks.WithdrawAgendaItem(r.Context(), v.Actor(), id, r.PostForm.Get("reason"))
	w.adminAct(rw, r, v, f, err, "withdrawn", "item-"+id, "reason")
}

// participantPropose proposes an organisation as a participant; it joins
// once every party of the round has accepted.
func (w *Web) participantPropose(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.parseAdminForm(rw, r, "propose")
	if !ok {
		return
	}
	var err error
	if org := r.PostForm.Get("org"); org == "" {
		f.Errors["org"] = v.L.T("error.required")
	} else {
		err = w.talks.ProposeParticipant(r.Context(), v.Actor(), r.PathValue("id"), org)
	}
	w.adminAct(rw, r, v, f, err, "proposed", "participants", "org")
}
