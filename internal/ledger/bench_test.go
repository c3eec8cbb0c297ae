package ledger_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// Benchmarks (docs/ledger.md "Performance"):
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/ledger/   # 1x: the 1M setup runs once
//	go test -run '^$' -bench AppendBatched ./internal/ledger/
//
// PARLEY_BENCH_EVENTS changes the size of the large ledger (default 1,000,000).

var large struct {
	once sync.Once
	dir  string
	db   *store.DB
	led  *ledger.Ledger
	mem  memTree
	n    int64
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if large.db != nil {
		large.db.Close()
	}
	if large.dir != "" {
		os.RemoveAll(large.dir)
	}
	if pgLarge.db != nil {
		pgLarge.db.Close()
	}
	dropBenchSchema()
	os.Exit(code)
}

func largeSize() int64 {
	if n, err := strconv.ParseInt(os.Getenv("PARLEY_BENCH_EVENTS"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// largeLedger builds, once per process, a SQLite ledger of largeSize()
// events: records and stored hashes are computed in memory and written with
// multi-row inserts, which is what makes a million events take seconds
// rather than the minutes of a million Appends.
func largeLedger(b *testing.B) (*store.DB, *ledger.Ledger, *memTree, int64) {
	b.Helper()
	large.once.Do(func() {
		start := time.Now()
		large.n = largeSize()
		large.dir, large.err = os.MkdirTemp("", "parley-ledger-bench-")
		if large.err != nil {
			return
		}
		large.db, large.err = store.Open(context.Background(), "sqlite:"+filepath.Join(large.dir, "parley.db"), large.dir)
		if large.err != nil {
			return
		}
		large.err = bulkLoad(large.db, &large.mem, large.n)
		if large.err != nil {
			return
		}
		large.led = ledger.New(large.db)
		s, v, err := ledger.LoadOrCreateKey(large.dir, "parley.bench/log")
		if err != nil {
			large.err = err
			return
		}
		large.led.SetKey(s, v)
		_, large.err = large.led.LatestCheckpoint(context.Background())
		fmt.Fprintf(os.Stderr, "built a ledger of %d events in %v\n", large.n, time.Since(start).Round(time.Millisecond))
	})
	if large.err != nil {
		b.Fatal(large.err)
	}
	return large.db, large.led, &large.mem, large.n
}

var (
	benchEventColumns = store.Columns("idx bigint", "id text", "type text", "at bigint", "actor_user text", "actor_org text",
		"round_id text", "object_type text", "object_id text", "content_hash bytea", "salt bytea", "record bytea")
	benchAudienceColumns = store.Columns("item_id text", "org_id text")
	benchHashColumns     = store.Columns("id bigint", "hash bytea")
)

// bulkLoad writes n events with their audiences and stored hashes, 20,000
// per transaction through store.Batch (one statement per transaction on
// PostgreSQL).
func bulkLoad(db *store.DB, mem *memTree, n int64) error {
	ctx := context.Background()
	const perTx = 20000
	at := time.Date(2017, 1, 23, 10, 0, 0, 0, time.UTC)
	for lo := int64(0); lo < n; lo += perTx {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			var b store.Batch
			for i := lo; i < min(lo+perTx, n); i++ {
				e := ledger.Event{Index: i, ID: fmt.Sprintf("%032x", i), Type: "bench.event", At: at.Add(time.Duration(i) * time.Millisecond),
					Actor: mediation, Round: "r1", ObjectType: "item", ObjectID: strconv.FormatInt(i, 10), Audience: access.Of(orgM), Salt: make([]byte, 16)}
				binary.BigEndian.PutUint64(e.Salt, uint64(i))
				sum := sha256.Sum256([]byte(e.ObjectID))
				rec := ledger.Encode(e, sum[:])
				b.Add("events", benchEventColumns, "", i, e.ID, e.Type, store.Stamp(e.At), e.Actor.User, e.Actor.Org, e.Round, e.ObjectType, e.ObjectID, sum[:], e.Salt, rec)
				b.Add("audience", benchAudienceColumns, "", e.ID, orgM)
				first := int64(len(mem.hashes))
				hashes, err := tlog.StoredHashes(i, rec, mem)
				if err != nil {
					return err
				}
				mem.hashes = append(mem.hashes, hashes...)
				mem.n++
				for k, h := range hashes {
					b.Add("ledger_hashes", benchHashColumns, "", first+int64(k), h[:])
				}
			}
			return b.Write(ctx, tx, db.Dialect)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// pgLarge is the PostgreSQL ledger of the benchmarks: PARLEY_BENCH_PG_EVENTS
// events (default 100,000) in a fresh schema of PARLEY_TEST_POSTGRES.
var pgLarge struct {
	once        sync.Once
	schema, dsn string
	db          *store.DB
	led         *ledger.Ledger
	mem         memTree
	n           int64
	err         error
}

// openBenchSchema opens a fresh schema in the database of dsn.
func openBenchSchema(dsn string) (*store.DB, error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	pgLarge.schema = "bench_" + store.NewID()
	if _, err := admin.Exec("CREATE SCHEMA " + pgLarge.schema); err != nil {
		return nil, err
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", pgLarge.schema)
	u.RawQuery = q.Encode()
	pgLarge.dsn = dsn
	return store.Open(context.Background(), u.String(), "")
}

// dropBenchSchema drops the schema openBenchSchema made.
func dropBenchSchema() {
	if pgLarge.schema == "" {
		return
	}
	if admin, err := sql.Open("pgx", pgLarge.dsn); err == nil {
		admin.Exec("DROP SCHEMA " + pgLarge.schema + " CASCADE")
		admin.Close()
	}
}

func pgLedger(b *testing.B) (*store.DB, *ledger.Ledger, *memTree, int64) {
	b.Helper()
	dsn := os.Getenv(storetest.EnvPostgres)
	if dsn == "" {
		b.Skip(storetest.EnvPostgres + " is not set")
	}
	pgLarge.once.Do(func() {
		start := time.Now()
		pgLarge.n = 100_000
		if n, err := strconv.ParseInt(os.Getenv("PARLEY_BENCH_PG_EVENTS"), 10, 64); err == nil && n > 0 {
			pgLarge.n = n
		}
		// The schema serves every PostgreSQL benchmark of the process;
		// TestMain drops it.
		pgLarge.db, pgLarge.err = openBenchSchema(dsn)
		if pgLarge.err != nil {
			return
		}
		pgLarge.err = bulkLoad(pgLarge.db, &pgLarge.mem, pgLarge.n)
		if pgLarge.err != nil {
			return
		}
		// What autovacuum would have done on a server that wrote these
		// events over time: statistics for the planner.
		if _, pgLarge.err = pgLarge.db.W.Exec("ANALYZE"); pgLarge.err != nil {
			return
		}
		pgLarge.led = ledger.New(pgLarge.db)
		s, v, err := ledger.LoadOrCreateKey(b.TempDir(), "parley.bench/log")
		if err != nil {
			pgLarge.err = err
			return
		}
		pgLarge.led.SetKey(s, v)
		_, pgLarge.err = pgLarge.led.LatestCheckpoint(context.Background())
		fmt.Fprintf(os.Stderr, "built a PostgreSQL ledger of %d events in %v\n", pgLarge.n, time.Since(start).Round(time.Millisecond))
	})
	if pgLarge.err != nil {
		b.Fatal(pgLarge.err)
	}
	return pgLarge.db, pgLarge.led, &pgLarge.mem, pgLarge.n
}

// BenchmarkAppendBatched appends events through Write/Append on SQLite,
// 100 per transaction, as a busy server's writes would be batched.
func BenchmarkAppendBatched(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			dir := b.TempDir()
			db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "parley.db"), dir)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			l := ledger.New(db)
			ctx := context.Background()
			content := []byte(`{"body":"the parties agree to the ceasefire monitoring mechanism"}`)
			b.ResetTimer()
			start := time.Now()
			for done := 0; done < b.N; {
				k := min(batch, b.N-done)
				err := l.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
					for range k {
						if _, err := rec.Append(ctx, ledger.Event{Type: "channel.message", Actor: partyA, Round: "r1",
							ObjectType: "message", ObjectID: store.NewID(), Audience: access.Of(orgA, orgM), Content: content}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				done += k
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// BenchmarkInclusion1M is one inclusion proof (the access check, the record
// and the proof hashes: two queries) in a ledger of a million events.
func BenchmarkInclusion1M(b *testing.B) {
	_, l, mem, n := largeLedger(b)
	benchInclusion(b, l, mem, n)
}

func benchInclusion(b *testing.B, l *ledger.Ledger, mem *memTree, n int64) {
	ctx := context.Background()
	root := mem.root(b, n)
	r := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for b.Loop() {
		i := r.Int64N(n)
		p, err := l.Inclusion(ctx, mediation, i, n)
		if err != nil {
			b.Fatal(err)
		}
		if err := tlog.CheckRecord(toHashes(b, p.Proof), n, root, i, tlog.RecordHash(p.Record)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInclusionPostgres is BenchmarkInclusion1M on PostgreSQL, in a
// ledger of PARLEY_BENCH_PG_EVENTS events (default 100,000).
func BenchmarkInclusionPostgres(b *testing.B) {
	_, l, mem, n := pgLedger(b)
	benchInclusion(b, l, mem, n)
}

// BenchmarkAudit is "parley audit" of every event, as the mediation (which
// reads them all), over HTTP from a server on the same machine: on SQLite
// the large ledger (PARLEY_BENCH_EVENTS), on PostgreSQL PARLEY_BENCH_PG_EVENTS.
func BenchmarkAudit(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		_, l, _, n := largeLedger(b)
		benchAudit(b, l, n)
	})
	b.Run("postgres", func(b *testing.B) {
		_, l, _, n := pgLedger(b)
		benchAudit(b, l, n)
	})
}

func benchAudit(b *testing.B, l *ledger.Ledger, n int64) {
	srv := newTestServer(b)
	srv.show("med", mediation, l)
	for b.Loop() {
		var out, errOut strings.Builder
		st := ledger.RunAuditCLI(context.Background(), []string{"--server", srv.URL, "--token", "med", "--state", b.TempDir(), "--out", filepath.Join(b.TempDir(), "bundle.json")}, &out, &errOut)
		if st != 0 || !strings.Contains(out.String(), fmt.Sprintf("%d readable events proved", n)) {
			b.Fatalf("audit: %d\n%s%s", st, out.String(), errOut.String())
		}
	}
	b.ReportMetric(float64(n), "events")
}

// BenchmarkInclusionMemory1M is the proof computation alone, over the
// stored hashes in memory: the floor under BenchmarkInclusion1M.
func BenchmarkInclusionMemory1M(b *testing.B) {
	_, _, mem, n := largeLedger(b)
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := tlog.ProveRecord(n, r.Int64N(n), mem); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify1M is "parley verify" of a million events.
func BenchmarkVerify1M(b *testing.B) {
	db, l, _, n := largeLedger(b)
	ctx := context.Background()
	for b.Loop() {
		rep, err := ledger.Verify(ctx, db, l.VerifierKey())
		if err != nil || !rep.OK() || rep.Events != n {
			b.Fatalf("verify: %s %v", rep.String(), err)
		}
	}
}
