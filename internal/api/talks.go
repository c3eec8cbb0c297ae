package api

import (
	"net/http"

	"parley/internal/talks"
)

// Processes, rounds, sessions, the agenda and consent: thin translations to
// the talks service, which checks every rule and filters every read by the
// caller's audience.

func (a *API) listProcesses(w http.ResponseWriter, r *http.Request, c call) {
	ps, err := a.talks.Processes(r.Context(), c.Actor)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]ProcessJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, processJSON(p))
	}
	writeJSON(w, http.StatusOK, map[string][]ProcessJSON{"processes": out})
}

func (a *API) addProcess(w http.ResponseWriter, r *http.Request, c call) {
	var q ProcessRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.talks.AddProcess(r.Context(), c.Actor, q.Name)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, processJSON(p))
}

// listRounds lists the rounds the caller's organisation takes part in.
func (a *API) listRounds(w http.ResponseWriter, r *http.Request, c call) {
	rounds, err := a.talks.Rounds(r.Context(), c.Actor)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]RoundJSON, 0, len(rounds))
	for _, rd := range rounds {
		out = append(out, roundJSON(rd))
	}
	writeJSON(w, http.StatusOK, map[string][]RoundJSON{"rounds": out})
}

func (a *API) createRound(w http.ResponseWriter, r *http.Request, c call) {
	var q RoundRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	rd, err := a.talks.CreateRound(r.Context(), c.Actor, talks.NewRound{
		ProcessID: q.ProcessID, Name: q.Name, Location: q.Location,
		StartsOn: q.StartsOn, EndsOn: q.EndsOn, Participants: q.Participants,
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, roundJSON(rd))
}

// showRound answers one round, or 404 when it does not exist or the caller's
// organisation does not take part in it: the two are not told apart.
func (a *API) showRound(w http.ResponseWriter, r *http.Request, c call) {
	rd, err := a.talks.Round(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, roundDetailJSON(rd))
}

// addParticipant proposes an organisation as a participant of a round. It
// answers 202 with the proposal: the organisation joins when its own head
// and every party of the round have accepted (PUT
// /api/v1/rounds/{id}/participants/{org}).
func (a *API) addParticipant(w http.ResponseWriter, r *http.Request, c call) {
	var q ParticipantRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.talks.ProposeParticipant(r.Context(), c.Actor, r.PathValue("id"), q.Org); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, ProposalJSON{Org: q.Org, Accepted: []string{}})
}

// scheduleSession adds a session; a direct session between parties that have
// not both consented is refused with 409 no_direct_consent.
func (a *API) scheduleSession(w http.ResponseWriter, r *http.Request, c call) {
	var q SessionRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.talks.ScheduleSession(r.Context(), c.Actor, r.PathValue("id"), talks.NewSession{
		Title: q.Title, Format: talks.Format(q.Format), StartsAt: q.startsAt, EndsAt: q.endsAt, Orgs: q.Orgs,
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sessionJSON(s))
}

func (a *API) addAgendaItem(w http.ResponseWriter, r *http.Request, c call) {
	var q AgendaRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	it, err := a.talks.AddAgendaItem(r.Context(), c.Actor, r.PathValue("id"), talks.NewAgendaItem{
		Track: q.Track, Title: q.Title, Description: q.Description,
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, agendaItemJSON(it))
}

// setStance records the caller's party's stance on an agenda item and
// answers the item with the stances the caller may read.
func (a *API) setStance(w http.ResponseWriter, r *http.Request, c call) {
	var q StanceRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	it, err := a.talks.SetStance(r.Context(), c.Actor, r.PathValue("id"), q.Stance, q.Reason)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, agendaItemJSON(it))
}

// setConsent records the caller's party's consent to direct talks with one
// counterpart in the round.
func (a *API) setConsent(w http.ResponseWriter, r *http.Request, c call) {
	var q ConsentRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	cs, err := a.talks.SetConsent(r.Context(), c.Actor, r.PathValue("id"), q.Counterpart, *q.Direct)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, consentJSON(cs))
}
