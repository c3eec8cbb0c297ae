package ledger_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"parley/internal/ledger"
	"parley/internal/store/storetest"
)

// ledgercheckFixture is the file e2e/ledgercheck tests its independent
// verifier with: what the ledger routes would serve, produced by this
// package and serialised as the routes serialise it.
type ledgercheckFixture struct {
	VKey        string                    `json:"vkey"`
	Checkpoints []string                  `json:"checkpoints"` // signed notes, smallest first; the last is the latest, cosigned
	Events      []ledger.EventView        `json:"events"`      // as GET /api/v1/ledger/events lists them to party A
	Inclusions  []ledger.InclusionProof   `json:"inclusions"`  // for each event, in the latest checkpoint
	Consistency []ledger.ConsistencyProof `json:"consistency"` // from every other checkpoint to the latest
}

// TestWriteLedgercheckFixture regenerates
// e2e/ledgercheck/testdata/ledger.json when PARLEY_WRITE_FIXTURES is set:
//
//	PARLEY_WRITE_FIXTURES=1 go test ./internal/ledger -run LedgercheckFixture
func TestWriteLedgercheckFixture(t *testing.T) {
	if os.Getenv("PARLEY_WRITE_FIXTURES") == "" {
		t.Skip("set PARLEY_WRITE_FIXTURES=1 to regenerate e2e/ledgercheck/testdata/ledger.json")
	}
	ctx := context.Background()
	l := newLedger(t, storetest.SQLite(t))
	cpr := ledger.NewCheckpointer(l, 0, 0)
	var f ledgercheckFixture
	f.VKey = l.VerifierKey()
	sizes := []int{1, 7, 8, 16, 23}
	done := 0
	for _, n := range sizes {
		appendN(t, l, n-done, 3)
		done = n
		cp, err := cpr.Sign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.Checkpoints = append(f.Checkpoints, string(cp))
	}
	// A witness cosigns the latest checkpoint, so that the verifier meets
	// a note with a signature line that is not the server's.
	s, vkey := cosigner(t, "witness-a")
	if _, err := l.RegisterWitness(ctx, partyA, "A", vkey); err != nil {
		t.Fatal(err)
	}
	last := f.Checkpoints[len(f.Checkpoints)-1]
	body := last[:indexBlank(last)] // the text, with its final newline
	line := signLine(t, s, body)
	if err := l.AddCosignature(ctx, partyA, []byte(body), line); err != nil {
		t.Fatal(err)
	}
	cp, err := l.Checkpoint(ctx, 23)
	if err != nil {
		t.Fatal(err)
	}
	f.Checkpoints[len(f.Checkpoints)-1] = string(cp)
	if f.Events, err = l.Events(ctx, partyA, 0, 0); err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Events {
		if e.Index >= 23 {
			continue
		}
		p, err := l.Inclusion(ctx, partyA, e.Index, 23)
		if err != nil {
			t.Fatal(err)
		}
		f.Inclusions = append(f.Inclusions, p)
	}
	for _, n := range sizes {
		p, err := l.Consistency(ctx, int64(n), 23)
		if err != nil {
			t.Fatal(err)
		}
		f.Consistency = append(f.Consistency, p)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "e2e", "ledgercheck", "testdata", "ledger.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func indexBlank(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\n' && s[i+1] == '\n' {
			return i + 1
		}
	}
	return len(s)
}
