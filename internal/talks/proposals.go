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

// Proposal is a participant proposed for a round by one of its
// administrators, waiting for the parties' acceptance.
type Proposal struct {
	Org Org
	// Accepted lists the parties (organisation ids) that have accepted.
	Accepted []string
}

// proposalID is the audience item id of a pending proposal.
func proposalID(roundID, orgID string) string { return "proposal:" + roundID + ":" + orgID }

// ProposeParticipant proposes that org join the round. Only the round's
// administrators propose (Capacity.Administers). The organisation joins
// when every party taking part in the round has accepted (AcceptParticipant);
// a round without parties takes it at once. It reports whether org has
// joined. The proposal and its acceptances are read by the round's
// participants.
func (s *Service) ProposeParticipant(ctx context.Context, actor access.Actor, roundID, orgID string) (joined bool, err error) {
	defer errs.Wrap(&err, "talks.ProposeParticipant")
	if err := loggedIn(actor); err != nil {
		return false, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
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
			return errs.New(errs.Conflict, "%s is already proposed and waits for the parties", o.Name)
		}
		parties, err := access.RoundOrgs(ctx, tx, roundID, access.Party)
		if err != nil {
			return err
		}
		if len(parties) == 0 {
			joined = true
			return s.join(ctx, tx, rec, actor, roundID, o)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO participant_proposals(round_id, org_id, proposed_by, proposed_at) VALUES ($1, $2, $3, $4)",
			roundID, o.ID, actor.User, store.Now()); err != nil {
			return err
		}
		aud, err := access.RoundOrgs(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, proposalID(roundID, o.ID), aud); err != nil {
			return err
		}
		_, err = event(ctx, rec, actor, "participant.proposed", roundID, "participant_proposal", proposalID(roundID, o.ID), aud, map[string]any{
			"round_id": roundID, "org_id": o.ID, "capacity": string(o.Kind),
		})
		return err
	})
	return joined, err
}

// AcceptParticipant records a party's answer to a proposed participant:
// only a head of a party taking part in the round answers, for the party.
// A refusal withdraws the proposal; the last acceptance makes the
// organisation join. It reports whether org has joined.
func (s *Service) AcceptParticipant(ctx context.Context, actor access.Actor, roundID, orgID string, accept bool) (joined bool, err error) {
	defer errs.Wrap(&err, "talks.AcceptParticipant")
	if err := loggedIn(actor); err != nil {
		return false, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		as, err := s.roundAs(ctx, tx, actor, roundID)
		if err != nil {
			return err
		}
		if !as.In(access.Party) || !as.Head() {
			return errs.New(errs.Forbidden, "only a head of a party taking part in this round answers a proposed participant")
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
		aud, err := access.RoundOrgs(ctx, tx, roundID)
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
		parties, err := access.RoundOrgs(ctx, tx, roundID, access.Party)
		if err != nil {
			return err
		}
		accepted, err := acceptances(ctx, tx, roundID, orgID)
		if err != nil {
			return err
		}
		for _, p := range parties {
			if !slices.Contains(accepted, p) {
				return nil
			}
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

// withdraw deletes a proposal and its acceptances.
func withdraw(ctx context.Context, tx *sql.Tx, roundID, orgID string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM participant_acceptances WHERE round_id = $1 AND org_id = $2", roundID, orgID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM participant_proposals WHERE round_id = $1 AND org_id = $2", roundID, orgID)
	return err
}

// acceptances lists the parties that have accepted org's proposal.
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

// proposalsIn lists the round's pending proposals the actor may read.
func proposalsIn(ctx context.Context, q access.Querier, actor access.Actor, roundID string) ([]Proposal, error) {
	cond, arg := access.ReadableBy(actor, "('proposal:' || pp.round_id || ':' || pp.org_id)", 2)
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
		if out[i].Accepted, err = acceptances(ctx, q, roundID, out[i].Org.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
