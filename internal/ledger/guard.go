package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/errs"
	"parley/internal/store"
)

// A log must never contradict what it signed: a checkpoint smaller than
// one signed before, or one whose tree does not extend it, would be two
// signed histories that cannot both be true. Before signing, and when the
// server starts, the ledger checks the tail of the tree against the latest
// signed checkpoint from the stored hashes alone (O(log n) hashes plus the
// records appended since). Damage found there halts the ledger: the reason
// is recorded in ledger_halts and logged, and every write is refused — in
// every process sharing the database — until an operator clears the halt
// with "parley ledger resume" (which checks again first).

// Halt is a recorded reason why the ledger refuses writes.
type Halt struct {
	ID     string
	At     time.Time
	Size   int64 // the tree size when the damage was found
	Reason string
}

// Damage is a defect of the record found by CheckTail, by an append or by
// the signer: the ledger must not build on it.
type Damage struct{ Reason string }

func (d *Damage) Error() string { return "ledger damaged: " + d.Reason }

func damagef(format string, args ...any) *Damage {
	return &Damage{Reason: fmt.Sprintf(format, args...)}
}

// errReadOnly is what a write gets while the ledger is halted.
func errReadOnly(h *Halt) error {
	return &errs.Error{Code: errs.ReadOnly,
		Message: "the record of the talks was found damaged; no change is accepted until an operator has checked it",
		Err:     fmt.Errorf("ledger halted at %s: %s", h.At.Format(time.RFC3339), h.Reason)}
}

// ReadOnly returns the halt in force as this process last saw it, or nil
// while the ledger accepts writes (or on a nil Ledger, which pages built
// without one have). Pages show it as a banner.
func (l *Ledger) ReadOnly() *Halt {
	if l == nil {
		return nil
	}
	return l.halted.Load()
}

// Halted reads the oldest halt in force from the database (another process
// may have recorded it), or nil.
func (l *Ledger) Halted(ctx context.Context) (*Halt, error) {
	var h Halt
	var at int64
	err := l.db.R.QueryRowContext(ctx, `SELECT id, at, size, reason FROM ledger_halts WHERE cleared_at IS NULL
		ORDER BY at LIMIT 1`).Scan(&h.ID, &at, &h.Size, &h.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		l.halted.Store(nil)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger halts: %w", err)
	}
	h.At = store.Time(at)
	l.halted.Store(&h)
	return &h, nil
}

// Halt records that the ledger is damaged, logs it and puts the ledger in
// read-only mode. A halt already in force is kept (and returned) rather
// than doubled.
func (l *Ledger) Halt(ctx context.Context, reason string) (*Halt, error) {
	if h, err := l.Halted(ctx); err != nil || h != nil {
		return h, err
	}
	size, err := l.Size(ctx)
	if err != nil {
		return nil, err
	}
	h := &Halt{ID: store.NewID(), At: time.Now().UTC().Truncate(time.Microsecond), Size: size, Reason: reason}
	err = l.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO ledger_halts(id, at, size, reason) VALUES ($1, $2, $3, $4)",
			h.ID, store.Stamp(h.At), h.Size, h.Reason)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record ledger halt: %w", err)
	}
	l.halted.Store(h)
	l.logger().Error("ledger damaged: the server is read-only until an operator acts (parley verify, then parley ledger resume)",
		"reason", reason, "size", size, "halt", h.ID)
	return h, nil
}

