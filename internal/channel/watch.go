package channel

import (
	"context"

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

// Watch sends the events of every round that actor reads, as they are
// committed, until ctx ends, send fails or the stream falls behind
// (ErrStreamBehind). It sends nothing from before it started: a page asks
// for the current count when the watch opens (ready).
func (s *Service) Watch(ctx context.Context, actor access.Actor, ready func(), send func(WatchEvent) error) error {
	if actor.Anonymous() || actor.Org == "" {
		return errs.New(errs.Unauthorized, "log in first")
	}
	s.listen.start()
	sub := s.broker.subscribe(actor.Org, allRounds)
	defer s.broker.unsubscribe(sub)
	if ready != nil {
		ready()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.lost:
			return ErrStreamBehind
		case d := <-sub.ch:
			e := d.ev
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
