package text

import (
	"context"
	"database/sql"

	"parley/internal/access"
	"parley/internal/talks"
)

// What an organisation addressed to the mediation of a round in the
// negotiating text ($1 the round, $2 the organisation): a party's positions
// and the summaries shown to it; the mediation's texts and drafts its own
// users wrote (the organisation of the actor of the event that wrote them).
var (
	pastPartySQL = []string{
		"SELECT " + positionIDSQL + ` AS id FROM text_positions p JOIN text_revisions r ON r.id = p.revision_id
			JOIN texts t ON t.id = r.text_id WHERE t.round_id = $1 AND p.org_id = $2`,
		"SELECT " + summaryIDSQL + " AS id FROM text_summaries s JOIN texts t ON t.id = s.text_id WHERE t.round_id = $1 AND s.org_id = $2",
	}
	pastMediationSQL = []string{
		"SELECT t.id AS id FROM texts t JOIN events e ON e.idx = t.ledger_idx WHERE t.round_id = $1 AND e.actor_org = $2",
		"SELECT d.id AS id FROM text_drafts d JOIN texts t ON t.id = d.text_id JOIN events e ON e.idx = d.ledger_idx WHERE t.round_id = $1 AND e.actor_org = $2",
	}
)

// PastShared is the text package's talks.PastShareHook (talks.SharePast):
// a party widens its positions and the summaries shown to it to a later
// mediation; a mediation widens the texts and drafts its users wrote.
func (s *Service) PastShared(ctx context.Context, tx *sql.Tx, roundID string, from talks.Participant, newcomer talks.Org) error {
	var queries []string
	switch from.Capacity {
	case access.Party:
		queries = pastPartySQL
	case access.Mediation:
		queries = pastMediationSQL
	}
	for _, q := range queries {
		if err := access.WidenAll(ctx, tx, newcomer.ID, q, roundID, from.Org.ID); err != nil {
			return err
		}
	}
	return nil
}
