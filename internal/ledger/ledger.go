// Package ledger records every state change as an event and keeps the
// tamper-evident record of them. A domain write runs inside Ledger.Write: it
// changes its tables and appends its events in one transaction, and once the
// transaction commits the events are handed to the live-stream broker.
package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/access"
	"parley/internal/store"
)

// Event is one state change.
type Event struct {
	Index      int64  // leaf index in the ledger, set by Append
	ID         string // random id, set by Append when empty
	Type       string // dotted name, e.g. "agenda.stance"
	At         time.Time
	Actor      access.Actor
	Round      string // round id, when the change belongs to a round
	ObjectType string
	ObjectID   string
	Audience   access.Audience
	// Content is the changed content; only its SHA-256 enters the record.
	Content []byte
	Salt    []byte
	Record  []byte // canonical encoding, set by Append
}

// Subscriber receives committed events. The live-stream broker implements it
// and hands each event only to connections whose organisation is in the
// event's audience.
type Subscriber interface {
	Published(events []Event)
}

// Ledger appends events and publishes them after commit.
type Ledger struct {
	db *store.DB

	mu   sync.RWMutex
	subs []Subscriber
}

// New returns the ledger over db.
func New(db *store.DB) *Ledger { return &Ledger{db: db} }

// Subscribe registers s to receive every committed event.
func (l *Ledger) Subscribe(s Subscriber) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.subs = append(l.subs, s)
}

// Recorder appends events inside one Write transaction.
type Recorder struct {
	l      *Ledger
	tx     *sql.Tx
	events []Event
}

// Write runs fn in one database transaction. Events appended through the
// recorder are part of that transaction; they are published to subscribers
// only after it commits.
func (l *Ledger) Write(ctx context.Context, fn func(tx *sql.Tx, rec *Recorder) error) error {
	var rec *Recorder
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		rec = &Recorder{l: l, tx: tx}
		return fn(tx, rec)
	})
	if err != nil {
		return err
	}
	if len(rec.events) > 0 {
		l.mu.RLock()
		subs := l.subs
		l.mu.RUnlock()
		for _, s := range subs {
			s.Published(rec.events)
		}
	}
	return nil
}

// Append adds e to the ledger within the transaction and returns it with its
// index, id, salt and record filled in.
func (r *Recorder) Append(ctx context.Context, e Event) (Event, error) {
	e, err := r.l.append(ctx, r.tx, e)
	if err != nil {
		return e, err
	}
	r.events = append(r.events, e)
	return e, nil
}

func (l *Ledger) append(ctx context.Context, tx *sql.Tx, e Event) (Event, error) {
	if e.Type == "" || len(e.Audience) == 0 {
		return e, fmt.Errorf("ledger.Append: event needs a type and an audience")
	}
	if e.ID == "" {
		e.ID = store.NewID()
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Audience = e.Audience.Normalize()
	if e.Salt == nil {
		e.Salt = make([]byte, 16)
		rand.Read(e.Salt)
	}
	if l.db.Dialect == store.Postgres {
		// Serialise appends across every process writing to this database:
		// the index is MAX+1, so two writers must not read MAX at once.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7033523)"); err != nil {
			return e, fmt.Errorf("ledger lock: %w", err)
		}
	}
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM events").Scan(&e.Index); err != nil {
		return e, fmt.Errorf("ledger size: %w", err)
	}
	sum := sha256.Sum256(e.Content)
	e.Record = Encode(e, sum[:])
	_, err := tx.ExecContext(ctx, `INSERT INTO events(idx, id, type, at, actor_user, actor_org, round_id, object_type, object_id, content_hash, salt, record)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Index, e.ID, e.Type, store.Stamp(e.At), e.Actor.User, e.Actor.Org, e.Round, e.ObjectType, e.ObjectID, sum[:], e.Salt, e.Record)
	if err != nil {
		return e, fmt.Errorf("ledger insert: %w", err)
	}
	if err := access.Grant(ctx, tx, e.ID, e.Audience); err != nil {
		return e, err
	}
	return e, nil
}

// Encode returns the canonical record of e: the exact bytes whose
// tlog.RecordHash is the event's leaf. docs/ledger.md defines the format.
func Encode(e Event, contentHash []byte) []byte {
	var b strings.Builder
	b.WriteString("parley-event v1\n")
	line := func(k, v string) { b.WriteString(k + " " + v + "\n") }
	line("index", strconv.FormatInt(e.Index, 10))
	line("id", e.ID)
	line("type", e.Type)
	line("at", strconv.FormatInt(store.Stamp(e.At), 10))
	line("actor", e.Actor.User)
	line("org", e.Actor.Org)
	line("round", e.Round)
	line("object", e.ObjectType+" "+e.ObjectID)
	line("audience", strings.Join(e.Audience, " "))
	line("content", hex.EncodeToString(contentHash))
	line("salt", hex.EncodeToString(e.Salt))
	return []byte(b.String())
}
