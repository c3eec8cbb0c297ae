package talks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
)

// orgContent is the content of an organisation's org.added event: its id,
// names and kind. The kind is what the joins are told apart by
// (ledger.JoinGrants reads it from orgs), so verify checks every orgs row
// against it.
func orgContent(o Org) map[string]any {
	return map[string]any{"id": o.ID, "name": o.Name, "short_name": o.ShortName, "kind": string(o.Kind)}
}

// sessionContent is the content of a session.scheduled or session.updated
// event: the session as it then stood (orgs sorted; ends zero when open).
func sessionContent(id, roundID, title string, format Format, starts, ends int64, orgs []string) map[string]any {
	if len(orgs) == 0 {
		orgs = nil // null, as a plenary session scheduled without orgs always recorded
	}
	c := map[string]any{"id": id, "round_id": roundID, "title": title, "format": string(format),
		"starts_at": stamp(store.Time(starts)), "orgs": orgs}
	if ends != 0 {
		c["ends_at"] = stamp(store.Time(ends))
	}
	return c
}

// agendaItemContent is the content of an agenda.item_added or
// agenda.item_updated event.
func agendaItemContent(id, roundID, track, title, description string, position int) map[string]any {
	return map[string]any{"id": id, "round_id": roundID, "track": track, "title": title, "description": description, "position": position}
}

// stanceContent is the content of an agenda.stance_set event.
func stanceContent(itemID, orgID, stance, reason string, at int64) map[string]any {
	return map[string]any{"item_id": itemID, "org_id": orgID, "stance": stance, "reason": reason, "updated_at": stamp(store.Time(at))}
}

// consentContent is the content of a consent.set event.
func consentContent(roundID, orgID, counterpartID string, direct bool, at int64) map[string]any {
	return map[string]any{"round_id": roundID, "org_id": orgID, "counterpart_id": counterpartID, "direct": direct, "updated_at": stamp(store.Time(at))}
}

// proposalContent is the content of a participant.proposed event: the
// organisation proposed, in the capacity of its kind.
func proposalContent(roundID string, o Org) map[string]any {
	return map[string]any{"round_id": roundID, "org_id": o.ID, "capacity": string(o.Kind)}
}

// latestEvent is the SQL expression "the index of the latest event about
// the object objID (SQL) of type objType, of one of types", -1 when none.
func latestEvent(objType, objID string, types ...string) string {
	return "COALESCE((SELECT MAX(e.idx) FROM events e WHERE e.object_type = '" + objType + "' AND e.object_id = " + objID +
		" AND e.type IN ('" + strings.Join(types, "', '") + "')), -1)"
}

