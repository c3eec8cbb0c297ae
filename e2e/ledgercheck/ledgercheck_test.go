package ledgercheck

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// fixture is testdata/ledger.json, written by parley's ledger package
// (PARLEY_WRITE_FIXTURES=1 go test ./internal/ledger -run LedgercheckFixture)
// in the JSON of the ledger routes.
type fixture struct {
	VKey        string             `json:"vkey"`
	Checkpoints []string           `json:"checkpoints"`
	Events      []Event            `json:"events"`
	Inclusions  []InclusionProof   `json:"inclusions"`
	Consistency []ConsistencyProof `json:"consistency"`
}

func load(t *testing.T) fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/ledger.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFixtureVerifies(t *testing.T) {
	f := load(t)
	key, err := ParseVerifierKey(f.VKey)
	if err != nil {
		t.Fatal(err)
	}
	var cps []Checkpoint
	for _, msg := range f.Checkpoints {
		c, err := VerifyCheckpoint([]byte(msg), key)
		if err != nil {
			t.Fatalf("checkpoint %q: %v", msg, err)
		}
		cps = append(cps, c)
	}
	latest := cps[len(cps)-1]
	if !strings.Contains(f.Checkpoints[len(cps)-1], "— witness-a ") {
		t.Fatal("the latest checkpoint should carry a witness cosignature")
	}
	proved := 0
	for _, e := range f.Events {
		if e.Index >= latest.Size {
			continue
		}
		p := f.Inclusions[proved]
		if err := CheckEvent(e, p, latest); err != nil {
			t.Fatal(err)
		}
		proved++
	}
	if proved != len(f.Inclusions) || proved == 0 {
		t.Fatalf("proved %d of %d", proved, len(f.Inclusions))
	}
	for i, p := range f.Consistency {
		if err := CheckConsistency(p, cps[i], latest); err != nil {
			t.Fatalf("consistency %d..%d: %v", p.From, p.To, err)
		}
	}
}