// Resume clears the halts in force, once CheckTail finds the tail sound
// again (after a restore, say): by is who cleared them and note why; both
// are kept in ledger_halts. It refuses while the damage is still there.
func (l *Ledger) Resume(ctx context.Context, by, why string) (int64, error) {
	if err := l.CheckTail(ctx); err != nil {
		return 0, fmt.Errorf("not resumed: %w", err)
	}
	var n int64
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ledger_halts SET cleared_at = $1, cleared_by = $2, cleared_note = $3
			WHERE cleared_at IS NULL`, store.Now(), by, why)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	l.halted.Store(nil)
	l.logger().Warn("ledger resumed by the operator", "by", by, "note", why, "halts", n)
	return n, nil
}

// signedCheckpoint is the latest row of checkpoints.
type signedCheckpoint struct {
	size int64
	root tlog.Hash
	note []byte
}

// latestSigned reads the latest signed checkpoint and checks its
// signature and that its text says what its row says; size 0 when none.
func (l *Ledger) latestSigned(ctx context.Context) (signedCheckpoint, error) {
	var c signedCheckpoint
	var root []byte
	err := l.db.R.QueryRowContext(ctx, "SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&c.size, &root, &c.note)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("latest checkpoint: %w", err)
	}
	if len(root) != tlog.HashSize {
		return c, damagef("checkpoint %d: its root has %d bytes", c.size, len(root))
	}
	c.root = tlog.Hash(root)
	vkey := l.VerifierKey()
	if vkey == "" {
		return c, nil
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return c, err
	}
	n, err := note.Open(c.note, note.VerifierList(v))
	if err != nil {
		return c, damagef("checkpoint %d: signature does not verify with the ledger key: %v", c.size, err)
	}
	body, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil || body.N != c.size || body.Hash != c.root {
		return c, damagef("checkpoint %d: signed text does not match its row", c.size)
	}
	return c, nil
}

// CheckTail checks the tree against the latest signed checkpoint from the
// stored hashes: the tree is not smaller than the checkpoint, the number of
// stored hashes fits the number of events, the stored tree at the
// checkpoint's size has the signed root, the current tree is consistent
// with it (a consistency proof from the stored hashes), no index is
// missing (a row count), and every event appended since the checkpoint is
// in place and hashes to its stored leaf. A defect is a *Damage; other
// errors mean the check could not run.
func (l *Ledger) CheckTail(ctx context.Context) error {
	_, _, err := l.checkTail(ctx, true)
	return err
}

// checkTail is CheckTail returning the size and root of the tree it
// checked, which the signer then signs. The signer, which runs every
// minute or thousand events, skips the row count (a scan of the events'
// index): a row deleted below the checkpoint leaves the stored tree, and so
// what is signed, intact, and the start check and verify name it.
func (l *Ledger) checkTail(ctx context.Context, countRows bool) (int64, tlog.Hash, error) {
	// The checkpoint first, then the tree: a checkpoint is only ever signed
	// of committed events, so read in this order the tree can only be
	// larger, even while other processes append and sign.
	cp, err := l.latestSigned(ctx)
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	count := "-1"
	if countRows {
		count = "(SELECT COUNT(*) FROM events)"
	}
	var size, rows, stored int64
	err = l.db.R.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM events), `+count+`,
		(SELECT COALESCE(MAX(id) + 1, 0) FROM ledger_hashes)`).Scan(&size, &rows, &stored)
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("ledger size: %w", err)
	}
	if countRows && rows != size {
		return size, tlog.Hash{}, damagef("%d event rows for indexes 0 to %d (a row was deleted)", rows, size-1)
	}
	if size < cp.size {
		return size, tlog.Hash{}, damagef("the tree has %d events, fewer than the %d of the checkpoint signed before (event rows were deleted)", size, cp.size)
	}
	// One statement reads both in one snapshot, and an append writes its
	// event and its stored hashes in one transaction.
	if stored != tlog.StoredHashCount(size) {
		return size, tlog.Hash{}, damagef("%d events but %d stored hashes (want %d)", size, stored, tlog.StoredHashCount(size))
	}
	hr := dbHashReader{ctx, l.db.R, l.db.Dialect}
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		return size, root, damagef("tree hash at %d: %v", size, err)
	}
	if cp.size > 0 {
		if err := l.checkConsistent(hr, cp, size, root); err != nil {
			return size, root, err
		}
	}
	return size, root, l.checkTailRecords(ctx, cp.size, size)
}

// checkConsistent proves, from the stored hashes, that the tree of size
// leaves with the given root extends the signed checkpoint cp.
func (l *Ledger) checkConsistent(hr tlog.HashReader, cp signedCheckpoint, size int64, root tlog.Hash) error {
	if size == cp.size {
		if root != cp.root {
			return damagef("the tree of %d events has another root than the checkpoint signed at that size (the record was rewritten)", size)
		}
		return nil
	}
	proof, err := tlog.ProveTree(size, cp.size, hr)
	if err != nil {
		return damagef("consistency proof %d..%d: %v", cp.size, size, err)
	}
	if err := tlog.CheckTree(proof, size, root, cp.size, cp.root); err != nil {
		return damagef("the tree of %d events is not consistent with the checkpoint signed at %d (the record was rewritten)", size, cp.size)
	}
	return nil
}

// checkTailRecords checks that the events [from, to) are all there, in
// order, and hash to their stored leaves: what no checkpoint covers yet.
func (l *Ledger) checkTailRecords(ctx context.Context, from, to int64) error {
	const batch = 500
	for lo := from; lo < to; lo += batch {
		hi := min(lo+batch, to)
		rows, err := l.db.R.QueryContext(ctx, "SELECT idx, record FROM events WHERE idx >= $1 AND idx < $2 ORDER BY idx", lo, hi)
		if err != nil {
			return fmt.Errorf("tail events: %w", err)
		}
		var records [][]byte
		next := lo
		for rows.Next() {
			var i int64
			var rec []byte
			if err := rows.Scan(&i, &rec); err != nil {
				rows.Close()
				return err
			}
			if i != next {
				rows.Close()
				return damagef("event %d is missing (a row was deleted or the rows renumbered)", next)
			}
			records = append(records, rec)
			next++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if next != hi {
			return damagef("event %d is missing (a row was deleted)", next)
		}
		ids := make([]int64, len(records))
		for i := range records {
			ids[i] = tlog.StoredHashIndex(0, lo+int64(i))
		}
		leaves, err := readHashes(ctx, l.db.R, l.db.Dialect, ids)
		if err != nil {
			return damagef("leaf hashes %d..%d: %v", lo, hi-1, err)
		}
		for i, rec := range records {
			if tlog.RecordHash(rec) != leaves[i] {
				return damagef("event %d: its record no longer hashes to its stored leaf (the row was edited)", lo+int64(i))
			}
		}
	}
	return nil
}

// Guard runs CheckTail and halts the ledger on damage; it returns the halt
// in force afterwards (found now or recorded before), or nil. The server
// calls it at start.
func (l *Ledger) Guard(ctx context.Context) (*Halt, error) {
	err := l.CheckTail(ctx)
	var d *Damage
	if errors.As(err, &d) {
		return l.Halt(ctx, d.Reason)
	}
	if err != nil {
		return nil, err
	}
	return l.Halted(ctx)
}

// haltOn records the damage err carries, if any, and returns err.
func (l *Ledger) haltOn(ctx context.Context, err error) error {
	var d *Damage
	if errors.As(err, &d) {
		if _, herr := l.Halt(context.WithoutCancel(ctx), d.Reason); herr != nil {
			return errors.Join(err, herr)
		}
	}
	return err
}
