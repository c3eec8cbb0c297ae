package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"parley/internal/store"
)

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: parley %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags returns -1 to go on, or the exit status: 0 after --help (usage
// on stdout), 2 after a bad flag or stray arguments (usage on stderr).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, wantArgs int) int {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return 0
	}
	if err != nil {
		return 2
	}
	if fs.NArg() != wantArgs {
		fmt.Fprintf(fs.Output(), "want %d arguments, got %d\n", wantArgs, fs.NArg())
		fs.Usage()
		return 2
	}
	return -1
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// RunKeyCLI implements "parley ledger key [--data-dir DIR] [--origin O]":
// it prints the note verifier key of the checkpoints, creating the signing
// key first if the data folder has none.
func RunKeyCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ledger key", "ledger key [--data-dir DIR] [--origin ORIGIN]", stderr)
	dataDir := fs.String("data-dir", envOr("PARLEY_DATA_DIR", "data"), "data folder holding "+KeyFile+" (env PARLEY_DATA_DIR)")
	origin := fs.String("origin", os.Getenv("PARLEY_LEDGER_ORIGIN"), "log origin when the key is created (env PARLEY_LEDGER_ORIGIN)")
	if st := parseFlags(fs, args, stdout, 0); st >= 0 {
		return st
	}
	_, vkey, err := LoadOrCreateKey(*dataDir, *origin)
	if err != nil {
		fmt.Fprintf(stderr, "parley ledger key: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, vkey)
	return 0
}

// RunVerifyCLI implements "parley verify [--data-dir DIR] [--db DSN]
// [--vkey KEY]": the operator's full check of the ledger. It exits 0 when
// the ledger is intact, 1 when it is not (naming the first bad event) or
// the check could not run.
//
// kinds returns the content items to check against the events
// (app.ItemKinds), with their content when content is true and the master
// key is at hand; it says on stderr what it could not check.
func RunVerifyCLI(ctx context.Context, args []string, stdout, stderr io.Writer, kinds func(dataDir string, content bool) ([]ItemKind, error)) int {
	fs := newFlags("verify", "verify [--data-dir DIR] [--db DSN] [--vkey KEY] [--content=false]", stderr)
	dataDir := fs.String("data-dir", envOr("PARLEY_DATA_DIR", "data"), "data folder: SQLite file and "+KeyFile+" (env PARLEY_DATA_DIR)")
	dsn := fs.String("db", os.Getenv("PARLEY_DB"), "database: empty for SQLite in the data folder, or postgres://... (env PARLEY_DB)")
	vkey := fs.String("vkey", "", "verifier key of the checkpoints; default: the key in the data folder")
	content := fs.Bool("content", true, "also decrypt every item with the master key and check it against its event")
	if st := parseFlags(fs, args, stdout, 0); st >= 0 {
		return st
	}
	if *vkey == "" {
		_, v, err := LoadKey(filepath.Join(*dataDir, KeyFile))
		if err != nil {
			fmt.Fprintf(stderr, "parley verify: %v (give --vkey)\n", err)
			return 1
		}
		*vkey = v
	}
	db, err := openOperatorDB(ctx, *dataDir, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "parley verify: %v\n", err)
		return 1
	}
	defer db.Close()
	var ks []ItemKind
	if kinds != nil {
		if ks, err = kinds(*dataDir, *content); err != nil {
			fmt.Fprintf(stderr, "parley verify: %v\n", err)
			return 1
		}
	}
	rep, err := Verify(ctx, db, *vkey, ks...)
	if err != nil {
		fmt.Fprintf(stderr, "parley verify: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, rep.String())
	if !rep.OK() {
		return 1
	}
	return 0
}

// openOperatorDB opens the database of an operator command: the SQLite
// file of the data folder, which must exist, or dsn.
func openOperatorDB(ctx context.Context, dataDir, dsn string) (*store.DB, error) {
	if dsn == "" {
		if _, err := os.Stat(filepath.Join(dataDir, "parley.db")); err != nil {
			return nil, fmt.Errorf("no database in %s: %w", dataDir, err)
		}
	}
	return store.Open(ctx, dsn, dataDir)
}

// RunResumeCLI implements "parley ledger resume --note WHY": the operator
// clears the halts in force once the damage is gone (a restore, say). It
// checks the tail again first and refuses while it is still damaged.
func RunResumeCLI(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ledger resume", "ledger resume --note WHY [--by NAME] [--data-dir DIR] [--db DSN]", stderr)
	dataDir := fs.String("data-dir", envOr("PARLEY_DATA_DIR", "data"), "data folder: SQLite file and "+KeyFile+" (env PARLEY_DATA_DIR)")
	dsn := fs.String("db", os.Getenv("PARLEY_DB"), "database: empty for SQLite in the data folder, or postgres://... (env PARLEY_DB)")
	why := fs.String("note", "", "what was done about the damage; kept with the halt")
	by := fs.String("by", envOr("USER", "operator"), "who resumes; kept with the halt")
	if st := parseFlags(fs, args, stdout, 0); st >= 0 {
		return st
	}
	if strings.TrimSpace(*why) == "" {
		fmt.Fprintln(stderr, "parley ledger resume: --note is required: say what was done about the damage")
		return 2
	}
	ctx := context.Background()
	signer, vkey, err := LoadKey(filepath.Join(*dataDir, KeyFile))
	if err != nil {
		fmt.Fprintf(stderr, "parley ledger resume: %v\n", err)
		return 1
	}
	db, err := openOperatorDB(ctx, *dataDir, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "parley ledger resume: %v\n", err)
		return 1
	}
	defer db.Close()
	l := New(db)
	l.SetKey(signer, vkey)
	h, err := l.Halted(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "parley ledger resume: %v\n", err)
		return 1
	}
	if h == nil {
		fmt.Fprintln(stdout, "the ledger is not halted")
		return 0
	}
	fmt.Fprintf(stdout, "halted since %s: %s\n", h.At.Format(time.RFC3339), h.Reason)
	n, err := l.Resume(ctx, *by, *why)
	if err != nil {
		fmt.Fprintf(stderr, "parley ledger resume: %v\nRestore the database from a backup or start a new log (docs/operations.md).\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "resumed: %d halt(s) cleared; writes are accepted again\n", n)
	return 0
}

// witnessSigner loads a witness key file, creating it when absent. The
// file holds a signed-note Ed25519 private key
// ("PRIVATE+KEY+name+hash+base64(0x01 || seed)"); the same seed signs
// cosignatures under the cosignature/v1 key type.
func witnessSigner(path, name string, stderr io.Writer) (*torchwood.CosignatureSigner, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, _, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			return nil, fmt.Errorf("witness key name %q: %w", name, err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		_, werr := f.WriteString(skey + "\n")
		if err := errors.Join(werr, f.Close()); err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "created witness key %s\n", path)
		b = []byte(skey)
	} else if err != nil {
		return nil, err
	}
	parts := strings.SplitN(strings.TrimSpace(string(b)), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return nil, fmt.Errorf("witness key %s: not a PRIVATE+KEY+name+hash+key file", path)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, fmt.Errorf("witness key %s: not an Ed25519 key", path)
	}
	return torchwood.NewCosignatureSigner(parts[2], ed25519.NewKeyFromSeed(raw[1:]))
}

// RunWitnessCLI implements "parley witness --server URL --token T --key FILE
// --state DIR": a participant's witness. It fetches the latest checkpoint,
// checks the server's signature, checks that it extends the checkpoint kept
// in DIR from the last run (saving evidence when it does not), co-signs it
// (C2SP tlog-cosignature) and posts the cosignature back. With --register
// NAME it first registers the key for the caller's organisation. Exit
// status: 0 cosigned, 1 failure, 3 the server was caught presenting an
// inconsistent history.
func RunWitnessCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("witness", "witness --server URL --token T --key FILE --state DIR [--register NAME] [--vkey KEY]", stderr)
	server := fs.String("server", os.Getenv("PARLEY_SERVER"), "parley server URL (env PARLEY_SERVER)")
	token := fs.String("token", os.Getenv("PARLEY_TOKEN"), "API token of a member of the witnessing organisation (env PARLEY_TOKEN)")
	keyFile := fs.String("key", "", "witness private key file; created when absent")
	state := fs.String("state", "", "folder keeping the server key and the last checkpoint seen")
	register := fs.String("register", "", "register the key under this display name before cosigning")
	keyName := fs.String("key-name", "witness", "name inside a newly created key")
	vkey := fs.String("vkey", "", "expected server verifier key (default: trust on first use, then pinned in --state)")
	if st := parseFlags(fs, args, stdout, 0); st >= 0 {
		return st
	}
	if *server == "" || *keyFile == "" || *state == "" {
		fmt.Fprintln(stderr, "parley witness: --server, --key and --state are required")
		fs.Usage()
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "parley witness: %v\n", err)
		if errors.Is(err, errInconsistent) {
			return 3
		}
		return 1
	}
	c, err := newClient(*server, *token)
	if err != nil {
		return fail(err)
	}
	signer, err := witnessSigner(*keyFile, *keyName, stderr)
	if err != nil {
		return fail(err)
	}
	wvkey := signer.Verifier().String()
	fmt.Fprintf(stdout, "witness key: %s\n", wvkey)
	if *register != "" {
		_, err := c.do(ctx, "POST", RouteWitnesses, nil, map[string]string{"name": *register, "vkey": wvkey})
		var he *httpError
		if errors.As(err, &he) && he.Status == 409 {
			err = nil // registered already
		}
		if err != nil {
			return fail(err)
		}
	}
	r, err := syncCheckpoint(ctx, c, *state, *vkey, stderr)
	if err != nil {
		return fail(err)
	}
	signed, err := note.Sign(&note.Note{Text: r.latest.Body}, signer)
	if err != nil {
		return fail(err)
	}
	line := string(signed[len(r.latest.Body)+1:])
	if _, err := c.do(ctx, "POST", RouteCosignatures, nil, CosignatureRequest{Checkpoint: r.latest.Body, Cosignature: line}); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "cosigned checkpoint %d %s\n", r.latest.Tree.N, r.latest.Tree.Hash)
	return 0
}
