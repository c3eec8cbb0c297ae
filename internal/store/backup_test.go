package store_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestBackupPostgres: parley backup --out on PostgreSQL writes a pg_dump
// archive of parley's schema that pg_restore reads, holding the events.
func TestBackupPostgres(t *testing.T) {
	dsn := storetest.PostgresOnly(t)
	db := storetest.Postgres(t, dsn)
	if _, err := db.W.Exec(`INSERT INTO events(idx, id, type, at, actor_user, actor_org, round_id, object_type, object_id, content_hash, salt, record)
		VALUES (0, 'e0', 'test.backup', 0, '', '', '', '', '', ''::bytea, ''::bytea, 'backupmarker'::bytea)`); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "parley.dump")
	if err := db.Backup(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command("pg_restore", "--list", out).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_restore --list: %v\n%s", err, list)
	}
	if !strings.Contains(string(list), "TABLE DATA") || !strings.Contains(string(list), " events ") {
		t.Fatalf("the dump lacks the events table:\n%s", list)
	}
	if err := db.Backup(context.Background(), out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup over the first: %v", err)
	}
	// Without pg_dump, the error is the command to run.
	defer func(p string) { store.PgDump = p }(store.PgDump)
	store.PgDump = "pg_dump-not-installed"
	err = db.Backup(context.Background(), filepath.Join(t.TempDir(), "x.dump"))
	if err == nil || !strings.Contains(err.Error(), "'pg_dump-not-installed' '--format=custom' '--file=") {
		t.Fatalf("backup without pg_dump: %v", err)
	}
}
