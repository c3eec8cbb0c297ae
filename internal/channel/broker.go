package channel

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// The live stream.
//
// The ledger hands the broker every committed event, after commit. Commits
// happen in index order (one writer on SQLite, the ledger's lock on
// PostgreSQL), but the hand-over after commit can overtake: the writer of
// event 8 may reach Published before the writer of event 7. The broker puts
// events back in index order; when an index stays missing for gapWait (an
// event written by another process that the listener has not brought yet,
// or on SQLite never will: listen.go), it moves on and tells every stream
// to catch up from the events table, which by then holds everything below
// the event that arrived.
//
// A stream's cursor is the last index it has accounted for. On connection
// it registers first, then reads the events table (filtered by audience in
// SQL) from Last-Event-ID up to the table's end in one snapshot, and drops
// any live event at or below that end. So a reconnect with Last-Event-ID
// loses nothing and repeats nothing, and a slow stream whose buffer fills
// is closed rather than allowed to block writers: its client reconnects and
// resumes the same way.

// gapWait is how long the broker waits for a missing index before asking
// the streams to read the events table instead.
const gapWait = 150 * time.Millisecond

// DefaultStreamBuffer is the number of events a stream may fall behind
// before it is closed (Options.StreamBuffer).
const DefaultStreamBuffer = 1024

// ErrStreamBehind ends a stream that fell too far behind; the client
// reconnects with Last-Event-ID and loses nothing.
var ErrStreamBehind = errors.New("live stream fell behind; reconnect with Last-Event-ID")

// Broker fans committed events out to live streams. It implements
// ledger.Subscriber.
type Broker struct {
	s      *Service
	buffer int // events a stream may fall behind

	mu      sync.Mutex
	subs    map[*subscription]struct{}
	high    int64 // the highest index handed on in order
	pending map[int64]*ledger.Event
	timer   *time.Timer

	cacheMu sync.Mutex
	cache   map[string]*cached // event id + "|" + org → message as that org reads it
	order   []string
}

type cached struct {
	once sync.Once
	m    *Message
}

type subscription struct {
	org   string
	round string
	ch    chan delivery
	lost  chan struct{}
	once  sync.Once
}

// delivery is small: every stream's buffer holds up to Broker.buffer of
// them, and all the streams share one copy of each event.
type delivery struct {
	ev  *ledger.Event
	gap bool // events below ev.Index may have been skipped: read the table
}

func newBroker(s *Service) *Broker {
	return &Broker{s: s, buffer: DefaultStreamBuffer, subs: map[*subscription]struct{}{}, pending: map[int64]*ledger.Event{}, cache: map[string]*cached{}}
}

// start reads where the ledger stands, so that the first event handed on
// is known to follow it.
func (b *Broker) start(ctx context.Context) error {
	var high int64
	if err := b.s.db.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx), -1) FROM events").Scan(&high); err != nil {
		return err
	}
	b.high = high
	return nil
}

// mark returns the highest index handed on in order.
func (b *Broker) mark() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.high
}

// skipTo moves the broker past index idx without the events up to it: every
// stream reads what it missed from the table, as after a gap. The listener
// uses it when it finds more events than it reads at once.
func (b *Broker) skipTo(idx int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if idx <= b.high {
		return
	}
	for i := range b.pending {
		if i <= idx {
			delete(b.pending, i)
		}
	}
	b.high = idx
	b.deliver(&ledger.Event{Index: idx}, true)
	b.drain()
}

// Subscribers returns the number of open streams.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Published receives committed events from the ledger. It never blocks.
func (b *Broker) Published(events []ledger.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range events {
		if e := events[i]; e.Index > b.high {
			b.pending[e.Index] = &e
		}
	}
	b.drain()
	if len(b.pending) > 0 && b.timer == nil {
		b.timer = time.AfterFunc(gapWait, b.skipGap)
	}
}

// drain hands on the pending events that follow the last one in order.
func (b *Broker) drain() {
	for {
		e, ok := b.pending[b.high+1]
		if !ok {
			return
		}
		delete(b.pending, e.Index)
		b.high = e.Index
		b.deliver(e, false)
	}
}

// skipGap gives up waiting for missing indexes and hands on what is
// pending, marking the first event after each gap.
func (b *Broker) skipGap() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.timer = nil
	for len(b.pending) > 0 {
		next := int64(-1)
		for i := range b.pending {
			if next < 0 || i < next {
				next = i
			}
		}
		e := b.pending[next]
		delete(b.pending, next)
		b.high = next
		b.deliver(e, true)
		b.drain()
	}
}

// deliver hands e to the streams of its round whose organisation is in its
// audience; after a gap, every stream hears of it so that it catches up.
func (b *Broker) deliver(e *ledger.Event, gap bool) {
	for sub := range b.subs {
		if !gap && !sub.wants(e) {
			continue
		}
		select {
		case sub.ch <- delivery{ev: e, gap: gap}:
		default:
			// Too far behind: close the stream instead of blocking the
			// writer; the client resumes from the table.
			delete(b.subs, sub)
			sub.once.Do(func() { close(sub.lost) })
		}
	}
}

// wants reports whether the subscription hears of e: a round's stream,
// the events of its round that its organisation reads; a watch (watch.go),
// those of every round, and every statement's release, which notify
// counts for the statement's readers once it is public.
func (sub *subscription) wants(e *ledger.Event) bool {
	if sub.round == allRounds {
		return e.Audience.Contains(sub.org) || e.Type == released
	}
	return sub.round == e.Round && e.Audience.Contains(sub.org)
}

