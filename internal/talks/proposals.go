package talks

import (
	"context"
	"database/sql"
	"slices"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Proposal is a participant proposed for a round, by one of its
// administrators or by the head who opened the round, waiting for the
// acceptances it needs: its own head's (nobody is put into talks without
// its consent) and every party's of the round.
type Proposal struct {
	Org Org
	// Accepted lists the parties (organisation ids) that have accepted.
	Accepted []string
	// Consented reports whether the proposed organisation's own head has
	// accepted.
	Consented bool
}

// proposalID is the audience item id of a pending proposal.
func proposalID(roundID, orgID string) string { return "proposal:" + roundID + ":" + orgID }

// proposalIDSQL is proposalID computed in SQL over the
// participant_proposals alias pp.
const proposalIDSQL = "('proposal:' || pp.round_id || ':' || pp.org_id)"

// ProposeParticipant proposes that org join the round. Only the round's
// administrators propose (Capacity.Administers). The organisation joins
// when its own head has accepted and every party taking part in the round
// has accepted (AcceptParticipant). The proposal and its answers are read
// by the round's participants and the proposed organisation.
func (s *Service) ProposeParticipant(ctx context.Context, actor access.Actor, roundID, orgID string) (err error) {
	defer errs.Wrap(&err, "talks.ProposeParticipant")
	if err := loggedIn(actor); err != nil {
		return err
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if err := s.adminRound(ctx, tx, actor, roundID, "propose participants"); err != nil {
			return err
		}
		o, err := orgByID(ctx, tx, orgID)
		if err != nil {
			return errs.Field("org", "no such organisation")
		}
		if ok, err := s.Participates(ctx, tx, roundID, o.ID); err != nil {
			return err
		} else if ok {
			return errs.New(errs.Conflict, "%s already takes part in this round", o.Name)
		}
		var pending int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM participant_proposals WHERE round_id = $1 AND org_id = $2",
			roundID, o.ID).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return errs.New(errs.Conflict, "%s is already proposed and waits for its acceptance", o.Name)
		}
		return propose(ctx, tx, rec, actor, roundID, o)
	})
}

// propose records, inside the caller's write, that o is proposed for the
// round, readable by the round's participants and by o, whose head answers
// it like an invitation.
func propose(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, roundID string, o Org) error {
	if _, err := tx.ExecContext(ctx, "INSERT INTO participant_proposals(round_id, org_id, proposed_by, proposed_at) VALUES ($1, $2, $3, $4)",
		roundID, o.ID, actor.User, store.Now()); err != nil {
		return err
	}
	aud, err := proposalAudience(ctx, tx, roundID, o.ID)
	if err != nil {
		return err
	}
	if err := access.Grant(ctx, tx, proposalID(roundID, o.ID), aud); err != nil {
		return err
	}
	_, err = event(ctx, rec, actor, "participant.proposed", roundID, "participant_proposal", proposalID(roundID, o.ID), aud, proposalContent(roundID, o))
	return err
}

// proposalAudience is who reads a proposal and its answers: the round's
// participants and the proposed organisation.
func proposalAudience(ctx context.Context, q access.Querier, roundID, orgID string) (access.Audience, error) {
	aud, err := access.RoundOrgs(ctx, q, roundID)
	if err != nil {
		return nil, err
	}
	return access.Of(append(aud, orgID)...), nil
}

// AcceptParticipant records an answer to a proposed participant: a head of
// a party taking part in the round answers for the party, and the proposed
// organisation's own head answers for it (an invitation it accepts or
// declines). A refusal withdraws the proposal; the last acceptance needed
// (the organisation's own and every party's) makes it join. It reports
// whether org has joined.
func (s *Service) AcceptParticipant(ctx context.Context, actor access.Actor, roundID, orgID string, accept bool) (joined bool, err error) {
	defer errs.Wrap(&err, "talks.AcceptParticipant")
	if err := loggedIn(actor); err != nil {
		return false, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		invitee := actor.Org != "" && actor.Org == orgID
		if invitee {
			// The proposed organisation does not take part yet: the
			// pending proposal is what it reads of the round.
			if ok, err := s.lockRound(ctx, tx, roundID); err != nil {
				return err
			} else if !ok {
				return errs.NotFoundf("proposal")
			}
		} else {
			as, err := s.roundAs(ctx, tx, actor, roundID)
			if err != nil {
				return err
			}
			if !as.PartyHead() {
				return errs.New(errs.Forbidden, "only a head of a party taking part in this round, or of the organisation proposed, answers a proposed participant")
			}
		}
		if !store.ValidID(orgID) {
			return errs.NotFoundf("proposal")
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM participant_proposals WHERE round_id = $1 AND org_id = $2",
			roundID, orgID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.NotFoundf("proposal")
		}
		if invitee && actor.Role != access.Head {
			return errs.New(errs.Forbidden, "only a head of the organisation proposed accepts or declines for it")
		}
		aud, err := proposalAudience(ctx, tx, roundID, orgID)
		if err != nil {
			return err
		}
		typ := "participant.accepted"
		if !accept {
			typ = "participant.refused"
			if err := withdraw(ctx, tx, roundID, orgID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO participant_acceptances(round_id, org_id, party_id, accepted_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, roundID, orgID, actor.Org, store.Now()); err != nil {
			return err
		}
		if _, err := event(ctx, rec, actor, typ, roundID, "participant_proposal", proposalID(roundID, orgID), aud, map[string]any{
			"round_id": roundID, "org_id": orgID, "party_id": actor.Org,
		}); err != nil {
			return err
		}
		if !accept {
			return nil
		}
		if ok, err := accepted(ctx, tx, roundID, orgID); err != nil || !ok {
			return err
		}
		o, err := orgByID(ctx, tx, orgID)
		if err != nil {
			return err
		}
		joined = true
		return s.join(ctx, tx, rec, actor, roundID, o)
	})
	return joined, err
}

// accepted reports whether a proposal has every acceptance it needs: the
// proposed organisation's own and every party's taking part in the round.
func accepted(ctx context.Context, q access.Querier, roundID, orgID string) (bool, error) {
	parties, err := access.RoundOrgs(ctx, q, roundID, access.Party)
	if err != nil {
		return false, err
	}
	yes, err := acceptances(ctx, q, roundID, orgID)
	if err != nil {
		return false, err
	}
	for _, p := range append(parties, orgID) {
		if !slices.Contains(yes, p) {
			return false, nil
		}
	}
	return true, nil
}

// withdraw deletes a proposal and its acceptances.
func withdraw(ctx context.Context, tx *sql.Tx, roundID, orgID string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM participant_acceptances WHERE round_id = $1 AND org_id = $2", roundID, orgID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM participant_proposals WHERE round_id = $1 AND org_id = $2", roundID, orgID)
	return err
}

