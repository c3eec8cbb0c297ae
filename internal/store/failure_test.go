package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestClassify(t *testing.T) {
	coded := errs.New(errs.Conflict, "taken")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"plain error", errors.New("boom"), errs.Internal},
		{"coded error kept", coded, errs.Conflict},
		{"disk full writing a file", fmt.Errorf("store attachment: %w", &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}), errs.StorageFull},
		{"PostgreSQL disk full", &pgconn.PgError{Code: "53100"}, errs.StorageFull},
		{"PostgreSQL terminated the connection", fmt.Errorf("q: %w", &pgconn.PgError{Code: "57P01"}), errs.DatabaseUnavailable},
		{"PostgreSQL connection exception", &pgconn.PgError{Code: "08006"}, errs.DatabaseUnavailable},
		{"PostgreSQL too many connections", &pgconn.PgError{Code: "53300"}, errs.DatabaseUnavailable},
		{"PostgreSQL unique violation", &pgconn.PgError{Code: "23505"}, errs.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errs.Code(store.Classify(tc.err)); got != tc.want {
				t.Fatalf("Classify(%v) = %s, want %s", tc.err, got, tc.want)
			}
		})
	}
	if store.Classify(nil) != nil {
		t.Fatal("Classify(nil) is not nil")
	}
}

// TestClassifyTerminatedConnection: a transaction whose PostgreSQL backend
// is terminated (pg_terminate_backend, as an operator or a failover does)
// fails with database_unavailable, not internal.
func TestClassifyTerminatedConnection(t *testing.T) {
	dsn := storetest.PostgresOnly(t)
	db := storetest.Postgres(t, dsn)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var pid int
		if err := tx.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			return err
		}
		if _, err := db.R.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO security_events(id, at, kind, user_id, username, remote, detail) VALUES ('x', 0, 'k', '', '', '', '')")
		return err
	})
	if err == nil {
		t.Fatal("a transaction on a terminated connection committed")
	}
	t.Logf("the transaction failed with: %v", err)
	if got := errs.Code(store.Classify(err)); got != errs.DatabaseUnavailable {
		t.Fatalf("terminated connection: %v classified %s", err, got)
	}
}

// mountTmpfs mounts a small tmpfs (2 MiB) on dir with the extra mount
// options, unmounted when the test ends. Mounting needs root: the test is
// skipped, saying why, when it runs as another user outside CI.
func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the full-disk tests mount a tmpfs and need root in CI")
		}
		t.Skip("mounting a tmpfs needs root; run as root to test a full disk")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m"+opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
}

// fillUntilError writes 64 KiB rows of security events until a write
// fails, and returns that failure (nil after 100 rows, 6.4 MiB, when the
// disk never filled). The rows are random, so PostgreSQL cannot compress
// them into the space left.
func fillUntilError(t *testing.T, db *store.DB) error {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 32<<10)
	rand.Read(b)
	blob := hex.EncodeToString(b)
	for i := 0; i <= 100; i++ {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO security_events(id, at, kind, user_id, username, remote, detail) VALUES ($1, 0, 'k', '', '', '', $2)",
				fmt.Sprint(i), blob+fmt.Sprint(i))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// TestClassifyFullDisk: SQLite on a full disk (a 2 MiB tmpfs) fails with
// storage_full.
func TestClassifyFullDisk(t *testing.T) {
	dir := t.TempDir()
	mountTmpfs(t, dir, "")
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "full.db"), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // before the unmount
	err = fillUntilError(t, db)
	t.Logf("the write failed with: %v", err)
	if got := errs.Code(store.Classify(err)); got != errs.StorageFull {
		t.Fatalf("writing to a full disk: %v classified %s", err, got)
	}
}