// TestFixtureTampering: every kind of change to what the server serves is
// caught by the independent checks.
func TestFixtureTampering(t *testing.T) {
	f := load(t)
	key, _ := ParseVerifierKey(f.VKey)
	latestMsg := f.Checkpoints[len(f.Checkpoints)-1]
	latest, _ := VerifyCheckpoint([]byte(latestMsg), key)
	first, _ := VerifyCheckpoint([]byte(f.Checkpoints[1]), key)
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	cases := map[string]func() error{
		"checkpoint size": func() error {
			_, err := VerifyCheckpoint([]byte(strings.Replace(latestMsg, "\n23\n", "\n24\n", 1)), key)
			return err
		},
		"checkpoint without the server signature": func() error {
			i := strings.Index(latestMsg, "\n\n")
			_, err := VerifyCheckpoint([]byte(latestMsg[:i+2]+"— witness-a AAAAAAAA\n"), key)
			return err
		},
		"another key": func() error {
			k := key
			k.Pub = bytes.Clone(key.Pub)
			k.Pub[0] ^= 1
			_, err := VerifyCheckpoint([]byte(latestMsg), k)
			return err
		},
		"edited record": func() error {
			e, p := f.Events[1], f.Inclusions[1]
			e.Record = bytes.Replace(e.Record, []byte("test.event"), []byte("test.evenT"), 1)
			e.Type = "test.evenT"
			p.Record = e.Record
			p.LeafHash = func() []byte { h := LeafHash(e.Record); return h[:] }()
			return CheckEvent(e, p, latest)
		},
		"record from another index": func() error {
			e, p := f.Events[1], f.Inclusions[1]
			e.Record, p.Record = f.Events[2].Record, f.Events[2].Record
			return CheckEvent(e, p, latest)
		},
		"proof hash": func() error {
			p := f.Inclusions[2]
			p.Proof = append([][]byte{flip(p.Proof[0], 0)}, p.Proof[1:]...)
			return CheckEvent(f.Events[2], p, latest)
		},
		"proof one hash short": func() error {
			p := f.Inclusions[2]
			p.Proof = p.Proof[:len(p.Proof)-1]
			return CheckEvent(f.Events[2], p, latest)
		},
		"consistency hash": func() error {
			p := f.Consistency[1]
			p.Proof = append([][]byte{flip(p.Proof[0], 3)}, p.Proof[1:]...)
			return CheckConsistency(p, first, latest)
		},
		"consistency from another root": func() error {
			other := first
			other.Root[0] ^= 1
			return CheckConsistency(f.Consistency[1], other, latest)
		},
	}
	for name, check := range cases {
		if check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestCheckAgainstServedFixture drives Check over HTTP against a server
// that replays the fixture, the way it drives a running parley.
func TestCheckAgainstServedFixture(t *testing.T) {
	f := load(t)
	latest := f.Checkpoints[len(f.Checkpoints)-1]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch r.URL.Path {
		case "/api/v1/ledger/key":
			w.Write([]byte(f.VKey + "\n"))
		case "/api/v1/ledger/checkpoint":
			w.Write([]byte(latest))
		case "/api/v1/ledger/events":
			if q.Get("from") != "0" {
				json.NewEncoder(w).Encode(map[string]any{"events": []Event{}})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"events": f.Events})
		case "/api/v1/ledger/inclusion":
			for _, p := range f.Inclusions {
				if q.Get("index") == jsonInt(p.Index) && q.Get("size") == jsonInt(p.Size) {
					json.NewEncoder(w).Encode(p)
					return
				}
			}
			http.NotFound(w, r)
		case "/api/v1/ledger/consistency":
			for _, p := range f.Consistency {
				if q.Get("from") == jsonInt(p.From) && q.Get("to") == jsonInt(p.To) {
					json.NewEncoder(w).Encode(p)
					return
				}
			}
			http.NotFound(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s, err := Check(context.Background(), &Client{Base: srv.URL, Token: "t"}, f.VKey, []byte(f.Checkpoints[1]))
	if err != nil {
		t.Fatal(err)
	}
	if s.Events != len(f.Inclusions) || s.Consistent != 1 || s.Checkpoint.Size != 23 {
		t.Fatalf("summary %+v", s)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestLiveServer checks a running parley: the demo this test builds and
// starts itself (live_test.go), or — when PARLEY_E2E_URL and
// PARLEY_E2E_TOKEN are set (a token from POST /api/v1/auth/login) — a server
// someone else runs; PARLEY_E2E_VKEY (the output of "parley ledger key")
// then pins the server key. It verifies the checkpoint signature, an
// inclusion proof for every event the user may read, and, after a write
// through the API, a consistency proof from the first checkpoint to a newer
// one.
func TestLiveServer(t *testing.T) {
	base, token, vkey := os.Getenv("PARLEY_E2E_URL"), os.Getenv("PARLEY_E2E_TOKEN"), os.Getenv("PARLEY_E2E_VKEY")
	var d *demoServer
	if base == "" {
		d = startDemo(t)
		base, token, vkey = d.url, d.login(t, "opp.head"), d.verifierKey(t)
	} else if token == "" {
		t.Fatal("PARLEY_E2E_URL is set without PARLEY_E2E_TOKEN")
	}
	ctx := context.Background()
	c := &Client{Base: base, Token: token}
	first, err := Check(ctx, c, vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Events == 0 {
		t.Fatal("no readable event was proved")
	}
	prev, err := c.get(ctx, "/api/v1/ledger/checkpoint", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d != nil {
		// Grow the ledger and wait for the checkpointer to sign the new
		// tree, so that the consistency proof spans a real extension.
		d.setStance(t, c)
		d.waitCheckpointBeyond(t, c, checkpointSize(t, prev))
	}
	// A second pass proves the (possibly newer) checkpoint consistent with
	// the one kept from the first.
	second, err := Check(ctx, c, vkey, prev)
	if err != nil {
		t.Fatal(err)
	}
	if second.Consistent != 1 {
		t.Fatalf("no consistency proof was checked: %+v", second)
	}
	if d != nil {
		if old := checkpointSize(t, prev); second.Checkpoint.Size <= old {
			t.Errorf("the checkpoint did not grow past %d: %d", old, second.Checkpoint.Size)
		}
		if second.Events <= first.Events {
			t.Errorf("the stance's event was not proved: %d events before, %d after", first.Events, second.Events)
		}
		d.stop(t)
	}
	t.Logf("checkpoint %d, %d events proved; then %d, %d events, consistency checked %d", first.Checkpoint.Size, first.Events, second.Checkpoint.Size, second.Events, second.Consistent)
}
