package talks

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Consent is one party's consent (or refusal) to direct talks with one
// counterpart in one round. Direct talks need both directions to be true.
type Consent struct {
	OrgID, OrgName, CounterpartID, CounterpartName string
	Direct                                         bool
	UpdatedAt                                      time.Time
}

// SetConsent records whether the actor's party consents to direct talks with
// counterpart in the round. Only a head of a party taking part in the round
// sets its party's consent (an act of the party as a whole): the right comes
// from the capacity in this round (access.RoundCapacity), not from the
// organisation's kind, so an organisation outside the round finds no round
// to consent in, like everywhere else in talks. The counterpart must be
// another party taking part in the round. The record's
// audience is the two parties and the round's host and mediation
// participants.
func (s *Service) SetConsent(ctx context.Context, actor access.Actor, roundID, counterpartID string, direct bool) (c Consent, err error) {
	defer errs.Wrap(&err, "talks.SetConsent")
	if err := loggedIn(actor); err != nil {
		return Consent{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		as, err := s.roundAs(ctx, tx, actor, roundID)
		if err != nil {
			return err
		}
		if !as.In(access.Party) {
			return errs.New(errs.Forbidden, "only a party taking part in this round records consent to direct talks")
		}
		if !as.Head() {
			return errs.New(errs.Forbidden, "only a head of the delegation records its consent to direct talks")
		}
		if counterpartID == actor.Org {
			return errs.Field("counterpart", "the counterpart must be another party")
		}
		if !store.ValidID(counterpartID) {
			return errs.Field("counterpart", "the counterpart must be another party taking part in this round")
		}
		if kind, err := access.CapacityOf(ctx, tx, roundID, counterpartID); err != nil {
			return err
		} else if kind != access.Party {
			return errs.Field("counterpart", "the counterpart must be another party taking part in this round")
		}
		self, err := orgByID(ctx, tx, actor.Org)
		if err != nil {
			return err
		}
		other, err := orgByID(ctx, tx, counterpartID)
		if err != nil {
			return err
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO consents(round_id, org_id, counterpart_id, direct, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (round_id, org_id, counterpart_id) DO UPDATE SET direct = excluded.direct, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			roundID, self.ID, other.ID, direct, now, actor.User); err != nil {
			return err
		}
		aud, err := consentAudience(ctx, tx, roundID, self.ID, other.ID)
		if err != nil {
			return err
		}
		id := consentID(roundID, self.ID, other.ID)
		if err := access.Grant(ctx, tx, id, aud); err != nil {
			return err
		}
		c = Consent{OrgID: self.ID, OrgName: self.Name, CounterpartID: other.ID, CounterpartName: other.Name, Direct: direct, UpdatedAt: store.Time(now)}
		_, err = event(ctx, rec, actor, "consent.set", roundID, "consent", id, aud, consentContent(roundID, self.ID, other.ID, direct, now))
		return err
	})
	if err != nil {
		return Consent{}, err
	}
	return c, nil
}

// consentAudience is who reads a consent record: the consenting party, the
// counterpart, and the host and mediation organisations taking part in the
// round.
func consentAudience(ctx context.Context, q access.Querier, roundID, org, counterpart string) (access.Audience, error) {
	aud, err := access.RoundOrgs(ctx, q, roundID, access.Host, access.Mediation)
	return access.Of(append(aud, org, counterpart)...), err
}

// MutualConsent reports whether parties a and b have both consented to
// direct talks with each other in the round. It decides a rule rather than
// returning content, so it is not audience-filtered; the channel calls it
// inside its write transaction (q may be a *sql.Tx).
func (s *Service) MutualConsent(ctx context.Context, q access.Querier, roundID, orgA, orgB string) (bool, error) {
	if orgA == orgB {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM consents WHERE round_id = $1 AND direct
		AND ((org_id = $2 AND counterpart_id = $3) OR (org_id = $3 AND counterpart_id = $2))`, roundID, orgA, orgB).Scan(&n)
	if err != nil {
		return false, err
	}
	return n == 2, nil
}

// consentsIn lists the consent records of a round that actor may read.
func consentsIn(ctx context.Context, q access.Querier, actor access.Actor, roundID string) ([]Consent, error) {
	cond, arg := access.ReadableBy(actor, consentIDSQL, 2)
	rows, err := q.QueryContext(ctx, `SELECT c.org_id, o.name, c.counterpart_id, k.name, c.direct, c.updated_at
		FROM consents c JOIN orgs o ON o.id = c.org_id JOIN orgs k ON k.id = c.counterpart_id
		WHERE c.round_id = $1 AND `+cond+` ORDER BY o.name, k.name, c.org_id, c.counterpart_id`, roundID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Consent{}
	for rows.Next() {
		var c Consent
		var at int64
		if err := rows.Scan(&c.OrgID, &c.OrgName, &c.CounterpartID, &c.CounterpartName, &c.Direct, &at); err != nil {
			return nil, err
		}
		c.UpdatedAt = store.Time(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
