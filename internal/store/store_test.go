package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestMigrateAndTx(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		v, err := db.Version(ctx)
		if err != nil || v < 1 {
			t.Fatalf("version = %d, %v", v, err)
		}
		// A failing transaction leaves nothing behind.
		boom := errors.New("boom")
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES ($1, $2)", "k", "v"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx error = %v", err)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM meta WHERE key = 'k'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled-back row visible: n=%d err=%v", n, err)
		}
		// Unique violations are classified by code.
		ins := func() error {
			return db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES ($1, $2)", "u", "v")
				return err
			})
		}
		if err := ins(); err != nil {
			t.Fatal(err)
		}
		if err := ins(); !store.IsUniqueViolation(err) {
			t.Fatalf("second insert: %v, want unique violation", err)
		}
		// Booleans and blobs round-trip on both dialects.
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO events(idx, id, type, at, content_hash, salt, record) VALUES (0, $1, 't', $2, $3, $4, $5)`,
				store.NewID(), store.Now(), []byte{1, 2}, []byte{3}, []byte("rec"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var rec []byte
		if err := db.R.QueryRowContext(ctx, "SELECT record FROM events WHERE idx = 0").Scan(&rec); err != nil || string(rec) != "rec" {
			t.Fatalf("blob = %q, %v", rec, err)
		}
	})
}

func TestBackupSQLite(t *testing.T) {
	db := storetest.SQLite(t)
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	b, err := store.Open(context.Background(), "sqlite:"+out, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if v, err := b.Version(context.Background()); err != nil || v < 1 {
		t.Fatalf("backup version %d, %v", v, err)
	}
}

func TestValidID(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{{store.NewID(), true}, {"", false}, {"1", false}, {"ZZ" + store.NewID()[2:], false}, {"AB" + store.NewID()[2:], false}} {
		if got := store.ValidID(c.s); got != c.want {
			t.Errorf("ValidID(%q) = %v", c.s, got)
		}
	}
}

// TestNewIDOrderAndRandomness: ids made later sort after earlier ones (the
// time prefix), and ids made in the same millisecond still differ in their
// 80 random bits.
func TestNewIDOrderAndRandomness(t *testing.T) {
	first := store.NewID()
	time.Sleep(2 * time.Millisecond)
	second := store.NewID()
	if first >= second {
		t.Errorf("NewID %s made before %s sorts after it", first, second)
	}
	seen := map[string]bool{}
	tails := map[string]bool{}
	for range 10000 {
		id := store.NewID()
		if seen[id] {
			t.Fatalf("NewID repeated %s", id)
		}
		seen[id] = true
		tails[id[12:]] = true
	}
	if len(tails) != len(seen) {
		t.Errorf("random parts repeat: %d distinct of %d", len(tails), len(seen))
	}
}

func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c%d")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(filepath.Join(dir, "parley.db")); err != nil {
		t.Fatalf("database not created inside %s: %v", dir, err)
	}
}

func TestReadTxCachedStatements(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES ('a', '1'), ('b', '2')")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 { // the same statement again, from the cache
			err := db.ReadTx(ctx, func(r *store.Reader) error {
				var v string
				if err := r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = $1", "b").Scan(&v); err != nil || v != "2" {
					t.Fatalf("value = %q, %v", v, err)
				}
				rows, err := r.QueryContext(ctx, "SELECT key FROM meta ORDER BY key")
				if err != nil {
					return err
				}
				defer rows.Close()
				var keys []string
				for rows.Next() {
					var k string
					rows.Scan(&k)
					keys = append(keys, k)
				}
				if len(keys) != 2 {
					t.Fatalf("keys = %v", keys)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// A query that does not compile fails cleanly, on Scan and on Query.
		err = db.ReadTx(ctx, func(r *store.Reader) error {
			var v string
			if err := r.QueryRowContext(ctx, "SELECT nothing FROM nowhere").Scan(&v); err == nil {
				t.Error("bad query scanned without error")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.ReadTx(ctx, func(r *store.Reader) error {
			_, err := r.QueryContext(ctx, "SELECT nothing FROM nowhere")
			return err
		})
		if err == nil {
			t.Error("bad query ran without error")
		}
	})
}

func TestCachedReader(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for range 2 {
			var n int
			if err := db.Cached().QueryRowContext(ctx, "SELECT COUNT(*) FROM meta WHERE key = $1", "x").Scan(&n); err != nil || n != 0 {
				t.Fatalf("n = %d, %v", n, err)
			}
			rows, err := db.Cached().QueryContext(ctx, "SELECT key FROM meta")
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		var n int
		if err := db.Cached().QueryRowContext(ctx, "SELECT nothing FROM nowhere").Scan(&n); err == nil {
			t.Error("bad query scanned without error")
		}
	})
}

// TestEventNotify: on PostgreSQL, a connection of its own from OpenConn
// sees the test's schema, and a committed insert into events notifies
// channel parley_events with the highest index inserted (migration 00010).
// Done closes with the database on both dialects.
func TestEventNotify(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Dialect == store.Postgres {
			conn, err := db.OpenConn(ctx, "parley test")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var app, schema, poolSchema string
			if err := conn.QueryRow(ctx, "SELECT current_setting('application_name'), current_schema()").Scan(&app, &schema); err != nil {
				t.Fatal(err)
			}
			if err := db.R.QueryRowContext(ctx, "SELECT current_schema()").Scan(&poolSchema); err != nil {
				t.Fatal(err)
			}
			if app != "parley test" || schema != poolSchema {
				t.Fatalf("own connection: application %q, schema %q; want %q, %q", app, schema, "parley test", poolSchema)
			}
			if _, err := conn.Exec(ctx, "LISTEN parley_events"); err != nil {
				t.Fatal(err)
			}
			// Indexes no other test's schema uses, since every schema of
			// the database notifies the same channel.
			err = db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO events(idx, id, type, at, content_hash, salt, record)
					SELECT i, 'e' || i, 'test', 0, '\x00', '\x00', '\x00' FROM generate_series(7033520, 7033523) i`)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			for {
				n, err := conn.WaitForNotification(wctx)
				if err != nil {
					t.Fatalf("no notification: %v", err)
				}
				if n.Channel == "parley_events" && n.Payload == "7033523" {
					break
				}
			}
		} else if _, err := db.OpenConn(ctx, "parley test"); err == nil {
			t.Fatal("OpenConn on SQLite")
		}
		select {
		case <-db.Done():
			t.Fatal("Done before Close")
		default:
		}
		db.Close()
		<-db.Done()
	})
}
