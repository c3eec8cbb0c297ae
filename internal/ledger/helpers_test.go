package ledger_test

import (
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// memTree is a tlog tree kept in memory, the reference the stored tree is
// compared with.
type memTree struct {
	hashes []tlog.Hash
	n      int64
}

func (m *memTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, id := range indexes {
		out[i] = m.hashes[id]
	}
	return out, nil
}

func (m *memTree) add(t testing.TB, record []byte) {
	t.Helper()
	hs, err := tlog.StoredHashes(m.n, record, m)
	if err != nil {
		t.Fatal(err)
	}
	m.hashes = append(m.hashes, hs...)
	m.n++
}

func (m *memTree) root(t testing.TB, n int64) tlog.Hash {
	t.Helper()
	h, err := tlog.TreeHash(n, m)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// openCheckpoint verifies a signed checkpoint with vkey and parses it.
func openCheckpoint(t testing.TB, vkey string, msg []byte) tlog.Tree {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("open checkpoint %q: %v", msg, err)
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		t.Fatal(err)
	}
	return c.Tree
}

func toHashes(t testing.TB, bs [][]byte) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		if len(b) != tlog.HashSize {
			t.Fatalf("proof hash %d has %d bytes", i, len(b))
		}
		out[i] = tlog.Hash(b)
	}
	return out
}

// waitFor polls cond until it holds or ten seconds pass.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// signLine returns the signature line(s) s adds to text.
func signLine(t testing.TB, s note.Signer, text string) []byte {
	t.Helper()
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	return msg[len(text)+1:]
}
