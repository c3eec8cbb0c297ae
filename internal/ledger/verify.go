package ledger

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/store"
)

// Problem is one defect found by Verify or an audit. Index is the event it
// concerns, or -1 when it concerns no single event.
type Problem struct {
	Index int64
	// Item names the content item concerned ("message 01a2…"), if any.
	Item string
	What string
}

func (p Problem) String() string {
	switch {
	case p.Index < 0:
		return p.What
	case p.Item != "":
		return fmt.Sprintf("%s (event %d): %s", p.Item, p.Index, p.What)
	}
	return fmt.Sprintf("event %d: %s", p.Index, p.What)
}

// MaxProblems is how many problems a report lists; the rest are counted.
const MaxProblems = 100

// Report is the outcome of Verify.
type Report struct {
	Events       int64 // event rows read
	StoredHashes int64 // stored hash rows read
	Checkpoints  int   // signed checkpoints checked
	Cosignatures int   // witness cosignatures checked
	Items        int64 // content items checked against their events
	// FirstBad is the lowest event index involved in a problem, or -1.
	FirstBad int64
	// FirstBadItem names the content item of the first problem found
	// with an item, or is "".
	FirstBadItem string
	Problems     []Problem
	// More counts problems found beyond MaxProblems.
	More int

	// badLeaves are the leaves whose stored hash differs from the rebuilt
	// one, in order: a mismatch higher in the tree, or of a checkpoint root,
	// over one of them is its consequence, not a second defect.
	badLeaves []int64
}

// anyBadLeaf reports whether a leaf in [lo, hi) is known bad.
func (r *Report) anyBadLeaf(lo, hi int64) bool {
	i, _ := slices.BinarySearch(r.badLeaves, lo)
	return i < len(r.badLeaves) && r.badLeaves[i] < hi
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(index int64, format string, args ...any) {
	r.record(Problem{Index: index, What: fmt.Sprintf(format, args...)})
}

// addItem reports a problem with a content item created by event index.
func (r *Report) addItem(index int64, kind, id, format string, args ...any) {
	p := Problem{Index: index, Item: kind + " " + id, What: fmt.Sprintf(format, args...)}
	if r.FirstBadItem == "" {
		r.FirstBadItem = p.Item
	}
	r.record(p)
}

func (r *Report) record(p Problem) {
	if p.Index >= 0 && (r.FirstBad < 0 || p.Index < r.FirstBad) {
		r.FirstBad = p.Index
	}
	if len(r.Problems) >= MaxProblems {
		r.More++
		return
	}
	r.Problems = append(r.Problems, p)
}

// memHashes is an in-memory tlog.HashReader over a rebuilt tree.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, id := range indexes {
		if id < 0 || id >= int64(len(m)) {
			return nil, fmt.Errorf("hash %d beyond the rebuilt tree", id)
		}
		out[i] = m[id]
	}
	return out, nil
}

// Verify checks the whole ledger in db, as the operator's "parley verify"
// does: it rebuilds the tree from the event rows, checks that every row's
// record is the canonical encoding of its columns and its audience, that
// the records sit at their own index, that every stored hash equals the
// rebuilt one, and that every signed checkpoint verifies with verifierKey
// and matches the rebuilt tree; witness cosignatures are checked against the
// registered keys. With kinds, it also checks the content items of each
// kind against the events that created and widened them (state.go). The
// report names the first bad event and item. An error means the check
// could not run, not that the ledger is bad.
func Verify(ctx context.Context, db *store.DB, verifierKey string, kinds ...ItemKind) (Report, error) {
	rep := Report{FirstBad: -1}
	verifier, err := note.NewVerifier(verifierKey)
	if err != nil {
		return rep, fmt.Errorf("verifier key: %w", err)
	}
	tree, err := verifyEvents(ctx, db, &rep)
	if err != nil {
		return rep, err
	}
	if err := verifyStoredHashes(ctx, db, tree, &rep); err != nil {
		return rep, err
	}
	if err := verifyCheckpoints(ctx, db, verifier, tree, &rep); err != nil {
		return rep, err
	}
	return rep, verifyState(ctx, db, kinds, &rep)
}

