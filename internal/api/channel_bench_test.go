package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// The channel's benchmarks (docs/channel.md has the figures and commands):
//
//	go test -run '^$' -bench 'MessageSend' -benchtime 30s ./internal/api/
//	go test -run '^$' -bench 'StreamFanout' -benchtime 200x ./internal/api/
//
// Both run on SQLite, and on PostgreSQL when PARLEY_TEST_POSTGRES is set.

func benchDatabases(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b, dsn)) })
	}
}

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d)-1) * p / 100)
	return d[i]
}

func reportLatencies(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(percentile(lat, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(percentile(lat, 100).Microseconds())/1000, "max-ms")
}

// BenchmarkMessageSend: 16 concurrent senders (see benchSenders) post messages to the
// mediation through the HTTP API (bearer token, JSON, full middleware-free
// API stack, durable commit). ns/op is the inverse of the throughput.
func BenchmarkMessageSend(b *testing.B) {
	benchDatabases(b, func(b *testing.B, db *store.DB) {
		w := newChanWorld(b, db)
		senders := []string{"opp.head", "opp.member", "opp.spokesperson", "gov.head", "gov.member", "guarantor.ru", "guarantor.tr", "guarantor.ir"}
		body, _ := json.Marshal(map[string]any{"to": []string{"mediation"}, "body": "A proposal on the exchange of detainees, with the lists attached later."})
		url := w.srv.URL + "/api/v1/rounds/" + w.round + "/messages"
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var next atomic.Int64
		var mu sync.Mutex
		var lat []time.Duration
		var failed atomic.Int64
		b.SetParallelism(max(1, benchSenders()/max(1, runtimeProcs())))
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			user := senders[int(next.Add(1))%len(senders)]
			tok := w.token[user]
			var mine []time.Duration
			for pb.Next() {
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					// Read the answer to its end, as a client does, so
					// that the connection is kept for the next send.
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != 201 {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
		elapsed := time.Since(start)
		b.StopTimer()
		if failed.Load() > 0 {
			b.Fatalf("%d sends failed", failed.Load())
		}
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msg/s")
		reportLatencies(b, lat)
	})
}

func runtimeProcs() int { return max(1, int(procs())) }

// BenchmarkStreamFanout: 1,000 live streams of the round (HTTP SSE, as
// API clients with bearer tokens) and plenary messages sent one after
// another; the latency is from the start of the send to each stream's
// receipt of the event. b.N is the number of messages.
func BenchmarkStreamFanout(b *testing.B) {
	benchDatabases(b, func(b *testing.B, db *store.DB) {
		w := newChanWorld(b, db)
		const subscribers = 1000
		users := make([]string, 0, len(w.token))
		for u := range w.token {
			users = append(users, u)
		}
		slices.Sort(users)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		type receipt struct {
			id string
			at time.Time
		}
		got := make(chan receipt, 1<<16)
		var ready sync.WaitGroup
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: subscribers, MaxConnsPerHost: 0}}
		for i := 0; i < subscribers; i++ {
			ready.Add(1)
			go func(user string) {
				req, _ := http.NewRequestWithContext(ctx, "GET", w.srv.URL+"/api/v1/rounds/"+w.round+"/events", nil)
				req.Header.Set("Authorization", "Bearer "+w.token[user])
				resp, err := client.Do(req)
				if err != nil {
					ready.Done()
					return
				}
				defer resp.Body.Close()
				sc := bufio.NewScanner(resp.Body)
				sc.Buffer(make([]byte, 1<<16), 1<<20)
				first := true
				for sc.Scan() {
					line := sc.Text()
					if first {
						first = false
						ready.Done()
					}
					// The client does as little as it can, so that the
					// figure measures the server: find the object id.
					if i := strings.Index(line, `"object_id":"`); strings.HasPrefix(line, "data: ") && i > 0 && len(line) >= i+13+32 {
						got <- receipt{line[i+13 : i+13+32], time.Now()}
					}
				}
			}(users[i%len(users)])
		}
		ready.Wait()
		body := func(i int) []byte {
			j, _ := json.Marshal(map[string]any{"to": []string{"plenary"}, "body": "plenary notice"})
			return j
		}
		sent := map[string]time.Time{}
		var lat []time.Duration
		want := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req, _ := http.NewRequest("POST", w.srv.URL+"/api/v1/rounds/"+w.round+"/messages", bytes.NewReader(body(i)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+w.token["chair"])
			t0 := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 201 {
				b.Fatalf("send: %v %v", err, resp)
			}
			var m struct{ ID string }
			json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			sent[m.ID] = t0
			want += subscribers
			// Drain what has arrived, then pace the sender at about 20
			// messages a second, a busy plenary.
			deadline := time.After(50 * time.Millisecond)
		drain:
			for {
				select {
				case r := <-got:
					lat = append(lat, r.at.Sub(sent[r.id]))
				case <-deadline:
					break drain
				}
			}
		}
		timeout := time.After(30 * time.Second)
		for len(lat) < want {
			select {
			case r := <-got:
				lat = append(lat, r.at.Sub(sent[r.id]))
			case <-timeout:
				b.Fatalf("%d of %d deliveries arrived", len(lat), want)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(len(lat))/float64(b.N), "deliveries/msg")
		reportLatencies(b, lat)
	})
}

func procs() int { return runtime.GOMAXPROCS(0) }

// benchSenders is the number of concurrent senders of MessageSend: 16, or
// PARLEY_BENCH_SENDERS to see how latency and throughput move with load.
func benchSenders() int {
	if n, err := strconv.Atoi(os.Getenv("PARLEY_BENCH_SENDERS")); err == nil {
		return n
	}
	return 16
}
