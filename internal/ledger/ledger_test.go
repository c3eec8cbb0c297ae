package ledger_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

var (
	orgA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	orgB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	orgM = "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"

	partyA    = access.Actor{User: "ua", Username: "a", Org: orgA, OrgKind: access.Party, Role: access.Head}
	partyB    = access.Actor{User: "ub", Username: "b", Org: orgB, OrgKind: access.Party, Role: access.Head}
	mediation = access.Actor{User: "um", Username: "m", Org: orgM, OrgKind: access.Mediation, Role: access.Head}
)

// newLedger returns a ledger over db with a fresh key.
func newLedger(t testing.TB, db *store.DB) *ledger.Ledger {
	t.Helper()
	l := ledger.New(db)
	s, v, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/log")
	if err != nil {
		t.Fatal(err)
	}
	l.SetKey(s, v)
	return l
}

// appendN appends n events in batches of batch per transaction; event i is
// readable by orgA when i is even and by orgB when it is odd, and every
// fifth is public.
func appendN(t testing.TB, l *ledger.Ledger, n, batch int) []ledger.Event {
	t.Helper()
	ctx := context.Background()
	var out []ledger.Event
	for done := 0; done < n; {
		k := min(batch, n-done)
		err := l.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			for j := range k {
				i := done + j
				aud := access.Of(orgA, orgM)
				if i%2 == 1 {
					aud = access.Of(orgB, orgM)
				}
				if i%5 == 0 {
					aud = access.Of(access.Public)
				}
				e, err := rec.Append(ctx, ledger.Event{Type: "test.event", Actor: mediation, Round: "r1",
					ObjectType: "item", ObjectID: fmt.Sprintf("obj-%d", i), Audience: aud, Content: []byte(fmt.Sprint(i))})
				if err != nil {
					return err
				}
				out = append(out, e)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		done += k
	}
	return out
}

func TestAppendBuildsTree(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		events := appendN(t, l, 37, 5)
		for i, e := range events {
			if e.Index != int64(i) {
				t.Fatalf("event %d has index %d", i, e.Index)
			}
			r, err := ledger.ParseRecord(e.Record)
			if err != nil || r.Index != int64(i) || r.ID != e.ID {
				t.Fatalf("record %d: %+v, %v", i, r, err)
			}
		}
		// The stored tree equals one built in memory from the records.
		var mem memTree
		for _, e := range events {
			mem.add(t, e.Record)
		}
		cp, err := l.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tree := openCheckpoint(t, l.VerifierKey(), cp)
		if tree.N != 37 {
			t.Fatalf("checkpoint size %d", tree.N)
		}
		if want := mem.root(t, 37); tree.Hash != want {
			t.Fatalf("checkpoint root %v, want %v", tree.Hash, want)
		}
		rep, err := ledger.Verify(ctx, db, l.VerifierKey())
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
	})
}

func TestRolledBackAppendLeavesNoTrace(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		appendN(t, l, 3, 3)
		err := l.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			if _, err := rec.Append(ctx, ledger.Event{Type: "t", Audience: access.Of(orgA)}); err != nil {
				return err
			}
			return errs.New(errs.Conflict, "changed my mind")
		})
		if errs.Code(err) != errs.Conflict {
			t.Fatalf("write: %v", err)
		}
		events := appendN(t, l, 2, 2)
		if events[0].Index != 3 {
			t.Fatalf("index after rollback = %d, want 3", events[0].Index)
		}
		if rep, err := ledger.Verify(ctx, db, l.VerifierKey()); err != nil || !rep.OK() {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
	})
}

func TestAppendRefusesAmbiguousFields(t *testing.T) {
	db := storetest.SQLite(t)
	l := newLedger(t, db)
	ctx := context.Background()
	for _, e := range []ledger.Event{
		{Type: "a\nsalt 00", Audience: access.Of(orgA)},
		{Type: "t", ObjectID: "x\ty", Audience: access.Of(orgA)},
		{Type: "t", Audience: access.Of("two words")},
		{Type: "t", Audience: access.Of(orgA), Salt: []byte{1}},
		{Type: "t", Round: "\xff", Audience: access.Of(orgA)},
		{Type: "", Audience: access.Of(orgA)},
		{Type: "t"},
	} {
		err := l.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			_, err := rec.Append(ctx, e)
			return err
		})
		if err == nil {
			t.Errorf("Append(%+v) succeeded", e)
		}
	}
}

