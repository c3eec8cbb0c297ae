package talks

import (
	"context"
	"database/sql"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// A mediation that joins a round late does not read what the parties sent
// the mediation that was there (join). Each organisation decides for its
// own material, by one act of its head: SharePast widens the audience of
// everything it addressed to the mediation of the round to one newcomer
// mediation. The packages that keep such material register a PastShareHook
// (OnPastShare) that widens their own items in the same transaction.

// PastShareHook widens, inside SharePast's transaction, the items from
// organisation of the round that the round's mediation reads (a party's
// messages to the mediation, its positions and summaries, its profile
// shared with the mediation; a mediation's own drafts) to the newcomer
// mediation. from is the granting organisation in its capacity in the round.
type PastShareHook func(ctx context.Context, tx *sql.Tx, roundID string, from Participant, newcomer Org) error

// OnPastShare registers h to run whenever an organisation lets a newcomer
// mediation read its past material. The app registers the channel, the
// text and the package analysis.
func (s *Service) OnPastShare(h PastShareHook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pastShares = append(s.pastShares, h)
}

func (s *Service) pastShareHooks() []PastShareHook {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.pastShares
}

// PastShare records that an organisation let a later mediation read what it
// had sent the mediation of the round before.
type PastShare struct {
	OrgID, NewcomerID string
}

// pastShareID is the audience item id of a past share: the granting
// organisation, the newcomer and the round's mediation read it.
func pastShareID(roundID, orgID, newcomerID string) string {
	return "pastshare:" + roundID + ":" + orgID + ":" + newcomerID
}

const pastShareIDSQL = "('pastshare:' || ps.round_id || ':' || ps.org_id || ':' || ps.newcomer_id)"

// PastShareObject is the object type of the event SharePast appends; its
// object id is "<round>:<organisation>:<newcomer>". parley verify accepts
// the audience rows the hooks add through it (the domains' ItemKinds name
// it in WidenedBy).
const PastShareObject = "past_share"

// PastShareWidens is the start of an ItemKind.WidenedBy query naming the
// past-share events that widened an item: the caller appends the item's id
// column and the join of past_shares ps to its rows, e.g.
// PastShareWidens + "m.id AS id FROM messages m JOIN past_shares ps ON …".
const PastShareWidens = "SELECT '" + PastShareObject + "' AS object_type, ps.round_id || ':' || ps.org_id || ':' || ps.newcomer_id AS object_id, "

// SharePast lets the newcomer, a mediation organisation taking part in the
// round, read what the actor's organisation sent the round's mediation
// before it joined: one head-only act per organisation and newcomer, one
// transaction, one event (participant.past_shared), read by the
// organisation, the newcomer and the round's mediation. Without it the
// newcomer reads only the round's shared material (docs/security.md).
func (s *Service) SharePast(ctx context.Context, actor access.Actor, roundID, newcomerID string) (err error) {
	defer errs.Wrap(&err, "talks.SharePast")
	if err := loggedIn(actor); err != nil {
		return err
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		as, err := s.roundAs(ctx, tx, actor, roundID)
		if err != nil {
			return err
		}
		if !as.Head() {
			return errs.New(errs.Forbidden, "only a head of an organisation taking part in this round shares its past material")
		}
		newcomer, err := orgByID(ctx, tx, newcomerID)
		if err != nil {
			return errs.Field("with", "no such organisation")
		}
		if kind, err := access.CapacityOf(ctx, tx, roundID, newcomer.ID); err != nil {
			return err
		} else if kind != access.Mediation || newcomer.ID == actor.Org {
			return errs.Field("with", "name another mediation organisation taking part in this round")
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM past_shares WHERE round_id = $1 AND org_id = $2 AND newcomer_id = $3",
			roundID, actor.Org, newcomer.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "%s already reads what your organisation sent the mediation", newcomer.Name)
		}
		from, err := orgByID(ctx, tx, actor.Org)
		if err != nil {
			return err
		}
		med, err := access.RoundOrgs(ctx, tx, roundID, access.Mediation)
		if err != nil {
			return err
		}
		aud := access.Of(append(med, actor.Org, newcomer.ID)...)
		obj := roundID + ":" + actor.Org + ":" + newcomer.ID
		ev, err := event(ctx, rec, actor, "participant.past_shared", roundID, PastShareObject, obj, aud, map[string]any{
			"round_id": roundID, "org_id": actor.Org, "capacity": string(as.Kind), "with": newcomer.ID,
		})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO past_shares(round_id, org_id, newcomer_id, capacity, shared_at, shared_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, roundID, actor.Org, newcomer.ID, string(as.Kind), store.Now(), actor.User, ev.Index); err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, pastShareID(roundID, actor.Org, newcomer.ID), aud); err != nil {
			return err
		}
		for _, h := range s.pastShareHooks() {
			if err := h(ctx, tx, roundID, Participant{Org: from, Capacity: as.Kind}, newcomer); err != nil {
				return err
			}
		}
		return nil
	})
}

// pastSharesIn lists the round's past shares the actor may read.
func pastSharesIn(ctx context.Context, q access.Querier, actor access.Actor, roundID string) ([]PastShare, error) {
	cond, arg := access.ReadableBy(actor, pastShareIDSQL, 2)
	rows, err := q.QueryContext(ctx, "SELECT ps.org_id, ps.newcomer_id FROM past_shares ps WHERE ps.round_id = $1 AND "+cond+
		" ORDER BY ps.ledger_idx", roundID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PastShare
	for rows.Next() {
		var p PastShare
		if err := rows.Scan(&p.OrgID, &p.NewcomerID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// pastShareOffers lists the mediation organisations the actor's head may
// still let read its organisation's past material (Round.PastShareOffers):
// those that joined the round after it opened (a participant.added event),
// other than its own organisation, not yet granted. Empty for anyone but a
// head of an organisation taking part.
func pastShareOffers(ctx context.Context, q access.Querier, as access.Capacity, r Round) ([]Org, error) {
	if !as.Head() {
		return nil, nil
	}
	var out []Org
	for _, p := range r.Participants {
		if p.Capacity != access.Mediation || p.Org.ID == as.Actor.Org || r.pastShared(as.Actor.Org, p.Org.ID) {
			continue
		}
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM events WHERE type = 'participant.added' AND round_id = $1 AND object_id = $2",
			r.ID, r.ID+":"+p.Org.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, p.Org)
		}
	}
	return out, nil
}

// pastShared reports whether org let newcomer read its past material, as
// far as the reader reads the round's past shares.
func (r Round) pastShared(org, newcomer string) bool {
	for _, p := range r.PastShares {
		if p.OrgID == org && p.NewcomerID == newcomer {
			return true
		}
	}
	return false
}

// OrgName names an organisation taking part in the round, by id: the
// pages name the organisations of the round's past shares.
func (r Round) OrgName(id string) string {
	for _, p := range r.Participants {
		if p.Org.ID == id {
			return p.Org.Name
		}
	}
	return ""
}
