package api

import (
	"net/http"

	"parley/internal/talks"
)

// Processes, rounds, sessions, the agenda and consent: thin translations to
// the talks service, which checks every rule and filters every read by the
// caller's audience.

func (a *API) listProcesses(w http.ResponseWriter, r *http.Request, c call) error {
	ps, err := a.talks.Processes(r.Context(), c.Actor)
	return reply(w, http.StatusOK, ps, err, listOf("processes", processJSON))
}

func (a *API) addProcess(w http.ResponseWriter, r *http.Request, c call) error {
	var q ProcessRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	p, err := a.talks.AddProcess(r.Context(), c.Actor, q.Name)
	return reply(w, http.StatusCreated, p, err, processJSON)
}

// listRounds lists the rounds the caller's organisation takes part in.
func (a *API) listRounds(w http.ResponseWriter, r *http.Request, c call) error {
	rounds, err := a.talks.Rounds(r.Context(), c.Actor)
	return reply(w, http.StatusOK, rounds, err, listOf("rounds", roundJSON))
}

func (a *API) createRound(w http.ResponseWriter, r *http.Request, c call) error {
	var q RoundRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	rd, err := a.talks.CreateRound(r.Context(), c.Actor, talks.NewRound{
		ProcessID: q.ProcessID, Name: q.Name, Location: q.Location,
		StartsOn: q.StartsOn, EndsOn: q.EndsOn, Participants: q.Participants,
	})
	return reply(w, http.StatusCreated, rd, err, roundJSON)
}

// showRound answers one round, or 404 when it does not exist or the caller's
// organisation does not take part in it: the two are not told apart.
func (a *API) showRound(w http.ResponseWriter, r *http.Request, c call) error {
	rd, err := a.talks.Round(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, rd, err, roundDetailJSON)
}

// addParticipant proposes an organisation as a participant of a round. It
// answers 202 with the proposal: the organisation joins when its own head
// and every party of the round have accepted (PUT
// /api/v1/rounds/{id}/participants/{org}).
func (a *API) addParticipant(w http.ResponseWriter, r *http.Request, c call) error {
	var q ParticipantRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	err := a.talks.ProposeParticipant(r.Context(), c.Actor, r.PathValue("id"), q.Org)
	return reply(w, http.StatusAccepted, ProposalJSON{Org: q.Org, Accepted: []string{}}, err, asIs)
}

// scheduleSession adds a session; a direct session between parties that have
// not both consented is refused with 409 no_direct_consent.
func (a *API) scheduleSession(w http.ResponseWriter, r *http.Request, c call) error {
	var q SessionRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	s, err := a.talks.ScheduleSession(r.Context(), c.Actor, r.PathValue("id"), talks.NewSession{
		Title: q.Title, Format: talks.Format(q.Format), StartsAt: q.startsAt, EndsAt: q.endsAt, Orgs: q.Orgs,
	})
	return reply(w, http.StatusCreated, s, err, sessionJSON)
}

func (a *API) addAgendaItem(w http.ResponseWriter, r *http.Request, c call) error {
	var q AgendaRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	it, err := a.talks.AddAgendaItem(r.Context(), c.Actor, r.PathValue("id"), talks.NewAgendaItem{
		Track: q.Track, Title: q.Title, Description: q.Description,
	})
	return reply(w, http.StatusCreated, it, err, agendaItemJSON)
}

// setStance records the caller's party's stance on an agenda item and
// answers the item with the stances the caller may read.
func (a *API) setStance(w http.ResponseWriter, r *http.Request, c call) error {
	var q StanceRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	it, err := a.talks.SetStance(r.Context(), c.Actor, r.PathValue("id"), q.Stance, q.Reason)
	return reply(w, http.StatusOK, it, err, agendaItemJSON)
}

// setConsent records the caller's party's consent to direct talks with one
// counterpart in the round.
func (a *API) setConsent(w http.ResponseWriter, r *http.Request, c call) error {
	var q ConsentRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	cs, err := a.talks.SetConsent(r.Context(), c.Actor, r.PathValue("id"), q.Counterpart, *q.Direct)
	return reply(w, http.StatusOK, cs, err, consentJSON)
}