// TestClassifyFullDiskPostgres: PostgreSQL whose tables live on a full disk
// (a tablespace on a 2 MiB tmpfs owned by the server's user; the server
// must run on this machine) fails with storage_full (SQLSTATE 53100), and
// the same pool goes on writing elsewhere.
func TestClassifyFullDiskPostgres(t *testing.T) {
	dsn := storetest.PostgresOnly(t)
	pg, err := user.Lookup("postgres")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no postgres user to own the tablespace: %v", err)
		}
		t.Skip("no local postgres user: the server does not run on this machine")
	}
	// Not t.TempDir: the server's user must reach the folder, and
	// t.TempDir's parent is private.
	dir, err := os.MkdirTemp("", "parley-pgfull-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	mountTmpfs(t, dir, ",mode=0700,uid="+pg.Uid+",gid="+pg.Gid)
	db := storetest.Postgres(t, dsn)
	ctx := context.Background()
	var schema string
	if err := db.R.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	space := "parley_full_" + store.NewID()
	if _, err := db.W.ExecContext(ctx, "CREATE TABLESPACE "+space+" LOCATION '"+dir+"'"); err != nil {
		t.Fatalf("create a tablespace on the tmpfs (is the server on this machine?): %v", err)
	}
	// Runs before the unmount: the schema's tables leave the tablespace,
	// then the tablespace goes.
	t.Cleanup(func() {
		db.W.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		if _, err := db.W.ExecContext(ctx, "DROP TABLESPACE "+space); err != nil {
			t.Errorf("drop the tablespace: %v", err)
		}
	})
	for _, q := range []string{"ALTER TABLE security_events SET TABLESPACE " + space, "ALTER INDEX security_events_pkey SET TABLESPACE " + space} {
		if _, err := db.W.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	err = fillUntilError(t, db)
	t.Logf("the write failed with: %v", err)
	if got := errs.Code(store.Classify(err)); got != errs.StorageFull {
		t.Fatalf("writing to a full tablespace: %v classified %s", err, got)
	}
	// The pool is not broken: a table elsewhere takes writes.
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "CREATE TABLE elsewhere(x integer); INSERT INTO elsewhere VALUES (1)")
		return err
	}); err != nil {
		t.Fatalf("a write beside the full tablespace: %v", err)
	}
}

// TestSQLiteFileRemoved: when the SQLite file is removed (or replaced)
// under the running server, SQLite would go on committing into the
// unlinked file and every write acknowledged from then on would be gone at
// the next start. The write is refused instead, as database_unavailable.
func TestSQLiteFileRemoved(t *testing.T) {
	ctx := context.Background()
	insert := func(db *store.DB, id string) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO security_events(id, at, kind, user_id, username, remote, detail) VALUES ($1, 0, 'k', '', '', '', '')", id)
			return err
		})
	}
	for _, tc := range []struct {
		name string
		do   func(path string) error
	}{
		{"removed", func(path string) error { return os.RemoveAll(filepath.Dir(path)) }},
		{"replaced", func(path string) error {
			if err := os.Rename(path, path+".old"); err != nil {
				return err
			}
			return os.WriteFile(path, nil, 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "parley.db"), dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := insert(db, "before"); err != nil {
				t.Fatal(err)
			}
			if err := tc.do(db.Path); err != nil {
				t.Fatal(err)
			}
			err = insert(db, "after")
			if got := errs.Code(store.Classify(err)); got != errs.DatabaseUnavailable {
				t.Fatalf("a write after the file was %s: %v classified %s", tc.name, err, got)
			}
			t.Logf("the write failed with: %v", err)
		})
	}
}

// TestSQLiteLockedElsewhere: another process holding SQLite's write lock
// (an operator's sqlite3 shell in a transaction, say) beyond the busy
// timeout makes a write fail with database_unavailable, and writes go on
// once it lets go. It waits out the 10 s busy timeout.
func TestSQLiteLockedElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out SQLite's 10 s busy timeout")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "parley.db"), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// A connection of its own, as another process's would be: SQLite's
	// locks are on the file.
	other, err := sql.Open("sqlite", "file:"+db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	write := func(id string) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO security_events(id, at, kind, user_id, username, remote, detail) VALUES ($1, 0, 'k', '', '', '', '')", id)
			return err
		})
	}
	err = write("locked")
	t.Logf("the write failed with: %v", err)
	if got := errs.Code(store.Classify(err)); got != errs.DatabaseUnavailable {
		t.Fatalf("a write while another holds the lock: %v classified %s", err, got)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := write("free"); err != nil {
		t.Fatalf("a write once the lock is let go: %v", err)
	}
}
