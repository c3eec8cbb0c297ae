package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
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
	dsn := os.Getenv(storetest.EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL suite", storetest.EnvPostgres)
		}
		t.Skip("PostgreSQL not configured")
	}
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

// TestClassifyFullDisk: SQLite on a full disk (a 2 MiB tmpfs, mounted when
// the test runs as root) fails with storage_full.
func TestClassifyFullDisk(t *testing.T) {
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "full.db"), dir)
	if err != nil {
		exec.Command("umount", dir).Run()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		exec.Command("umount", dir).Run()
	})
	ctx := context.Background()
	blob := make([]byte, 64<<10)
	for i := 0; ; i++ {
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO security_events(id, at, kind, user_id, username, remote, detail) VALUES ($1, 0, 'k', '', '', '', $2)",
				fmt.Sprint(i), string(blob))
			return err
		})
		if err != nil || i > 100 {
			break
		}
	}
	t.Logf("the write failed with: %v", err)
	if got := errs.Code(store.Classify(err)); got != errs.StorageFull {
		t.Fatalf("writing to a full disk: %v classified %s", err, got)
	}
}
