package channel

import (
	"context"
	"database/sql"

	"parley/internal/access"
	"parley/internal/talks"
)

// pastMessagesSQL selects the messages an organisation wrote to the
// mediation of a round ($1 the round, $2 the organisation): kind
// "mediation" from anyone but the mediation, whose own "mediation" messages
// are addressed to other organisations and are theirs to share, not its.
const pastMessagesSQL = "SELECT m.id AS id FROM messages m WHERE m.round_id = $1 AND m.author_org = $2 AND m.kind = 'mediation'"

// PastShared is the channel's talks.PastShareHook: an organisation that
// lets a later mediation read what it sent the mediation before
// (talks.SharePast) widens its messages to the mediation to it; their
// attachments are read through the message. The mediation's own messages
// are not widened: what it wrote to a party is the party's exchange too.
func (s *Service) PastShared(ctx context.Context, tx *sql.Tx, roundID string, from talks.Participant, newcomer talks.Org) error {
	if from.Capacity == access.Mediation {
		return nil
	}
	return access.WidenAll(ctx, tx, newcomer.ID, pastMessagesSQL, roundID, from.Org.ID)
}