func TestParseRecordRejectsNonCanonical(t *testing.T) {
	db := storetest.SQLite(t)
	l := newLedger(t, db)
	rec := appendN(t, l, 1, 1)[0].Record
	for name, mutate := range map[string]func(string) string{
		"leading zero": func(s string) string { return strings.Replace(s, "index 0\n", "index 00\n", 1) },
		"plus sign":    func(s string) string { return strings.Replace(s, "index 0\n", "index +0\n", 1) },
		"upper hex":    func(s string) string { return strings.Replace(s, "salt ", "salt A", 1)[:len(s)-2] + "\n" },
		"extra line":   func(s string) string { return s + "x y\n" },
		"no newline":   func(s string) string { return strings.TrimSuffix(s, "\n") },
		"header":       func(s string) string { return strings.Replace(s, "v1", "v2", 1) },
	} {
		if _, err := ledger.ParseRecord([]byte(mutate(string(rec)))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ledger.ParseRecord(rec); err != nil {
		t.Fatal(err)
	}
}

func TestProofs(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		events := appendN(t, l, 23, 4)
		var mem memTree
		for _, e := range events {
			mem.add(t, e.Record)
		}
		// Events lists exactly what the reader's organisation may read.
		for _, c := range []struct {
			actor access.Actor
			want  func(i int) bool
		}{
			{partyA, func(i int) bool { return i%5 == 0 || i%2 == 0 }},
			{partyB, func(i int) bool { return i%5 == 0 || i%2 == 1 }},
			{mediation, func(i int) bool { return true }},
			{access.Actor{}, func(i int) bool { return i%5 == 0 }},
		} {
			got, err := l.Events(ctx, c.actor, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for i := range events {
				if c.want(i) {
					want = append(want, int64(i))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s sees %d events, want %d", c.actor.Username, len(got), len(want))
			}
			for k, v := range got {
				if v.Index != want[k] || string(v.Record) != string(events[v.Index].Record) || v.ID != events[v.Index].ID {
					t.Fatalf("%s: event %d = %+v", c.actor.Username, k, v)
				}
			}
			page, err := l.Events(ctx, c.actor, want[1], 2)
			if err != nil || len(page) != 2 || page[0].Index != want[1] {
				t.Fatalf("%s: page from %d = %+v, %v", c.actor.Username, want[1], page, err)
			}
		}
		// Inclusion proofs check against the in-memory tree at every size.
		for size := int64(1); size <= 23; size += 5 {
			root := mem.root(t, size)
			for i := int64(0); i < size; i += 3 {
				p, err := l.Inclusion(ctx, mediation, i, size)
				if err != nil {
					t.Fatal(err)
				}
				proof := toHashes(t, p.Proof)
				if tlog.RecordHash(p.Record) != tlog.Hash(p.LeafHash) {
					t.Fatalf("leaf hash of %d does not match its record", i)
				}
				if err := tlog.CheckRecord(proof, size, root, i, tlog.Hash(p.LeafHash)); err != nil {
					t.Fatalf("inclusion %d in %d: %v", i, size, err)
				}
			}
			for from := int64(1); from <= size; from += 4 {
				p, err := l.Consistency(ctx, from, size)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckTree(toHashes(t, p.Proof), size, root, from, mem.root(t, from)); err != nil {
					t.Fatalf("consistency %d..%d: %v", from, size, err)
				}
			}
		}
		// Bad input: 400 for sizes out of range, 404 for unreadable events.
		for _, c := range []struct {
			name        string
			actor       access.Actor
			index, size int64
			code        string
		}{
			{"negative index", mediation, -1, 5, errs.Invalid},
			{"zero size", mediation, 0, 0, errs.Invalid},
			{"index at size", mediation, 5, 5, errs.Invalid},
			{"size beyond tree", mediation, 1, 24, errs.Invalid},
			{"not readable", partyA, 1, 23, errs.NotFound},
			{"anonymous", access.Actor{}, 2, 23, errs.NotFound},
		} {
			if _, err := l.Inclusion(ctx, c.actor, c.index, c.size); errs.Code(err) != c.code {
				t.Errorf("%s: Inclusion error %v, want code %s", c.name, err, c.code)
			}
		}
		if _, err := l.Inclusion(ctx, partyA, 2, 23); err != nil {
			t.Errorf("readable event: %v", err)
		}
		for _, c := range []struct{ from, to int64 }{{0, 5}, {6, 5}, {1, 24}, {-3, 2}} {
			if _, err := l.Consistency(ctx, c.from, c.to); errs.Code(err) != errs.Invalid {
				t.Errorf("Consistency(%d, %d) error %v, want invalid", c.from, c.to, err)
			}
		}
		if p, err := l.Consistency(ctx, 7, 7); err != nil || len(p.Proof) != 0 || p.Proof == nil {
			t.Errorf("Consistency(7, 7) = %+v, %v", p, err)
		}
		if _, err := l.Events(ctx, partyA, -1, 10); errs.Code(err) != errs.Invalid {
			t.Errorf("Events(from -1) error %v", err)
		}
	})
}

func TestCheckpointer(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		c := ledger.NewCheckpointer(l, 0, 10)
		first, err := c.Sign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if openCheckpoint(t, l.VerifierKey(), first).N != 0 {
			t.Fatal("first checkpoint should be of the empty tree")
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- c.Run(runCtx) }()
		appendN(t, l, 12, 12) // more than 10 events: Run signs without waiting a minute
		waitFor(t, func() bool {
			st, err := l.Status(ctx)
			return err == nil && st.Checkpoint != nil && st.Checkpoint.Size == 12
		})
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		cp, err := l.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if openCheckpoint(t, l.VerifierKey(), cp).N != 12 {
			t.Fatalf("latest checkpoint %q", cp)
		}
		// Signing an unchanged tree adds nothing.
		again, err := c.Sign(ctx)
		if err != nil || string(again) != string(cp) {
			t.Fatalf("re-sign: %q, %v", again, err)
		}
	})
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	s1, v1, err := ledger.LoadOrCreateKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, ledger.KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", fi.Mode(), err)
	}
	if !strings.HasPrefix(s1.Name(), "parley.example/") {
		t.Fatalf("default origin %q", s1.Name())
	}
	s2, v2, err := ledger.LoadOrCreateKey(dir, s1.Name())
	if err != nil || v1 != v2 || s2.Name() != s1.Name() {
		t.Fatalf("reload: %q %q %v", v1, v2, err)
	}
	if _, err := note.NewVerifier(v1); err != nil {
		t.Fatalf("verifier key %q: %v", v1, err)
	}
	if _, _, err := ledger.LoadOrCreateKey(dir, "other.example/log"); err == nil {
		t.Fatal("a key for another origin was accepted")
	}
	os.Chmod(filepath.Join(dir, ledger.KeyFile), 0o644)
	if _, _, err := ledger.LoadOrCreateKey(dir, ""); err == nil {
		t.Fatal("a world-readable key was accepted")
	}
}

