package channel

import (
	"context"
	"database/sql"
	"errors"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// Read markers (docs/channel.md "The inbox"): each user keeps, per round
// and per thread (the organisation the messages come from), the ledger
// index up to which it has read. Opening a thread moves the marker to the
// last message shown; the unread count of a thread is the messages of that
// organisation after the marker that the reader reads. A marker is the
// user's own place in the conversation, not content and not a change to
// the talks, so it is kept outside the ledger, like notify's seen mark: a
// page view does not append to the record.

// Unread returns, for a round, the number of messages from each other
// organisation that the actor reads and has not read yet. The audience
// filter is in the query: a message the reader may not read is not
// counted.
func (s *Service) Unread(ctx context.Context, actor access.Actor, roundID string) (counts map[string]int, err error) {
	defer errs.Wrap(&err, "channel.Unread")
	counts = map[string]int{}
	if actor.Anonymous() || actor.Org == "" || actor.User == "" || !store.ValidID(roundID) {
		return counts, nil
	}
	cond, arg := access.ReadableBy(actor, "m.id", 1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT m.author_org, COUNT(*) FROM messages m
		LEFT JOIN thread_read r ON r.user_id = $2 AND r.round_id = m.round_id AND r.counterpart = m.author_org
		WHERE `+cond+` AND m.round_id = $3 AND m.author_org <> $1 AND m.ledger_idx > COALESCE(r.read_idx, -1)
		GROUP BY m.author_org`, arg, actor.User, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var org string
		var n int
		if err := rows.Scan(&org, &n); err != nil {
			return nil, err
		}
		counts[org] = n
	}
	return counts, rows.Err()
}

// MarkRead records that the actor has read the thread of counterpart in a
// round up to ledger index upTo (the last message it was shown). The
// marker never moves back. Every view of a thread asks for it, and most
// find the marker already there: it is read first on the read pool, and
// written only when it moves, so that a page view takes neither SQLite's
// one writer nor a new row version on PostgreSQL. The write itself keeps
// the marker from moving back, should another view have moved it since.
func (s *Service) MarkRead(ctx context.Context, actor access.Actor, roundID, counterpart string, upTo int64) (err error) {
	defer errs.Wrap(&err, "channel.MarkRead")
	if actor.Anonymous() || actor.User == "" {
		return errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(roundID) || !store.ValidID(counterpart) {
		return errs.NotFoundf("thread")
	}
	var at int64
	err = s.db.R.QueryRowContext(ctx, `SELECT read_idx FROM thread_read WHERE user_id = $1 AND round_id = $2 AND counterpart = $3`,
		actor.User, roundID, counterpart).Scan(&at)
	switch {
	case err == nil && at >= upTo:
		return nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO thread_read(user_id, round_id, counterpart, read_idx) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, round_id, counterpart) DO UPDATE
		SET read_idx = excluded.read_idx WHERE excluded.read_idx > thread_read.read_idx`,
		actor.User, roundID, counterpart, upTo)
	return err
}
