package text

import (
	"context"
	"encoding/json"
	"fmt"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// ItemKinds describes the text model's items for parley verify
// (ledger.ItemKind): texts and their issued revisions (their audience) and
// the parties' positions (their audience, and their content against the
// event that last set them). Texts' content is not checked:
// text.settings_set changes the row after the creating event. A
// revision's and a translation's content are rebuilt from their rows (a
// revision's event hashes its source's SHA-256, so the source is checked
// against it too), as are the mediation's drafts and the summaries'
// switches (against the latest text.summary_set). Everything is stored in
// clear, so no key is needed. A join widens exactly what
// Joined widens (joinedShared): a text once issued, and its revisions, to
// a party, the host or a mediation, and to a guarantor when the text is
// shared with the guarantors; never a position. A party head's
// confirmation of an adoption is read by its revision's readers, joins
// included, and checked against its text.adoption_confirmed.
func ItemKinds() []ledger.ItemKind {
	return []ledger.ItemKind{
		{Name: "text", ObjectType: "text",
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM texts",
			// Issuing a revision shows the text to the revision's readers;
			// the mediation whose user created it may show it to a later
			// mediation (PastShared).
			WidenedBy: "SELECT text_id AS id, 'text_revision' AS object_type, id AS object_id FROM text_revisions UNION ALL " +
				"SELECT w.id, w.object_type, w.object_id FROM (" + talks.PastShareWidens + `t.id AS id FROM texts t JOIN events e ON e.idx = t.ledger_idx
				JOIN past_shares ps ON ps.round_id = t.round_id AND ps.org_id = e.actor_org WHERE ps.capacity = 'mediation') w`,
			Grants: ledger.JoinGrants("SELECT id, ledger_idx AS idx, round_id, guarantors FROM texts", "round",
				joinedShared+" AND EXISTS (SELECT 1 FROM text_revisions r2 WHERE r2.text_id = t.id AND r2.ledger_idx < e.idx)")},
		{Name: "revision", ObjectType: "text_revision",
			Items: "SELECT id, id AS object_id, ledger_idx AS idx FROM text_revisions",
			Grants: ledger.JoinGrants(`SELECT r.id, r.ledger_idx AS idx, t.round_id, t.guarantors
				FROM text_revisions r JOIN texts t ON t.id = r.text_id`, "round", joinedShared),
			Contents: revisionContents},
		// A corrected translation keeps its id; its row is what its latest
		// text.translation_set recorded.
		{Name: "translation", ObjectType: "text_translation",
			Items: "SELECT id, id AS object_id, ledger_idx AS idx FROM text_translations",
			Grants: ledger.JoinGrants(`SELECT tr.id, tr.ledger_idx AS idx, t.round_id, t.guarantors
				FROM text_translations tr JOIN text_revisions r ON r.id = tr.revision_id JOIN texts t ON t.id = r.text_id`, "round", joinedShared),
			Contents: translationContents},
		{Name: "draft", ObjectType: "text_draft",
			Items: "SELECT id, id AS object_id, ledger_idx AS idx FROM text_drafts",
			// The mediation whose user wrote it let a later mediation read
			// it (PastShared).
			WidenedBy: talks.PastShareWidens + `d.id AS id FROM text_drafts d JOIN texts t ON t.id = d.text_id
				JOIN events e ON e.idx = d.ledger_idx JOIN past_shares ps ON ps.round_id = t.round_id AND ps.org_id = e.actor_org
				WHERE ps.capacity = 'mediation'`,
			Contents: draftContents},
		// A summary's row is what its latest text.summary_set recorded.
		{Name: "summary", ObjectType: "text_summary",
			Items: "SELECT " + summaryIDSQL + " AS id, " + summaryIDSQL + ` AS object_id, COALESCE((SELECT MAX(e.idx) FROM events e
				WHERE e.object_type = 'text_summary' AND e.object_id = ` + summaryIDSQL + `), -1) AS idx FROM text_summaries s`,
			// Its party let a later mediation read it (PastShared).
			WidenedBy: talks.PastShareWidens + summaryIDSQL + ` AS id FROM text_summaries s JOIN texts t ON t.id = s.text_id
				JOIN past_shares ps ON ps.round_id = t.round_id AND ps.org_id = s.org_id WHERE ps.capacity = 'party'`,
			Contents: summaryContents},
		{Name: "position", ObjectType: "text_position",
			Items: "SELECT " + positionIDSQL + " AS id, " + positionIDSQL + ` AS object_id, p.ledger_idx AS idx
				FROM text_positions p JOIN text_revisions r ON r.id = p.revision_id JOIN texts t ON t.id = r.text_id`,
			// Its party let a later mediation read it (PastShared).
			WidenedBy: talks.PastShareWidens + positionIDSQL + ` AS id FROM text_positions p JOIN text_revisions r ON r.id = p.revision_id
				JOIN texts t ON t.id = r.text_id JOIN past_shares ps ON ps.round_id = t.round_id AND ps.org_id = p.org_id
				WHERE ps.capacity = 'party'`,
			Contents: positionContents},
		// A confirmation is read by its revision's readers: a join widens
		// it as it widens the revision.
		{Name: "confirmation", ObjectType: "text_confirmation",
			Items: "SELECT " + confirmationIDSQL + " AS id, " + confirmationIDSQL + " AS object_id, c.ledger_idx AS idx FROM text_confirmations c",
			Grants: ledger.JoinGrants("SELECT "+confirmationIDSQL+` AS id, c.ledger_idx AS idx, t.round_id, t.guarantors
				FROM text_confirmations c JOIN text_revisions r ON r.id = c.revision_id JOIN texts t ON t.id = r.text_id`, "round", joinedShared),
			Contents: confirmationContents},
	}
}

// confirmationContent is the content of a text.adoption_confirmed event:
// a party head's confirmation of a revision, with its SHA-256.
func confirmationContent(textID string, number int, org, user, sum string, at int64) map[string]any {
	return map[string]any{"text_id": textID, "revision": number, "org_id": org, "user_id": user,
		"sha256": sum, "confirmed_at": stamp(store.Time(at))}
}

// confirmationContents rebuilds each confirmation's event content from its
// row and its revision's.
var confirmationContents = ledger.RowContents("SELECT "+confirmationIDSQL+`, r.text_id, r.number, c.org_id, c.user_id, r.sha256, c.confirmed_at
	FROM text_confirmations c JOIN text_revisions r ON r.id = c.revision_id`, func(r ledger.Scanner) (string, any, error) {
	var id, textID, org, user, sum string
	var number int
	var at int64
	err := r.Scan(&id, &textID, &number, &org, &user, &sum, &at)
	return id, confirmationContent(textID, number, org, user, sum, at), err
})

// joinedShared is Joined's choice of who reads a round's shared texts on
// joining, as a JoinGrants condition on the text's row t.
var joinedShared = "(" + ledger.KindIn("o.kind", access.Party, access.Host, access.Mediation) +
	" OR (o.kind = '" + string(access.Guarantor) + "' AND t.guarantors))"

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

// revisionContents rebuilds each revision's text.issued content from its
// row, after checking that its source still has the SHA-256 the event
// recorded.
var revisionContents = ledger.RowContents("SELECT id, text_id, number, draft_id, source, sha256, issued_at FROM text_revisions",
	func(r ledger.Scanner) (string, any, error) {
		var id, textID, draftID, source, sum string
		var number int
		var at int64
		if err := r.Scan(&id, &textID, &number, &draftID, &source, &sum, &at); err != nil {
			return id, nil, err
		}
		if hashHex(source) != sum {
			return id, nil, ledger.BadContent(fmt.Errorf("its source does not match its SHA-256"))
		}
		return id, revisionContent(id, textID, number, draftID, sum, store.Time(at)), nil
	})

// translationContents rebuilds each translation's latest
// text.translation_set content from its row.
var translationContents = ledger.RowContents(`SELECT tr.id, r.text_id, r.number, tr.language, tr.sha256, tr.source
	FROM text_translations tr JOIN text_revisions r ON r.id = tr.revision_id`, func(r ledger.Scanner) (string, any, error) {
	var id, textID, lang, sum, source string
	var number int
	err := r.Scan(&id, &textID, &number, &lang, &sum, &source)
	return id, translationContent(id, textID, number, lang, sum, source), err
})

// draftContents rebuilds each draft's text.draft_saved content.
var draftContents = ledger.RowContents("SELECT id, text_id, seq, source FROM text_drafts", func(r ledger.Scanner) (string, any, error) {
	var id, textID, src string
	var seq int
	err := r.Scan(&id, &textID, &seq, &src)
	return id, draftContent(id, textID, seq, src), err
})

// summaryContents rebuilds each summary's latest text.summary_set content:
// whether the party sees the summary.
var summaryContents = ledger.RowContents("SELECT "+summaryIDSQL+", s.text_id, s.org_id, s.shared FROM text_summaries s", func(r ledger.Scanner) (string, any, error) {
	var id, textID, org string
	var shared bool
	err := r.Scan(&id, &textID, &org, &shared)
	return id, summaryContent(textID, org, shared), err
})
