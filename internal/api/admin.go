package api

import (
	"net/http"
	"strconv"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/errs"
)

// Organisations, users and the security log. Who may do what is the domain's
// decision (the host and mediation leads administer); the handlers only
// translate.

func (a *API) listOrgs(w http.ResponseWriter, r *http.Request, c call) {
	orgs, err := a.talks.Orgs(r.Context(), c.Actor)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]OrgJSON, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, orgJSON(o))
	}
	writeJSON(w, http.StatusOK, map[string][]OrgJSON{"orgs": out})
}

func (a *API) addOrg(w http.ResponseWriter, r *http.Request, c call) {
	var q OrgRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	o, err := a.talks.AddOrg(r.Context(), c.Actor, q.Name, q.ShortName, access.OrgKind(q.Kind))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, orgJSON(o))
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c call) {
	users, err := a.auth.ListUsers(r.Context(), c.Actor)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]UserJSON, 0, len(users))
	for _, u := range users {
		out = append(out, userJSON(u))
	}
	writeJSON(w, http.StatusOK, map[string][]UserJSON{"users": out})
}

// inviteUser adds an account with a first password for the invited person.
func (a *API) inviteUser(w http.ResponseWriter, r *http.Request, c call) {
	var q UserRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	u, err := a.auth.AddUser(r.Context(), c.Actor, auth.NewUser{
		Username: q.Username, DisplayName: q.DisplayName, OrgID: q.Org,
		Role: access.Role(q.Role), Password: q.Password, Locale: q.Locale,
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, userJSON(u))
}

func (a *API) disableUser(w http.ResponseWriter, r *http.Request, c call) {
	if err := a.auth.Disable(r.Context(), c.Actor, r.PathValue("id")); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// securityEvents lists the newest security events, ?limit=N (1..1000,
// default 100).
func (a *API) securityEvents(w http.ResponseWriter, r *http.Request, c call) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			a.writeError(w, r, errs.Field("limit", "must be a number from 1 to 1000"))
			return
		}
		limit = n
	}
	evs, err := a.auth.SecurityEvents(r.Context(), c.Actor, limit)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]SecurityEventJSON, 0, len(evs))
	for _, e := range evs {
		out = append(out, SecurityEventJSON{
			ID: e.ID, At: timeJSON(e.At), Kind: e.Kind, UserID: e.UserID,
			Username: e.Username, Remote: e.Remote, Detail: e.Detail,
		})
	}
	writeJSON(w, http.StatusOK, map[string][]SecurityEventJSON{"events": out})
}