func (b *Broker) subscribe(org, round string) *subscription {
	sub := &subscription{org: org, round: round, ch: make(chan delivery, b.buffer), lost: make(chan struct{})}
	b.mu.Lock()
	b.subs[sub] = struct{}{}
	b.mu.Unlock()
	return sub
}

func (b *Broker) unsubscribe(sub *subscription) {
	b.mu.Lock()
	delete(b.subs, sub)
	b.mu.Unlock()
}

// StreamEvent is one event of a round's live stream as one reader sees it.
type StreamEvent struct {
	Index      int64
	ID         string
	Type       string
	Round      string
	ObjectType string
	ObjectID   string
	At         time.Time
	// Message is the message the event is about, as the reader reads it
	// (nil for other events, and for a message the reader cannot read).
	Message *Message
}

// Stream sends the events of a round that actor reads to send, as they are
// committed, until ctx ends, send fails or the stream falls behind
// (ErrStreamBehind). lastEventID resumes after that ledger index; an
// empty, malformed or out-of-range value starts with what comes next.
// ready, when not nil, is called once the stream is registered and caught
// up. A round the actor does not read is not found.
func (s *Service) Stream(ctx context.Context, actor access.Actor, roundID, lastEventID string, ready func(), send func(StreamEvent) error) error {
	if !store.ValidID(roundID) || actor.Anonymous() || actor.Org == "" {
		return errs.NotFoundf("round")
	}
	if err := roundReadable(ctx, s.db.R, actor, roundID); err != nil {
		return err
	}
	s.listen.start()
	sub := s.broker.subscribe(actor.Org, roundID)
	defer s.broker.unsubscribe(sub)

	var end int64
	if err := s.db.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx), -1) FROM events").Scan(&end); err != nil {
		return err
	}
	cursor := end
	if last, err := strconv.ParseInt(lastEventID, 10, 64); err == nil && last >= -1 && last < end {
		cursor = last
	}
	// Catch up from the table up to end, which was read after registering:
	// anything later arrives live.
	cursor, err := s.catchUp(ctx, actor, roundID, cursor, end, send)
	if err != nil {
		return err
	}
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
			if d.ev.Index <= cursor {
				continue
			}
			if d.gap {
				c, err := s.catchUp(ctx, actor, roundID, cursor, d.ev.Index, send)
				if err != nil {
					return err
				}
				cursor = c
				continue
			}
			if err := send(s.streamEvent(ctx, actor, *d.ev)); err != nil {
				return err
			}
			cursor = d.ev.Index
		}
	}
}

// catchUp sends the round's events with index in (from, to] that the actor
// reads, from the events table filtered by audience in SQL, and returns to.
func (s *Service) catchUp(ctx context.Context, actor access.Actor, roundID string, from, to int64, send func(StreamEvent) error) (int64, error) {
	cond, arg := access.ReadableBy(actor, "e.id", 1)
	for from < to {
		var batch []ledger.Event
		err := func() error {
			rows, err := s.db.R.QueryContext(ctx, `SELECT `+streamEventColumns+` FROM events e
				WHERE `+cond+` AND e.round_id = $2 AND e.idx > $3 AND e.idx <= $4 ORDER BY e.idx LIMIT 500`, arg, roundID, from, to)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				e, err := scanStreamEvent(rows)
				if err != nil {
					return err
				}
				batch = append(batch, e)
			}
			return rows.Err()
		}()
		if err != nil {
			return from, err
		}
		for _, e := range batch {
			if err := send(s.streamEvent(ctx, actor, e)); err != nil {
				return from, err
			}
			from = e.Index
		}
		if len(batch) < 500 {
			from = to
		}
	}
	return to, nil
}

// streamEventColumns are the columns of events (alias e) that a stream
// describes, in the order scanStreamEvent reads them.
const streamEventColumns = "e.idx, e.id, e.type, e.round_id, e.object_type, e.object_id, e.at"

// scanStreamEvent reads the streamEventColumns of a row, then more.
func scanStreamEvent(rows *sql.Rows, more ...any) (ledger.Event, error) {
	var e ledger.Event
	var at int64
	err := rows.Scan(append([]any{&e.Index, &e.ID, &e.Type, &e.Round, &e.ObjectType, &e.ObjectID, &at}, more...)...)
	e.At = store.Time(at)
	return e, err
}

// streamEvent describes e for the actor, with the message it is about read
// through the audience filter. Every reader of one organisation reads a
// message the same way, so the message is read once per organisation and
// event, however many streams that organisation has open.
func (s *Service) streamEvent(ctx context.Context, actor access.Actor, e ledger.Event) StreamEvent {
	se := StreamEvent{Index: e.Index, ID: e.ID, Type: e.Type, Round: e.Round, ObjectType: e.ObjectType, ObjectID: e.ObjectID, At: e.At.UTC()}
	if e.ObjectType != "message" {
		return se
	}
	b := s.broker
	key := e.ID + "|" + actor.Org
	b.cacheMu.Lock()
	c, ok := b.cache[key]
	if !ok {
		c = &cached{}
		b.cache[key] = c
		b.order = append(b.order, key)
		if len(b.order) > 4096 {
			delete(b.cache, b.order[0])
			b.order = b.order[1:]
		}
	}
	b.cacheMu.Unlock()
	c.once.Do(func() {
		m, err := s.Get(context.WithoutCancel(ctx), actor, e.ObjectID)
		if err == nil {
			c.m = &m
		} else if errs.Code(err) != errs.NotFound {
			s.log.Warn("live stream: read message", "err", err, "message", e.ObjectID)
		}
	})
	se.Message = c.m
	return se
}
