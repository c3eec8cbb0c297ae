package bargain

import (
	"context"
	"database/sql"

	"parley/internal/access"
	"parley/internal/talks"
)

// PastShared is the bargain package's talks.PastShareHook
// (talks.SharePast): a party widens its profile shared with the mediation
// to a later mediation; a mediation widens the draft package its users
// saved. The package analysis follows the profiles: the newcomer reads it
// once every party whose profile it was computed from has let it
// (analysisReaders).
func (s *Service) PastShared(ctx context.Context, tx *sql.Tx, roundID string, from talks.Participant, newcomer talks.Org) error {
	var q string
	switch from.Capacity {
	case access.Party:
		q = "SELECT p.id AS id FROM bargain_profiles p WHERE p.round_id = $1 AND p.org_id = $2 AND p.shared"
	case access.Mediation:
		q = "SELECT dr.id AS id FROM bargain_drafts dr JOIN events e ON e.idx = dr.ledger_idx WHERE dr.round_id = $1 AND e.actor_org = $2"
	default:
		return nil
	}
	if err := access.WidenAll(ctx, tx, newcomer.ID, q, roundID, from.Org.ID); err != nil {
		return err
	}
	readers, err := analysisReaders(ctx, tx, roundID)
	if err != nil || !readers.Contains(newcomer.ID) {
		return err
	}
	return access.WidenAll(ctx, tx, newcomer.ID, "SELECT a.id AS id FROM bargain_analyses a WHERE a.round_id = $1", roundID)
}

// analysisReaders returns the mediation organisations of the round that
// may read its package analysis: those for which no party's profile is
// past material they were not given. A profile is past material for a
// mediation that joined (participant.added) after it was saved, unless
// the mediation reads it or its party shared its past with the mediation
// (talks.SharePast). A mediation that joined late thus reads the analysis
// only once every party with an earlier profile has agreed, party by party.
func analysisReaders(ctx context.Context, q access.Querier, roundID string) (access.Audience, error) {
	med, err := access.RoundOrgs(ctx, q, roundID, access.Mediation)
	if err != nil {
		return nil, err
	}
	var out access.Audience
	for _, m := range med {
		var n int
		err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bargain_profiles p
			WHERE p.round_id = $1
			AND p.ledger_idx < COALESCE((SELECT MAX(e.idx) FROM events e WHERE e.type = 'participant.added'
				AND e.round_id = $1 AND e.object_id = $3), -1)
			AND NOT EXISTS (SELECT 1 FROM audience a WHERE a.item_id = p.id AND a.org_id = $2)
			AND NOT EXISTS (SELECT 1 FROM past_shares ps WHERE ps.round_id = p.round_id AND ps.org_id = p.org_id AND ps.newcomer_id = $2)`,
			roundID, m, roundID+":"+m).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			out = append(out, m)
		}
	}
	return out, nil
}
