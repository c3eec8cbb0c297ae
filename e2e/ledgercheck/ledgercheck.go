// Package ledgercheck is an independent verifier of a parley server's
// tamper-evident ledger, written only from docs/ledger.md and the stable
// routes of DESIGN.md. It imports nothing from parley (nor the Go sumdb
// packages parley uses), so that a mistake in parley's implementation cannot
// be mirrored here: signed notes, RFC 6962 / RFC 9162 inclusion and
// consistency proofs and the event record format are implemented from
// their specifications with the standard library alone.
package ledgercheck

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Hash is a SHA-256 tree hash.
type Hash [32]byte

// LeafHash is the RFC 6962 hash of a leaf: SHA-256(0x00 || record).
func LeafHash(record []byte) Hash {
	return sha256.Sum256(append([]byte{0}, record...))
}

// nodeHash is the RFC 6962 hash of an interior node.
func nodeHash(l, r Hash) Hash {
	b := make([]byte, 0, 65)
	b = append(b, 1)
	b = append(b, l[:]...)
	b = append(b, r[:]...)
	return sha256.Sum256(b)
}

// VerifierKey is a parsed signed-note Ed25519 verifier key.
type VerifierKey struct {
	Name string
	Hash uint32
	Pub  ed25519.PublicKey
}

// ParseVerifierKey parses "name+hash+base64(0x01 || pub)".
func ParseVerifierKey(vkey string) (VerifierKey, error) {
	var k VerifierKey
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return k, errors.New("verifier key: want name+hash+key")
	}
	h, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return k, errors.New("verifier key: bad hash")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 1 {
		return k, errors.New("verifier key: not an Ed25519 key")
	}
	sum := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	if binary.BigEndian.Uint32(sum[:4]) != uint32(h) {
		return k, errors.New("verifier key: hash does not match")
	}
	return VerifierKey{parts[0], uint32(h), ed25519.PublicKey(raw[1:])}, nil
}

// Checkpoint is a verified checkpoint.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   Hash
	Text   string // the signed text
}

// VerifyCheckpoint checks a signed note holding a C2SP checkpoint: the text,
// a blank line, then signature lines "— name base64(keyhash || sig)"; one
// of them must be a valid Ed25519 signature of the text by key. Other
// signature lines (witness cosignatures) are ignored.
func VerifyCheckpoint(msg []byte, key VerifierKey) (Checkpoint, error) {
	var c Checkpoint
	s := string(msg)
	i := strings.Index(s, "\n\n")
	if i < 0 {
		return c, errors.New("note: no blank line before the signatures")
	}
	text, sigs := s[:i+1], s[i+2:]
	ok := false
	for _, line := range strings.SplitAfter(sigs, "\n") {
		if line == "" {
			continue
		}
		rest, found := strings.CutPrefix(line, "— ")
		name, b64, found2 := strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
		if !found || !found2 || !strings.HasSuffix(line, "\n") {
			return c, fmt.Errorf("note: malformed signature line %q", line)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) < 4 {
			return c, fmt.Errorf("note: malformed signature of %q", name)
		}
		if name == key.Name && binary.BigEndian.Uint32(raw[:4]) == key.Hash {
			ok = ok || ed25519.Verify(key.Pub, []byte(text), raw[4:])
		}
	}
	if !ok {
		return c, errors.New("note: no valid signature by the server key")
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		return c, errors.New("checkpoint: want origin, size and root lines")
	}
	c.Origin, c.Text = lines[0], text
	if c.Origin != key.Name {
		return c, errors.New("checkpoint: origin is not the key name")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return c, errors.New("checkpoint: bad size")
	}
	c.Size = n
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		return c, errors.New("checkpoint: bad root")
	}
	copy(c.Root[:], root)
	return c, nil
}

