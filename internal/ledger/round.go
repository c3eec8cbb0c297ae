package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// The functions of the record page (internal/web, record_*.go): a round's
// events the reader may read, one of them with its proof, and the audit
// bundle of the reader's events, in the format "parley audit verify" checks.

// RoundEvent is one event of a round as the record page lists it.
type RoundEvent struct {
	Index      int64
	ID         string
	Type       string
	At         time.Time
	Org        string // the acting organisation's id, empty for operator commands
	ObjectType string
	ObjectID   string
	Record     []byte
}

// RoundEvents returns the events of round that actor may read with index
// >= from, in index order, at most limit (DefaultEventsLimit when limit <= 0,
// never more than MaxEventsLimit). Both the round and the audience filter
// run in SQL.
func (l *Ledger) RoundEvents(ctx context.Context, actor access.Actor, round string, from int64, limit int) ([]RoundEvent, error) {
	if from < 0 {
		return nil, errs.Field("from", "from must be a leaf index, 0 or more")
	}
	if limit <= 0 {
		limit = DefaultEventsLimit
	}
	limit = min(limit, MaxEventsLimit)
	cond, arg := access.ReadableBy(actor, "e.id", 4)
	rows, err := l.db.R.QueryContext(ctx, `SELECT e.idx, e.id, e.type, e.at, e.actor_org, e.object_type, e.object_id, e.record
		FROM events e WHERE e.round_id = $1 AND e.idx >= $2 AND `+cond+` ORDER BY e.idx LIMIT $3`, round, from, limit, arg)
	if err != nil {
		return nil, fmt.Errorf("ledger round events: %w", err)
	}
	defer rows.Close()
	out := []RoundEvent{}
	for rows.Next() {
		var e RoundEvent
		var at int64
		if err := rows.Scan(&e.Index, &e.ID, &e.Type, &at, &e.Org, &e.ObjectType, &e.ObjectID, &e.Record); err != nil {
			return nil, err
		}
		e.At = store.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// RoundEventProof is one event of a round with its inclusion proof in the
// latest signed checkpoint. Proof is nil while the event is newer than that
// checkpoint (Checkpoint then still holds the latest one, if any).
type RoundEventProof struct {
	Event      RoundEvent
	Checkpoint []byte // the latest signed checkpoint as served, cosignatures included
	Proof      *InclusionProof
}

// RoundEventProof returns event index of round with its inclusion proof in
// the latest checkpoint. An event of another round, or one actor may not
// read, is errs.NotFoundf, exactly like a missing one.
func (l *Ledger) RoundEventProof(ctx context.Context, actor access.Actor, round string, index int64) (RoundEventProof, error) {
	var p RoundEventProof
	if index < 0 {
		return p, errs.NotFoundf("event")
	}
	evs, err := l.RoundEvents(ctx, actor, round, index, 1)
	if err != nil {
		return p, err
	}
	if len(evs) == 0 || evs[0].Index != index {
		return p, errs.NotFoundf("event")
	}
	p.Event = evs[0]
	size, err := l.latestSize(ctx)
	if err != nil || size < 0 {
		return p, err
	}
	if p.Checkpoint, err = l.Checkpoint(ctx, size); err != nil {
		return p, err
	}
	if index >= size {
		return p, nil
	}
	proof, err := l.Inclusion(ctx, actor, index, size)
	if err != nil {
		return p, err
	}
	p.Proof = &proof
	return p, nil
}

// latestSize returns the size of the latest signed checkpoint, or -1 when
// none is signed yet.
func (l *Ledger) latestSize(ctx context.Context) (int64, error) {
	var size int64
	err := l.db.R.QueryRowContext(ctx, "SELECT size FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, nil
	}
	return size, err
}

// ReaderBundle builds the audit bundle a participant would download with
// "parley audit": the latest signed checkpoint (signing the first one when
// none exists) and every event of round that actor may read inside it, with
// its inclusion proof; readable events of the round newer than the
// checkpoint are counted as pending. An empty round means every event the
// actor may read. server is the URL the bundle names as its source. The
// bundle has no previous checkpoint: the server cannot know which one the
// participant kept; "parley audit --state DIR" adds it.
func (l *Ledger) ReaderBundle(ctx context.Context, actor access.Actor, server, round string, now time.Time) (Bundle, error) {
	bd := Bundle{Format: BundleFormat, Server: server, VKey: l.VerifierKey(), CreatedAt: now.UTC().Truncate(time.Second), Events: []BundleEvent{}}
	msg, err := l.LatestCheckpoint(ctx)
	if err != nil {
		return bd, err
	}
	v, err := note.NewVerifier(bd.VKey)
	if err != nil {
		return bd, fmt.Errorf("ledger bundle: verifier key: %w", err)
	}
	cp, err := openCheckpoint(msg, v)
	if err != nil {
		return bd, fmt.Errorf("ledger bundle: %w", err)
	}
	bd.Checkpoint = string(msg)
	hashes := dbHashReader{ctx, l.db.R, l.db.Dialect}
	add := func(index int64, id, typ string, record []byte) error {
		if index >= cp.Tree.N {
			bd.Pending++
			return nil
		}
		proof, err := tlog.ProveRecord(cp.Tree.N, index, hashes)
		if err != nil {
			return fmt.Errorf("ledger bundle: proof of %d in %d: %w", index, cp.Tree.N, err)
		}
		bd.Events = append(bd.Events, BundleEvent{Index: index, ID: id, Type: typ, Record: record, Proof: hashBytes(proof)})
		return nil
	}
	for from := int64(0); ; {
		var n int
		if round == "" {
			evs, err := l.Events(ctx, actor, from, MaxEventsLimit)
			if err != nil {
				return bd, err
			}
			for _, e := range evs {
				if err := add(e.Index, e.ID, e.Type, e.Record); err != nil {
					return bd, err
				}
				from = e.Index + 1
			}
			n = len(evs)
		} else {
			evs, err := l.RoundEvents(ctx, actor, round, from, MaxEventsLimit)
			if err != nil {
				return bd, err
			}
			for _, e := range evs {
				if err := add(e.Index, e.ID, e.Type, e.Record); err != nil {
					return bd, err
				}
				from = e.Index + 1
			}
			n = len(evs)
		}
		if n < MaxEventsLimit {
			return bd, nil
		}
	}
}
