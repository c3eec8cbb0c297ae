package web

import (
	"net/http"
	"time"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/talks"
)

// adminPage is the data of the administration page.
type adminPage struct {
	page
	forms
	Processes []talks.Process
	Orgs      []talks.Org
	// Managed are the organisations whose members the viewer administers
	// (access.Actor.Manages): its own. The invitation form offers only
	// them; creating organisations is the operator's act and has no form
	// for anyone who logs in.
	Managed    []talks.Org
	CanAddOrgs bool
	Users      []auth.User
	Events     []auth.SecurityEvent
	Kinds      []access.OrgKind
	Roles      []access.Role
	Languages  []i18n.Language
	Done       string // what the last form did, for the confirmation line
}

// securityEventsShown is how many recent security events the page lists.
const securityEventsShown = 50

// adminShow shows the administration page (host and mediation leads only;
// everyone else gets 404 from the admin gate).
func (w *Web) adminShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.adminPage(rw, r, v, http.StatusOK, nil)
}

func (w *Web) adminPage(rw http.ResponseWriter, r *http.Request, v *viewer, status int, failed *form) {
	ctx, actor := r.Context(), v.Actor()
	p := adminPage{
		page: w.page(r, v), forms: forms{failed: failed},
		Kinds: access.OrgKinds, Roles: access.Roles, Languages: i18n.Languages,
	}
	if failed == nil {
		switch d := r.URL.Query().Get("done"); d {
		case "process", "round", "org", "user":
			p.Done = d
		}
	}
	var err error
	if p.Processes, err = w.talks.Processes(ctx, actor); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Orgs, err = w.talks.Orgs(ctx, actor); err != nil {
		w.fail(rw, r, err)
		return
	}
	p.CanAddOrgs = actor.System
	for _, o := range p.Orgs {
		if actor.Manages(o.ID) {
			p.Managed = append(p.Managed, o)
		}
	}
	if p.Users, err = w.auth.ListUsers(ctx, actor); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Events, err = w.auth.SecurityEvents(ctx, actor, securityEventsShown); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, status, pageAdmin, p)
}

// adminForm parses an administration form; it reports false when it has
// already answered.
func (w *Web) adminForm(rw http.ResponseWriter, r *http.Request, id string) (*form, bool) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return nil, false
	}
	return newForm(id, r), true
}

// adminDone finishes an administration form: on success back to the page
// with a confirmation, on a correctable error the page again with the
// message next to the field.
func (w *Web) adminDone(rw http.ResponseWriter, r *http.Request, v *viewer, f *form, err error, done string, fields ...string) {
	if err == nil && !f.HasErrors() {
		redirect(rw, r, "/admin?done="+done+"#"+done)
		return
	}
	if err != nil && !f.fail(v.L, err, fields...) {
		w.fail(rw, r, err)
		return
	}
	w.adminPage(rw, r, v, f.status(), f)
}

// processAdd starts a peace process.
func (w *Web) processAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.adminForm(rw, r, "process")
	if !ok {
		return
	}
	var err error
	if name := r.PostForm.Get("name"); name == "" {
		f.Errors["name"] = v.L.T("error.required")
	} else {
		_, err = w.talks.AddProcess(r.Context(), v.Actor(), name)
	}
	w.adminDone(rw, r, v, f, err, "process", "name")
}

// roundAdd opens a round of a process with its participants, and goes to
// the new round's page.
func (w *Web) roundAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.adminForm(rw, r, "round")
	if !ok {
		return
	}
	in := talks.NewRound{
		ProcessID: r.PostForm.Get("process"), Name: r.PostForm.Get("name"),
		Location: r.PostForm.Get("location"), StartsOn: r.PostForm.Get("starts_on"),
		EndsOn: r.PostForm.Get("ends_on"), Participants: r.PostForm["participants"],
	}
	if in.ProcessID == "" {
		f.Errors["process"] = v.L.T("error.required")
	}
	if in.Name == "" {
		f.Errors["name"] = v.L.T("error.required")
	}
	for field, d := range map[string]string{"starts_on": in.StartsOn, "ends_on": in.EndsOn} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			f.Errors[field] = v.L.T("error.invalid.date")
		}
	}
	if f.HasErrors() {
		w.adminDone(rw, r, v, f, nil, "round")
		return
	}
	round, err := w.talks.CreateRound(r.Context(), v.Actor(), in)
	if err == nil {
		redirect(rw, r, "/rounds/"+round.ID)
		return
	}
	// The talks service names the process field process_id.
	if e, ok := errs.As(err); ok && e.Field == "process_id" {
		e.Field = "process"
	}
	w.adminDone(rw, r, v, f, err, "round", "process", "name", "location", "starts_on", "ends_on", "participants")
}

// orgAdd registers an organisation.
func (w *Web) orgAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.adminForm(rw, r, "org")
	if !ok {
		return
	}
	name, kind := r.PostForm.Get("name"), access.OrgKind(r.PostForm.Get("kind"))
	var err error
	if name == "" {
		f.Errors["name"] = v.L.T("error.required")
	}
	if !kind.Valid() {
		f.Errors["kind"] = v.L.T("error.invalid.kind")
	}
	if !f.HasErrors() {
		_, err = w.talks.AddOrg(r.Context(), v.Actor(), name, r.PostForm.Get("short_name"), kind)
	}
	w.adminDone(rw, r, v, f, err, "org", "name", "short_name", "kind")
}

// userAdd invites a user: an account in an organisation with a role and an
// initial password, which the user changes on the account page.
func (w *Web) userAdd(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.adminForm(rw, r, "user")
	if !ok {
		return
	}
	in := auth.NewUser{
		Username: r.PostForm.Get("username"), DisplayName: r.PostForm.Get("display_name"),
		OrgID: r.PostForm.Get("org"), Role: access.Role(r.PostForm.Get("role")),
		Password: r.PostForm.Get("password"), Locale: r.PostForm.Get("locale"),
	}
	var err error
	for field, val := range map[string]string{"username": in.Username, "org": in.OrgID, "password": in.Password} {
		if val == "" {
			f.Errors[field] = v.L.T("error.required")
		}
	}
	if !in.Role.Valid() {
		f.Errors["role"] = v.L.T("error.invalid.role")
	}
	if in.Locale != "" && !i18n.Supported(in.Locale) {
		f.Errors["locale"] = v.L.T("error.invalid.locale")
	}
	if !f.HasErrors() {
		_, err = w.auth.AddUser(r.Context(), v.Actor(), in)
	}
	f.Values.Del("password")
	w.adminDone(rw, r, v, f, err, "user", "username", "display_name", "org", "role", "password", "locale")
}
