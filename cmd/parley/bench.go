package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "bench pages --url URL [--username U --password P] [--clients N] [--duration D] [--path PATH]"
	if len(args) == 0 || (args[0] != "pages" && args[0] != "-h" && args[0] != "--help") {
		fmt.Fprintf(stderr, "usage: parley %s\n", synopsis)
		return 2
	}
	if args[0] != "pages" {
		fmt.Fprintf(stdout, "usage: parley %s\n\nLoads a page of a running parley from many concurrent clients and prints throughput and latency percentiles.\n", synopsis)
		return 0
	}
	fs := newFlags("bench pages", synopsis, stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of a running parley")
	username := fs.String("username", "opp.head", "account to log in as")
	password := fs.String("password", envOr("PARLEY_DEMO_PASSWORD", ""), "its password")
	clients := fs.Int("clients", 50, "concurrent clients, each with its own connection (one shared session)")
	duration := fs.Duration("duration", 30*time.Second, "how long to load the page")
	path := fs.String("path", "", "page to load; default the first round's page")
	if code := parse(fs, args[1:], stdout); code >= 0 {
		return code
	}
	if *clients < 1 || *duration <= 0 {
		fmt.Fprintln(stderr, "bench: --clients and --duration must be positive")
		return 2
	}
	res, err := benchPages(ctx, *base, *username, *password, *path, *clients, *duration)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, res)
	return 0
}

var roundLink = regexp.MustCompile(`href="(/rounds/[0-9a-f]{32})"`)

// loginClient logs in through the login form and returns a client that
// carries the session cookie.
func loginClient(ctx context.Context, base, username, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	form := url.Values{"username": {username}, "password": {password}, "next": {"/"}}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "round-list") {
		return nil, fmt.Errorf("login as %s failed (status %d)", username, resp.StatusCode)
	}
	return c, nil
}

func benchPages(ctx context.Context, base, username, password, path string, clients int, d time.Duration) (string, error) {
	base = strings.TrimRight(base, "/")
	first, err := loginClient(ctx, base, username, password)
	if err != nil {
		return "", err
	}
	if path == "" {
		resp, err := first.Get(base + "/")
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := roundLink.FindStringSubmatch(string(body))
		if m == nil {
			return "", fmt.Errorf("%s takes part in no round", username)
		}
		path = m[1]
	}
	// One session shared by every client: logging in 50 times from one
	// address would (rightly) trip the login throttle.
	u, _ := url.Parse(base)
	cookies := first.Jar.Cookies(u)
	cs := []*http.Client{first}
	for len(cs) < clients {
		jar, _ := cookiejar.New(nil)
		jar.SetCookies(u, cookies)
		cs = append(cs, &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}})
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
		bytes     int64
	)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for _, c := range cs {
		wg.Go(func() {
			var local []time.Duration
			var fail int
			var n int64
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				resp, err := c.Get(base + path)
				if err != nil {
					fail++
					continue
				}
				k, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					fail++
					continue
				}
				n += k
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			failures += fail
			bytes += n
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) == 0 {
		return "", fmt.Errorf("no request succeeded (%d failures)", failures)
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	var b strings.Builder
	fmt.Fprintf(&b, "page        %s as %s\n", path, username)
	fmt.Fprintf(&b, "clients     %d for %s\n", clients, d)
	fmt.Fprintf(&b, "requests    %d ok, %d failed, %.0f/s, %.1f KiB per page\n", len(latencies), failures,
		float64(len(latencies))/elapsed.Seconds(), float64(bytes)/float64(len(latencies))/1024)
	fmt.Fprintf(&b, "latency     p50 %s  p90 %s  p99 %s  max %s\n", ms(pct(.50)), ms(pct(.90)), ms(pct(.99)), ms(latencies[len(latencies)-1]))
	return b.String(), nil
}
