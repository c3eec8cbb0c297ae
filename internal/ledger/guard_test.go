package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// deleteTail deletes the events from index from on, with their stored
// hashes and audiences, as someone rolling the database back by hand would.
func deleteTail(t *testing.T, db *store.DB, from int64) {
	t.Helper()
	upd(t, db, "DELETE FROM audience WHERE item_id IN (SELECT id FROM events WHERE idx >= $1)", from)
	upd(t, db, "DELETE FROM events WHERE idx >= $1", from)
	upd(t, db, "DELETE FROM ledger_hashes WHERE id >= $1", tlog.StoredHashCount(from))
}

// backwards is damage after which the ledger must not sign, and whether
// undoing it (repair) lets the operator resume.
type backwards struct {
	name   string
	do     func(t *testing.T, db *store.DB, ev []ledger.Event)
	reason string // part of the recorded halt reason
}

var backwardsCases = []backwards{
	{"delete the tail rows with their hashes", func(t *testing.T, db *store.DB, _ []ledger.Event) {
		deleteTail(t, db, 18)
	}, "fewer than the 20"},
	{"delete the last event row only", func(t *testing.T, db *store.DB, _ []ledger.Event) {
		exec(t, db, "DELETE FROM events WHERE idx = 19")
	}, "fewer than the 20"},
	{"edit a middle row and rebuild the hashes", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		upd(t, db, "UPDATE events SET record = $1, type = 'talks.consent' WHERE idx = 15", forge(ev[15], 15))
		rebuildHashes(t, db)
	}, "another root"},
	{"edit a middle row, rebuild the hashes and append", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		upd(t, db, "UPDATE events SET record = $1, type = 'talks.consent' WHERE idx = 5", forge(ev[5], 5))
		rebuildHashes(t, db)
		insertForged(t, db, ev[3], 20)
		rebuildHashes(t, db)
	}, "not consistent"},
	{"edit a row the checkpoints do not cover yet", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		insertForged(t, db, ev[3], 20)
		rebuildHashes(t, db)
		upd(t, db, "UPDATE events SET record = $1 WHERE idx = 20", forge(ev[4], 20))
	}, "event 20"},
}

// TestNeverSignsBackwards: after rows were deleted or rewritten, the signer
// refuses to sign a tree smaller than, or inconsistent with, the latest
// checkpoint; the ledger records why, refuses writes, and the operator's
// resume is refused while the damage remains.
func TestNeverSignsBackwards(t *testing.T) {
	for _, tc := range backwardsCases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				l, events := seedTamperable(t, db)
				tc.do(t, db, events)
				if _, err := l.SignNow(ctx); err == nil {
					t.Fatal("signed a checkpoint of a damaged tree")
				}
				var latest, count int64
				if err := db.R.QueryRow("SELECT MAX(size), COUNT(*) FROM checkpoints").Scan(&latest, &count); err != nil {
					t.Fatal(err)
				}
				if latest != 20 || count != 2 {
					t.Fatalf("checkpoints after the refusal: latest %d, %d in all; want 20 and 2", latest, count)
				}
				h := l.ReadOnly()
				if h == nil || !strings.Contains(h.Reason, tc.reason) {
					t.Fatalf("halt %+v, want a reason containing %q", h, tc.reason)
				}
				// A second process (a restart) sees the halt in the database.
				other := ledger.New(db)
				if h2, err := other.Halted(ctx); err != nil || h2 == nil || h2.ID != h.ID {
					t.Fatalf("halt seen by another process: %+v, %v", h2, err)
				}
				err := other.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
					_, err := rec.Append(ctx, ledger.Event{Type: "t.x", Audience: events[0].Audience})
					return err
				})
				if errs.Code(err) != errs.ReadOnly {
					t.Fatalf("write on a halted ledger: %v, want %s", err, errs.ReadOnly)
				}
				if _, err := l.Resume(ctx, "operator", "looked at it"); err == nil {
					t.Fatal("resumed while the damage remains")
				}
			})
		})
	}
}

// TestResumeAfterRepair: once the damage is undone (a restore), the
// operator resumes and writes and signing go on; the halt keeps who
// cleared it and why.
func TestResumeAfterRepair(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, events := seedTamperable(t, db)
		var saved []byte
		if err := db.R.QueryRow("SELECT record FROM events WHERE idx = 12").Scan(&saved); err != nil {
			t.Fatal(err)
		}
		upd(t, db, "UPDATE events SET record = $1 WHERE idx = 12", forge(events[12], 12))
		rebuildHashes(t, db)
		h, err := l.Guard(ctx)
		if err != nil || h == nil {
			t.Fatalf("guard on a rewritten ledger: %+v, %v", h, err)
		}
		upd(t, db, "UPDATE events SET record = $1 WHERE idx = 12", saved)
		rebuildHashes(t, db)
		n, err := l.Resume(ctx, "operator", "restored event 12 from the backup")
		if err != nil || n != 1 || l.ReadOnly() != nil {
			t.Fatalf("resume after repair: %d, %v, read-only %v", n, err, l.ReadOnly())
		}
		var by, note string
		if err := db.R.QueryRow("SELECT cleared_by, cleared_note FROM ledger_halts WHERE id = $1", h.ID).Scan(&by, &note); err != nil || by != "operator" || note == "" {
			t.Fatalf("cleared halt: %q %q %v", by, note, err)
		}
		appendN(t, l, 3, 3)
		if _, err := l.SignNow(ctx); err != nil {
			t.Fatalf("sign after resume: %v", err)
		}
	})
}

