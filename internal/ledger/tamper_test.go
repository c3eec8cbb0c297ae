package ledger_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"

	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// tamper is one way an operator with database access might rewrite the
// record, and the first event index Verify must name.
type tamper struct {
	name string
	do   func(t *testing.T, db *store.DB, events []ledger.Event)
	// first bad event Verify must name; for a rewrite covered only by the
	// checkpoints, the report names where the damage range starts.
	first int64
}

// exec runs statements in one transaction, the way a hand-made edit would.
func exec(t *testing.T, db *store.DB, stmts ...string) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// forge returns a well-formed record for a fake event at index i, with
// the same fields as e but another type.
func forge(e ledger.Event, i int64) []byte {
	e.Index = i
	e.Type = "talks.consent"
	return ledger.Encode(e, bytes.Repeat([]byte{7}, 32))
}

var tampers = []tamper{
	{"edit a column", func(t *testing.T, db *store.DB, _ []ledger.Event) {
		exec(t, db, "UPDATE events SET type = 'talks.consent' WHERE idx = 7")
	}, 7},
	{"edit a record", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		upd(t, db, "UPDATE events SET record = $1, type = 'talks.consent', content_hash = $2 WHERE idx = 7", forge(ev[7], 7), bytes.Repeat([]byte{7}, 32))
	}, 7},
	{"widen an audience", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		upd(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", ev[9].ID, "intruder")
	}, 9},
	{"delete a row", func(t *testing.T, db *store.DB, _ []ledger.Event) {
		exec(t, db, "DELETE FROM events WHERE idx = 7")
	}, 7},
	{"delete the last row", func(t *testing.T, db *store.DB, _ []ledger.Event) {
		exec(t, db, "DELETE FROM events WHERE idx = 19")
	}, 19},
	{"reorder two rows", func(t *testing.T, db *store.DB, _ []ledger.Event) {
		exec(t, db, "UPDATE events SET idx = -1 WHERE idx = 7", "UPDATE events SET idx = 7 WHERE idx = 8", "UPDATE events SET idx = 8 WHERE idx = -1")
	}, 7},
	{"insert a row in the middle", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		exec(t, db, "UPDATE events SET idx = idx + 1000 WHERE idx >= 7", "UPDATE events SET idx = idx - 999 WHERE idx >= 1000")
		insertForged(t, db, ev[7], 7)
	}, 7},
	{"insert a row at the end", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		insertForged(t, db, ev[3], 20)
	}, 20},
	{"rewrite a record and rebuild the hashes", func(t *testing.T, db *store.DB, ev []ledger.Event) {
		upd(t, db, "UPDATE events SET record = $1, type = 'talks.consent', content_hash = $2 WHERE idx = 15", forge(ev[15], 15), bytes.Repeat([]byte{7}, 32))
		rebuildHashes(t, db)
	}, 10},
}

func upd(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.W.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func insertForged(t *testing.T, db *store.DB, like ledger.Event, i int64) {
	t.Helper()
	id := store.NewID()
	like.ID = id
	rec := forge(like, i)
	upd(t, db, `INSERT INTO events(idx, id, type, at, actor_user, actor_org, round_id, object_type, object_id, content_hash, salt, record)
		VALUES ($1, $2, 'talks.consent', $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		i, id, store.Stamp(like.At), like.Actor.User, like.Actor.Org, like.Round, like.ObjectType, like.ObjectID,
		bytes.Repeat([]byte{7}, 32), like.Salt, rec)
	for _, org := range like.Audience {
		upd(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", id, org)
	}
}

// rebuildHashes recomputes the whole stored tree from the event rows, as a
// careful forger would.
func rebuildHashes(t *testing.T, db *store.DB) {
	t.Helper()
	rows, err := db.R.Query("SELECT record FROM events ORDER BY idx")
	if err != nil {
		t.Fatal(err)
	}
	var mem memTree
	for rows.Next() {
		var rec []byte
		if err := rows.Scan(&rec); err != nil {
			t.Fatal(err)
		}
		mem.add(t, rec)
	}
	rows.Close()
	upd(t, db, "DELETE FROM ledger_hashes")
	for id, h := range mem.hashes {
		upd(t, db, "INSERT INTO ledger_hashes(id, hash) VALUES ($1, $2)", id, h[:])
	}
}

// seedTamperable writes 20 events with checkpoints at 10 and 20.
func seedTamperable(t *testing.T, db *store.DB) (*ledger.Ledger, []ledger.Event) {
	t.Helper()
	ctx := context.Background()
	l := newLedger(t, db)
	c := ledger.NewCheckpointer(l, 0, 0)
	events := appendN(t, l, 10, 3)
	if _, err := c.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	events = append(events, appendN(t, l, 10, 4)...)
	if _, err := c.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	return l, events
}

func TestVerifyFindsTampering(t *testing.T) {
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, fresh *store.DB) {
				l, events := seedTamperable(t, fresh)
				ctx := context.Background()
				rep, err := ledger.Verify(ctx, fresh, l.VerifierKey())
				if err != nil || !rep.OK() || rep.Checkpoints != 2 {
					t.Fatalf("before tampering: %v, %v", rep.String(), err)
				}
				tc.do(t, fresh, events)
				rep, err = ledger.Verify(ctx, fresh, l.VerifierKey())
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK() || rep.FirstBad != tc.first {
					t.Fatalf("after %s: first bad %d, want %d\n%s", tc.name, rep.FirstBad, tc.first, rep.String())
				}
			})
		})
	}
}

// TestVerifyChecksSignature: a checkpoint re-signed with another key, or a
// wrong verifier key, is reported.
func TestVerifyChecksSignature(t *testing.T) {
	db := storetest.SQLite(t)
	seedTamperable(t, db)
	other := newLedger(t, storetest.SQLite(t))
	rep, err := ledger.Verify(context.Background(), db, other.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Problems) != 2 {
		t.Fatalf("verify with another key: %s", rep.String())
	}
}

// TestAppendRefusesDamagedLedger: once a row has been inserted behind the
// ledger's back, appends stop instead of building on it.
func TestAppendRefusesDamagedLedger(t *testing.T) {
	db := storetest.SQLite(t)
	l, events := seedTamperable(t, db)
	insertForged(t, db, events[0], 20)
	err := l.Write(context.Background(), func(tx *sql.Tx, rec *ledger.Recorder) error {
		_, err := rec.Append(context.Background(), ledger.Event{Type: "t", Audience: events[0].Audience})
		return err
	})
	if err == nil {
		t.Fatal("append on a damaged ledger succeeded")
	}
}