// verifyEvents reads every event row in index order, checks it and
// returns the stored hashes of the tree rebuilt from the records.
func verifyEvents(ctx context.Context, db *store.DB, rep *Report) (memHashes, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT e.idx, e.id, e.type, e.at, e.actor_user, e.actor_org, e.round_id,
		e.object_type, e.object_id, e.content_hash, e.salt, e.record, `+access.AudienceColumn(db.Dialect, "e.id")+`
		FROM events e ORDER BY e.idx`)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	// Reading rows and checking them run on two goroutines: on SQLite the
	// scan is about half the work.
	type row struct {
		e           Event
		contentHash []byte
	}
	batches := make(chan []row, 4)
	var scanErr error
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		// On an early return, stop the reader before rows.Close runs.
		cancel()
		for range batches {
		}
	}()
	go func() {
		defer close(batches)
		batch := make([]row, 0, 512)
		for rows.Next() {
			var r row
			var at int64
			var aud string
			e := &r.e
			if scanErr = rows.Scan(&e.Index, &e.ID, &e.Type, &at, &e.Actor.User, &e.Actor.Org, &e.Round,
				&e.ObjectType, &e.ObjectID, &r.contentHash, &e.Salt, &e.Record, &aud); scanErr != nil {
				return
			}
			e.At = store.Time(at)
			e.Audience = access.ParseAudience(aud)
			batch = append(batch, r)
			if len(batch) == cap(batch) {
				select {
				case batches <- batch:
				case <-ctx.Done():
					return
				}
				batch = make([]row, 0, 512)
			}
		}
		scanErr = rows.Err()
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-ctx.Done():
			}
		}
	}()
	var tree memHashes
	var i int64
	var buf []byte
	for batch := range batches {
		for _, r := range batch {
			// The fast path: the row re-encodes to exactly its record.
			buf = appendRecord(buf[:0], r.e, r.contentHash)
			if r.e.Index != i || !bytes.Equal(buf, r.e.Record) || !canonicalAudience(r.e.Audience) {
				checkEventRow(i, r.e, r.contentHash, rep)
			}
			hs, err := tlog.StoredHashesForRecordHash(i, tlog.RecordHash(r.e.Record), tree)
			if err != nil {
				return nil, err
			}
			tree = append(tree, hs...)
			i++
		}
	}
	rep.Events = i
	if scanErr != nil {
		return nil, scanErr
	}
	return tree, ctx.Err()
}

// checkEventRow checks the row found at position i of the index order.
func checkEventRow(i int64, e Event, contentHash []byte, rep *Report) {
	if e.Index != i {
		if e.Index > i {
			rep.add(i, "missing: the next event row has index %d (a row was deleted or the rows renumbered)", e.Index)
		} else {
			rep.add(i, "index %d out of sequence", e.Index)
		}
		return
	}
	r, err := ParseRecord(e.Record)
	if err != nil {
		rep.add(i, "record unreadable: %v", err)
		return
	}
	if r.Index != i {
		rep.add(i, "record says index %d (rows reordered or inserted)", r.Index)
		return
	}
	var diffs []string
	for _, f := range []struct {
		name      string
		rec, cols string
	}{
		{"id", r.ID, e.ID}, {"type", r.Type, e.Type}, {"actor", r.Actor, e.Actor.User}, {"org", r.Org, e.Actor.Org},
		{"round", r.Round, e.Round}, {"object-type", r.ObjectType, e.ObjectType}, {"object-id", r.ObjectID, e.ObjectID},
		{"at", fmt.Sprint(r.At), fmt.Sprint(store.Stamp(e.At))},
		{"audience", strings.Join(r.Audience, " "), strings.Join(e.Audience, " ")},
		{"content", fmt.Sprintf("%x", r.ContentHash), fmt.Sprintf("%x", contentHash)},
		{"salt", fmt.Sprintf("%x", r.Salt), fmt.Sprintf("%x", e.Salt)},
	} {
		if f.rec != f.cols {
			diffs = append(diffs, f.name)
		}
	}
	if len(diffs) > 0 {
		rep.add(i, "columns differ from the record: %s", strings.Join(diffs, ", "))
	}
	if !canonicalAudience(r.Audience) {
		rep.add(i, "record audience is not sorted and unique")
	}
}

// verifyStoredHashes compares the stored hash table with the rebuilt tree.
func verifyStoredHashes(ctx context.Context, db *store.DB, tree memHashes, rep *Report) error {
	rows, err := db.R.QueryContext(ctx, "SELECT id, hash FROM ledger_hashes ORDER BY id")
	if err != nil {
		return fmt.Errorf("read stored hashes: %w", err)
	}
	defer rows.Close()
	var next int64
	for rows.Next() {
		var id int64
		var h []byte
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		rep.StoredHashes++
		for ; next < id && next < int64(len(tree)); next++ {
			rep.add(storedBy(next), "stored hash %d missing", next)
		}
		next = id + 1
		if id >= int64(len(tree)) {
			rep.add(storedBy(id), "stored hash %d beyond the %d events (an event row was deleted?)", id, rep.Events)
			continue
		}
		if !bytes.Equal(h, tree[id][:]) {
			level, n := tlog.SplitStoredHashIndex(id)
			lo, hi := n<<level, (n+1)<<level
			switch {
			case level == 0:
				rep.badLeaves = append(rep.badLeaves, n)
				rep.add(n, "leaf hash differs from the stored hash: the record changed after it was appended")
			case !rep.anyBadLeaf(lo, hi):
				rep.add(lo, "stored hash %d (level %d, events %d to %d) differs from the rebuilt tree", id, level, lo, hi-1)
			}
		}
	}
	for ; next < int64(len(tree)); next++ {
		rep.add(storedBy(next), "stored hash %d missing (an event row was inserted?)", next)
	}
	return rows.Err()
}

// storedBy returns the event whose append wrote a stored hash: a hash at
// level L over leaves [n<<L, (n+1)<<L) is stored with the last of them.
func storedBy(storedIndex int64) int64 {
	level, n := tlog.SplitStoredHashIndex(storedIndex)
	return (n+1)<<level - 1
}

// verifyCheckpoints checks every signed checkpoint and its cosignatures.
func verifyCheckpoints(ctx context.Context, db *store.DB, v note.Verifier, tree memHashes, rep *Report) error {
	witnesses, err := loadWitnessVerifiers(ctx, db.R)
	if err != nil {
		return err
	}
	rows, err := db.R.QueryContext(ctx, "SELECT size, root, note FROM checkpoints ORDER BY size")
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	type cp struct {
		size       int64
		root, note []byte
	}
	var cps []cp
	for rows.Next() {
		var c cp
		if err := rows.Scan(&c.size, &c.root, &c.note); err != nil {
			rows.Close()
			return err
		}
		cps = append(cps, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	good := int64(0) // the largest size whose checkpoint matches the rebuilt tree
	for _, c := range cps {
		rep.Checkpoints++
		n, err := note.Open(c.note, note.VerifierList(v))
		if err != nil {
			rep.add(-1, "checkpoint %d: signature does not verify with the ledger key: %v", c.size, err)
			continue
		}
		body, err := torchwood.ParseCheckpoint(n.Text)
		if err != nil || body.Origin != v.Name() || body.N != c.size || !bytes.Equal(body.Hash[:], c.root) {
			rep.add(-1, "checkpoint %d: signed text does not match its row", c.size)
			continue
		}
		if c.size > rep.Events {
			rep.add(rep.Events, "checkpoint %d covers events beyond the %d in the table (rows deleted)", c.size, rep.Events)
			continue
		}
		root, err := tlog.TreeHash(c.size, tree)
		if err != nil {
			return err
		}
		if root != body.Hash && rep.anyBadLeaf(good, c.size) {
			rep.add(-1, "checkpoint %d: signed root differs from the tree rebuilt from the events (see the events above)", c.size)
			continue
		}
		if root != body.Hash {
			rep.add(good, "checkpoint %d: signed root differs from the tree rebuilt from the events: an event between %d and %d was changed", c.size, good, c.size-1)
			continue
		}
		good = c.size
		if err := verifyCosignatures(ctx, db, c.size, n.Text, witnesses, rep); err != nil {
			return err
		}
	}
	return nil
}

func verifyCosignatures(ctx context.Context, db *store.DB, size int64, text string, witnesses map[string]witnessKey, rep *Report) error {
	rows, err := db.R.QueryContext(ctx, "SELECT witness_id, signature FROM cosignatures WHERE checkpoint_size = $1", size)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, sig string
		if err := rows.Scan(&id, &sig); err != nil {
			return err
		}
		rep.Cosignatures++
		w, ok := witnesses[id]
		if !ok {
			rep.add(-1, "checkpoint %d: cosignature by unknown witness %s", size, id)
			continue
		}
		if _, err := note.Open([]byte(text+"\n"+sig), note.VerifierList(w.verifier)); err != nil {
			rep.add(-1, "checkpoint %d: cosignature of witness %q does not verify", size, w.name)
		}
	}
	return rows.Err()
}

// String renders the report for the command line.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d events, %d stored hashes, %d checkpoints, %d cosignatures, %d content items checked\n",
		r.Events, r.StoredHashes, r.Checkpoints, r.Cosignatures, r.Items)
	if r.OK() {
		b.WriteString("OK: the ledger is intact\n")
		return b.String()
	}
	if r.FirstBad >= 0 {
		fmt.Fprintf(&b, "FAILED: first bad event is %d\n", r.FirstBad)
		if r.FirstBadItem != "" {
			fmt.Fprintf(&b, "first bad item: %s\n", r.FirstBadItem)
		}
	} else {
		b.WriteString("FAILED\n")
	}
	probs := slices.Clone(r.Problems)
	for _, p := range probs {
		b.WriteString("  " + p.String() + "\n")
	}
	if r.More > 0 {
		fmt.Fprintf(&b, "  ... and %d more problems\n", r.More)
	}
	return b.String()
}