// VerifyInclusion checks an RFC 9162 (section 2.1.3.2) inclusion proof
// that leaf is leaf index of the tree of size leaves with root.
func VerifyInclusion(index, size int64, leaf Hash, proof []Hash, root Hash) error {
	if index < 0 || index >= size {
		return errors.New("inclusion: index out of range")
	}
	fn, sn, r := index, size-1, leaf
	for _, p := range proof {
		if sn == 0 {
			return errors.New("inclusion: proof too long")
		}
		if fn&1 == 1 || fn == sn {
			r = nodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = nodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 || r != root {
		return errors.New("inclusion: proof does not lead to the root")
	}
	return nil
}

// VerifyConsistency checks an RFC 9162 (section 2.1.4.2) consistency proof
// that the tree of size first with root firstRoot is a prefix of the tree
// of size second with root secondRoot.
func VerifyConsistency(first, second int64, firstRoot, secondRoot Hash, proof []Hash) error {
	if first < 1 || first > second {
		return errors.New("consistency: sizes out of range")
	}
	if first == second {
		if len(proof) != 0 || firstRoot != secondRoot {
			return errors.New("consistency: equal sizes need an empty proof and equal roots")
		}
		return nil
	}
	if first&(first-1) == 0 {
		proof = append([]Hash{firstRoot}, proof...)
	}
	if len(proof) == 0 {
		return errors.New("consistency: empty proof")
	}
	fn, sn := first-1, second-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := proof[0], proof[0]
	for _, c := range proof[1:] {
		if sn == 0 {
			return errors.New("consistency: proof too long")
		}
		if fn&1 == 1 || fn == sn {
			fr = nodeHash(c, fr)
			sr = nodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = nodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	if fr != firstRoot || sr != secondRoot || sn != 0 {
		return errors.New("consistency: proof does not lead to both roots")
	}
	return nil
}

// Record holds the fields of an event record that a verifier checks.
type Record struct {
	Index int64
	ID    string
	Type  string
}

// recordKeys are the lines of an event record after its header.
var recordKeys = []string{"index", "id", "type", "at", "actor", "org", "round", "object-type", "object-id", "audience", "content", "salt"}

// ParseRecord checks the layout of a "parley-event v1" record.
func ParseRecord(b []byte) (Record, error) {
	var r Record
	lines := strings.Split(string(b), "\n")
	if len(lines) != len(recordKeys)+2 || lines[0] != "parley-event v1" || lines[len(lines)-1] != "" {
		return r, errors.New("record: bad layout")
	}
	vals := map[string]string{}
	for i, k := range recordKeys {
		v, ok := strings.CutPrefix(lines[i+1], k+" ")
		if !ok {
			return r, fmt.Errorf("record: line %d is not %q", i+2, k)
		}
		vals[k] = v
	}
	n, err := strconv.ParseInt(vals["index"], 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != vals["index"] {
		return r, errors.New("record: bad index")
	}
	for _, k := range []string{"content", "salt"} {
		want := map[string]int{"content": 64, "salt": 32}[k]
		if len(vals[k]) != want || strings.ToLower(vals[k]) != vals[k] {
			return r, fmt.Errorf("record: %s is not %d lowercase hex digits", k, want)
		}
	}
	return Record{n, vals["id"], vals["type"]}, nil
}

// Event, InclusionProof and ConsistencyProof are the JSON bodies of the
// ledger routes.
type (
	Event struct {
		Index  int64  `json:"index"`
		ID     string `json:"id"`
		Type   string `json:"type"`
		Record []byte `json:"record"`
	}
	InclusionProof struct {
		Index    int64    `json:"index"`
		Size     int64    `json:"size"`
		LeafHash []byte   `json:"leaf_hash"`
		Proof    [][]byte `json:"proof"`
		Record   []byte   `json:"record"`
	}
	ConsistencyProof struct {
		From  int64    `json:"from"`
		To    int64    `json:"to"`
		Proof [][]byte `json:"proof"`
	}
)

func hashes(bs [][]byte) ([]Hash, error) {
	out := make([]Hash, len(bs))
	for i, b := range bs {
		if len(b) != 32 {
			return nil, fmt.Errorf("proof hash %d has %d bytes", i, len(b))
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// CheckEvent checks one listed event with its inclusion proof against a
// checkpoint.
func CheckEvent(e Event, p InclusionProof, c Checkpoint) error {
	r, err := ParseRecord(e.Record)
	if err != nil {
		return err
	}
	if r.Index != e.Index || r.ID != e.ID || r.Type != e.Type {
		return fmt.Errorf("event %d: record does not match the listing", e.Index)
	}
	if !bytes.Equal(p.Record, e.Record) || p.Index != e.Index || p.Size != c.Size {
		return fmt.Errorf("event %d: proof is for another record or size", e.Index)
	}
	leaf := LeafHash(e.Record)
	if !bytes.Equal(p.LeafHash, leaf[:]) {
		return fmt.Errorf("event %d: leaf hash is not the hash of the record", e.Index)
	}
	proof, err := hashes(p.Proof)
	if err != nil {
		return err
	}
	if err := VerifyInclusion(e.Index, c.Size, leaf, proof, c.Root); err != nil {
		return fmt.Errorf("event %d: %w", e.Index, err)
	}
	return nil
}

// CheckConsistency checks a consistency proof between two checkpoints.
func CheckConsistency(p ConsistencyProof, old, cur Checkpoint) error {
	if p.From != old.Size || p.To != cur.Size {
		return errors.New("consistency proof for other sizes")
	}
	proof, err := hashes(p.Proof)
	if err != nil {
		return err
	}
	return VerifyConsistency(old.Size, cur.Size, old.Root, cur.Root, proof)
}

// Client reads the ledger routes of a running server.
type Client struct {
	Base, Token string
	HTTP        *http.Client
}

func (c *Client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := strings.TrimSuffix(c.Base, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return b, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, b)
	}
	return b, nil
}

// Summary is what Check verified.
type Summary struct {
	Checkpoint Checkpoint
	Events     int // readable events proved
	Consistent int // consistency proofs checked
}

// Check verifies a running server end to end: the checkpoint signature
// with the served key (or the expected one when vkey is not empty), an
// inclusion proof for every readable event in the checkpoint and, when a
// previous signed checkpoint is given, the consistency proof from it to the
// current one. (A consistency proof needs the old root, which only a
// checkpoint kept from earlier provides.)
func Check(ctx context.Context, c *Client, vkey string, previous []byte) (Summary, error) {
	var s Summary
	served, err := c.get(ctx, "/api/v1/ledger/key", nil)
	if err != nil {
		return s, err
	}
	if vkey == "" {
		vkey = strings.TrimSpace(string(served))
	} else if strings.TrimSpace(string(served)) != vkey {
		return s, errors.New("server key is not the expected one")
	}
	key, err := ParseVerifierKey(vkey)
	if err != nil {
		return s, err
	}
	msg, err := c.get(ctx, "/api/v1/ledger/checkpoint", nil)
	if err != nil {
		return s, err
	}
	if s.Checkpoint, err = VerifyCheckpoint(msg, key); err != nil {
		return s, err
	}
	cp := s.Checkpoint
	if previous != nil {
		old, err := VerifyCheckpoint(previous, key)
		if err != nil {
			return s, fmt.Errorf("previous: %w", err)
		}
		if old.Size >= 1 && old.Size <= cp.Size {
			b, err := c.get(ctx, "/api/v1/ledger/consistency", url.Values{"from": {fmt.Sprint(old.Size)}, "to": {fmt.Sprint(cp.Size)}})
			if err != nil {
				return s, err
			}
			var p ConsistencyProof
			if err := json.Unmarshal(b, &p); err != nil {
				return s, err
			}
			if err := CheckConsistency(p, old, cp); err != nil {
				return s, err
			}
			s.Consistent++
		}
	}
	for from := int64(0); from < cp.Size; {
		b, err := c.get(ctx, "/api/v1/ledger/events", url.Values{"from": {fmt.Sprint(from)}, "limit": {"1000"}})
		if err != nil {
			return s, err
		}
		var page struct {
			Events []Event `json:"events"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return s, err
		}
		if len(page.Events) == 0 {
			break
		}
		for _, e := range page.Events {
			if e.Index < from {
				return s, errors.New("events out of order")
			}
			from = e.Index + 1
			if e.Index >= cp.Size {
				continue
			}
			b, err := c.get(ctx, "/api/v1/ledger/inclusion", url.Values{"index": {fmt.Sprint(e.Index)}, "size": {fmt.Sprint(cp.Size)}})
			if err != nil {
				return s, err
			}
			var p InclusionProof
			if err := json.Unmarshal(b, &p); err != nil {
				return s, err
			}
			if err := CheckEvent(e, p, cp); err != nil {
				return s, err
			}
			s.Events++
		}
	}
	return s, nil
}
