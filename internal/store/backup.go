package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
)

// PgDump is the pg_dump program Backup runs; its major version must be at
// least the server's.
var PgDump = "pg_dump"

// dump writes the PostgreSQL database to out with pg_dump, in its custom
// format (pg_restore reads it): one consistent snapshot taken while the
// server keeps serving. The password, if the DSN holds one, goes to
// pg_dump through PGPASSWORD rather than its command line; a search_path
// in the DSN (parley in a schema of its own) becomes --schema. Without
// pg_dump the error gives the exact command to run.
func (db *DB) dump(ctx context.Context, out string) error {
	args, env, err := dumpCommand(db.dsn, out)
	if err != nil {
		return err
	}
	path, err := exec.LookPath(PgDump)
	if err != nil {
		return fmt.Errorf("backup: %s not found (install the PostgreSQL client tools, or run on a machine that has them):\n  %s",
			PgDump, shellCommand(append([]string{PgDump}, args...)))
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(out)
		return fmt.Errorf("backup: pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// dumpCommand returns pg_dump's arguments and environment for dsn.
func dumpCommand(dsn, out string) (args, env []string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("backup: database URL: %w", err)
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	args = []string{"--format=custom", "--file=" + out}
	q := u.Query()
	if sp := q.Get("search_path"); sp != "" {
		for schema := range strings.SplitSeq(sp, ",") {
			args = append(args, "--schema="+strings.TrimSpace(schema))
		}
		q.Del("search_path") // not a libpq parameter
	}
	u.RawQuery = q.Encode()
	if _, err := os.Stat(out); err == nil {
		return nil, nil, errors.New("backup: " + out + " exists; choose a new file")
	}
	return append(args, "--dbname="+u.String()), env, nil
}

// shellCommand quotes a command for a POSIX shell.
func shellCommand(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
