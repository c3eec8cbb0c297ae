package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// insertRows writes rows into bulk_test as a Batch of one table.
func insertRows(ctx context.Context, tx *sql.Tx, d store.Dialect, cols []store.Column, suffix string, rows [][]any) error {
	var b store.Batch
	b.AddRows("bulk_test", cols, suffix, rows)
	return b.Write(ctx, tx, d)
}

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
			return insertRows(ctx, tx, db.Dialect, cols, "ON CONFLICT DO NOTHING", rows)
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
				if err := insertRows(ctx, tx, db.Dialect, cols, "", [][]any{{"d", int64(4), []byte{4}, true}}); err != nil {
					return err
				}
				return insertRows(ctx, tx, db.Dialect, cols, "", [][]any{bad})
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

// TestBatchAcrossTables: a batch of rows in a parent and a child table is
// written in one go on both databases (one statement on PostgreSQL), the
// foreign key holds, and a child whose parent is missing fails the whole
// batch.
func TestBatchAcrossTables(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, q := range []string{
			"CREATE TABLE bulk_parent (id TEXT PRIMARY KEY)",
			"CREATE TABLE bulk_child (id TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES bulk_parent(id))",
		} {
			if _, err := db.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			db.W.ExecContext(context.Background(), "DROP TABLE bulk_child")
			db.W.ExecContext(context.Background(), "DROP TABLE bulk_parent")
		})
		parent, child := store.Columns("id text"), store.Columns("id text", "parent text")
		write := func(rows func(b *store.Batch)) error {
			return db.Tx(ctx, func(tx *sql.Tx) error {
				var b store.Batch
				rows(&b)
				return b.Write(ctx, tx, db.Dialect)
			})
		}
		err := write(func(b *store.Batch) {
			for _, p := range []string{"p1", "p2"} {
				b.Add("bulk_parent", parent, "", p)
			}
			b.Add("bulk_child", child, "", "c1", "p1")
			b.Add("bulk_child", child, "", "c2", "p2")
			if b.Len() != 4 {
				t.Errorf("Len = %d, want 4", b.Len())
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		err = write(func(b *store.Batch) {
			b.Add("bulk_parent", parent, "", "p3")
			b.Add("bulk_child", child, "", "c3", "nobody")
		})
		if err == nil || !store.IsForeignKeyViolation(err) {
			t.Errorf("child without parent: %v, want a foreign-key violation", err)
		}
		var parents, children int
		db.R.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM bulk_parent), (SELECT COUNT(*) FROM bulk_child)").Scan(&parents, &children)
		if parents != 2 || children != 2 {
			t.Errorf("%d parents and %d children, want 2 and 2", parents, children)
		}
	})
}
