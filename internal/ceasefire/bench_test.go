package ceasefire_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// The ceasefire's benchmarks over a large process. The data set is written
// straight into the tables (incidents, reports, their audiences), not
// through the ledger, so that a million incidents take a minute rather
// than an hour; the queries measured are the service's own.
//
//	CEASEFIRE_BENCH_N=1000000 go test ./internal/ceasefire -run '^$' -bench . -benchtime 1x
//
// CEASEFIRE_BENCH_N defaults to 20000, so that a plain -bench run stays
// short. With PARLEY_TEST_POSTGRES set, each benchmark runs on both
// databases.

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("CEASEFIRE_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// benchWorld is a loaded process.
type benchWorld struct {
	*talkstest.Fixture
	cf       *ceasefire.Service
	hotspots [][2]float64
	start    time.Time
	n        int
}

var (
	benchMu     sync.Mutex
	benchWorlds = map[string]*benchWorld{}
)

// forEachDB runs fn on a loaded SQLite database and, when configured, on
// PostgreSQL, loading each once per run.
func forEachDB(b *testing.B, fn func(b *testing.B, w *benchWorld)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, loadedWorld(b, "sqlite")) })
	if os.Getenv(storetest.EnvPostgres) != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, loadedWorld(b, "postgres")) })
	}
}

func loadedWorld(b *testing.B, dialect string) *benchWorld {
	benchMu.Lock()
	defer benchMu.Unlock()
	if w, ok := benchWorlds[dialect]; ok {
		return w
	}
	if dsn := os.Getenv("CEASEFIRE_BENCH_" + strings.ToUpper(dialect)); dsn != "" {
		w := reopen(b, dsn)
		benchWorlds[dialect] = w
		return w
	}
	// The database outlives the benchmark that loads it: later
	// benchmarks of the run reuse it.
	var db *store.DB
	if dialect == "sqlite" {
		db = storetest.SQLite(&keep{b})
	} else {
		db = storetest.Postgres(&keep{b}, os.Getenv(storetest.EnvPostgres))
	}
	f := talkstest.New(b, db)
	w := &benchWorld{Fixture: f, cf: ceasefire.New(db, f.Ledger, benchFiles(b)), start: time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC), n: benchN()}
	t0 := time.Now()
	w.load(b)
	b.Logf("%s: loaded %d incidents and reports in %v", dialect, w.n, time.Since(t0).Round(time.Second))
	if dialect == "sqlite" {
		b.Logf("reuse with CEASEFIRE_BENCH_SQLITE=sqlite:%s", db.Path)
	} else {
		var schema string
		db.R.QueryRow("SELECT current_schema()").Scan(&schema)
		b.Logf("reuse with CEASEFIRE_BENCH_POSTGRES='%s' (schema %s)", os.Getenv(storetest.EnvPostgres), schema)
	}
	benchWorlds[dialect] = w
	return w
}

// reopen opens a database a previous run loaded (its DSN was logged),
// and finds the fixture's organisations and process by name.
func reopen(b *testing.B, dsn string) *benchWorld {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, os.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	led := ledger.New(db)
	f := &talkstest.Fixture{DB: db, Ledger: led, Talks: talks.New(db, led)}
	byName := map[string]*talks.Org{"Host ministry": &f.Host, "Mediation team": &f.Mediation, "Government delegation": &f.Gov,
		"Opposition delegation": &f.Opp, "Guarantor state": &f.Guarantor, "Observer state": &f.Observer, "Monitoring group": &f.Monitor,
		"Humanitarian agency": &f.Agency, "Third delegation": &f.Outsider}
	rows, err := db.R.Query("SELECT id, name, short_name, kind FROM orgs")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var o talks.Org
		rows.Scan(&o.ID, &o.Name, &o.ShortName, &o.Kind)
		if p := byName[o.Name]; p != nil {
			*p = o
		}
	}
	rows.Close()
	if err := db.R.QueryRow("SELECT id FROM processes WHERE name = 'Test process'").Scan(&f.Process.ID); err != nil {
		b.Fatal(err)
	}
	w := &benchWorld{Fixture: f, cf: ceasefire.New(db, led, benchFiles(b)), start: time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC)}
	// A database loaded before the narratives were sealed gets them
	// sealed, as the application does on start.
	if n, err := w.cf.SealNarratives(ctx); err != nil {
		b.Fatal(err)
	} else if n > 0 {
		b.Logf("sealed %d narratives", n)
	}
	if err := db.R.QueryRow("SELECT COUNT(*) FROM ceasefire_incidents").Scan(&w.n); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 15 {
		w.hotspots = append(w.hotspots, [2]float64{32.5 + rng.Float64()*4.5, 35.9 + rng.Float64()*5.5})
	}
	// A database loaded before the grid-square index changed gets the
	// index of the current migration.
	t0 := time.Now()
	var def string
	q := "SELECT sql FROM sqlite_master WHERE name = 'ceasefire_incidents_cell'"
	if db.Dialect == store.Postgres {
		q = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ceasefire_incidents_cell' AND schemaname = current_schema()"
	}
	db.R.QueryRow(q).Scan(&def)
	if strings.Contains(def, "lon, id") {
		b.Logf("reopened %d incidents", w.n)
		return w
	}
	if _, err := db.W.Exec("DROP INDEX ceasefire_incidents_cell"); err != nil {
		b.Fatal(err)
	}
	if _, err := db.W.Exec("CREATE INDEX ceasefire_incidents_cell ON ceasefire_incidents(process_id, cell, occurred_at, type, status, perpetrator, merged_into, published, lat, lon, id)"); err != nil {
		b.Fatal(err)
	}
	if _, err := db.W.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("reopened %d incidents; index rebuilt in %v", w.n, time.Since(t0).Round(time.Second))
	return w
}