// TestAppendRefusesTreeSmallerThanSigned: with tail rows and their hashes
// gone, the tree looks whole but is smaller than the latest checkpoint;
// the first append refuses and halts the ledger.
func TestAppendRefusesTreeSmallerThanSigned(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, events := seedTamperable(t, db)
		deleteTail(t, db, 17)
		err := l.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			_, err := rec.Append(ctx, ledger.Event{Type: "t.x", Audience: events[0].Audience})
			return err
		})
		var d *ledger.Damage
		if !errors.As(err, &d) {
			t.Fatalf("append on a rolled-back tree: %v", err)
		}
		if l.ReadOnly() == nil {
			t.Fatal("the ledger did not halt")
		}
		if n, _ := l.Size(ctx); n != 17 {
			t.Fatalf("size %d after the refused append, want 17", n)
		}
	})
}

// TestGuardAtStart: the start check passes an intact ledger and halts a
// damaged one, whatever the damage the tamper tests make.
func TestGuardAtStart(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		l, _ := seedTamperable(t, db)
		if h, err := l.Guard(context.Background()); err != nil || h != nil {
			t.Fatalf("guard on an intact ledger: %+v, %v", h, err)
		}
	})
	// Damage confined to events the checkpoints cover and not visible
	// from stored hashes (an edited column, a widened audience, an edited
	// record whose stored hash stays) is for the full verify.
	tailVisible := map[string]bool{
		"delete a row": true, "delete the last row": true, "insert a row at the end": true,
		"rewrite a record and rebuild the hashes": true, "insert a row in the middle": true,
	}
	for _, tc := range tampers {
		if !tailVisible[tc.name] {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				l, events := seedTamperable(t, db)
				tc.do(t, db, events)
				h, err := l.Guard(context.Background())
				if err != nil || h == nil {
					t.Fatalf("guard after %s: %+v, %v", tc.name, h, err)
				}
			})
		})
	}
}

// TestEventsProved: a page of events comes with each event's inclusion
// proof at the size asked for; events beyond it come without, and a size
// outside the tree is refused.
func TestEventsProved(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		var mem memTree
		for _, e := range appendN(t, l, 40, 7) {
			mem.add(t, e.Record)
		}
		const size = 29
		root := mem.root(t, size)
		evs, err := l.EventsProved(ctx, partyA, 3, 1000, size)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			t.Fatal("no events")
		}
		for _, e := range evs {
			if e.Index >= size {
				if e.Proof != nil {
					t.Errorf("event %d beyond the size has a proof", e.Index)
				}
				continue
			}
			if err := tlog.CheckRecord(toHashes(t, e.Proof), size, root, e.Index, tlog.RecordHash(e.Record)); err != nil {
				t.Errorf("event %d: %v", e.Index, err)
			}
		}
		for _, bad := range []int64{0, 41} {
			if _, err := l.EventsProved(ctx, partyA, 0, 10, bad); errs.Code(err) != errs.Invalid {
				t.Errorf("size %d: %v", bad, err)
			}
		}
	})
}

// TestNewOriginAfterRestore: a database restored from an older backup is
// behind what the witnesses saw; the operator ends the log and starts a new
// one over the restored events. The old key and checkpoints are archived,
// the new key signs the restored tree, and verify passes with it.
func TestNewOriginAfterRestore(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dataDir := t.TempDir()
		s, v, err := ledger.LoadOrCreateKey(dataDir, "parley.test/old")
		if err != nil {
			t.Fatal(err)
		}
		l := ledger.New(db)
		l.SetKey(s, v)
		appendN(t, l, 10, 5)
		if _, err := l.SignNow(ctx); err != nil {
			t.Fatal(err)
		}
		appendN(t, l, 10, 5)
		if _, err := l.SignNow(ctx); err != nil {
			t.Fatal(err)
		}
		// The backup was taken at 15 events, when 10 was the latest
		// checkpoint.
		deleteTail(t, db, 15)
		upd(t, db, "DELETE FROM checkpoints WHERE size > 15")

		archive := t.TempDir()
		no, err := ledger.StartNewOrigin(ctx, db, dataDir, "parley.test/new", archive, "restored the backup of 15 events")
		if err != nil {
			t.Fatal(err)
		}
		if no.FinalSize != 10 || no.FirstSize != 15 || no.OldVerifierKey != v || no.NewVerifierKey == v {
			t.Fatalf("new origin: %+v", no)
		}
		final, err := os.ReadFile(filepath.Join(no.Archive, "final-checkpoint.txt"))
		if err != nil || !strings.HasPrefix(string(final), "parley.test/old\n10\n") {
			t.Fatalf("final checkpoint of the old log: %q %v", final, err)
		}
		if _, oldV, err := ledger.LoadKey(filepath.Join(no.Archive, ledger.KeyFile)); err != nil || oldV != v {
			t.Fatalf("archived key: %v", err)
		}
		ns, nv, err := ledger.LoadKey(filepath.Join(dataDir, ledger.KeyFile))
		if err != nil || ns.Name() != "parley.test/new" || nv != no.NewVerifierKey {
			t.Fatalf("the data folder's key: %v %v", ns, err)
		}
		rep, err := ledger.Verify(ctx, db, nv)
		if err != nil || !rep.OK() || rep.Checkpoints != 1 {
			t.Fatalf("verify with the new key:\n%s %v", rep.String(), err)
		}
		nl := ledger.New(db)
		nl.SetKey(ns, nv)
		if h, err := nl.Guard(ctx); h != nil || err != nil {
			t.Fatalf("guard on the new log: %+v %v", h, err)
		}
		appendN(t, nl, 3, 3)
		if _, err := nl.SignNow(ctx); err != nil {
			t.Fatalf("sign on the new log: %v", err)
		}
	})
}
