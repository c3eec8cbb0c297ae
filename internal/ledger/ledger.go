// Package ledger records every state change as an event and keeps the
// tamper-evident record of them. A domain write runs inside Ledger.Write: it
// changes its tables and appends its events in one transaction, and once the
// transaction commits the events are handed to the live-stream broker.
//
// Each event's canonical record (Encode) is a leaf of an RFC 6962 hash tree
// (golang.org/x/mod/sumdb/tlog) whose stored hashes are written in the same
// transaction as the event. The server signs checkpoints of the tree as C2SP
// signed notes; participants fetch inclusion and consistency proofs, co-sign
// checkpoints as witnesses and audit the record on their own machines.
// docs/ledger.md is the specification another implementation can follow.
package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

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
	Salt    []byte // SaltSize random bytes, set by Append when nil
	Record  []byte // canonical encoding, set by Append
}

// SaltSize is the length of an event's salt. The salt keeps the leaf hash
// of an event from revealing anything to those outside its audience: without
// it a guessable record (a consent flag, say) could be confirmed by hashing
// the guesses.
const SaltSize = 16

// Subscriber receives committed events. The live-stream broker implements it
// and hands each event only to connections whose organisation is in the
// event's audience.
type Subscriber interface {
	Published(events []Event)
}

// Ledger appends events and publishes them after commit.
type Ledger struct {
	db *store.DB

	mu     sync.RWMutex
	subs   []Subscriber
	signer note.Signer
	vkey   string
	log    *slog.Logger

	halted atomic.Pointer[Halt] // the halt in force as last seen (guard.go)
}

// New returns the ledger over db. Checkpoints need a key: call SetKey (with
// the result of LoadOrCreateKey) before serving.
func New(db *store.DB) *Ledger { return &Ledger{db: db} }

// Subscribe registers s to receive every committed event.
func (l *Ledger) Subscribe(s Subscriber) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.subs = append(l.subs, s)
}

// Recorder appends events inside one Write transaction. It caches the tree
// size and the right edge of the tree for the transaction, so that a batch
// of appends reads the stored hashes once, and it keeps the rows of its
// appends (events, stored hashes, the events' audiences), with the domain
// rows given to Insert and Grant, for one write at the end of the
// transaction: on PostgreSQL a batch of a hundred events is then one
// statement, not three hundred round trips. Nothing inside a
// Write reads the events table back; the stored hashes it needs come from
// its cache.
type Recorder struct {
	l      *Ledger
	tx     *sql.Tx
	events []Event

	size   int64 // tree size inside the transaction; -1 until the first append
	hashes map[int64]tlog.Hash

	batch  store.Batch
	grants access.Grants
}

// The columns of the rows a Recorder writes.
var (
	eventColumns = store.Columns("idx bigint", "id text", "type text", "at bigint", "actor_user text", "actor_org text",
		"round_id text", "object_type text", "object_id text", "content_hash bytea", "salt bytea", "record bytea")
	hashColumns = store.Columns("id bigint", "hash bytea")
)

// flush writes the rows of the transaction's appends and of the domain
// rows added with Insert.
func (r *Recorder) flush(ctx context.Context) error {
	r.grants.Into(&r.batch)
	if err := r.batch.Write(ctx, r.tx, r.l.db.Dialect); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Insert adds a row of a domain table to the rows written with the events
// when the transaction ends (store.Batch): on PostgreSQL, a batch of
// messages, their search terms, their events and every audience are then
// one statement. Nothing in the transaction may read the row back before
// then; rows of a table that other rows reference must be added first.
func (r *Recorder) Insert(table string, cols []store.Column, suffix string, row ...any) {
	r.batch.Add(table, cols, suffix, row...)
}

// Write runs fn in one database transaction. Events appended through the
// recorder are part of that transaction; they are published to subscribers
// only after it commits.
func (l *Ledger) Write(ctx context.Context, fn func(tx *sql.Tx, rec *Recorder) error) error {
	var rec *Recorder
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		rec = &Recorder{l: l, tx: tx, size: -1}
		if err := fn(tx, rec); err != nil {
			return err
		}
		return rec.flush(ctx)
	})
	if err != nil {
		return l.haltOn(ctx, err)
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
	e, err := r.append(ctx, e)
	if err != nil {
		return e, fmt.Errorf("ledger.Append(%s): %w", e.Type, err)
	}
	r.events = append(r.events, e)
	return e, nil
}

// advisoryLock is the PostgreSQL advisory lock key that serialises appends
// across every process writing to one database.
const advisoryLock = 7033523

