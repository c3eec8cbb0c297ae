package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The ledger routes of the JSON API (DESIGN.md "Stable API surface"), and
// the two this package proposes for witnesses.
const (
	RouteCheckpoint   = "/api/v1/ledger/checkpoint"
	RouteKey          = "/api/v1/ledger/key"
	RouteEvents       = "/api/v1/ledger/events"
	RouteInclusion    = "/api/v1/ledger/inclusion"
	RouteConsistency  = "/api/v1/ledger/consistency"
	RouteCosignatures = "/api/v1/ledger/cosignatures"
	RouteWitnesses    = "/api/v1/ledger/witnesses"
)

// client talks to a parley server's ledger routes as a participant.
type client struct {
	base  string
	token string
	hc    *http.Client
}

func newClient(server, token string) (*client, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q is not an http(s) URL", server)
	}
	return &client{base: strings.TrimSuffix(server, "/"), token: token, hc: &http.Client{Timeout: time.Minute}}, nil
}

// httpError is a non-2xx answer.
type httpError struct {
	Status int
	Code   string
	Msg    string
}

func (e *httpError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("server answered %d %s: %s", e.Status, e.Code, e.Msg)
	}
	return fmt.Sprintf("server answered %d", e.Status)
}

func (c *client) do(ctx context.Context, method, path string, q url.Values, body any) ([]byte, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		he := &httpError{Status: resp.StatusCode}
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil {
			he.Code, he.Msg = e.Error.Code, e.Error.Message
		}
		return nil, fmt.Errorf("%s %s: %w", method, path, he)
	}
	return b, nil
}

func (c *client) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	b, err := c.do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

func (c *client) consistency(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	var p ConsistencyProof
	q := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	if err := c.getJSON(ctx, RouteConsistency, q, &p); err != nil {
		return nil, err
	}
	if p.From != from || p.To != to {
		return nil, fmt.Errorf("consistency proof is for %d..%d, asked %d..%d", p.From, p.To, from, to)
	}
	return proofHashes(p.Proof)
}

// State files kept in a participant's --state folder.
const (
	stateKey        = "key"        // the server's verifier key, pinned on first use
	stateCheckpoint = "checkpoint" // the newest checkpoint verified, as served
	stateSeen       = "seen.json"  // audit: the events seen so far
)

// Signed is a verified checkpoint.
type Signed struct {
	Note []byte    // the signed note as served (cosignatures included)
	Body string    // the checkpoint text
	Tree tlog.Tree // size and root hash
	Sigs []note.Signature
}

// openCheckpoint verifies a signed checkpoint with the log's verifier and
// parses it; the origin must be the key's name.
func openCheckpoint(msg []byte, v note.Verifier) (Signed, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Signed{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		return Signed{}, fmt.Errorf("checkpoint: %w", err)
	}
	if c.Origin != v.Name() {
		return Signed{}, fmt.Errorf("checkpoint origin %q is not the key's %q", c.Origin, v.Name())
	}
	return Signed{Note: msg, Body: n.Text, Tree: c.Tree, Sigs: n.Sigs}, nil
}

// syncResult is what syncCheckpoint learnt.
type syncResult struct {
	vkey     string
	verifier note.Verifier
	latest   Signed
	prev     *Signed     // the checkpoint kept from the last run, if any
	proof    []tlog.Hash // consistency from prev to latest
}

// errInconsistent marks a server caught presenting two histories.
var errInconsistent = errors.New("the server's history is inconsistent with a checkpoint it signed before")

// syncCheckpoint is the common start of the witness and audit clients: pin
// the server key, fetch and verify the latest checkpoint, prove it
// consistent with the last one kept in dir, and keep it. When the server
// contradicts itself both signed checkpoints are saved in dir as evidence.
func syncCheckpoint(ctx context.Context, c *client, dir, pinned string, log io.Writer) (syncResult, error) {
	var r syncResult
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return r, err
	}
	served, err := c.do(ctx, http.MethodGet, RouteKey, nil, nil)
	if err != nil {
		return r, err
	}
	r.vkey = strings.TrimSpace(string(served))
	kept, err := os.ReadFile(filepath.Join(dir, stateKey))
	switch {
	case err == nil && strings.TrimSpace(string(kept)) != r.vkey:
		return r, fmt.Errorf("the server's key changed from %q to %q: %w", strings.TrimSpace(string(kept)), r.vkey, errInconsistent)
	case pinned != "" && pinned != r.vkey:
		return r, fmt.Errorf("the server's key %q is not the expected %q", r.vkey, pinned)
	case errors.Is(err, os.ErrNotExist):
		if pinned == "" {
			fmt.Fprintf(log, "trusting the server key on first use: %s\n", r.vkey)
		}
		if err := writeFileAtomic(filepath.Join(dir, stateKey), []byte(r.vkey+"\n")); err != nil {
			return r, err
		}
	case err != nil:
		return r, err
	}
	if r.verifier, err = note.NewVerifier(r.vkey); err != nil {
		return r, fmt.Errorf("server key: %w", err)
	}
	msg, err := c.do(ctx, http.MethodGet, RouteCheckpoint, nil, nil)
	if err != nil {
		return r, err
	}
	if r.latest, err = openCheckpoint(msg, r.verifier); err != nil {
		return r, err
	}
	old, err := os.ReadFile(filepath.Join(dir, stateCheckpoint))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return r, err
	}
	if err == nil {
		prev, err := openCheckpoint(old, r.verifier)
		if err != nil {
			return r, fmt.Errorf("kept checkpoint %s: %w", filepath.Join(dir, stateCheckpoint), err)
		}
		r.prev = &prev
		if err := r.checkConsistent(ctx, c); err != nil {
			path := filepath.Join(dir, "evidence-"+time.Now().UTC().Format("20060102T150405Z")+".txt")
			ev := fmt.Sprintf("# %v\n# checkpoint kept before:\n%s\n# checkpoint served now:\n%s", err, prev.Note, r.latest.Note)
			if werr := writeFileAtomic(path, []byte(ev)); werr == nil {
				fmt.Fprintf(log, "evidence saved in %s\n", path)
			}
			return r, err
		}
	}
	return r, writeFileAtomic(filepath.Join(dir, stateCheckpoint), r.latest.Note)
}

func (r *syncResult) checkConsistent(ctx context.Context, c *client) error {
	prev, cur := r.prev.Tree, r.latest.Tree
	switch {
	case cur.N < prev.N:
		return fmt.Errorf("checkpoint size went back from %d to %d: %w", prev.N, cur.N, errInconsistent)
	case cur.N == prev.N:
		if cur.Hash != prev.Hash {
			return fmt.Errorf("two checkpoints of size %d with different roots: %w", cur.N, errInconsistent)
		}
		return nil
	case prev.N == 0:
		return nil
	}
	proof, err := c.consistency(ctx, prev.N, cur.N)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, cur.N, cur.Hash, prev.N, prev.Hash); err != nil {
		return fmt.Errorf("checkpoint %d is not an extension of checkpoint %d (%v): %w", cur.N, prev.N, err, errInconsistent)
	}
	r.proof = proof
	return nil
}

// writeFileAtomic writes a state file so that a crash leaves the old or
// the new content, never half of one.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
