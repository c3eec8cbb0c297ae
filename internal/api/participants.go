package api

import (
	"net/http"

	"parley/internal/errs"
)

// A participant proposed for a round joins when every party of the round
// has accepted (docs/security.md, the authority table). These are the
// proposal's answer and its view; proposing is POST
// /api/v1/rounds/{id}/participants (talks.go).

// ProposalJSON is a proposed participant: the organisation, whether it has
// joined, and the parties that have accepted so far.
type ProposalJSON struct {
	Org      string   `json:"org"`
	Joined   bool     `json:"joined"`
	Accepted []string `json:"accepted,omitempty"`
}

// ParticipantAnswer is the body of PUT
// /api/v1/rounds/{id}/participants/{org}. Accept is a pointer so that a
// missing "accept" is refused rather than read as a refusal.
type ParticipantAnswer struct {
	Accept *bool `json:"accept"`
}

// Validate implements request.
func (q *ParticipantAnswer) Validate() error {
	if q.Accept == nil {
		return errs.Field("accept", "is required (true or false)")
	}
	return nil
}

// answerParticipant records the caller's party's answer to a proposed
// participant.
func (a *API) answerParticipant(w http.ResponseWriter, r *http.Request, c call) {
	var q ParticipantAnswer
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	org := r.PathValue("org")
	joined, err := a.talks.AcceptParticipant(r.Context(), c.Actor, r.PathValue("id"), org, *q.Accept)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ProposalJSON{Org: org, Joined: joined})
}
