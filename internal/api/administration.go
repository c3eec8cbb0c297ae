package api

import (
	"net/http"

	"parley/internal/access"
	"parley/internal/router"
	"parley/internal/talks"
)

// Administration beyond creating things: an organisation's heads act on
// its members (auth, via access.Actor.Manages), and a round's
// administrators change its sessions and agenda (talks, via
// access.Capacity.Administers). The domain decides who may; these
// handlers decode, call and answer.

func (a *API) registerAdministration(mux *router.Mux) {
	mux.Handle("POST "+Prefix+"/users/{id}/enable", a.serve(a.enableUser))
	mux.Handle("PUT "+Prefix+"/users/{id}/role", a.serve(a.setUserRole))
	mux.Handle("PUT "+Prefix+"/users/{id}/password", a.serve(a.resetUserPassword))
	mux.Handle("POST "+Prefix+"/users/{id}/totp/reset", a.serve(a.resetUserTOTP))
	mux.Handle("DELETE "+Prefix+"/users/{id}/sessions", a.serve(a.endUserSessions))

	mux.Handle("PUT "+Prefix+"/sessions/{id}", a.serve(a.updateSession))
	mux.Handle("POST "+Prefix+"/sessions/{id}/cancel", a.serve(a.cancelSession))
	mux.Handle("PUT "+Prefix+"/agenda/{id}", a.serve(a.updateAgendaItem))
	mux.Handle("POST "+Prefix+"/agenda/{id}/withdraw", a.serve(a.withdrawAgendaItem))
}

// RoleRequest is the body of PUT /api/v1/users/{id}/role.
type RoleRequest struct {
	Role string `json:"role"`
}

// Validate implements request.
func (q *RoleRequest) Validate() error { return checkRole(q.Role) }

// PasswordResetRequest is the body of PUT /api/v1/users/{id}/password: the
// new password a head sets for a member, who changes it after logging in.
type PasswordResetRequest struct {
	Password string `json:"password"`
}

// Validate implements request.
func (q *PasswordResetRequest) Validate() error { return checkPassword("password", q.Password) }

// CallOffRequest is the body of POST /api/v1/sessions/{id}/cancel and
// /api/v1/agenda/{id}/withdraw: an optional reason, shown with the
// session or item.
type CallOffRequest struct {
	Reason string `json:"reason,omitempty"`
}

// Validate implements request.
func (q *CallOffRequest) Validate() error {
	return checkText("reason", q.Reason, 0, talks.MaxReason, true)
}

func (a *API) enableUser(w http.ResponseWriter, r *http.Request, c call) error {
	return noContent(w, a.auth.Enable(r.Context(), c.Actor, r.PathValue("id")))
}

func (a *API) setUserRole(w http.ResponseWriter, r *http.Request, c call) error {
	var q RoleRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, a.auth.SetRole(r.Context(), c.Actor, r.PathValue("id"), access.Role(q.Role)))
}

func (a *API) resetUserPassword(w http.ResponseWriter, r *http.Request, c call) error {
	var q PasswordResetRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, a.auth.SetPassword(r.Context(), c.Actor, r.PathValue("id"), q.Password))
}

func (a *API) resetUserTOTP(w http.ResponseWriter, r *http.Request, c call) error {
	return noContent(w, a.auth.ResetTOTP(r.Context(), c.Actor, r.PathValue("id")))
}

func (a *API) endUserSessions(w http.ResponseWriter, r *http.Request, c call) error {
	return noContent(w, a.auth.RevokeSessions(r.Context(), c.Actor, r.PathValue("id")))
}

func (a *API) updateSession(w http.ResponseWriter, r *http.Request, c call) error {
	var q SessionRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	s, err := a.talks.UpdateSession(r.Context(), c.Actor, r.PathValue("id"), talks.NewSession{
		Title: q.Title, Format: talks.Format(q.Format), StartsAt: q.startsAt, EndsAt: q.endsAt, Orgs: q.Orgs,
	})
	return reply(w, http.StatusOK, s, err, sessionJSON)
}

// callOff decodes the optional reason of a cancellation or withdrawal and
// makes it.
func callOff(w http.ResponseWriter, r *http.Request, act func(id, reason string) error) error {
	var q CallOffRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, act(r.PathValue("id"), q.Reason))
}

func (a *API) cancelSession(w http.ResponseWriter, r *http.Request, c call) error {
	return callOff(w, r, func(id, reason string) error { return a.talks.CancelSession(r.Context(), c.Actor, id, reason) })
}

func (a *API) updateAgendaItem(w http.ResponseWriter, r *http.Request, c call) error {
	var q AgendaRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	it, err := a.talks.UpdateAgendaItem(r.Context(), c.Actor, r.PathValue("id"), talks.NewAgendaItem{
		Track: q.Track, Title: q.Title, Description: q.Description,
	})
	return reply(w, http.StatusOK, it, err, agendaItemJSON)
}

func (a *API) withdrawAgendaItem(w http.ResponseWriter, r *http.Request, c call) error {
	return callOff(w, r, func(id, reason string) error { return a.talks.WithdrawAgendaItem(r.Context(), c.Actor, id, reason) })
}
