package ledger

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/store"
)

// hashesWhere is the condition selecting the stored hashes ids from table
// alias h, with its arguments numbered from first: one array parameter on
// PostgreSQL (one statement text whatever the count, so pgx keeps it
// prepared), a list on SQLite (which has no arrays and no round trips).
func hashesWhere(d store.Dialect, first int, ids []int64) (string, []any) {
	if d == store.Postgres {
		return "h.id = ANY($" + strconv.Itoa(first) + ")", []any{ids}
	}
	var b strings.Builder
	b.WriteString("h.id IN (")
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
		args[i] = id
	}
	b.WriteString(")")
	return b.String(), args
}

// readHashes reads stored hashes by index, in the order asked, failing when
// one is absent.
func readHashes(ctx context.Context, q access.Querier, d store.Dialect, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	found := make(hashMap, len(indexes))
	// SQLite limits the parameters of one statement.
	const chunk = 5000
	for lo := 0; lo < len(indexes); lo += chunk {
		cond, args := hashesWhere(d, 1, indexes[lo:min(lo+chunk, len(indexes))])
		rows, err := q.QueryContext(ctx, "SELECT h.id, h.hash FROM ledger_hashes h WHERE "+cond, args...)
		if err != nil {
			return nil, fmt.Errorf("read hashes: %w", err)
		}
		for rows.Next() {
			var id int64
			var h []byte
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, err
			}
			if len(h) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("stored hash %d has %d bytes", id, len(h))
			}
			found[id] = tlog.Hash(h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found.ReadHashes(indexes)
}

// hashMap is a tlog.HashReader over stored hashes read beforehand.
type hashMap map[int64]tlog.Hash

func (m hashMap) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, id := range indexes {
		h, ok := m[id]
		if !ok {
			return nil, fmt.Errorf("stored hash %d missing", id)
		}
		out[i] = h
	}
	return out, nil
}

// parseHashList reads "id:hex,id:hex,..." (the aggregate of hashesAgg) into
// m.
func (m hashMap) parseHashList(s string) error {
	for item := range strings.SplitSeq(s, ",") {
		if item == "" {
			continue
		}
		ids, hx, ok := strings.Cut(item, ":")
		id, err := strconv.ParseInt(ids, 10, 64)
		if !ok || err != nil {
			return fmt.Errorf("stored hash list: %q", item)
		}
		b, err := hex.DecodeString(hx)
		if err != nil || len(b) != tlog.HashSize {
			return fmt.Errorf("stored hash %d: malformed", id)
		}
		m[id] = tlog.Hash(b)
	}
	return nil
}

// hashesAgg is an SQL expression aggregating the stored hashes of cond
// (over alias h) into "id:hex,id:hex,...", so that a query that reads a
// record can read its proof's hashes in the same round trip.
func hashesAgg(d store.Dialect, cond string) string {
	if d == store.Postgres {
		return "(SELECT string_agg(h.id::text || ':' || encode(h.hash, 'hex'), ',') FROM ledger_hashes h WHERE " + cond + ")"
	}
	return "(SELECT group_concat(h.id || ':' || hex(h.hash), ',') FROM ledger_hashes h WHERE " + cond + ")"
}

// wanted is a tlog.HashReader that only notes which stored hashes a proof
// needs: tlog reads them in one call, whose indexes depend only on the
// tree's shape, so a caller can note them first and read them in the same
// query as the record, or for a page of events at once.
type wanted map[int64]struct{}

func (w wanted) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	for _, id := range indexes {
		w[id] = struct{}{}
	}
	return make([]tlog.Hash, len(indexes)), nil
}

func (w wanted) ids() []int64 {
	out := make([]int64, 0, len(w))
	for id := range w {
		out = append(out, id)
	}
	return out
}

// dbHashReader reads committed stored hashes for proofs and checkpoints.
type dbHashReader struct {
	ctx context.Context
	q   access.Querier
	d   store.Dialect
}

func (d dbHashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	return readHashes(d.ctx, d.q, d.d, indexes)
}