// acceptances lists the organisations that have accepted org's proposal:
// parties of the round, and org itself once its head has (the column
// party_id names the answering organisation).
func acceptances(ctx context.Context, q access.Querier, roundID, orgID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT party_id FROM participant_acceptances WHERE round_id = $1 AND org_id = $2 ORDER BY party_id", roundID, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// answers fills in the proposal's acceptances: the parties' and its own
// organisation's.
func (p *Proposal) answers(ctx context.Context, q access.Querier, roundID string) error {
	yes, err := acceptances(ctx, q, roundID, p.Org.ID)
	if err != nil {
		return err
	}
	for _, id := range yes {
		if id == p.Org.ID {
			p.Consented = true
		} else {
			p.Accepted = append(p.Accepted, id)
		}
	}
	return nil
}

// proposalsIn lists the round's pending proposals the actor may read.
func proposalsIn(ctx context.Context, q access.Querier, actor access.Actor, roundID string) ([]Proposal, error) {
	cond, arg := access.ReadableBy(actor, proposalIDSQL, 2)
	rows, err := q.QueryContext(ctx, "SELECT "+orgColumns+" FROM participant_proposals pp JOIN orgs o ON o.id = pp.org_id WHERE pp.round_id = $1 AND "+cond+
		" ORDER BY o.name, o.id", roundID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Proposal
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, Proposal{Org: o})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if err := out[i].answers(ctx, q, roundID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Invitation is a round the actor's organisation is proposed for: what its
// head reads of the round before accepting (the round's and process's
// names), and the acceptances so far.
type Invitation struct {
	RoundID, RoundName, ProcessName string
	Proposal
	// Participants are the organisations taking part so far: a head
	// accepts knowing whom its organisation would sit with.
	Participants []Participant
}

// Invitations lists the pending proposals of the actor's organisation, in
// every round: the proposed organisation's head accepts or declines each
// (AcceptParticipant). Each is read through the proposal's audience.
func (s *Service) Invitations(ctx context.Context, actor access.Actor) (out []Invitation, err error) {
	defer errs.Wrap(&err, "talks.Invitations")
	if err := loggedIn(actor); err != nil || actor.Org == "" {
		return nil, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		cond, arg := access.ReadableBy(actor, proposalIDSQL, 2)
		rows, err := tx.QueryContext(ctx, `SELECT pp.round_id, r.name, p.name FROM participant_proposals pp
			JOIN rounds r ON r.id = pp.round_id JOIN processes p ON p.id = r.process_id
			WHERE pp.org_id = $1 AND `+cond+" ORDER BY r.created_at, r.id", actor.Org, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in Invitation
			if err := rows.Scan(&in.RoundID, &in.RoundName, &in.ProcessName); err != nil {
				return err
			}
			out = append(out, in)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		o, err := orgByID(ctx, tx, actor.Org)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].Org = o
			if err := out[i].answers(ctx, tx, out[i].RoundID); err != nil {
				return err
			}
			if out[i].Participants, err = invitedTo(ctx, tx, actor, out[i].RoundID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// invitedTo lists the participants of a round the actor's organisation is
// proposed for, read through the proposal's audience.
func invitedTo(ctx context.Context, q access.Querier, actor access.Actor, roundID string) ([]Participant, error) {
	cond, arg := access.ReadableBy(actor, proposalIDSQL, 3)
	rows, err := q.QueryContext(ctx, "SELECT pa.round_id, pa.capacity, "+orgColumns+` FROM participation pa
		JOIN participant_proposals pp ON pp.round_id = pa.round_id AND pp.org_id = $2
		JOIN orgs o ON o.id = pa.org_id WHERE pa.round_id = $1 AND `+cond, roundID, actor.Org, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Participant
	for rows.Next() {
		var round string
		p, err := scanParticipant(rows, &round)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sortParticipants(out)
	return out, rows.Err()
}
