package ledger_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// runCLI runs a CLI entry point and returns its status and output.
func runCLI(run func(context.Context, []string, io.Writer, io.Writer) int, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	st := run(context.Background(), args, &out, &errb)
	return st, out.String(), errb.String()
}

// witnessRun runs "parley witness" for token with its key and state in dir.
func witnessRun(t *testing.T, srv *testServer, token, dir string, extra ...string) (int, string) {
	t.Helper()
	args := append([]string{"--server", srv.URL, "--token", token, "--key", filepath.Join(dir, "witness.key"),
		"--state", filepath.Join(dir, "state"), "--key-name", "witness-" + token}, extra...)
	st, out, errOut := runCLI(ledger.RunWitnessCLI, args...)
	return st, out + errOut
}

func TestWitnessCosigns(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		cpr := ledger.NewCheckpointer(l, 0, 0)
		appendN(t, l, 5, 5)
		if _, err := cpr.Sign(ctx); err != nil {
			t.Fatal(err)
		}
		srv := newTestServer(t)
		srv.show("a", partyA, l)
		dir := t.TempDir()
		st, out := witnessRun(t, srv, "a", dir, "--register", "Delegation A witness")
		if st != 0 || !strings.Contains(out, "cosigned checkpoint 5") {
			t.Fatalf("witness: %d\n%s", st, out)
		}
		// The served checkpoint now carries the cosignature, which verifies
		// with the registered key.
		ws, err := l.Witnesses(ctx)
		if err != nil || len(ws) != 1 || ws[0].Org != orgA {
			t.Fatalf("witnesses %+v, %v", ws, err)
		}
		v, err := ledger.ParseCosignatureVerifier(ws[0].VKey)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := l.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		logV, _ := note.NewVerifier(l.VerifierKey())
		n, err := note.Open(cp, note.VerifierList(logV, v))
		if err != nil || len(n.Sigs) != 2 {
			t.Fatalf("cosigned checkpoint %q: %v", cp, err)
		}
		st2, err := l.Status(ctx)
		if err != nil || st2.Checkpoint == nil || len(st2.Checkpoint.Witnesses) != 1 || st2.Checkpoint.Witnesses[0] != "Delegation A witness" {
			t.Fatalf("status %+v, %v", st2.Checkpoint, err)
		}
		// The tree grows; the next run checks consistency and cosigns again,
		// and re-registering the same key is harmless.
		appendN(t, l, 9, 4)
		if _, err := cpr.Sign(ctx); err != nil {
			t.Fatal(err)
		}
		if st, out := witnessRun(t, srv, "a", dir, "--register", "Delegation A witness"); st != 0 || !strings.Contains(out, "cosigned checkpoint 15") {
			t.Fatalf("second witness run: %d\n%s", st, out)
		}
		rep, err := ledger.Verify(ctx, db, l.VerifierKey())
		if err != nil || !rep.OK() || rep.Cosignatures != 2 {
			t.Fatalf("verify: %s %v", rep.String(), err)
		}
	})
}

// mustKey returns a new witness private key in the signed-note format the
// witness CLI keeps in its --key file.
func mustKey(t *testing.T, name string) string {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	return skey
}

