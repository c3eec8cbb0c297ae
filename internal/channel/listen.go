package channel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Live streams across processes.
//
// The ledger hands the broker only the events written by this process.
// With several parley processes on one PostgreSQL database, the listener
// hears of the others' events: a trigger on the events table (migration
// 00010) notifies channel parley_events when a transaction that inserted
// events commits, and the listener, holding a connection of its own that
// LISTENs on that channel, reads the committed events above the broker's
// mark from the table (with their audiences, in SQL) and hands them to the
// broker as the ledger hands it local events. The broker keeps index order
// and drops what it already handed on, so an event this process wrote and
// also read back is delivered once.
//
// When the connection drops the listener reconnects with backoff, LISTENs
// again and reads the table from the broker's mark: nothing committed while
// it was away is lost. A minute without a notification is checked with a
// ping, so a connection a network failure left half open is noticed. Until
// the listener is back, the broker's gap rule still fills a missing index
// when this process writes.
//
// The listener starts with the first live stream, so that a process that
// serves none (an operator command) holds no connection for it, and it
// stops when the service or the database closes. SQLite has no such
// channel: there, streams hear only of their own process's writes
// (docs/operations.md).

// notifyChannel is the channel migration 00010's trigger notifies.
const notifyChannel = "parley_events"

// listenBatch is the number of events the listener reads at once. Finding
// more (after a long outage, or one very large transaction), it moves the
// broker to the table's end and lets each stream read what it reads from
// the table, as after a gap, rather than pushing a flood through every
// stream's buffer.
const listenBatch = 500

// listenPing is how long the listener waits for a notification before it
// checks that its connection still answers.
const listenPing = time.Minute

// The listener's reconnection backoff.
const (
	listenRetryMin = 250 * time.Millisecond
	listenRetryMax = 30 * time.Second
)

// listener is the goroutine that LISTENs for other processes' events.
type listener struct {
	s *Service

	mu      sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}

	// connect opens the listening connection (a test holds it back to
	// cut the listener off for a while).
	connect  func(ctx context.Context) (*pgx.Conn, error)
	pid      atomic.Uint32 // backend of the current connection, 0 while there is none
	sessions atomic.Int64  // connections that reached LISTEN
}

func newListener(s *Service) *listener {
	return &listener{s: s, done: make(chan struct{}), connect: func(ctx context.Context) (*pgx.Conn, error) {
		return s.db.OpenConn(ctx, "parley live stream")
	}}
}

// start starts the listener on PostgreSQL, once.
func (l *listener) start() {
	if l.s.db.Dialect != store.Postgres {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.closed {
		return
	}
	l.started = true
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() {
		select {
		case <-l.s.db.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	go l.run(ctx)
}

// close stops the listener and waits until its connection is closed.
func (l *listener) close() {
	l.mu.Lock()
	started := l.started && !l.closed
	l.closed = true
	if started {
		l.cancel()
	}
	l.mu.Unlock()
	if started {
		<-l.done
	}
}

func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	retry := listenRetryMin
	for {
		caughtUp, err := l.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if caughtUp {
			retry = listenRetryMin
		}
		// Half the delay fixed, half random, so that processes that lost
		// the database together do not come back in step.
		wait := retry/2 + rand.N(retry/2)
		l.s.log.Warn("live stream: not listening for other processes' events; retrying",
			"err", err, "retry_in", wait.Round(time.Millisecond).String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		retry = min(2*retry, listenRetryMax)
	}
}

// session connects, LISTENs, reads the table from the broker's mark and
// then follows notifications until the connection fails or ctx ends. It
// reports whether it got as far as following notifications, after which a
// failure starts the backoff again from its shortest wait.
func (l *listener) session(ctx context.Context) (caughtUp bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := l.connect(cctx)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		l.pid.Store(0)
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn.Close(cctx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	pid := conn.PgConn().PID()
	l.pid.Store(pid)
	l.sessions.Add(1)
	l.s.log.Info("live stream: listening for events written by other processes", "channel", notifyChannel, "backend_pid", pid)
	// What committed before LISTEN took effect sent its notification to
	// nobody: read it from the table.
	if err := l.catchUp(ctx); err != nil {
		return false, err
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPing)
		n, err := conn.WaitForNotification(wctx)
		quiet := wctx.Err() == context.DeadlineExceeded
		cancel()
		switch {
		case ctx.Err() != nil:
			return true, ctx.Err()
		case err == nil:
			// The payload is the highest index the notifying statement
			// inserted; once the broker is past it there is nothing to
			// read. (Another parley schema in the same database notifies
			// the same channel: its payloads only cost a read that finds
			// nothing.)
			if idx, perr := strconv.ParseInt(n.Payload, 10, 64); perr == nil && idx <= l.s.broker.mark() {
				continue
			}
			if err := l.catchUp(ctx); err != nil {
				return true, err
			}
		case quiet:
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for notification: %w", err)
		}
	}
}

// catchUp hands the broker the committed events above its mark.
func (l *listener) catchUp(ctx context.Context) error {
	b := l.s.broker
	evs, err := l.s.eventsAfter(ctx, b.mark(), listenBatch)
	if err != nil {
		return err
	}
	if len(evs) < listenBatch {
		if len(evs) > 0 {
			b.Published(evs)
		}
		return nil
	}
	var end int64
	if err := l.s.db.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx), -1) FROM events").Scan(&end); err != nil {
		return fmt.Errorf("events end: %w", err)
	}
	b.skipTo(end)
	return nil
}

// eventsAfter reads up to limit committed events with index above after,
// in index order, each with its audience.
func (s *Service) eventsAfter(ctx context.Context, after int64, limit int) ([]ledger.Event, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+streamEventColumns+`, `+access.AudienceColumn(s.db.Dialect, "e.id")+`
		FROM events e WHERE e.idx > $1 ORDER BY e.idx LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	defer rows.Close()
	var out []ledger.Event
	for rows.Next() {
		var aud string
		e, err := scanStreamEvent(rows, &aud)
		if err != nil {
			return nil, err
		}
		e.Audience = access.ParseAudience(aud)
		out = append(out, e)
	}
	return out, rows.Err()
}
