package api

import (
	"net/http"

	"parley/internal/access"
	"parley/internal/errs"
)

// SecondFactorPolicyJSON says, per organisation kind, whether its members
// must enrol a second factor.
type SecondFactorPolicyJSON struct {
	Required map[string]bool `json:"required"`
}

// SecondFactorPolicyRequest is the body of PUT /api/v1/policies/second-factor.
type SecondFactorPolicyRequest struct {
	Kind     string `json:"kind"`
	Required *bool  `json:"required"`
}

// Validate implements request.
func (q *SecondFactorPolicyRequest) Validate() error {
	if !access.OrgKind(q.Kind).Valid() {
		return errs.Field("kind", "must be one of host, mediation, party, guarantor, observer, monitor, agency")
	}
	if q.Required == nil {
		return errs.Field("required", "is required: true or false")
	}
	return nil
}

// secondFactorPolicy answers the policy of every organisation kind. It is not
// confidential: every member may know what is asked of whom.
func (a *API) secondFactorPolicy(w http.ResponseWriter, r *http.Request, c call) error {
	out := SecondFactorPolicyJSON{Required: map[string]bool{}}
	for _, k := range access.OrgKinds {
		req, err := a.auth.TOTPRequired(r.Context(), k)
		if err != nil {
			return err
		}
		out.Required[string(k)] = req
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// setSecondFactorPolicy lets the host and mediation leads require (or stop
// requiring) a second factor of one organisation kind.
func (a *API) setSecondFactorPolicy(w http.ResponseWriter, r *http.Request, c call) error {
	var q SecondFactorPolicyRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, a.auth.SetTOTPRequired(r.Context(), c.Actor, access.OrgKind(q.Kind), *q.Required))
}
