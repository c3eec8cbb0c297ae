package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/store"
)

// KeyFile is the name of the ledger's signing key in the data folder.
const KeyFile = "ledger.key"

// LoadOrCreateKey returns the checkpoint signer kept in dataDir/ledger.key
// and its verifier key, generating the key (mode 0600) on first start. The
// key's name is the log's origin, the first line of every checkpoint. An
// empty origin means "parley.example/" followed by a random install id when
// the key is created, and whatever the key holds afterwards; a non-empty
// origin must match an existing key, since changing the origin would make a
// new log.
func LoadOrCreateKey(dataDir, origin string) (note.Signer, string, error) {
	path := filepath.Join(dataDir, KeyFile)
	s, v, err := LoadKey(path)
	if err == nil {
		if origin != "" && s.Name() != origin {
			return nil, "", fmt.Errorf("ledger key %s is for origin %q, not %q", path, s.Name(), origin)
		}
		return s, v, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	if origin == "" {
		origin = "parley.example/" + store.NewID()[:16]
	}
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, "", fmt.Errorf("ledger key for origin %q: %w", origin, err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, "", err
	}
	// O_EXCL: two processes starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(dataDir, origin)
	}
	if err != nil {
		return nil, "", err
	}
	_, werr := f.WriteString(skey + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return nil, "", fmt.Errorf("write %s: %w", path, err)
	}
	return LoadKey(path)
}

// LoadKey reads a note signer key ("PRIVATE+KEY+name+hash+key") from path
// and returns the signer and its verifier key. It refuses a key file that
// others than its owner may read.
func LoadKey(path string) (note.Signer, string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, "", fmt.Errorf("ledger key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	skey := strings.TrimSpace(string(b))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("ledger key %s: %w", path, err)
	}
	v, err := torchwood.NewVerifierFromSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("ledger key %s: %w", path, err)
	}
	vkey, err := vkeyOf(v, skey)
	if err != nil {
		return nil, "", err
	}
	return s, vkey, nil
}

// vkeyOf rebuilds the verifier key string "name+hash+base64(alg||pub)" of
// an Ed25519 signer key.
func vkeyOf(v note.Verifier, skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", errors.New("malformed signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 33 {
		return "", errors.New("malformed signer key")
	}
	pub := ed25519Public(raw[1:])
	vkey := fmt.Sprintf("%s+%08x+%s", v.Name(), v.KeyHash(), base64.StdEncoding.EncodeToString(append([]byte{1}, pub...)))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", err
	}
	return vkey, nil
}

// SetKey gives the ledger its checkpoint signer and verifier key.
func (l *Ledger) SetKey(signer note.Signer, vkey string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.signer, l.vkey = signer, vkey
}

// VerifierKey returns the note verifier key of the checkpoints, the text
// served at /api/v1/ledger/key, or "" before SetKey.
func (l *Ledger) VerifierKey() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.vkey
}

// Origin returns the log's origin, the first line of its checkpoints.
func (l *Ledger) Origin() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.signer == nil {
		return ""
	}
	return l.signer.Name()
}

// Size returns the number of events in the ledger.
func (l *Ledger) Size(ctx context.Context) (int64, error) {
	var n int64
	err := l.db.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM events").Scan(&n)
	return n, err
}

// CheckpointBody returns the C2SP checkpoint text of a tree: origin, size
// and base64 root hash, one per line.
func CheckpointBody(origin string, size int64, root tlog.Hash) string {
	return torchwood.Checkpoint{Origin: origin, Tree: tlog.Tree{N: size, Hash: root}}.String()
}