// ItemKinds describes the talks model's items for parley verify
// (ledger.ItemKind), with their content when content is true (everything
// is stored in clear: no key is needed):
//
//   - organisations: no audience rows of their own; their id, names and
//     kind against their org.added event, so that the kind a join is told
//     apart by (ledger.JoinGrants) is the one the ledger recorded, and
//     the capacity of each of their participations must be that kind
//     (the capacity rounds give, access.RoundCapacity reads);
//   - rounds: their audience against round.created and every organisation
//     that joined them (content not checked: round.created names the
//     participants at creation, which joins and withdrawals change since);
//   - sessions and agenda items: their audience against their events and
//     every organisation that joined the round after them (join widens
//     them all); their content against their latest scheduling or edit
//     (a cancellation's or withdrawal's reason and time are not checked);
//   - stances, consents and pending proposals: their audience against
//     their events (a join widens stances and proposals, never consent),
//     their content against their latest event (agenda.stance_set,
//     consent.set, participant.proposed).
func ItemKinds(content bool) []ledger.ItemKind {
	joined := func(items string) string { return ledger.JoinGrants(items, "round", "") }
	itemEvent := latestEvent("agenda_item", "a.id", "agenda.item_added", "agenda.item_updated")
	kinds := []ledger.ItemKind{
		{Name: "organisation", ObjectType: "org",
			Items:    "SELECT o.id, o.id AS object_id, " + latestEvent("org", "o.id", "org.added") + " AS idx FROM orgs o",
			Contents: orgContents},
		{Name: "round", ObjectType: "round",
			Items:  "SELECT id, id AS object_id, ledger_idx AS idx, id AS round_id FROM rounds",
			Grants: joined("SELECT id, ledger_idx AS idx, id AS round_id FROM rounds")},
		{Name: "session", ObjectType: "session",
			Items:     "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM round_sessions",
			Grants:    joined("SELECT id, ledger_idx AS idx, round_id FROM round_sessions"),
			ContentAt: "SELECT s.id, " + sessionEvent + " AS idx FROM round_sessions s",
			Contents:  sessionContents},
		{Name: "agenda item", ObjectType: "agenda_item",
			Items:     "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM agenda_items",
			Grants:    joined("SELECT id, ledger_idx AS idx, round_id FROM agenda_items"),
			ContentAt: "SELECT a.id, " + itemEvent + " AS idx FROM agenda_items a",
			Contents:  agendaItemContents},
		// A stance set again is what its latest event recorded; a join
		// after it widens it.
		{Name: "stance", ObjectType: "agenda_stance",
			Items: "SELECT " + stanceIDSQL + " AS id, " + stanceIDSQL + " AS object_id, " +
				latestEvent("agenda_stance", stanceIDSQL, "agenda.stance_set") + " AS idx FROM agenda_stances st",
			Grants: joined("SELECT " + stanceIDSQL + " AS id, " + latestEvent("agenda_stance", stanceIDSQL, "agenda.stance_set") +
				" AS idx, a.round_id FROM agenda_stances st JOIN agenda_items a ON a.id = st.item_id"),
			Contents: stanceContents},
		{Name: "consent", ObjectType: "consent",
			Items: "SELECT " + consentIDSQL + " AS id, " + consentIDSQL + " AS object_id, " +
				latestEvent("consent", consentIDSQL, "consent.set") + " AS idx FROM consents c",
			Contents: consentContents},
		// A proposal refused is deleted; one made again is the latest.
		{Name: "proposal", ObjectType: "participant_proposal",
			Items: "SELECT " + proposalIDSQL + " AS id, " + proposalIDSQL + " AS object_id, " +
				latestEvent("participant_proposal", proposalIDSQL, "participant.proposed") + " AS idx FROM participant_proposals pp",
			Grants: joined("SELECT " + proposalIDSQL + " AS id, " + latestEvent("participant_proposal", proposalIDSQL, "participant.proposed") +
				" AS idx, pp.round_id FROM participant_proposals pp"),
			Contents: proposalContents},
	}
	if !content {
		for i := range kinds {
			kinds[i].Contents = nil
		}
	}
	return kinds
}

