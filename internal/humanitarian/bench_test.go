package humanitarian_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/humanitarian"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// figures reads, for every location of the process, the dashboard's
// aggregates and the same figures recomputed from the convoys' own rows,
// as "location item unit requested approved loaded removed delivered",
// "location state n" and "location took hours n" lines, each kind sorted.
func figures(t testing.TB, db *store.DB, processID string) (kept, recomputed []string) {
	t.Helper()
	ctx := context.Background()
	read := func(q string) []string {
		rows, err := db.R.QueryContext(ctx, q, processID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprint(v)
			}
			out = append(out, strings.Join(parts, " "))
		}
		slices.Sort(out)
		return out
	}
	kept = append(read(`SELECT li.location_id, li.name, li.unit, li.requested, li.approved, li.loaded, li.removed, li.delivered
		FROM hum_location_items li JOIN hum_locations l ON l.id = li.location_id WHERE l.process_id = $1`),
		read(`SELECT s.location_id, s.state, s.n FROM hum_location_states s JOIN hum_locations l ON l.id = s.location_id WHERE l.process_id = $1 AND s.n > 0`)...)
	kept = append(kept, read(`SELECT h.location_id, 'took', h.hours, h.n FROM hum_approval_hours h JOIN hum_locations l ON l.id = h.location_id
		WHERE l.process_id = $1 AND h.n > 0`)...)
	recomputed = append(read(`SELECT c.location_id, i.name, i.unit, CAST(SUM(i.requested) AS BIGINT),
		CAST(SUM(CASE WHEN c.approval_us IS NOT NULL THEN COALESCE(i.approved, 0) ELSE 0 END) AS BIGINT),
		CAST(SUM(COALESCE(i.loaded, 0)) AS BIGINT), CAST(SUM(i.removed) AS BIGINT), CAST(SUM(COALESCE(i.delivered, 0)) AS BIGINT)
		FROM hum_convoys c JOIN hum_convoy_items i ON i.convoy_id = c.id WHERE c.process_id = $1 GROUP BY c.location_id, i.name, i.unit`),
		read(`SELECT c.location_id, c.state, COUNT(*) FROM hum_convoys c WHERE c.process_id = $1 GROUP BY c.location_id, c.state`)...)
	recomputed = append(recomputed, read(`SELECT location_id, 'took', b, COUNT(*) FROM (SELECT c.location_id,
		CASE WHEN c.approval_us / 3600000000 < 48 THEN c.approval_us / 3600000000
			WHEN c.approval_us / 3600000000 < 336 THEN c.approval_us / 3600000000 - (c.approval_us / 3600000000) % 6
			ELSE c.approval_us / 3600000000 - (c.approval_us / 3600000000) % 24 END AS b
		FROM hum_convoys c WHERE c.process_id = $1 AND c.approval_us IS NOT NULL) t GROUP BY location_id, b`)...)
	return kept, recomputed
}

// checkFigures fails when the dashboard's aggregates differ from the
// convoys' rows they sum up.
func checkFigures(t testing.TB, db *store.DB, processID string) {
	t.Helper()
	kept, recomputed := figures(t, db, processID)
	if strings.Join(kept, "\n") != strings.Join(recomputed, "\n") {
		t.Errorf("the dashboard's aggregates\n%s\ndiffer from the convoys\n%s", strings.Join(kept, "\n"), strings.Join(recomputed, "\n"))
	}
}