// signCheckpoint signs the current tree, unless a checkpoint of that size
// exists already, and returns the stored checkpoint of the current size.
// It never signs backwards: the tree must extend the latest signed
// checkpoint (CheckTail); when it does not, the ledger halts and nothing is
// signed.
func (l *Ledger) signCheckpoint(ctx context.Context) (int64, error) {
	l.mu.RLock()
	signer := l.signer
	l.mu.RUnlock()
	if signer == nil {
		return 0, errors.New("ledger: no checkpoint key (SetKey)")
	}
	if h, err := l.Halted(ctx); err != nil || h != nil {
		if err == nil {
			err = errReadOnly(h)
		}
		return 0, err
	}
	size, root, err := l.checkTail(ctx, false)
	if err != nil {
		return 0, l.haltOn(ctx, err)
	}
	var latest int64 = -1
	if err := l.db.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(size), -1) FROM checkpoints").Scan(&latest); err != nil {
		return 0, err
	}
	if latest >= size {
		// Signed meanwhile, by another process (checkTail saw the tree
		// extend the checkpoint it read first).
		return latest, nil
	}
	msg, err := note.Sign(&note.Note{Text: CheckpointBody(signer.Name(), size, root)}, signer)
	if err != nil {
		return 0, err
	}
	// Several processes may sign the same size at once (PostgreSQL): the
	// first row wins and, Ed25519 being deterministic, the others would have
	// written the same bytes.
	err = l.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO checkpoints(size, root, note, signed_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (size) DO NOTHING`, size, root[:], msg, store.Now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store checkpoint: %w", err)
	}
	var stored []byte
	if err := l.db.R.QueryRowContext(ctx, "SELECT root FROM checkpoints WHERE size = $1", size).Scan(&stored); err != nil {
		return 0, err
	}
	if !bytes.Equal(stored, root[:]) {
		return 0, l.haltOn(ctx, damagef("the stored checkpoint at %d has another root than the tree", size))
	}
	return size, nil
}

// LatestCheckpoint returns the newest signed checkpoint as a signed note,
// with the log's signature followed by every witness cosignature collected
// for it. When none exists yet it signs one.
func (l *Ledger) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var size int64
	err := l.db.R.QueryRowContext(ctx, "SELECT size FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		size, err = l.signCheckpoint(ctx)
	}
	if err != nil {
		return nil, err
	}
	return l.Checkpoint(ctx, size)
}

// Checkpoint returns the signed checkpoint of one size with its
// cosignatures, or errs not_found.
func (l *Ledger) Checkpoint(ctx context.Context, size int64) ([]byte, error) {
	var msg []byte
	err := l.db.R.QueryRowContext(ctx, "SELECT note FROM checkpoints WHERE size = $1", size).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("checkpoint")
	}
	if err != nil {
		return nil, err
	}
	rows, err := l.db.R.QueryContext(ctx, `SELECT c.signature FROM cosignatures c JOIN witnesses w ON w.id = c.witness_id
		WHERE c.checkpoint_size = $1 ORDER BY w.key_name, w.key_hash`, size)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := bytes.Clone(msg)
	for rows.Next() {
		var sig string
		if err := rows.Scan(&sig); err != nil {
			return nil, err
		}
		out = append(out, sig...)
	}
	return out, rows.Err()
}

// CheckpointInfo describes a signed checkpoint for the record page.
type CheckpointInfo struct {
	Size      int64
	Root      []byte
	SignedAt  time.Time
	Witnesses []string // display names of the witnesses that cosigned it
}

// Status is the ledger's state for the record page: the tree size and the
// latest checkpoint (nil when none is signed yet).
type Status struct {
	Size       int64
	Checkpoint *CheckpointInfo
}

// Status returns the tree size and the latest checkpoint with who
// witnessed it.
func (l *Ledger) Status(ctx context.Context) (Status, error) {
	var st Status
	var err error
	if st.Size, err = l.Size(ctx); err != nil {
		return st, err
	}
	var ci CheckpointInfo
	var at int64
	err = l.db.R.QueryRowContext(ctx, "SELECT size, root, signed_at FROM checkpoints ORDER BY size DESC LIMIT 1").Scan(&ci.Size, &ci.Root, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	ci.SignedAt = store.Time(at)
	rows, err := l.db.R.QueryContext(ctx, `SELECT w.name FROM cosignatures c JOIN witnesses w ON w.id = c.witness_id
		WHERE c.checkpoint_size = $1 ORDER BY w.name`, ci.Size)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return st, err
		}
		ci.Witnesses = append(ci.Witnesses, n)
	}
	st.Checkpoint = &ci
	return st, rows.Err()
}

// Checkpointer signs a new checkpoint whenever the tree has grown and
// either Every has passed since the last one or Events events have been
// appended since: so a checkpoint is never more than Every (plus the time to
// sign) or Events events behind the tree, and idle ledgers sign nothing.
type Checkpointer struct {
	l      *Ledger
	every  time.Duration
	events int64

	mu      sync.Mutex
	pending int64
	kick    chan struct{}
}

// NewCheckpointer returns a checkpointer for l, subscribed to its events.
// every <= 0 means one minute; events <= 0 means 1000.
func NewCheckpointer(l *Ledger, every time.Duration, events int64) *Checkpointer {
	if every <= 0 {
		every = time.Minute
	}
	if events <= 0 {
		events = 1000
	}
	c := &Checkpointer{l: l, every: every, events: events, kick: make(chan struct{}, 1)}
	l.Subscribe(c)
	return c
}

// Published counts appended events and wakes Run once enough have been
// appended. It implements Subscriber.
func (c *Checkpointer) Published(events []Event) {
	c.mu.Lock()
	c.pending += int64(len(events))
	due := c.pending >= c.events
	c.mu.Unlock()
	if due {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// Run signs checkpoints until ctx ends. It checks the tree every Every
// (which also picks up events appended by other processes sharing a
// PostgreSQL database) and at once when Events events were appended here.
func (c *Checkpointer) Run(ctx context.Context) error {
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-c.kick:
		}
		if _, err := c.Sign(ctx); err != nil && ctx.Err() == nil {
			// A failure (a damaged ledger, a lost connection) must not stop
			// the loop; the next tick retries, and verify names the damage.
			c.l.logf("ledger: sign checkpoint: %v", err)
		}
	}
}

// Sign signs a checkpoint of the current tree now if it has grown since
// the latest one, and returns the latest checkpoint.
// SignNow signs a checkpoint of the current tree at once, when it has grown
// since the last one, and returns the latest checkpoint: a participant that
// just wrote can ask for a checkpoint covering its event instead of waiting
// for the schedule.
func (l *Ledger) SignNow(ctx context.Context) ([]byte, error) {
	size, err := l.signCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	return l.Checkpoint(ctx, size)
}

func (c *Checkpointer) Sign(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	c.pending = 0
	c.mu.Unlock()
	size, err := c.l.signCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	return c.l.Checkpoint(ctx, size)
}