// benchKey is the master key of the benchmark's databases: a database
// loaded by one run is read by the next (CEASEFIRE_BENCH_SQLITE).
var benchKey = bytes.Repeat([]byte{9}, 32)

// benchFiles is the store that seals the benchmark's narratives.
func benchFiles(b *testing.B) *channel.FileStore {
	f, err := channel.NewFileStore(benchKey, os.TempDir()+"/ceasefire-bench-evidence")
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// keep is a testing.TB whose cleanups run at the end of the process
// instead of the benchmark, so that the loaded database is shared.
type keep struct{ *testing.B }

func (k *keep) Cleanup(func()) {}

func (k *keep) TempDir() string {
	dir, err := os.MkdirTemp("", "ceasefire-bench-")
	if err != nil {
		k.Fatal(err)
	}
	return dir
}

var benchWords = strings.Fields("shells artillery mortar rockets houses village school market road checkpoint patrol " +
	"morning evening night families fled wounded killed civilians army positions fire heard seen struck near edge " +
	"قصف مدفعي قذائف منازل قرية سوق طريق حاجز دورية صباحا مساء عائلات جرحى قتلى مدنيين")

// load writes n incidents, each with one report: 70% around fifteen
// hotspots, the rest spread over the country, over a year; 10% published.
func (w *benchWorld) load(b *testing.B) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 15 {
		w.hotspots = append(w.hotspots, [2]float64{32.5 + rng.Float64()*4.5, 35.9 + rng.Float64()*5.5})
	}
	mech := []string{w.Monitor.ID, w.Mediation.ID, w.Guarantor.ID}
	rest := []string{w.Host.ID, w.Observer.ID, w.Agency.ID}
	parties := []string{w.Gov.ID, w.Opp.ID}
	db := w.DB
	files := benchFiles(b)
	incCols := store.Columns("id text", "process_id text", "status text", "type text", "occurred_at bigint", "time_precision text",
		"lat double precision", "lon double precision", "cell bigint", "location_precision text", "place text", "admin1 text", "admin2 text",
		"perpetrator text", "affected text", "killed bigint", "injured bigint", "published boolean", "decided_at bigint", "created_at bigint", "ledger_idx bigint",
		"reporter text")
	repCols := store.Columns("id text", "process_id text", "incident_id text", "org_id text", "created_by text", "occurred_at bigint",
		"time_precision text", "lat double precision", "lon double precision", "location_precision text", "place text", "admin1 text", "admin2 text",
		"type text", "perpetrator text", "affected text", "killed_low bigint", "killed_best bigint", "killed_high bigint",
		"injured_low bigint", "injured_best bigint", "injured_high bigint", "knowledge text", "platform text", "narrative text", "narrative_enc bytea",
		"created_at bigint", "ledger_idx bigint")
	audCols := store.Columns("item_id text", "org_id text")
	var batch store.Batch
	write := func() {
		b.Helper()
		err := db.Tx(ctx, func(tx *sql.Tx) error { return batch.Write(ctx, tx, db.Dialect) })
		if err != nil {
			b.Fatal(err)
		}
		batch = store.Batch{}
	}
	for i := range w.n {
		lat, lon := w.point(rng)
		at := w.start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		typ := ceasefire.Types[rng.IntN(len(ceasefire.Types))]
		status := ceasefire.Statuses[rng.IntN(5)]
		party := parties[rng.IntN(2)]
		perp := parties[1-rng.IntN(2)]
		published := rng.IntN(10) == 0 && (status == ceasefire.ConfirmedViolation || status == ceasefire.NotAViolation) || rng.IntN(20) == 0
		if published && !slices.Contains([]string{ceasefire.ConfirmedViolation, ceasefire.NotAViolation, ceasefire.Unverifiable}, status) {
			status = ceasefire.ConfirmedViolation
		}
		inc, rep := store.NewID(), store.NewID()
		stamp := store.Stamp(at)
		var decided int64
		if status != ceasefire.Reported && status != ceasefire.UnderReview {
			decided = stamp + rng.Int64N(72*3600e6)
		}
		batch.Add("ceasefire_incidents", incCols, "", inc, w.Process.ID, status, typ, stamp, "exact", lat, lon, ceasefire.Cell(lat, lon), "town", "place", "admin", "", perp, "civilians",
			int64(rng.IntN(3)), int64(rng.IntN(6)), published, decided, stamp, int64(0), party)
		var words []string
		for range 12 + rng.IntN(10) {
			words = append(words, benchWords[rng.IntN(len(benchWords))])
		}
		batch.Add("ceasefire_reports", repCols, "", rep, w.Process.ID, inc, party, "bench", stamp, "exact", lat, lon, "town", "place", "admin", "", typ, perp, "civilians",
			int64(0), int64(1), int64(2), int64(0), int64(1), int64(2), "seen", "patrol", "", files.Seal("ceasefire_narrative", rep, []byte(strings.Join(words, " "))), stamp, int64(0))
		for _, o := range append(mech, party) {
			batch.Add("audience", audCols, "", inc, o)
			batch.Add("audience", audCols, "", rep, o)
		}
		if published {
			for _, o := range append(rest, parties[1-slices.Index(parties, party)]) {
				batch.Add("audience", audCols, "", inc, o)
			}
		}
		if (i+1)%5000 == 0 {
			write()
		}
		if i > 0 && i%50000 == 0 {
			fmt.Fprintf(os.Stderr, "ceasefire bench: %d incidents loaded\n", i)
		}
	}
	write()
	// What autovacuum would do to a table this size: statistics, and on
	// PostgreSQL the visibility map that lets index-only scans skip the
	// table.
	analyze := "ANALYZE"
	if db.Dialect == store.Postgres {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := db.W.ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
}

func (w *benchWorld) point(rng *rand.Rand) (float64, float64) {
	if rng.IntN(10) < 7 {
		h := w.hotspots[rng.IntN(len(w.hotspots))]
		return h[0] + rng.NormFloat64()*0.15, h[1] + rng.NormFloat64()*0.15
	}
	return 32.3 + rng.Float64()*5, 35.7 + rng.Float64()*6.3
}

// BenchmarkMapQuery is the map's query over the loaded process: a box of
// one degree around a hotspot, a 30-day window and one type, as the
// monitors (who read everything), as the observer (who reads the
// published incidents) and as a party (the published ones and those it
// reported, about half). It reports the 50th and 95th percentiles.
func BenchmarkMapQuery(b *testing.B) {
	forEachDB(b, func(b *testing.B, w *benchWorld) {
		for _, who := range []struct {
			name  string
			actor access.Actor
		}{{"monitor", talkstest.Head(w.Monitor)}, {"observer", talkstest.Head(w.Observer)}, {"party", talkstest.Head(w.Gov)}} {
			for _, shape := range []string{"box+30d+type", "box+30d"} {
				b.Run(who.name+"/"+shape, func(b *testing.B) {
					rng := rand.New(rand.NewPCG(3, 4))
					var lat []time.Duration
					rows := 0
					const perOp = 100
					cpu0 := cpuTime()
					for b.Loop() {
						for range perOp {
							h := w.hotspots[rng.IntN(len(w.hotspots))]
							f := ceasefire.Filter{BBox: &ceasefire.BBox{MinLon: h[1] - 0.5, MinLat: h[0] - 0.5, MaxLon: h[1] + 0.5, MaxLat: h[0] + 0.5}}
							if shape != "box" {
								f.From = w.start.Add(time.Duration(rng.IntN(330)) * 24 * time.Hour)
								f.To = f.From.Add(30 * 24 * time.Hour)
							}
							if shape == "box+30d+type" {
								f.Types = []string{ceasefire.Types[rng.IntN(len(ceasefire.Types))]}
							}
							t0 := time.Now()
							incs, err := w.cf.Incidents(context.Background(), who.actor, w.Process.ID, f)
							if err != nil {
								b.Fatal(err)
							}
							lat = append(lat, time.Since(t0))
							rows += len(incs)
						}
					}
					cpu := cpuTime() - cpu0
					slices.Sort(lat)
					b.ReportMetric(ms(cpu/time.Duration(len(lat))), "cpu-ms/query")
					b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
					b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
					b.ReportMetric(float64(rows)/float64(len(lat)), "rows/query")
				})
			}
		}
	})
}

// cpuTime is the CPU time the process has used, user and system: on a
// shared machine, wall-clock latencies include the time other processes
// held the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// BenchmarkDuplicates runs the duplicate search over every report of the
// loaded process, and reports its time and the peak heap it used.
func BenchmarkDuplicates(b *testing.B) {
	forEachDB(b, func(b *testing.B, w *benchWorld) {
		mon := talkstest.Head(w.Monitor)
		for b.Loop() {
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			var peak atomic.Uint64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				t := time.NewTicker(20 * time.Millisecond)
				defer t.Stop()
				for {
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					if m.HeapAlloc > peak.Load() {
						peak.Store(m.HeapAlloc)
					}
					select {
					case <-stop:
						return
					case <-t.C:
					}
				}
			}()
			t0, cpu0 := time.Now(), cpuTime()
			cands, err := w.cf.Duplicates(context.Background(), mon, w.Process.ID, ceasefire.DuplicateOptions{Limit: 1000})
			el := time.Since(t0)
			close(stop)
			<-done
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(el.Seconds(), "s")
			b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s")
			b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapAlloc))/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(len(cands)), "candidates")
		}
	})
}