// TestConcurrentWritersPostgres runs several writers, each with its own
// connection pool (as separate parley processes would), against one
// PostgreSQL schema, and checks that the tree they build is whole.
func TestConcurrentWriters(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pools := []*store.DB{db}
		if db.Dialect == store.Postgres {
			for range 3 {
				pools = append(pools, reopen(t, db))
			}
		}
		const writers, perWriter = 4, 15
		var wg sync.WaitGroup
		errc := make(chan error, writers)
		for w := range writers {
			l := ledger.New(pools[w%len(pools)])
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWriter {
					err := l.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
						for range 1 + i%3 {
							if _, err := rec.Append(ctx, ledger.Event{Type: "test.concurrent", Audience: access.Of(orgA)}); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						errc <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		l := newLedger(t, db)
		n, err := l.Size(ctx)
		if want := int64(writers * (5*(1+2+3) + 0)); err != nil || n != want {
			t.Fatalf("size %d, want %d (%v)", n, want, err)
		}
		if _, err := l.LatestCheckpoint(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := ledger.Verify(ctx, db, l.VerifierKey())
		if err != nil || !rep.OK() {
			t.Fatalf("verify after concurrent writers: %+v, %v", rep, err)
		}
	})
}

// reopen opens a second, independent pool on the PostgreSQL schema of db.
func reopen(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	var schema string
	if err := db.R.QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	dsn := os.Getenv(storetest.EnvPostgres)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	other, err := store.Open(context.Background(), dsn+sep+"search_path="+schema, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}
