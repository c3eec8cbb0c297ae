package web

import (
	"context"
	"net/http"
	"slices"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/i18n"
	"parley/internal/router"
)

// The members page (issue 11, item 12): an organisation's heads, and
// nobody else, administer its members (docs/security.md, "Authority";
// access.Actor.Manages). The page lists the viewer's own organisation's
// accounts with their role and state, and offers what auth offers a head:
// invite, disable and enable, change the role, reset the password or the
// second factor, end the sessions. Anyone who is not a head gets the 404
// page; an account of another organisation answers 404 from auth.

const pageMembers = "members"

func init() { pageNames = append(pageNames, pageMembers) }

// membersPage is the data of the members page.
type membersPage struct {
	page
	forms
	Members   []auth.User
	Roles     []access.Role
	Languages []i18n.Language
	Events    []auth.SecurityEvent
	Done      string // what the last form did, for the confirmation line
	DoneUser  string // whom it was done to
}

func (w *Web) registerMembers(mux *router.Mux) {
	mux.HandleFunc("GET /members", w.user(w.membersShow))
	mux.HandleFunc("POST /members", w.user(w.memberInvite))
	mux.HandleFunc("POST /members/{id}/disable", w.user(w.memberAct("disabled", (*auth.Service).Disable)))
	mux.HandleFunc("POST /members/{id}/enable", w.user(w.memberAct("enabled", (*auth.Service).Enable)))
	mux.HandleFunc("POST /members/{id}/totp/reset", w.user(w.memberAct("totp", (*auth.Service).ResetTOTP)))
	mux.HandleFunc("POST /members/{id}/sessions/end", w.user(w.memberAct("sessions", (*auth.Service).RevokeSessions)))
	mux.HandleFunc("POST /members/{id}/role", w.user(w.memberRole))
	mux.HandleFunc("POST /members/{id}/password", w.user(w.memberPassword))
}

// membersDone are the confirmations the page shows after a form.
var membersDone = []string{"invited", "disabled", "enabled", "totp", "sessions", "role", "password"}

// manages reports whether the viewer administers its own organisation's
// members: the one question the page asks before offering anything.
func manages(v *viewer) bool {
	a := v.Actor()
	return !a.System && a.Manages(a.Org)
}

func (w *Web) membersShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.membersPage(rw, r, v, nil)
}

// membersPage shows the page, with failed shown again with its messages
// (nil for none).
func (w *Web) membersPage(rw http.ResponseWriter, r *http.Request, v *viewer, failed *form) {
	if !manages(v) {
		w.notFound(rw, r)
		return
	}
	ctx, actor := r.Context(), v.Actor()
	p := membersPage{page: w.page(r, v), forms: forms{failed: failed}, Roles: access.Roles, Languages: i18n.Languages}
	if d := r.URL.Query().Get("done"); failed == nil && slices.Contains(membersDone, d) {
		p.Done, p.DoneUser = d, r.URL.Query().Get("user")
	}
	var err error
	if p.Members, err = w.auth.ListUsers(ctx, actor); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Events, err = w.auth.SecurityEvents(ctx, actor, securityEventsShown); err != nil {
		w.fail(rw, r, err)
		return
	}
	status := http.StatusOK
	if failed != nil {
		status = failed.status()
	}
	w.renderPage(rw, r, status, pageMembers, p)
}

// memberDone finishes a member form: on success back to the page with a
// confirmation by the member's line; a correctable refusal (a weak
// password, an unknown role, a taken username) shows the page again with
// the message next to the field; anything else is the error page (an
// account of another organisation is not found).
func (w *Web) memberDone(rw http.ResponseWriter, r *http.Request, v *viewer, f *form, err error, done, user string, fields ...string) {
	if err == nil && !f.HasErrors() {
		to := "/members?done=" + done
		if user != "" {
			to += "&user=" + user + "#member-" + user
		}
		redirect(rw, r, to)
		return
	}
	if err != nil && (!correctable(err) || !f.fail(v.L, err, fields...)) {
		w.fail(rw, r, err)
		return
	}
	w.membersPage(rw, r, v, f)
}

// memberAct is a member action without fields: disable, enable, reset
// the second factor, end the sessions.
func (w *Web) memberAct(done string, act func(*auth.Service, context.Context, access.Actor, string) error) handler {
	return func(rw http.ResponseWriter, r *http.Request, v *viewer) {
		id := r.PathValue("id")
		f, ok := w.parseAdminForm(rw, r, done+"-"+id)
		if !ok {
			return
		}
		w.memberDone(rw, r, v, f, act(w.auth, r.Context(), v.Actor(), id), done, id)
	}
}

// memberRole changes a member's role.
func (w *Web) memberRole(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	f, ok := w.parseAdminForm(rw, r, "role-"+id)
	if !ok {
		return
	}
	var err error
	if role := access.Role(r.PostForm.Get("role")); !role.Valid() {
		f.Errors["role"] = v.L.T("error.invalid.role")
	} else {
		err = w.auth.SetRole(r.Context(), v.Actor(), id, role)
	}
	w.memberDone(rw, r, v, f, err, "role", id, "role")
}

// memberPassword sets a member's password, which ends its sessions; the
// member changes it on its account page.
func (w *Web) memberPassword(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	f, ok := w.parseAdminForm(rw, r, "password-"+id)
	if !ok {
		return
	}
	var err error
	if pw := r.PostForm.Get("password"); pw == "" {
		f.Errors["password"] = v.L.T("error.required")
	} else {
		err = w.auth.SetPassword(r.Context(), v.Actor(), id, pw)
	}
	f.Values.Del("password")
	w.memberDone(rw, r, v, f, err, "password", id, "password")
}

// memberInvite adds an account to the viewer's own organisation, with a
// first password the member changes after logging in.
func (w *Web) memberInvite(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.parseAdminForm(rw, r, "invite")
	if !ok {
		return
	}
	in := auth.NewUser{
		Username: r.PostForm.Get("username"), DisplayName: r.PostForm.Get("display_name"),
		OrgID: v.Actor().Org, Role: access.Role(r.PostForm.Get("role")),
		Password: r.PostForm.Get("password"), Locale: r.PostForm.Get("locale"),
	}
	for field, val := range map[string]string{"username": in.Username, "password": in.Password} {
		if val == "" {
			f.Errors[field] = v.L.T("error.required")
		}
	}
	if !in.Role.Valid() {
		f.Errors["role"] = v.L.T("error.invalid.role")
	}
	var err error
	var u auth.User
	if !f.HasErrors() {
		u, err = w.auth.AddUser(r.Context(), v.Actor(), in)
	}
	f.Values.Del("password")
	w.memberDone(rw, r, v, f, err, "invited", u.ID, "username", "display_name", "role", "password", "locale")
}