func (r *Recorder) append(ctx context.Context, e Event) (Event, error) {
	if e.Type == "" || len(e.Audience) == 0 {
		return e, fmt.Errorf("event needs a type and an audience")
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
		e.Salt = make([]byte, SaltSize)
		rand.Read(e.Salt)
	}
	if err := r.start(ctx); err != nil {
		return e, err
	}
	e.Index = r.size
	sum := sha256.Sum256(e.Content)
	rec, err := encode(e, sum[:])
	if err != nil {
		return e, err
	}
	e.Record = rec
	hashes, err := tlog.StoredHashes(e.Index, e.Record, txHashReader{r, ctx})
	if err != nil {
		return e, fmt.Errorf("stored hashes: %w", err)
	}
	r.batch.Add("events", eventColumns, "",
		e.Index, e.ID, e.Type, store.Stamp(e.At), e.Actor.User, e.Actor.Org, e.Round, e.ObjectType, e.ObjectID, sum[:], e.Salt, e.Record)
	first := tlog.StoredHashIndex(0, e.Index)
	for i, h := range hashes {
		r.hashes[first+int64(i)] = h
		r.batch.Add("ledger_hashes", hashColumns, "", first+int64(i), h[:])
	}
	if err := r.grants.Add(e.ID, e.Audience); err != nil {
		return e, err
	}
	r.size++
	return e, nil
}

// Grant records the audience of an item the transaction writes, to be
// inserted with the events' audiences when the transaction ends (one
// statement on PostgreSQL for a whole batch). Nothing in the transaction
// may read that audience back before then.
func (r *Recorder) Grant(item string, aud access.Audience) error {
	return r.grants.Add(item, aud)
}

// start takes the append lock and reads the tree size, once per
// transaction. On SQLite the write transaction (BEGIN IMMEDIATE on the one
// writer connection) already excludes every other writer, in this process
// and in others. On PostgreSQL a transaction-scoped advisory lock does: the
// next writer blocks until this transaction commits or rolls back, and then
// reads the size this one left.
func (r *Recorder) start(ctx context.Context) error {
	if r.size >= 0 {
		return nil
	}
	var size, stored, signed, halted int64
	var err error
	if r.l.db.Dialect == store.Postgres {
		// One round trip: the lock, then the size read after it is granted
		// (migrations/postgres/00020_ledger_halts.sql).
		err = r.tx.QueryRowContext(ctx, "SELECT size, stored, signed, halted FROM parley_ledger_lock($1)", advisoryLock).Scan(&size, &stored, &signed, &halted)
	} else {
		err = r.tx.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM events),
			(SELECT COALESCE(MAX(id) + 1, 0) FROM ledger_hashes), (SELECT COALESCE(MAX(size), 0) FROM checkpoints),
			(SELECT COUNT(*) FROM ledger_halts WHERE cleared_at IS NULL)`).Scan(&size, &stored, &signed, &halted)
	}
	if err != nil {
		return fmt.Errorf("ledger size: %w", err)
	}
	if halted > 0 {
		h, err := r.l.Halted(ctx)
		if err != nil {
			return err
		}
		if h == nil { // cleared since the statement above
			h = &Halt{Reason: "halted"}
		}
		return errReadOnly(h)
	}
	// Resumed by an operator, perhaps through another process: the pages'
	// banner goes too.
	r.l.halted.Store(nil)
	// Refuse to extend a tree whose stored hashes do not match the events,
	// or that is smaller than a checkpoint signed before: a row inserted or
	// deleted behind the ledger's back would otherwise be built upon. Write
	// then halts the ledger; "parley verify" names the damage.
	if stored != tlog.StoredHashCount(size) {
		return damagef("%d events but %d stored hashes (want %d); run parley verify", size, stored, tlog.StoredHashCount(size))
	}
	if size < signed {
		return damagef("the tree has %d events, fewer than the %d of the checkpoint signed before (event rows were deleted)", size, signed)
	}
	r.size = size
	r.hashes = make(map[int64]tlog.Hash)
	return nil
}

// txHashReader reads stored hashes inside the appending transaction, from
// the recorder's cache first.
type txHashReader struct {
	r   *Recorder
	ctx context.Context
}

func (t txHashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for i, id := range indexes {
		h, ok := t.r.hashes[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		out[i] = h
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := readHashes(t.ctx, t.r.tx, t.r.l.db.Dialect, missing)
	if err != nil {
		return nil, err
	}
	for i, id := range missing {
		t.r.hashes[id] = got[i]
	}
	for i, id := range indexes {
		out[i] = t.r.hashes[id]
	}
	return out, nil
}