// mustCosigner builds the cosignature signer of a witness private key.
func mustCosigner(t *testing.T, skey string) *torchwood.CosignatureSigner {
	t.Helper()
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 33 {
		t.Fatalf("key %q: %v", skey, err)
	}
	cs, err := torchwood.NewCosignatureSigner(parts[2], ed25519.NewKeyFromSeed(raw[1:]))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// cosigner returns a new witness key: its signer and its vkey.
func cosigner(t *testing.T, name string) (*torchwood.CosignatureSigner, string) {
	t.Helper()
	s := mustCosigner(t, mustKey(t, name))
	return s, s.Verifier().String()
}

func TestAddCosignatureRefuses(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		appendN(t, l, 3, 3)
		cp, err := l.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		body := string(cp[:bytes.Index(cp, []byte("\n\n"))+1])
		sa, va := cosigner(t, "witness-a")
		sb, vb := cosigner(t, "witness-b")
		if _, err := l.RegisterWitness(ctx, partyA, "A", va); err != nil {
			t.Fatal(err)
		}
		if _, err := l.RegisterWitness(ctx, partyB, "B", vb); err != nil {
			t.Fatal(err)
		}
		sign := func(s note.Signer, text string) []byte {
			msg, err := note.Sign(&note.Note{Text: text}, s)
			if err != nil {
				t.Fatal(err)
			}
			return msg[len(text)+1:]
		}
		forged := strings.Replace(body, "\n3\n", "\n4\n", 1)
		badSig := sign(sa, body)
		badSig[len(badSig)-3] ^= 'A' ^ 'B'
		for _, c := range []struct {
			name       string
			actor      access.Actor
			checkpoint string
			cosig      []byte
			code       string
		}{
			{"good", partyA, body, sign(sa, body), ""},
			{"full note accepted", partyA, string(cp), sign(sa, body), ""},
			{"unknown checkpoint", partyA, forged, sign(sa, forged), ledger.UnknownCheckpoint},
			{"not a checkpoint", partyA, "hello\n", sign(sa, body), ledger.UnknownCheckpoint},
			{"another org's key", partyA, body, sign(sb, body), ledger.UnknownWitness},
			{"unregistered key", partyA, body, sign(mustCosigner(t, mustKey(t, "stranger")), body), ledger.UnknownWitness},
			{"bad signature", partyA, body, badSig, ledger.BadCosignature},
			{"garbage", partyA, body, []byte("— witness-a AAAA\n"), ledger.BadCosignature},
			{"empty", partyA, body, nil, errs.Invalid},
			{"anonymous", access.Actor{}, body, sign(sa, body), errs.Forbidden},
		} {
			err := l.AddCosignature(ctx, c.actor, []byte(c.checkpoint), c.cosig)
			if c.code == "" && err != nil || c.code != "" && errs.Code(err) != c.code {
				t.Errorf("%s: %v, want code %q", c.name, err, c.code)
			}
		}
		// Registration: only parties, guarantors and agencies; well-formed
		// cosignature keys only; once per key.
		_, vc := cosigner(t, "witness-c")
		_, vd := cosigner(t, "witness-d")
		_, vOrigin := cosigner(t, l.Origin())
		_, vTaken := cosigner(t, "witness-a")
		third := access.Actor{User: "t", Org: "third", OrgKind: access.Party}
		for _, c := range []struct {
			name  string
			actor access.Actor
			wname string
			vkey  string
			code  string
		}{
			{"mediation", mediation, "M", vc, errs.Forbidden},
			{"anonymous", access.Actor{}, "X", vc, errs.Forbidden},
			{"log key is not a cosignature key", partyA, "X", l.VerifierKey(), errs.Invalid},
			{"garbage key", partyA, "X", "nonsense", errs.Invalid},
			{"empty name", partyA, " ", vc, errs.Invalid},
			{"twice", partyB, "B again", vb, errs.Conflict},
			// One witness per organisation; names that pass for the log
			// or for another witness are refused.
			{"a second witness", partyA, "A2", vd, errs.Conflict},
			{"the log's own name", third, "T", vOrigin, errs.Invalid},
			{"another witness's key name", third, "T", vTaken, errs.Conflict},
			{"another witness's name", third, "A", vd, errs.Conflict},
			{"guarantor", access.Actor{User: "g", Org: "g", OrgKind: access.Guarantor}, "G", vc, ""},
		} {
			_, err := l.RegisterWitness(ctx, c.actor, c.wname, c.vkey)
			if c.code == "" && err != nil || c.code != "" && errs.Code(err) != c.code {
				t.Errorf("register %s: %v, want code %q", c.name, err, c.code)
			}
		}
	})
}

