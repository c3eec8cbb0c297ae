package ledger

import (
	"context"
	"database/sql"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/errs"
)

// EventView is one event as GET /api/v1/ledger/events lists it. Record is
// the exact byte string whose tlog.RecordHash is leaf Index; encoding/json
// writes it, and the hashes below, as standard base64.
type EventView struct {
	Index  int64  `json:"index"`
	ID     string `json:"id"`
	Type   string `json:"type"`
	Record []byte `json:"record"`
	// Proof is the inclusion proof of the event at the size asked for
	// with proofs=SIZE (EventsProved), when the event is inside it.
	Proof [][]byte `json:"proof,omitempty"`
}

// EventList is the JSON body of GET /api/v1/ledger/events.
type EventList struct {
	Events []EventView `json:"events"`
}

// InclusionProof is the JSON body of GET /api/v1/ledger/inclusion: the
// proof that leaf Index is in the tree of Size leaves, with the record so
// that the caller can recompute the leaf hash itself.
type InclusionProof struct {
	Index    int64    `json:"index"`
	Size     int64    `json:"size"`
	LeafHash []byte   `json:"leaf_hash"`
	Proof    [][]byte `json:"proof"`
	Record   []byte   `json:"record"`
}

// ConsistencyProof is the JSON body of GET /api/v1/ledger/consistency: the
// proof that the tree of From leaves is a prefix of the tree of To leaves.
type ConsistencyProof struct {
	From  int64    `json:"from"`
	To    int64    `json:"to"`
	Proof [][]byte `json:"proof"`
}

// Page sizes of Events.
const (
	DefaultEventsLimit = 100
	MaxEventsLimit     = 1000
)

