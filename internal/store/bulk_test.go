package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestInsertRows: every supported column type round-trips on both
// databases, the suffix applies (a duplicate is skipped), a bad row is
// refused and the transaction that saw the error writes nothing.
func TestInsertRows(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE bulk_test (id TEXT PRIMARY KEY, n BIGINT NOT NULL, b `+map[store.Dialect]string{store.SQLite: "BLOB", store.Postgres: "BYTEA"}[db.Dialect]+` NOT NULL, f BOOLEAN NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.W.ExecContext(context.Background(), "DROP TABLE bulk_test") })
		cols := store.Columns("id text", "n bigint", "b bytea", "f boolean")
		rows := [][]any{
			{"a", int64(1), []byte{0, 1}, true},
			{"b", int64(2), []byte("ب"), false},
			{"a", int64(9), []byte{9}, false}, // skipped by the suffix
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			return db.Dialect.InsertRows(ctx, tx, "bulk_test", cols, "ON CONFLICT DO NOTHING", rows)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.R.QueryContext(ctx, "SELECT id, n, b, f FROM bulk_test ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer got.Close()
		var n int
		for got.Next() {
			var id string
			var v int64
			var b []byte
			var f bool
			if err := got.Scan(&id, &v, &b, &f); err != nil {
				t.Fatal(err)
			}
			want := rows[n]
			wantN := map[string]int64{"a": 1, "b": 2}[id]
			if id != want[0] || v != wantN || !bytes.Equal(b, want[2].([]byte)) || f != want[3] {
				t.Errorf("row %d = %s %d %x %v, want %v", n, id, v, b, f, want)
			}
			n++
		}
		if n != 2 {
			t.Fatalf("%d rows, want 2", n)
		}
		for _, bad := range [][]any{{"c", "not a number", []byte{}, true}, {"c", int64(1)}} {
			err = db.Tx(ctx, func(tx *sql.Tx) error {
				if err := db.Dialect.InsertRows(ctx, tx, "bulk_test", cols, "", [][]any{{"d", int64(4), []byte{4}, true}}); err != nil {
					return err
				}
				return db.Dialect.InsertRows(ctx, tx, "bulk_test", cols, "", [][]any{bad})
			})
			if err == nil {
				t.Errorf("row %v accepted", bad)
			}
		}
		var count int
		if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM bulk_test").Scan(&count); err != nil || count != 2 {
			t.Errorf("after refused writes: %d rows (%v), want 2", count, err)
		}
	})
}