// insertRows inserts rows into table inside tx: the benchmark's fixture,
// written around the service. SQLite runs one prepared single-row
// statement per row (binding many named parameters costs more than the
// statements); PostgreSQL takes chunks of multi-row statements.
func insertRows(ctx context.Context, tx *sql.Tx, d store.Dialect, table string, cols []string, rows [][]any) error {
	chunk := 500
	if d == store.SQLite {
		chunk = 1
	}
	var st *sql.Stmt
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + "(" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(part)*len(cols))
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j, v := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				q.WriteString("$" + strconv.Itoa(len(args)))
			}
			q.WriteString(")")
		}
		var err error
		if chunk == 1 {
			if st == nil {
				if st, err = tx.PrepareContext(ctx, q.String()); err != nil {
					return fmt.Errorf("insert into %s: %w", table, err)
				}
				defer st.Close()
			}
			_, err = st.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, q.String(), args...)
		}
		if err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// benchConvoys is the size of the benchmark's history: 100,000 convoys
// of ten item lines each, unless PARLEY_HUM_BENCH_CONVOYS says otherwise.
func benchConvoys() int {
	if n, err := strconv.Atoi(os.Getenv("PARLEY_HUM_BENCH_CONVOYS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedHistory writes n convoys of ten item lines over two years to ten
// locations of the process, with the aggregates each step would have kept,
// as the service leaves them: every convoy's audience, its approvals (a
// few still awaited, half of those past their deadline), its item lines.
func seedHistory(b *testing.B, db *store.DB, w *world, n int) {
	b.Helper()
	ctx := context.Background()
	locs := []string{w.loc.ID}
	for i := 1; i < 10; i++ {
		l, err := w.h.CreateLocation(ctx, w.agent, w.f.Process.ID, humanitarian.NewLocation{Name: fmt.Sprintf("Area %d", i), Admin1: "Region",
			Lat: 33 + float64(i)/10, Lon: 36, ControlledBy: []string{w.f.Opp.ID, w.f.Gov.ID}[i%2]})
		if err != nil {
			b.Fatal(err)
		}
		locs = append(locs, l.ID)
	}
	if _, err := w.h.CreateCommitment(ctx, w.med, w.f.Process.ID, humanitarian.NewCommitment{Round: w.f.Round.ID, Location: w.loc.ID,
		Title: "Access every 14 days", CadenceDays: 14, Starts: w.now.Add(-365 * 24 * time.Hour)}); err != nil {
		b.Fatal(err)
	}
	items := []struct{ name, unit string }{{"food parcels", "carton"}, {"wheat flour", "t"}, {"medical kits", "kit"}, {"surgical kits", "kit"},
		{"water purification", "box"}, {"hygiene kits", "kit"}, {"blankets", "box"}, {"baby formula", "carton"}, {"fuel", "l"}, {"tents", "pallet"}}
	rng := rand.New(rand.NewPCG(1, 2))
	type key struct{ loc, name, unit string }
	sums := map[key]*[5]int64{}
	states := map[[2]string]int64{}
	last := map[string]int64{}
	hours := map[[2]string]int64{}
	var convoys, lines, appr, aud [][]any
	start := w.now.Add(-730 * 24 * time.Hour)
	for c := 0; c < n; c++ {
		id := store.NewID()
		loc := locs[c%len(locs)]
		at := start.Add(time.Duration(rng.Int64N(int64(729 * 24 * time.Hour))))
		req := store.Stamp(at)
		r := rng.IntN(100)
		state := map[bool]string{true: humanitarian.StateDelivered}[r < 80]
		switch {
		case r < 80:
		case r < 85:
			state = humanitarian.StatePartiallyDelivered
		case r < 88:
			state = humanitarian.StateDenied
		case r < 90:
			state = humanitarian.StateTurnedBack
		case r < 95:
			state = humanitarian.StateRequested
		default:
			state = humanitarian.StateDispatched
		}
		var approvalUS, delivered sql.NullInt64
		decision, due := humanitarian.Approved, req+int64(7*24*time.Hour/time.Microsecond)
		if state == humanitarian.StateRequested {
			decision = humanitarian.Pending
			if c%2 == 0 {
				due = store.Stamp(w.now.Add(time.Hour))
			}
		} else {
			h := int64(1 + rng.IntN(400))
			approvalUS = sql.NullInt64{Int64: h * int64(time.Hour/time.Microsecond), Valid: true}
			hours[[2]string{loc, strconv.FormatInt(humanitarian.ApprovalBucket(time.Duration(h)*time.Hour), 10)}]++
		}
		if state == humanitarian.StateDenied {
			decision = humanitarian.Denied
		}
		if state == humanitarian.StateDelivered || state == humanitarian.StatePartiallyDelivered {
			delivered = sql.NullInt64{Int64: req + approvalUS.Int64 + int64(48*time.Hour/time.Microsecond), Valid: true}
			last[loc] = max(last[loc], delivered.Int64)
		}
		states[[2]string{loc, state}]++
		convoys = append(convoys, []any{id, w.f.Process.ID, loc, w.f.Agency.ID, state, req, "bench", approvalUS, delivered, req, int64(1), int64(0)})
		appr = append(appr, []any{id, w.f.Gov.ID, w.f.Process.ID, loc, int64(0), due, decision})
		aud = append(aud, []any{id, w.f.Agency.ID}, []any{id, w.f.Mediation.ID}, []any{id, w.f.Gov.ID}, []any{id, w.f.Opp.ID})
		for k, it := range items {
			q := int64(100+rng.IntN(900)) * 1000
			var a, l, rm, d sql.NullInt64
			var fig [5]int64
			fig[0] = q
			if approvalUS.Valid {
				a = sql.NullInt64{Int64: q, Valid: true}
				if state == humanitarian.StateDenied {
					a.Int64 = 0
				} else if k == 3 && rng.IntN(2) == 0 {
					a.Int64 = q / 2
				}
				fig[1] = a.Int64
			}
			if state != humanitarian.StateRequested && state != humanitarian.StateDenied {
				l = sql.NullInt64{Int64: a.Int64, Valid: true}
				fig[2] = l.Int64
				if k == 2 && rng.IntN(4) == 0 {
					rm = sql.NullInt64{Int64: l.Int64 / 3, Valid: true}
					fig[3] = rm.Int64
				}
			}
			switch state {
			case humanitarian.StateDelivered:
				d = sql.NullInt64{Int64: l.Int64 - rm.Int64, Valid: true}
			case humanitarian.StatePartiallyDelivered:
				d = sql.NullInt64{Int64: (l.Int64 - rm.Int64) / 2, Valid: true}
			case humanitarian.StateTurnedBack:
				d = sql.NullInt64{Int64: 0, Valid: true}
			}
			fig[4] = d.Int64
			s := sums[key{loc, it.name, it.unit}]
			if s == nil {
				s = &[5]int64{}
				sums[key{loc, it.name, it.unit}] = s
			}
			for i := range fig {
				s[i] += fig[i]
			}
			lines = append(lines, []any{id, int64(k), it.name, it.unit, q, a, l, rm.Int64, d})
		}
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"hum_convoys", []string{"id", "process_id", "location_id", "agency_org", "state", "requested_at", "requested_by", "approval_us", "delivered_at", "updated_at", "steps", "ledger_idx"}, convoys},
			{"hum_approvals", []string{"convoy_id", "party_org", "process_id", "location_id", "pos", "due", "decision"}, appr},
			{"audience", []string{"item_id", "org_id"}, aud},
			{"hum_convoy_items", []string{"convoy_id", "pos", "name", "unit", "requested", "approved", "loaded", "removed", "delivered"}, lines},
		} {
			if err := insertRows(ctx, tx, db.Dialect, p.table, p.cols, p.rows); err != nil {
				return err
			}
		}
		for k, s := range sums {
			if _, err := tx.ExecContext(ctx, `INSERT INTO hum_location_items(location_id, name, unit, requested, approved, loaded, removed, delivered)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (location_id, name, unit) DO UPDATE SET requested = hum_location_items.requested + excluded.requested,
				approved = hum_location_items.approved + excluded.approved, loaded = hum_location_items.loaded + excluded.loaded,
				removed = hum_location_items.removed + excluded.removed, delivered = hum_location_items.delivered + excluded.delivered`,
				k.loc, k.name, k.unit, s[0], s[1], s[2], s[3], s[4]); err != nil {
				return err
			}
		}
		for k, v := range states {
			if _, err := tx.ExecContext(ctx, `INSERT INTO hum_location_states(location_id, state, n) VALUES ($1, $2, $3)
				ON CONFLICT (location_id, state) DO UPDATE SET n = hum_location_states.n + excluded.n`, k[0], k[1], v); err != nil {
				return err
			}
		}
		for k, v := range hours {
			h, _ := strconv.ParseInt(k[1], 10, 64)
			if _, err := tx.ExecContext(ctx, `INSERT INTO hum_approval_hours(location_id, hours, n) VALUES ($1, $2, $3)
				ON CONFLICT (location_id, hours) DO UPDATE SET n = hum_approval_hours.n + excluded.n`, k[0], h, v); err != nil {
				return err
			}
		}
		for _, loc := range locs {
			if _, err := tx.ExecContext(ctx, `UPDATE hum_locations SET convoys = convoys + $1,
				last_delivery_at = CASE WHEN last_delivery_at > $2 THEN last_delivery_at ELSE $2 END WHERE id = $3`,
				int64(n/len(locs)), last[loc], loc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Fresh statistics and visibility, as autovacuum leaves a database
	// that grew to this size.
	maintain := "ANALYZE"
	if db.Dialect == store.Postgres {
		maintain = "VACUUM ANALYZE"
	}
	if _, err := db.W.ExecContext(ctx, maintain); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDashboard reads the dashboard of a process with 100,000 convoys
// and 1,000,000 item lines, as the mediation (which reads every convoy)
// and as a guarantor (which reads none), and reports the 50th and 95th
// percentiles of one read in milliseconds:
//
//	go test ./internal/humanitarian/ -run '^$' -bench Dashboard -benchtime 200x
func BenchmarkDashboard(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		b.Run(dbName, func(b *testing.B) {
			var db *store.DB
			if dbName == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				dsn := os.Getenv(storetest.EnvPostgres)
				if dsn == "" {
					b.Skip(storetest.EnvPostgres + " is not set")
				}
				db = storetest.Postgres(b, dsn)
			}
			w := newWorld(b, db)
			n := benchConvoys()
			t0 := time.Now()
			seedHistory(b, db, w, n)
			b.Logf("%s: %d convoys, %d item lines written in %v", dbName, n, n*10, time.Since(t0).Round(time.Millisecond))
			for _, reader := range []struct {
				name  string
				actor access.Actor
			}{{"mediation", w.med}, {"guarantor", talkstest.Actor(w.f.Guarantor, access.Head)}} {
				b.Run(reader.name, func(b *testing.B) {
					ctx := context.Background()
					d, err := w.h.Dashboard(ctx, reader.actor, w.f.Process.ID)
					if err != nil || d.Convoys < int64(n) {
						b.Fatalf("dashboard: %d convoys, %v", d.Convoys, err)
					}
					times := make([]time.Duration, 0, b.N)
					cpu0 := cpuTime()
					b.ResetTimer()
					for b.Loop() {
						t := time.Now()
						if _, err := w.h.Dashboard(ctx, reader.actor, w.f.Process.ID); err != nil {
							b.Fatal(err)
						}
						times = append(times, time.Since(t))
					}
					cpu := cpuTime() - cpu0
					slices.Sort(times)
					pct := func(p float64) float64 {
						return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
					}
					b.ReportMetric(pct(0.50), "p50-ms")
					b.ReportMetric(pct(0.95), "p95-ms")
					// The test process's own CPU per read: on SQLite all of
					// the work, whatever else the machine runs.
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(times)), "cpu-ms/op")
				})
			}
		})
	}
}
