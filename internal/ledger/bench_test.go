package ledger_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
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

func bulkLoad(db *store.DB, mem *memTree, n int64) error {
	ctx := context.Background()
	const perTx = 20000
	at := time.Date(2017, 1, 23, 10, 0, 0, 0, time.UTC)
	for lo := int64(0); lo < n; lo += perTx {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			insEvent, err := tx.PrepareContext(ctx, `INSERT INTO events(idx, id, type, at, actor_user, actor_org, round_id, object_type, object_id, content_hash, salt, record)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`)
			if err != nil {
				return err
			}
			insAud, err := tx.PrepareContext(ctx, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)")
			if err != nil {
				return err
			}
			insHash, err := tx.PrepareContext(ctx, "INSERT INTO ledger_hashes(id, hash) VALUES ($1, $2)")
			if err != nil {
				return err
			}
			for i := lo; i < min(lo+perTx, n); i++ {
				e := ledger.Event{Index: i, ID: fmt.Sprintf("%032x", i), Type: "bench.event", At: at.Add(time.Duration(i) * time.Millisecond),
					Actor: mediation, Round: "r1", ObjectType: "item", ObjectID: strconv.FormatInt(i, 10), Audience: access.Of(orgM), Salt: make([]byte, 16)}
				binary.BigEndian.PutUint64(e.Salt, uint64(i))
				sum := sha256.Sum256([]byte(e.ObjectID))
				rec := ledger.Encode(e, sum[:])
				if _, err := insEvent.ExecContext(ctx, i, e.ID, e.Type, store.Stamp(e.At), e.Actor.User, e.Actor.Org, e.Round, e.ObjectType, e.ObjectID, sum[:], e.Salt, rec); err != nil {
					return err
				}
				if _, err := insAud.ExecContext(ctx, e.ID, orgM); err != nil {
					return err
				}
				first := int64(len(mem.hashes))
				hashes, err := tlog.StoredHashes(i, rec, mem)
				if err != nil {
					return err
				}
				mem.hashes = append(mem.hashes, hashes...)
				mem.n++
				for k, h := range hashes {
					if _, err := insHash.ExecContext(ctx, first+int64(k), h[:]); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
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