// TestSplitViewCaught: a server shows one history to witness A and another
// to witness B, both signed with its key. Each witness alone is content,
// but as soon as the server shows A the history it showed B (it must, to
// gather both witnesses' cosignatures on one checkpoint), A refuses,
// reports the server and keeps the two contradicting signed checkpoints as
// evidence.
func TestSplitViewCaught(t *testing.T) {
	ctx := context.Background()
	keyDir := t.TempDir()
	fork := func(n int) *ledger.Ledger {
		l := ledger.New(storetest.SQLite(t))
		s, v, err := ledger.LoadOrCreateKey(keyDir, "parley.test/split")
		if err != nil {
			t.Fatal(err)
		}
		l.SetKey(s, v)
		appendN(t, l, n, n)
		if _, err := ledger.NewCheckpointer(l, 0, 0).Sign(ctx); err != nil {
			t.Fatal(err)
		}
		return l
	}
	one, two := fork(6), fork(8)
	srv := newTestServer(t)
	srv.show("a", partyA, one)
	srv.show("b", partyB, two)
	dirA, dirB := t.TempDir(), t.TempDir()
	// Each witness is registered in both histories, so that only the
	// history itself can betray the server.
	for _, w := range []struct {
		dir   string
		actor access.Actor
	}{{dirA, partyA}, {dirB, partyB}} {
		skey := mustKey(t, "witness-"+w.actor.Username)
		if err := os.WriteFile(filepath.Join(w.dir, "witness.key"), []byte(skey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, l := range []*ledger.Ledger{one, two} {
			if _, err := l.RegisterWitness(ctx, w.actor, "witness "+w.actor.Username, mustCosigner(t, skey).Verifier().String()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st, out := witnessRun(t, srv, "a", dirA); st != 0 {
		t.Fatalf("A on history one: %d %s", st, out)
	}
	if st, out := witnessRun(t, srv, "b", dirB); st != 0 {
		t.Fatalf("B on history two: %d %s", st, out)
	}
	// The server now needs A's cosignature on history two.
	srv.show("a", partyA, two)
	st, out := witnessRun(t, srv, "a", dirA)
	if st != 3 || !strings.Contains(out, "inconsistent") {
		t.Fatalf("A shown history two: status %d, want 3\n%s", st, out)
	}
	ev, _ := filepath.Glob(filepath.Join(dirA, "state", "evidence-*.txt"))
	if len(ev) != 1 {
		t.Fatalf("evidence files: %v", ev)
	}
	// And B, shown history one (same signer, smaller tree), refuses too.
	srv.show("b", partyB, one)
	if st, out := witnessRun(t, srv, "b", dirB); st != 3 {
		t.Fatalf("B shown history one: status %d, want 3\n%s", st, out)
	}
	// No checkpoint carries both witnesses' cosignatures.
	for _, l := range []*ledger.Ledger{one, two} {
		st, err := l.Status(ctx)
		if err != nil || st.Checkpoint == nil || len(st.Checkpoint.Witnesses) > 1 {
			t.Fatalf("a forked checkpoint got two witnesses: %+v %v", st.Checkpoint, err)
		}
	}
}

// verifyCLI is RunVerifyCLI without content items.
func verifyCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ledger.RunVerifyCLI(ctx, args, stdout, stderr, nil)
}

// withoutContext adapts a command that takes no context to the others' shape.
func withoutContext(run func([]string, io.Writer, io.Writer) int) func(context.Context, []string, io.Writer, io.Writer) int {
	return func(_ context.Context, args []string, stdout, stderr io.Writer) int { return run(args, stdout, stderr) }
}

func TestCLIFlags(t *testing.T) {
	for name, run := range map[string]func(context.Context, []string, io.Writer, io.Writer) int{
		"verify": verifyCLI, "resume": withoutContext(ledger.RunResumeCLI), "new-origin": withoutContext(ledger.RunNewOriginCLI),
		"witness": ledger.RunWitnessCLI, "audit": ledger.RunAuditCLI, "key": ledger.RunKeyCLI,
	} {
		if st, out, _ := runCLI(run, "--help"); st != 0 || !strings.Contains(out, "usage: parley") {
			t.Errorf("%s --help: %d %q", name, st, out)
		}
		if st, _, errOut := runCLI(run, "--no-such-flag"); st != 2 || !strings.Contains(errOut, "usage: parley") {
			t.Errorf("%s --no-such-flag: %d %q", name, st, errOut)
		}
	}
	if st, _, _ := runCLI(ledger.RunWitnessCLI); st != 2 {
		t.Errorf("witness without flags: %d", st)
	}
	if st, _, _ := runCLI(ledger.RunAuditCLI, "verify"); st != 2 {
		t.Errorf("audit verify without a file: %d", st)
	}
	dir := t.TempDir()
	st, out, errOut := runCLI(ledger.RunKeyCLI, "--data-dir", dir, "--origin", "parley.test/cli")
	if st != 0 || !strings.HasPrefix(out, "parley.test/cli+") {
		t.Fatalf("ledger key: %d %q %q", st, out, errOut)
	}
	if _, err := note.NewVerifier(strings.TrimSpace(out)); err != nil {
		t.Fatal(err)
	}
	if st, _, errOut := runCLI(verifyCLI, "--data-dir", dir); st != 1 || !strings.Contains(errOut, "no database") {
		t.Errorf("verify without a database: %d %q", st, errOut)
	}
}
