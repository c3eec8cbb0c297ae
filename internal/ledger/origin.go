package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"parley/internal/store"
)

// A restore from a backup rewinds the log: the participants' witnesses have
// seen checkpoints of a larger tree, signed with the log's key, and the
// restored database cannot extend them. Signing on would be signing
// backwards. The log instead ends there and a new one begins on the
// restored events: the old key, every checkpoint it signed (with their
// cosignatures) and its final checkpoint are archived, the checkpoints are
// removed from the database, and a new key with a new origin signs the
// first checkpoint of the new log. Participants are told the new verifier
// key out of band, as they were told the first.

// NewOrigin is the outcome of StartNewOrigin.
type NewOrigin struct {
	OldOrigin, NewOrigin string
	OldVerifierKey       string
	NewVerifierKey       string
	FinalSize            int64  // the size of the old log's final checkpoint in this database, 0 if none
	Archive              string // the folder holding the old log
	FirstSize            int64  // the size of the new log's first checkpoint
}

// StartNewOrigin ends the log of the key in dataDir and starts a new one
// named origin over the events in db, keeping the old log in
// archiveDir/<old origin>/: ledger.key, vkey.txt, checkpoints.txt (every
// checkpoint as served, cosignatures included) and final-checkpoint.txt.
// Halts in force are cleared with why. The server must be stopped.
func StartNewOrigin(ctx context.Context, db *store.DB, dataDir, origin, archiveDir, why string) (NewOrigin, error) {
	var out NewOrigin
	keyPath := filepath.Join(dataDir, KeyFile)
	oldSigner, oldVKey, err := LoadKey(keyPath)
	if err != nil {
		return out, err
	}
	if origin == "" || origin == oldSigner.Name() {
		return out, fmt.Errorf("the new origin must differ from the old one (%s)", oldSigner.Name())
	}
	out.OldOrigin, out.NewOrigin, out.OldVerifierKey = oldSigner.Name(), origin, oldVKey
	out.Archive = filepath.Join(archiveDir, strings.NewReplacer("/", "_", string(os.PathSeparator), "_").Replace(oldSigner.Name()))
	if err := os.MkdirAll(out.Archive, 0o700); err != nil {
		return out, err
	}
	old := New(db)
	old.SetKey(oldSigner, oldVKey)
	if out.FinalSize, err = old.archiveCheckpoints(ctx, out.Archive); err != nil {
		return out, err
	}
	if err := copyFile(keyPath, filepath.Join(out.Archive, KeyFile)); err != nil {
		return out, err
	}
	if err := writeFileAtomic(filepath.Join(out.Archive, "vkey.txt"), []byte(oldVKey+"\n")); err != nil {
		return out, err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{"DELETE FROM cosignatures", "DELETE FROM checkpoints"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE ledger_halts SET cleared_at = $1, cleared_by = $2, cleared_note = $3
			WHERE cleared_at IS NULL`, store.Now(), "new origin "+origin, why)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("remove the old log's checkpoints: %w", err)
	}
	// The archive holds the key now; the data folder gets a new one.
	if err := os.Remove(keyPath); err != nil {
		return out, err
	}
	signer, vkey, err := LoadOrCreateKey(dataDir, origin)
	if err != nil {
		return out, err
	}
	out.NewVerifierKey = vkey
	l := New(db)
	l.SetKey(signer, vkey)
	if out.FirstSize, err = l.signCheckpoint(ctx); err != nil {
		return out, fmt.Errorf("first checkpoint of the new log: %w", err)
	}
	return out, nil
}

// archiveCheckpoints writes every checkpoint as served to dir and returns
// the size of the last.
func (l *Ledger) archiveCheckpoints(ctx context.Context, dir string) (int64, error) {
	rows, err := l.db.R.QueryContext(ctx, "SELECT size FROM checkpoints ORDER BY size")
	if err != nil {
		return 0, err
	}
	var sizes []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, err
		}
		sizes = append(sizes, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var all strings.Builder
	var final []byte
	for _, n := range sizes {
		cp, err := l.Checkpoint(ctx, n)
		if err != nil {
			return 0, err
		}
		all.Write(cp)
		all.WriteString("\n")
		final = cp
	}
	if err := writeFileAtomic(filepath.Join(dir, "checkpoints.txt"), []byte(all.String())); err != nil {
		return 0, err
	}
	if len(sizes) == 0 {
		return 0, nil
	}
	if err := writeFileAtomic(filepath.Join(dir, "final-checkpoint.txt"), final); err != nil {
		return 0, err
	}
	return sizes[len(sizes)-1], nil
}

// copyFile copies a secret file, synced, mode 0600; it refuses to
// overwrite.
func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	return errors.Join(werr, f.Sync(), f.Close())
}

// RunNewOriginCLI implements "parley ledger new-origin --origin O --archive
// DIR --note WHY": after a restore, end the log and start a new one
// (StartNewOrigin). The server must be stopped.
func RunNewOriginCLI(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ledger new-origin", "ledger new-origin --origin NEW --archive DIR --note WHY [--data-dir DIR] [--db DSN]", stderr)
	dataDir := fs.String("data-dir", envOr("PARLEY_DATA_DIR", "data"), "data folder: SQLite file and "+KeyFile+" (env PARLEY_DATA_DIR)")
	dsn := fs.String("db", os.Getenv("PARLEY_DB"), "database: empty for SQLite in the data folder, or postgres://... (env PARLEY_DB)")
	origin := fs.String("origin", "", "origin of the new log, e.g. talks.example.org/astana-2")
	archive := fs.String("archive", "", "folder to keep the old log in (its key, checkpoints and final checkpoint)")
	why := fs.String("note", "", "why the log starts again; kept with the halts it clears")
	if st := parseFlags(fs, args, stdout, 0); st >= 0 {
		return st
	}
	if *origin == "" || *archive == "" || strings.TrimSpace(*why) == "" {
		fmt.Fprintln(stderr, "parley ledger new-origin: --origin, --archive and --note are required")
		fs.Usage()
		return 2
	}
	ctx := context.Background()
	db, err := openOperatorDB(ctx, *dataDir, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "parley ledger new-origin: %v\n", err)
		return 1
	}
	defer db.Close()
	no, err := StartNewOrigin(ctx, db, *dataDir, *origin, *archive, *why)
	if err != nil {
		fmt.Fprintf(stderr, "parley ledger new-origin: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "the log %s ends (final checkpoint in this database: size %d); kept in %s\n", no.OldOrigin, no.FinalSize, no.Archive)
	fmt.Fprintf(stdout, "the log %s begins with a checkpoint of %d events, signed at %s\n", no.NewOrigin, no.FirstSize, time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(stdout, "new verifier key (give it to the participants; their witnesses pin it with --vkey):\n%s\n", no.NewVerifierKey)
	return 0
}
