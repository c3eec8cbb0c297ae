package channel

import (
	"context"
	"strconv"

	"parley/internal/access"
	"parley/internal/errs"
)

// The watch: one stream per page, across every round, that tells a
// logged-in reader that something it reads has changed, so that every
// page's navigation badge counts notifications live and the working pages
// (the text, its desk, the analysis, the statements desk) can say
// "updated — reload" without reloading over what is being typed.

// allRounds is the round of a watch's subscription: every round.
const allRounds = "*"

// released is the event that, besides its own audience, concerns every
// reader of the statement once released (notify counts it through the
// statement's public audience, in SQL).
const released = "statement.released"

// WatchEvent is one event the watch hands on. Recount alone (no Type) says
// only "count again": an event the reader may not read but that may bring
// a notification (a statement's release, whose public audience notify
// checks), or a gap in the stream.
type WatchEvent struct {
	Index      int64
	Type       string
	Round      string
	ObjectType string
	ObjectID   string
	// Own: the reader's own user wrote it.
	Own bool
}

// watchReplay bounds what a watch that resumes sends again: the latest
// events after the one it names. It serves a page that takes the watch over
// from another (static/live.js), a moment's gap; a page away longer misses
// older changes but not its count, which the watch sends on opening.
const watchReplay = 200

// Watch sends the events of every round that actor reads, as they are
// committed, until ctx ends, send fails or the stream falls behind
// (ErrStreamBehind). ready, when not nil, is called once the watch is
// registered, with the ledger index it starts after: the page asks for the
// current count then. lastEventID resumes after that index: the events
// since, the latest watchReplay of them, which actor reads (filtered in
// SQL) come first; an empty, malformed or out-of-range value starts with
// what comes next.
func (s *Service) Watch(ctx context.Context, actor access.Actor, lastEventID string, ready func(at int64), send func(WatchEvent) error) error {
	if actor.Anonymous() || actor.Org == "" {
		return errs.New(errs.Unauthorized, "log in first")
	}
	s.listen.start()
	sub := s.broker.subscribe(actor.Org, allRounds)
	defer s.broker.unsubscribe(sub)
	var end int64
	if err := s.db.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx), -1) FROM events").Scan(&end); err != nil {
		return err
	}
	if ready != nil {
		ready(end)
	}
	if last, err := strconv.ParseInt(lastEventID, 10, 64); err == nil && last >= -1 && last < end {
		if err := s.watchSince(ctx, actor, last, end, send); err != nil {
			return err
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.lost:
			return ErrStreamBehind
		case d := <-sub.ch:
			e := d.ev
			if e.Index <= end {
				continue
			}
			we := WatchEvent{Index: e.Index}
			if !d.gap && e.Audience.Contains(actor.Org) {
				we = WatchEvent{Index: e.Index, Type: e.Type, Round: e.Round, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
					Own: e.Actor.User != "" && e.Actor.User == actor.User}
			}
			if err := send(we); err != nil {
				return err
			}
		}
	}
}

// watchSince sends the events with index in (from, to] that actor reads,
// the latest watchReplay of them, in order.
func (s *Service) watchSince(ctx context.Context, actor access.Actor, from, to int64, send func(WatchEvent) error) error {
	cond, arg := access.ReadableBy(actor, "e.id", 1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.idx, e.type, e.round_id, e.object_type, e.object_id, e.actor_user FROM events e
		WHERE `+cond+` AND e.idx > $2 AND e.idx <= $3 ORDER BY e.idx DESC LIMIT `+strconv.Itoa(watchReplay), arg, from, to)
	if err != nil {
		return err
	}
	var evs []WatchEvent
	for rows.Next() {
		var e WatchEvent
		var user string
		if err := rows.Scan(&e.Index, &e.Type, &e.Round, &e.ObjectType, &e.ObjectID, &user); err != nil {
			rows.Close()
			return err
		}
		e.Own = user != "" && user == actor.User
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if err := send(evs[i]); err != nil {
			return err
		}
	}
	return nil
}