// orgContents rebuilds each organisation's org.added content from its
// row; an organisation taking part in a round in another capacity than its
// kind (CreateRound and join give it its kind) is reported as damaged.
func orgContents(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
	other := map[string]error{}
	rows, err := q.QueryContext(ctx, "SELECT p.org_id, p.round_id, p.capacity FROM participation p JOIN orgs o ON o.id = p.org_id WHERE p.capacity <> o.kind")
	if err != nil {
		return err
	}
	for rows.Next() {
		var org, round, capacity string
		if err := rows.Scan(&org, &round, &capacity); err != nil {
			rows.Close()
			return err
		}
		other[org] = fmt.Errorf("it takes part in round %s as %s, not as its kind", round, capacity)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return ledger.RowContents("SELECT "+orgColumns+" FROM orgs o", func(r ledger.Scanner) (string, any, error) {
		o, err := scanOrg(r)
		if err == nil && other[o.ID] != nil {
			err = ledger.BadContent(other[o.ID])
		}
		return o.ID, orgContent(o), err
	})(ctx, q, each)
}

// sessionContents rebuilds each session's latest scheduling or edit, with
// the parties at its table (sorted, as checkSession sorts them).
func sessionContents(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
	orgs := map[string][]string{}
	rows, err := q.QueryContext(ctx, "SELECT session_id, org_id FROM session_orgs ORDER BY session_id, org_id")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, org string
		if err := rows.Scan(&id, &org); err != nil {
			rows.Close()
			return err
		}
		orgs[id] = append(orgs[id], org)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A session with no organisations at its table was recorded with
	// "orgs": null or, scheduled through the API with an empty list
	// before sessionContent made null the one form, "orgs": []: both say
	// the same, and the one its event hashed is given.
	empty := map[string][]byte{}
	rows, err = q.QueryContext(ctx, `SELECT s.id, e.content_hash FROM round_sessions s JOIN events e ON e.idx = `+sessionEvent+`
		WHERE NOT EXISTS (SELECT 1 FROM session_orgs so WHERE so.session_id = s.id)`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var hash []byte
		if err := rows.Scan(&id, &hash); err != nil {
			rows.Close()
			return err
		}
		empty[id] = hash
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return ledger.RowContents("SELECT id, round_id, title, format, starts_at, ends_at FROM round_sessions", func(r ledger.Scanner) (string, any, error) {
		var id, roundID, title, format string
		var starts, ends int64
		err := r.Scan(&id, &roundID, &title, &format, &starts, &ends)
		c := sessionContent(id, roundID, title, Format(format), starts, ends, orgs[id])
		if hash, ok := empty[id]; ok {
			c["orgs"] = []string{}
			if b, _ := json.Marshal(c); !bytes.Equal(sha256Of(b), hash) {
				c["orgs"] = nil
			}
		}
		return id, c, err
	})(ctx, q, each)
}

func sha256Of(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

// sessionEvent is the SQL expression "the latest scheduling or edit of
// the session s".
var sessionEvent = latestEvent("session", "s.id", "session.scheduled", "session.updated")

var agendaItemContents = ledger.RowContents("SELECT id, round_id, track, title, description, position FROM agenda_items",
	func(r ledger.Scanner) (string, any, error) {
		var id, roundID, track, title, description string
		var position int
		err := r.Scan(&id, &roundID, &track, &title, &description, &position)
		return id, agendaItemContent(id, roundID, track, title, description, position), err
	})

var stanceContents = ledger.RowContents("SELECT "+stanceIDSQL+", st.item_id, st.org_id, st.stance, st.reason, st.updated_at FROM agenda_stances st",
	func(r ledger.Scanner) (string, any, error) {
		var id, itemID, orgID, stance, reason string
		var at int64
		err := r.Scan(&id, &itemID, &orgID, &stance, &reason, &at)
		return id, stanceContent(itemID, orgID, stance, reason, at), err
	})

var consentContents = ledger.RowContents("SELECT "+consentIDSQL+", c.round_id, c.org_id, c.counterpart_id, c.direct, c.updated_at FROM consents c",
	func(r ledger.Scanner) (string, any, error) {
		var id, roundID, orgID, counterpart string
		var direct bool
		var at int64
		err := r.Scan(&id, &roundID, &orgID, &counterpart, &direct, &at)
		return id, consentContent(roundID, orgID, counterpart, direct, at), err
	})

var proposalContents = ledger.RowContents("SELECT "+proposalIDSQL+", pp.round_id, "+orgColumns+" FROM participant_proposals pp JOIN orgs o ON o.id = pp.org_id",
	func(r ledger.Scanner) (string, any, error) {
		var id, roundID string
		var o Org
		var kind string
		err := r.Scan(&id, &roundID, &o.ID, &o.Name, &o.ShortName, &kind)
		o.Kind = access.OrgKind(kind)
		return id, proposalContent(roundID, o), err
	})