// Events returns the events actor may read with index >= from, in index
// order, at most limit of them (DefaultEventsLimit when limit <= 0, and
// never more than MaxEventsLimit). The audience filter runs in SQL.
func (l *Ledger) Events(ctx context.Context, actor access.Actor, from int64, limit int) ([]EventView, error) {
	if from < 0 {
		return nil, errs.Field("from", "from must be a leaf index, 0 or more")
	}
	if limit <= 0 {
		limit = DefaultEventsLimit
	}
	limit = min(limit, MaxEventsLimit)
	cond, arg := access.ReadableBy(actor, "e.id", 3)
	rows, err := l.db.R.QueryContext(ctx, "SELECT e.idx, e.id, e.type, e.record FROM events e WHERE e.idx >= $1 AND "+cond+
		" ORDER BY e.idx LIMIT $2", from, limit, arg)
	if err != nil {
		return nil, fmt.Errorf("ledger events: %w", err)
	}
	defer rows.Close()
	out := []EventView{}
	for rows.Next() {
		var v EventView
		if err := rows.Scan(&v.Index, &v.ID, &v.Type, &v.Record); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// EventsProved is Events with each event's inclusion proof at the tree of
// size leaves (for the events below it): what an audit needs, a page at a
// time, with the stored hashes of the whole page read in one query instead
// of one round trip per event. size must be 1 to the tree size.
func (l *Ledger) EventsProved(ctx context.Context, actor access.Actor, from int64, limit int, size int64) ([]EventView, error) {
	if size < 1 {
		return nil, errs.Field("proofs", "the size for the proofs must be 1 or more")
	}
	cur, err := l.Size(ctx)
	if err != nil {
		return nil, err
	}
	if size > cur {
		return nil, errs.Field("proofs", "size %d is beyond the tree (%d events)", size, cur)
	}
	evs, err := l.Events(ctx, actor, from, limit)
	if err != nil {
		return nil, err
	}
	need := wanted{}
	for _, e := range evs {
		if e.Index < size {
			if _, err := tlog.ProveRecord(size, e.Index, need); err != nil {
				return nil, err
			}
		}
	}
	ids := need.ids()
	hs, err := readHashes(ctx, l.db.R, l.db.Dialect, ids)
	if err != nil {
		return nil, err
	}
	hashes := make(hashMap, len(hs))
	for i, id := range ids {
		hashes[id] = hs[i]
	}
	for i := range evs {
		if evs[i].Index >= size {
			continue
		}
		proof, err := tlog.ProveRecord(size, evs[i].Index, hashes)
		if err != nil {
			return nil, fmt.Errorf("ledger proof %d in %d: %w", evs[i].Index, size, err)
		}
		evs[i].Proof = hashBytes(proof)
	}
	return evs, nil
}

// Inclusion returns the proof that event index is leaf index of the tree of
// size leaves. Sizes out of range are errs "invalid" (400); an event the
// actor may not read is errs.NotFoundf (404), exactly like a missing one.
func (l *Ledger) Inclusion(ctx context.Context, actor access.Actor, index, size int64) (InclusionProof, error) {
	var p InclusionProof
	if index < 0 {
		return p, errs.Field("index", "index must be 0 or more")
	}
	if size < 1 {
		return p, errs.Field("size", "size must be 1 or more")
	}
	if index >= size {
		return p, errs.Field("index", "index must be below size")
	}
	// One round trip for the tree size, the record (NULL when the actor
	// may not read it) and the proof's stored hashes, whose indexes depend
	// only on index and size: this is the hot path of audits.
	need := wanted{}
	if _, err := tlog.ProveRecord(size, index, need); err != nil {
		return p, fmt.Errorf("ledger inclusion %d in %d: %w", index, size, err)
	}
	var cur int64
	var list sql.NullString
	cond, arg := access.ReadableBy(actor, "e.id", 2)
	hcond, hargs := hashesWhere(l.db.Dialect, 3, need.ids())
	err := l.db.R.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM events),
		(SELECT e.record FROM events e WHERE e.idx = $1 AND `+cond+`), `+hashesAgg(l.db.Dialect, hcond),
		append([]any{index, arg}, hargs...)...).Scan(&cur, &p.Record, &list)
	if err != nil {
		return p, fmt.Errorf("ledger inclusion: %w", err)
	}
	if size > cur {
		return p, errs.Field("size", "size %d is beyond the tree (%d events)", size, cur)
	}
	if p.Record == nil {
		return p, errs.NotFoundf("event")
	}
	hashes := hashMap{}
	if err := hashes.parseHashList(list.String); err != nil {
		return p, err
	}
	proof, err := tlog.ProveRecord(size, index, hashes)
	if err != nil {
		return p, fmt.Errorf("ledger inclusion %d in %d: %w", index, size, err)
	}
	leaf := tlog.RecordHash(p.Record)
	p.Index, p.Size, p.LeafHash, p.Proof = index, size, leaf[:], hashBytes(proof)
	return p, nil
}

// Consistency returns the proof that the tree of from leaves is a prefix of
// the tree of to leaves. It needs 1 <= from <= to <= the tree size; other
// values are errs "invalid" (400). The tree's shape is public, so no actor
// is needed.
func (l *Ledger) Consistency(ctx context.Context, from, to int64) (ConsistencyProof, error) {
	p := ConsistencyProof{From: from, To: to, Proof: [][]byte{}}
	if from < 1 {
		return p, errs.Field("from", "from must be 1 or more")
	}
	if to < from {
		return p, errs.Field("to", "to must not be below from")
	}
	cur, err := l.Size(ctx)
	if err != nil {
		return p, err
	}
	if to > cur {
		return p, errs.Field("to", "to %d is beyond the tree (%d events)", to, cur)
	}
	proof, err := tlog.ProveTree(to, from, dbHashReader{ctx, l.db.R, l.db.Dialect})
	if err != nil {
		return p, fmt.Errorf("ledger consistency %d..%d: %w", from, to, err)
	}
	p.Proof = hashBytes(proof)
	return p, nil
}

// hashBytes turns proof hashes into byte slices for JSON, never nil so that
// an empty proof encodes as [] rather than null.
func hashBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		out[i] = h[:]
	}
	return out
}

// proofHashes turns proof bytes back into hashes.
func proofHashes(bs [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d has %d bytes", i, len(b))
		}
		out[i] = tlog.Hash(b)
	}
	return out, nil
}
