package api

import (
	"net/http"

	"parley/internal/errs"
	"parley/internal/talks"
)

// A participant proposed for a round joins when its own head and every
// party of the round have accepted (docs/security.md, the authority table). These are the
// proposal's answer and its view; proposing is POST
// /api/v1/rounds/{id}/participants (talks.go).

// ProposalJSON is a proposed participant: the organisation, whether it has
// joined, whether its own head has accepted, and the parties that have
// accepted so far.
type ProposalJSON struct {
	Org       string   `json:"org"`
	Joined    bool     `json:"joined"`
	Consented bool     `json:"consented"`
	Accepted  []string `json:"accepted,omitempty"`
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
func (a *API) answerParticipant(w http.ResponseWriter, r *http.Request, c call) error {
	var q ParticipantAnswer
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	org := r.PathValue("org")
	joined, err := a.talks.AcceptParticipant(r.Context(), c.Actor, r.PathValue("id"), org, *q.Accept)
	return reply(w, http.StatusOK, joined, err, func(joined bool) ProposalJSON { return ProposalJSON{Org: org, Joined: joined} })
}

// InvitationJSON is a round the caller's organisation is proposed for
// (GET /api/v1/invitations): its head accepts or declines it with PUT
// /api/v1/rounds/{round_id}/participants/{org}.
type InvitationJSON struct {
	RoundID      string            `json:"round_id"`
	RoundName    string            `json:"round_name"`
	ProcessName  string            `json:"process_name"`
	Org          string            `json:"org"`
	Consented    bool              `json:"consented"`
	Accepted     []string          `json:"accepted"`
	Participants []ParticipantJSON `json:"participants"`
}

// listInvitations answers the caller's organisation's pending invitations.
func (a *API) listInvitations(w http.ResponseWriter, r *http.Request, c call) error {
	inv, err := a.talks.Invitations(r.Context(), c.Actor)
	return reply(w, http.StatusOK, inv, err, listOf("invitations", invitationJSON))
}

func invitationJSON(in talks.Invitation) InvitationJSON {
	j := InvitationJSON{RoundID: in.RoundID, RoundName: in.RoundName, ProcessName: in.ProcessName,
		Org: in.Org.ID, Consented: in.Consented, Accepted: nonNil(in.Accepted),
		Participants: make([]ParticipantJSON, 0, len(in.Participants))}
	for _, p := range in.Participants {
		j.Participants = append(j.Participants, ParticipantJSON{Org: orgJSON(p.Org), Capacity: string(p.Capacity)})
	}
	return j
}

// PastShareRequest is the body of POST /api/v1/rounds/{id}/past-shares:
// the mediation organisation that joined later and may now read what the
// caller's organisation sent the mediation before.
type PastShareRequest struct {
	With string `json:"with"`
}

// Validate implements request.
func (q *PastShareRequest) Validate() error { return checkID("with", q.With) }

// PastShareJSON is one grant of past material (talks.SharePast).
type PastShareJSON struct {
	Org  string `json:"org"`
	With string `json:"with"`
}

// sharePast lets a later mediation read what the caller's organisation sent
// the round's mediation before it joined.
func (a *API) sharePast(w http.ResponseWriter, r *http.Request, c call) error {
	var q PastShareRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	err := a.talks.SharePast(r.Context(), c.Actor, r.PathValue("id"), q.With)
	return reply(w, http.StatusCreated, PastShareJSON{Org: c.Actor.Org, With: q.With}, err, asIs)
}
