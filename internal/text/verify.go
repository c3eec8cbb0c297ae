package text

import (
	"context"
	"encoding/json"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// JoinEvent is the talks event after which an organisation joining a round
// reads the round's texts (Joined): parley verify accepts the audience rows
// it added.
const JoinEvent = "participant.added"

// ItemKinds describes the text model's items for parley verify
// (ledger.ItemKind): texts (their audience) and the parties' positions
// (their audience, and their content against the event that last set
// them). Texts' content is not checked: text.settings_set changes the row
// after the creating event. Positions are stored in clear, so no key is
// needed.
func ItemKinds() []ledger.ItemKind {
	return []ledger.ItemKind{
		{Name: "text", ObjectType: "text", JoinType: JoinEvent,
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM texts",
			// Issuing a revision shows the text to the revision's readers;
			// the mediation whose user created it may show it to a later
			// mediation (PastShared).
			WidenedBy: "SELECT text_id AS id, 'text_revision' AS object_type, id AS object_id FROM text_revisions UNION ALL " +
				"SELECT w.id, w.object_type, w.object_id FROM (" + talks.PastShareWidens + `t.id AS id FROM texts t JOIN events e ON e.idx = t.ledger_idx
				JOIN past_shares ps ON ps.round_id = t.round_id AND ps.org_id = e.actor_org WHERE ps.capacity = 'mediation') w`},
		{Name: "position", ObjectType: "text_position", JoinType: JoinEvent,
			Items: "SELECT " + positionIDSQL + " AS id, " + positionIDSQL + ` AS object_id, p.ledger_idx AS idx, t.round_id AS round_id
				FROM text_positions p JOIN text_revisions r ON r.id = p.revision_id JOIN texts t ON t.id = r.text_id`,
			// Its party let a later mediation read it (PastShared).
			WidenedBy: talks.PastShareWidens + positionIDSQL + ` AS id FROM text_positions p JOIN text_revisions r ON r.id = p.revision_id
				JOIN texts t ON t.id = r.text_id JOIN past_shares ps ON ps.round_id = t.round_id AND ps.org_id = p.org_id
				WHERE ps.capacity = 'party'`,
			Contents: positionContents},
	}
}

// positionContents rebuilds the content of each position's latest
// text.position_set event from its row (SetPosition).
func positionContents(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
	rows, err := q.QueryContext(ctx, "SELECT "+positionIDSQL+`, t.id, r.number, p.paragraph, p.alternative, p.org_id, p.stance, p.wording, p.comment, p.updated_at, p.carried_from
		FROM text_positions p JOIN text_revisions r ON r.id = p.revision_id JOIN texts t ON t.id = r.text_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, textID, alt, org, stance, wording, comment string
		var number, paragraph, carriedFrom int
		var at int64
		if err := rows.Scan(&id, &textID, &number, &paragraph, &alt, &org, &stance, &wording, &comment, &at, &carriedFrom); err != nil {
			return err
		}
		b, err := json.Marshal(positionContent(textID, number, paragraph, alt, org, stance, wording, comment, store.Time(at), carriedFrom))
		if err := each(id, b, err); err != nil {
			return err
		}
	}
	return rows.Err()
}
