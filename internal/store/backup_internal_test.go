package store

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDumpCommand: the password reaches pg_dump through its environment,
// never its command line (which other users of the machine can read), and
// a search_path becomes --schema.
func TestDumpCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.dump")
	args, env, err := dumpCommand("postgres://parley:s3cret@db:5432/parley?sslmode=require&search_path=talks", out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(args, " "), "s3cret") || !slices.Contains(env, "PGPASSWORD=s3cret") {
		t.Fatalf("password on the command line: %v %v", args, env)
	}
	want := []string{"--format=custom", "--file=" + out, "--schema=talks", "--dbname=postgres://parley@db:5432/parley?sslmode=require"}
	if !slices.Equal(args, want) {
		t.Fatalf("args %q, want %q", args, want)
	}
}
