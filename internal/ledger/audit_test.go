package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// auditRun runs "parley audit" for token with its state in dir.
func auditRun(t *testing.T, srv *testServer, token, dir string) (int, string) {
	t.Helper()
	st, out, errOut := runCLI(ledger.RunAuditCLI, "--server", srv.URL, "--token", token, "--state", dir,
		"--out", filepath.Join(dir, "bundle.json"))
	return st, out + errOut
}

func TestAuditAndBundle(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		cpr := ledger.NewCheckpointer(l, 0, 0)
		appendN(t, l, 12, 5)
		if _, err := cpr.Sign(ctx); err != nil {
			t.Fatal(err)
		}
		appendN(t, l, 2, 2) // not yet in a checkpoint
		srv := newTestServer(t)
		srv.show("a", partyA, l)
		dir := t.TempDir()
		st, out := auditRun(t, srv, "a", dir)
		// Party A reads the even and the public events: 0 2 4 5 6 8 10 of
		// the 12 in the checkpoint; 12 is pending.
		if st != 0 || !strings.Contains(out, "7 readable events proved, 1 newer pending") {
			t.Fatalf("audit: %d\n%s", st, out)
		}
		bundle := filepath.Join(dir, "bundle.json")
		if st, out, _ := runCLI(ledger.RunAuditCLI, "verify", "--vkey", l.VerifierKey(), bundle); st != 0 {
			t.Fatalf("audit verify: %d %s", st, out)
		}
		// A second audit after growth carries the consistency proof.
		if _, err := cpr.Sign(ctx); err != nil {
			t.Fatal(err)
		}
		if st, out := auditRun(t, srv, "a", dir); st != 0 || !strings.Contains(out, "8 readable events proved, 0 newer") {
			t.Fatalf("second audit: %d\n%s", st, out)
		}
		b, err := os.ReadFile(bundle)
		if err != nil {
			t.Fatal(err)
		}
		var bd ledger.Bundle
		if err := json.Unmarshal(b, &bd); err != nil || bd.Previous == nil || len(bd.Previous.Consistency) == 0 {
			t.Fatalf("bundle previous: %+v %v", bd.Previous, err)
		}
		if probs, _, err := ledger.VerifyBundle(b, l.VerifierKey()); err != nil || len(probs) != 0 {
			t.Fatalf("VerifyBundle: %v %v", probs, err)
		}
	})
}

// TestBundleTampering: a bundle edited after it was written fails offline
// verification, naming the first bad event.
func TestBundleTampering(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t, storetest.SQLite(t))
	cpr := ledger.NewCheckpointer(l, 0, 0)
	appendN(t, l, 6, 6)
	cpr.Sign(ctx)
	appendN(t, l, 10, 10)
	cpr.Sign(ctx)
	srv := newTestServer(t)
	srv.show("m", mediation, l)
	dir := t.TempDir()
	auditRun(t, srv, "m", dir) // keeps checkpoint 16 as the previous one
	appendN(t, l, 4, 4)
	cpr.Sign(ctx)
	if st, out := auditRun(t, srv, "m", dir); st != 0 {
		t.Fatalf("audit: %d %s", st, out)
	}
	orig, err := os.ReadFile(filepath.Join(dir, "bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(b *ledger.Bundle)
		first int64
	}{
		{"edit a record", func(b *ledger.Bundle) {
			b.Events[3].Record = bytes.Replace(b.Events[3].Record, []byte("test.event"), []byte("test.evenT"), 1)
			b.Events[3].Type = "test.evenT"
		}, 3},
		{"edit a listed type", func(b *ledger.Bundle) { b.Events[4].Type = "talks.consent" }, 4},
		{"reorder two events", func(b *ledger.Bundle) {
			b.Events[5].Record, b.Events[6].Record = b.Events[6].Record, b.Events[5].Record
		}, 5},
		{"delete an event, renumbering", func(b *ledger.Bundle) {
			b.Events = append(b.Events[:2:2], b.Events[3:]...)
			for i := 2; i < len(b.Events); i++ {
				b.Events[i].Index--
			}
		}, 2},
		{"insert an event", func(b *ledger.Bundle) {
			fake := b.Events[7]
			b.Events = append(b.Events[:8:8], b.Events[7:]...)
			b.Events[8] = fake
		}, 7},
		{"edit a proof", func(b *ledger.Bundle) { b.Events[9].Proof[0][0] ^= 1 }, 9},
		{"edit the checkpoint", func(b *ledger.Bundle) {
			b.Checkpoint = strings.Replace(b.Checkpoint, "\n20\n", "\n21\n", 1)
		}, -1},
		{"rewrite the previous checkpoint", func(b *ledger.Bundle) { b.Previous.Consistency[0][0] ^= 1 }, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var bd ledger.Bundle
			if err := json.Unmarshal(orig, &bd); err != nil {
				t.Fatal(err)
			}
			c.edit(&bd)
			b, _ := json.Marshal(bd)
			probs, _, err := ledger.VerifyBundle(b, l.VerifierKey())
			if err != nil {
				t.Fatal(err)
			}
			if len(probs) == 0 || probs[0].Index != c.first && c.first >= 0 {
				t.Fatalf("problems %v, want first %d", probs, c.first)
			}
			path := filepath.Join(t.TempDir(), "b.json")
			os.WriteFile(path, b, 0o600)
			if st, out, _ := runCLI(ledger.RunAuditCLI, "verify", "--vkey", l.VerifierKey(), path); st != 1 || !strings.Contains(out, "FAILED") {
				t.Fatalf("audit verify: %d %s", st, out)
			}
		})
	}
	// A bundle signed by another key fails when the expected key is given.
	other := newLedger(t, storetest.SQLite(t))
	if probs, _, _ := ledger.VerifyBundle(orig, other.VerifierKey()); len(probs) == 0 {
		t.Fatal("bundle accepted under another key")
	}
}

// TestAuditFindsTampering: the database tampering of TestVerifyFindsTampering
// is also caught by a participant's audit against the server, given an
// earlier audit of the intact ledger.
func TestAuditFindsTampering(t *testing.T) {
	// Not seen by a reader: a widened audience shows only to the intruder
	// (who will not complain), and a row appended without hashes stays
	// "pending" — the server can no longer sign, which its operator sees.
	skip := map[string]bool{"widen an audience": true, "insert a row at the end": true}
	for _, tc := range tampers {
		if skip[tc.name] {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				l, events := seedTamperable(t, db)
				srv := newTestServer(t)
				srv.show("m", mediation, l)
				dir := t.TempDir()
				if st, out := auditRun(t, srv, "m", dir); st != 0 {
					t.Fatalf("audit before tampering: %d %s", st, out)
				}
				tc.do(t, db, events)
				st, out := auditRun(t, srv, "m", dir)
				if st == 0 || !strings.Contains(out, "FAILED") {
					t.Fatalf("audit after %s: %d\n%s", tc.name, st, out)
				}
			})
		})
	}
}
