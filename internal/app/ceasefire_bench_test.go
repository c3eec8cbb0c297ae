package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/demo"
	"parley/internal/store/storetest"
)

// BenchmarkCeasefireIntake files reports through the HTTP API, as the
// monitors' field teams would, from 16 clients at once, and reports the
// reports per second. Every report is one ledger transaction (the report,
// its incident, their audiences, the event).
//
//	go test ./internal/app -run '^$' -bench CeasefireIntake -benchtime 3x
func BenchmarkCeasefireIntake(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchIntake(b, app.Config{DataDir: b.TempDir()}) })
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		b.Run("postgres", func(b *testing.B) {
			benchIntake(b, app.Config{DataDir: b.TempDir(), DB: storetest.PostgresDSN(b, dsn)})
		})
	}
}

func benchIntake(b *testing.B, cfg app.Config) {
	ctx := context.Background()
	cfg.Auth.HashParams = cheapHash
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if _, err := demo.Seed(ctx, a.Talks, a.Auth, tablePassword); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	post := func(path, token string, body any) (int, []byte) {
		j, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.Bytes()
	}
	status, body := post("/api/v1/auth/login", "", map[string]string{"username": "monitor", "password": tablePassword})
	if status != 200 {
		b.Fatalf("login: %d %s", status, body)
	}
	var l struct{ Token string }
	json.Unmarshal(body, &l)
	procs, err := a.Talks.Processes(ctx, access.System)
	if err != nil || len(procs) == 0 {
		b.Fatal(err)
	}
	path := "/api/v1/processes/" + procs[0].ID + "/ceasefire/reports"
	const clients, perOp = 16, 2000
	var total time.Duration
	cpu0 := processCPU()
	for b.Loop() {
		var wg sync.WaitGroup
		jobs := make(chan int)
		t0 := time.Now()
		for range clients {
			wg.Go(func() {
				for i := range jobs {
					status, body := post(path, l.Token, map[string]any{
						"occurred_at": "2017-01-20T10:00:00Z", "lat": 33.5 + float64(i%100)/1000, "lon": 36.3, "type": "shelling",
						"perpetrator": "unknown", "affected": "civilians", "narrative": fmt.Sprintf("Report %d: shelling heard near the checkpoint.", i)})
					if status != 201 {
						b.Errorf("report: %d %s", status, body)
						return
					}
				}
			})
		}
		for i := range perOp {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		total += time.Since(t0)
	}
	b.ReportMetric(float64(perOp*b.N)/total.Seconds(), "reports/s")
	// The process's own CPU per report (server and clients; on PostgreSQL
	// the database server's is not in it): on a shared machine the wall
	// clock measures mostly the wait for a core.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(time.Millisecond)/float64(perOp*b.N), "cpu-ms/report")
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
