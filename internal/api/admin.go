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

func (a *API) listOrgs(w http.ResponseWriter, r *http.Request, c call) error {
	orgs, err := a.talks.Orgs(r.Context(), c.Actor)
	return reply(w, http.StatusOK, orgs, err, listOf("orgs", orgJSON))
}

func (a *API) addOrg(w http.ResponseWriter, r *http.Request, c call) error {
	var q OrgRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	o, err := a.talks.AddOrg(r.Context(), c.Actor, q.Name, q.ShortName, access.OrgKind(q.Kind))
	return reply(w, http.StatusCreated, o, err, orgJSON)
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c call) error {
	users, err := a.auth.ListUsers(r.Context(), c.Actor)
	return reply(w, http.StatusOK, users, err, listOf("users", userJSON))
}

// inviteUser adds an account with a first password for the invited person.
func (a *API) inviteUser(w http.ResponseWriter, r *http.Request, c call) error {
	var q UserRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	u, err := a.auth.AddUser(r.Context(), c.Actor, auth.NewUser{
		Username: q.Username, DisplayName: q.DisplayName, OrgID: q.Org,
		Role: access.Role(q.Role), Password: q.Password, Locale: q.Locale,
	})
	return reply(w, http.StatusCreated, u, err, userJSON)
}

func (a *API) disableUser(w http.ResponseWriter, r *http.Request, c call) error {
	return noContent(w, a.auth.Disable(r.Context(), c.Actor, r.PathValue("id")))
}

// securityEvents lists the newest security events, ?limit=N (1..1000,
// default 100).
func (a *API) securityEvents(w http.ResponseWriter, r *http.Request, c call) error {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return errs.Field("limit", "must be a number from 1 to 1000")
		}
		limit = n
	}
	evs, err := a.auth.SecurityEvents(r.Context(), c.Actor, limit)
	return reply(w, http.StatusOK, evs, err, listOf("events", securityEventJSON))
}

func securityEventJSON(e auth.SecurityEvent) SecurityEventJSON {
	return SecurityEventJSON{
		ID: e.ID, At: timeJSON(e.At), Kind: e.Kind, UserID: e.UserID,
		Username: e.Username, Remote: e.Remote, Detail: e.Detail,
	}
}
