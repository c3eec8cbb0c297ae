package ledger

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// BundleFormat names the audit bundle format (docs/ledger.md).
const BundleFormat = "parley-audit-bundle v1"

// Bundle is a self-contained audit: a signed checkpoint, every event the
// participant may read with its inclusion proof in that checkpoint, and the
// consistency proof from the participant's previous checkpoint. It is
// checked offline with VerifyBundle.
type Bundle struct {
	Format     string        `json:"format"`
	Server     string        `json:"server"`
	VKey       string        `json:"vkey"`
	Checkpoint string        `json:"checkpoint"`
	Previous   *BundlePrev   `json:"previous,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	Events     []BundleEvent `json:"events"`
	Pending    int           `json:"pending"` // readable events newer than the checkpoint, not yet provable
}

// BundlePrev is the checkpoint the participant kept before this audit and
// the proof that the bundle's checkpoint extends it.
type BundlePrev struct {
	Checkpoint  string   `json:"checkpoint"`
	Consistency [][]byte `json:"consistency"`
}

// BundleEvent is one event with its inclusion proof in the bundle's
// checkpoint.
type BundleEvent struct {
	Index  int64    `json:"index"`
	ID     string   `json:"id"`
	Type   string   `json:"type"`
	Record []byte   `json:"record"`
	Proof  [][]byte `json:"proof"`
}

// seenEvent is what an audit remembers of an event between runs, so that a
// later run notices an event that vanished or changed.
type seenEvent struct {
	Index int64     `json:"index"`
	ID    string    `json:"id"`
	Leaf  tlog.Hash `json:"leaf"`
}

// checkEvent checks one event of a bundle against the tree.
func checkEvent(e BundleEvent, tree tlog.Tree) error {
	r, err := ParseRecord(e.Record)
	if err != nil {
		return err
	}
	if r.Index != e.Index || r.ID != e.ID || r.Type != e.Type {
		return fmt.Errorf("record says index %d id %s type %s, listed as %d %s %s", r.Index, r.ID, r.Type, e.Index, e.ID, e.Type)
	}
	proof, err := proofHashes(e.Proof)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, e.Index, tlog.RecordHash(e.Record)); err != nil {
		return fmt.Errorf("not in the checkpoint's tree: %v", err)
	}
	return nil
}

// VerifyBundle checks an audit bundle offline: the checkpoint signature
// (with vkey, or the bundle's own key when vkey is empty — then only the
// bundle's internal consistency is proved), the previous checkpoint and the
// consistency proof, and every event's record and inclusion proof. It
// returns the problems found; an error means the bundle is unreadable.
func VerifyBundle(b []byte, vkey string) ([]Problem, Bundle, error) {
	var bd Bundle
	if err := json.Unmarshal(b, &bd); err != nil {
		return nil, bd, fmt.Errorf("bundle: %w", err)
	}
	if bd.Format != BundleFormat {
		return nil, bd, fmt.Errorf("bundle format %q, want %q", bd.Format, BundleFormat)
	}
	if vkey != "" && vkey != bd.VKey {
		return []Problem{{Index: -1, What: fmt.Sprintf("bundle key %q is not the expected %q", bd.VKey, vkey)}}, bd, nil
	}
	v, err := note.NewVerifier(bd.VKey)
	if err != nil {
		return nil, bd, fmt.Errorf("bundle key: %w", err)
	}
	cp, err := openCheckpoint([]byte(bd.Checkpoint), v)
	if err != nil {
		return []Problem{{Index: -1, What: err.Error()}}, bd, nil
	}
	var probs []Problem
	if bd.Previous != nil {
		prev, err := openCheckpoint([]byte(bd.Previous.Checkpoint), v)
		if err != nil {
			probs = append(probs, Problem{Index: -1, What: "previous " + err.Error()})
		} else if err := checkExtends(prev.Tree, cp.Tree, bd.Previous.Consistency); err != nil {
			probs = append(probs, Problem{Index: -1, What: err.Error()})
		}
	}
	last := int64(-1)
	for _, e := range bd.Events {
		if e.Index <= last {
			probs = append(probs, Problem{Index: e.Index, What: "events out of order or repeated"})
		}
		last = e.Index
		if e.Index < 0 || e.Index >= cp.Tree.N {
			probs = append(probs, Problem{Index: e.Index, What: "index outside the checkpoint"})
			continue
		}
		if err := checkEvent(e, cp.Tree); err != nil {
			probs = append(probs, Problem{Index: e.Index, What: err.Error()})
		}
	}
	return probs, bd, nil
}

func checkExtends(prev, cur tlog.Tree, consistency [][]byte) error {
	switch {
	case cur.N < prev.N:
		return fmt.Errorf("checkpoint %d is older than the previous %d", cur.N, prev.N)
	case cur.N == prev.N && cur.Hash != prev.Hash:
		return fmt.Errorf("two checkpoints of size %d with different roots", cur.N)
	case cur.N == prev.N || prev.N == 0:
		return nil
	}
	proof, err := proofHashes(consistency)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, cur.N, cur.Hash, prev.N, prev.Hash); err != nil {
		return fmt.Errorf("checkpoint %d does not extend the previous %d: %v", cur.N, prev.N, err)
	}
	return nil
}

// RunAuditCLI implements "parley audit --server URL --token T --state DIR
// [--out FILE]", which downloads every event the participant may read with
// its inclusion proof, checks them against the participant's own
// checkpoints and writes a bundle, and "parley audit verify [--vkey KEY]
// FILE", which checks a bundle offline. Exit status: 0 intact, 1 problems
// or failure, 3 the server contradicted a checkpoint it signed before.
func RunAuditCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "verify" {
		return runAuditVerify(args[1:], stdout, stderr)
	}
	fs := newFlags("audit", "audit --server URL --token T --state DIR [--out FILE] [--vkey KEY]\n       parley audit verify [--vkey KEY] FILE", stderr)
	server := fs.String("server", os.Getenv("PARLEY_SERVER"), "parley server URL (env PARLEY_SERVER)")
	token := fs.String("token", os.Getenv("PARLEY_TOKEN"), "API token (env PARLEY_TOKEN)")
	state := fs.String("state", "", "folder keeping the server key, the last checkpoint and the events seen")
	out := fs.String("out", "", "bundle file to write (default: DIR/audit-SIZE.json)")
	vkey := fs.String("vkey", "", "expected server verifier key (default: trust on first use, then pinned in --state)")
	if st := parseFlags(fs, args, stdout, 0); st >= 0 {
		return st
	}
	if *server == "" || *state == "" {
		fmt.Fprintln(stderr, "parley audit: --server and --state are required")
		fs.Usage()
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "parley audit: %v\n", err)
		if errors.Is(err, errInconsistent) {
			return 3
		}
		return 1
	}
	c, err := newClient(*server, *token)
	if err != nil {
		return fail(err)
	}
	bd, probs, err := audit(ctx, c, *state, *vkey, stderr)
	if err != nil {
		return fail(err)
	}
	bd.Server = *server
	path := *out
	if path == "" {
		path = filepath.Join(*state, fmt.Sprintf("audit-%d.json", mustTree(bd).N))
	}
	b, err := json.MarshalIndent(bd, "", "  ")
	if err != nil {
		return fail(err)
	}
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "checkpoint %d: %d readable events proved, %d newer pending; bundle %s\n",
		mustTree(bd).N, len(bd.Events), bd.Pending, path)
	if len(probs) > 0 {
		fmt.Fprintf(stdout, "FAILED: %d problems\n", len(probs))
		for _, p := range probs {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
		return 1
	}
	fmt.Fprintln(stdout, "OK")
	return 0
}

func mustTree(bd Bundle) tlog.Tree {
	v, err := note.NewVerifier(bd.VKey)
	if err != nil {
		return tlog.Tree{}
	}
	cp, _ := openCheckpoint([]byte(bd.Checkpoint), v)
	return cp.Tree
}

// audit downloads and checks; it returns the bundle and the problems.
func audit(ctx context.Context, c *client, dir, pinned string, log io.Writer) (Bundle, []Problem, error) {
	bd := Bundle{Format: BundleFormat, CreatedAt: time.Now().UTC().Truncate(time.Second), Events: []BundleEvent{}}
	r, err := syncCheckpoint(ctx, c, dir, pinned, log)
	if err != nil {
		return bd, nil, err
	}
	bd.VKey, bd.Checkpoint = r.vkey, string(r.latest.Note)
	if r.prev != nil {
		bd.Previous = &BundlePrev{Checkpoint: string(r.prev.Note), Consistency: hashBytes(r.proof)}
	}
	tree := r.latest.Tree
	var probs []Problem
	seen := map[int64]seenEvent{}
	if b, err := os.ReadFile(filepath.Join(dir, stateSeen)); err == nil {
		var list []seenEvent
		if err := json.Unmarshal(b, &list); err != nil {
			return bd, nil, fmt.Errorf("%s: %w", stateSeen, err)
		}
		for _, s := range list {
			seen[s.Index] = s
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return bd, nil, err
	}
	now := map[int64]seenEvent{}
	proofs := true
	for from := int64(0); ; {
		// Each page comes with the inclusion proofs of its events at the
		// checkpoint's size: one request per thousand events.
		var page EventList
		q := url.Values{"from": {strconv.FormatInt(from, 10)}, "limit": {strconv.Itoa(MaxEventsLimit)}}
		if proofs {
			q.Set("proofs", strconv.FormatInt(tree.N, 10))
		}
		err := c.getJSON(ctx, RouteEvents, q, &page)
		var he *httpError
		if proofs && errors.As(err, &he) && he.Status == http.StatusBadRequest {
			// A server that cannot prove its events at the size it signed
			// (rows deleted since) or does not know proofs=: ask event by
			// event, which names each one it cannot prove.
			proofs = false
			continue
		}
		if err != nil {
			return bd, nil, err
		}
		if len(page.Events) == 0 {
			break
		}
		for _, e := range page.Events {
			if e.Index < from {
				return bd, nil, fmt.Errorf("events page from %d holds index %d", from, e.Index)
			}
			from = e.Index + 1
			if e.Index >= tree.N {
				bd.Pending++
				continue
			}
			be := BundleEvent{Index: e.Index, ID: e.ID, Type: e.Type, Record: e.Record, Proof: e.Proof}
			if e.Proof == nil {
				// A server without proofs in its pages: one request per
				// event.
				var p InclusionProof
				q := url.Values{"index": {strconv.FormatInt(e.Index, 10)}, "size": {strconv.FormatInt(tree.N, 10)}}
				if err := c.getJSON(ctx, RouteInclusion, q, &p); err != nil {
					probs = append(probs, Problem{Index: e.Index, What: fmt.Sprintf("no inclusion proof: %v", err)})
					continue
				}
				be.Proof = p.Proof
				if string(p.Record) != string(e.Record) {
					probs = append(probs, Problem{Index: e.Index, What: "the proof came with another record than the event list"})
				}
			}
			if err := checkEvent(be, tree); err != nil {
				probs = append(probs, Problem{Index: e.Index, What: err.Error()})
			}
			bd.Events = append(bd.Events, be)
			now[e.Index] = seenEvent{e.Index, e.ID, tlog.RecordHash(e.Record)}
		}
	}
	for _, s := range seen {
		if s.Index >= tree.N {
			continue
		}
		got, ok := now[s.Index]
		switch {
		case !ok:
			probs = append(probs, Problem{Index: s.Index, What: fmt.Sprintf("event %s seen in an earlier audit is no longer served", s.ID)})
		case got != s:
			probs = append(probs, Problem{Index: s.Index, What: fmt.Sprintf("event %s seen in an earlier audit has changed", s.ID)})
		}
	}
	slicesSortProblems(probs)
	if len(probs) == 0 {
		list := make([]seenEvent, 0, len(now))
		for _, e := range bd.Events {
			list = append(list, now[e.Index])
		}
		b, _ := json.Marshal(list)
		if err := writeFileAtomic(filepath.Join(dir, stateSeen), b); err != nil {
			return bd, nil, err
		}
	}
	return bd, probs, nil
}

func runAuditVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("audit verify", "audit verify [--vkey KEY] FILE", stderr)
	vkey := fs.String("vkey", "", "the server verifier key the bundle must be signed with (recommended)")
	if st := parseFlags(fs, args, stdout, 1); st >= 0 {
		return st
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "parley audit verify: %v\n", err)
		return 1
	}
	probs, bd, err := VerifyBundle(b, *vkey)
	if err != nil {
		fmt.Fprintf(stderr, "parley audit verify: %v\n", err)
		return 1
	}
	if len(probs) > 0 {
		fmt.Fprintf(stdout, "FAILED: %d problems; first bad event %d\n", len(probs), firstBad(probs))
		for _, p := range probs {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
		return 1
	}
	fmt.Fprintf(stdout, "OK: %d events proved in checkpoint %d of %s\n", len(bd.Events), mustTree(bd).N, bd.VKey)
	if *vkey == "" {
		fmt.Fprintln(stdout, "note: no --vkey given; the bundle's own key was trusted")
	}
	return 0
}

func firstBad(probs []Problem) int64 {
	first := int64(-1)
	for _, p := range probs {
		if p.Index >= 0 && (first < 0 || p.Index < first) {
			first = p.Index
		}
	}
	return first
}

func slicesSortProblems(probs []Problem) {
	slices.SortStableFunc(probs, func(a, b Problem) int { return cmp.Compare(a.Index, b.Index) })
}
