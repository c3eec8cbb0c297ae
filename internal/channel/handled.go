package channel

import (
	"context"
	"database/sql"
	"encoding/json"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// The mediation's inbox (docs/channel.md "The inbox"): the mediation marks
// each message it received handled, or unhandled again, so that a team
// sharing the desk sees what still waits for an answer. A mark is the
// mediation organisation's own: its audience is that organisation alone,
// and it reveals nothing of the message to anyone.

// handledID is the audience item of org's mark on a message.
func handledID(messageID, org string) string { return "handled:" + messageID + ":" + org }

// SetHandled marks a message the actor's organisation reads handled (or
// not) for that organisation. Only the mediation of the message's round
// marks messages.
func (s *Service) SetHandled(ctx context.Context, actor access.Actor, messageID string, handled bool) (err error) {
	defer errs.Wrap(&err, "channel.SetHandled")
	if actor.Anonymous() || actor.Org == "" {
		return errs.New(errs.Unauthorized, "log in first")
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		m, err := s.getIn(ctx, tx, actor, messageID)
		if err != nil {
			return err
		}
		c, err := access.RoundCapacity(ctx, tx, actor, m.RoundID)
		if err != nil {
			return err
		}
		if !c.Mediates() {
			return errs.New(errs.Forbidden, "only the mediation keeps an inbox of handled messages")
		}
		id := handledID(m.ID, actor.Org)
		aud := access.Of(actor.Org)
		content, _ := json.Marshal(map[string]any{"message_id": m.ID, "org_id": actor.Org, "handled": handled})
		ev, err := rec.Append(ctx, ledger.Event{Type: "message.handled", Actor: actor, Round: m.RoundID, ObjectType: "message_mark", ObjectID: id, Audience: aud, Content: content})
		if err != nil {
			return err
		}
		if !handled {
			_, err := tx.ExecContext(ctx, "DELETE FROM message_handled WHERE message_id = $1 AND org_id = $2", m.ID, actor.Org)
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO message_handled(message_id, org_id, handled_at, handled_by, ledger_idx) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (message_id, org_id) DO UPDATE SET handled_at = excluded.handled_at, handled_by = excluded.handled_by, ledger_idx = excluded.ledger_idx`,
			m.ID, actor.Org, store.Now(), actor.User, ev.Index); err != nil {
			return err
		}
		return access.Grant(ctx, tx, id, aud)
	})
}

// Handled returns the messages of a round the actor's organisation marked
// handled, read through the marks' audience.
func (s *Service) Handled(ctx context.Context, actor access.Actor, roundID string) (ids map[string]bool, err error) {
	defer errs.Wrap(&err, "channel.Handled")
	ids = map[string]bool{}
	if actor.Anonymous() || actor.Org == "" || !store.ValidID(roundID) {
		return ids, nil
	}
	cond, arg := access.ReadableBy(actor, "('handled:' || h.message_id || ':' || h.org_id)", 1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT h.message_id FROM message_handled h JOIN messages m ON m.id = h.message_id
		WHERE `+cond+` AND h.org_id = $2 AND m.round_id = $3`, arg, actor.Org, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}
