package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/auth"
	"parley/internal/channel"
)

// proxyApp is an app seeded with one account, served by httptest (whose
// clients all come from 127.0.0.1, like a reverse proxy on the same host).
func proxyApp(t *testing.T, cfg app.Config) (*app.App, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	cfg.DataDir = t.TempDir()
	cfg.Auth.HashParams = cheapHash
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	o, err := a.Talks.AddOrg(ctx, access.System, "Host ministry", "host", access.Host)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.AddUser(ctx, access.System, auth.NewUser{Username: "chair", OrgID: o.ID, Role: access.Head, Password: tablePassword}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, srv
}

func loginFrom(t *testing.T, srv *httptest.Server, forwarded, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": "chair", "password": password})
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBehindProxy: behind a reverse proxy on the same host, every request
// comes from 127.0.0.1. With the proxy trusted, the login throttle counts
// each client by its forwarded address, so one client's failures do not
// lock out another; without it (or from an untrusted peer), the header is
// ignored. Before, the header was always ignored and one client blocked
// every login.
func TestBehindProxy(t *testing.T) {
	for _, c := range []struct {
		name    string
		trusted string
		other   int // the other client's login, after the first one's five failures
	}{
		{"proxy trusted", "127.0.0.1/32", http.StatusOK},
		{"no proxy trusted", "", http.StatusTooManyRequests},
		{"another proxy trusted", "10.0.0.0/8", http.StatusTooManyRequests},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxies, err := app.ParseTrustedProxies(c.trusted)
			if err != nil {
				t.Fatal(err)
			}
			_, srv := proxyApp(t, app.Config{TrustedProxies: proxies})
			for range 5 {
				if s := loginFrom(t, srv, "192.0.2.66, 203.0.113.1", "a wrong password"); s != http.StatusUnauthorized {
					t.Fatalf("failure: %d", s)
				}
			}
			if s := loginFrom(t, srv, "203.0.113.1", tablePassword); s != http.StatusTooManyRequests {
				t.Errorf("the guessing client after five failures: %d", s)
			}
			// The client cannot pick a fresh address by writing one more
			// hop in front: only the last untrusted hop counts.
			if s := loginFrom(t, srv, "198.51.100.9, 203.0.113.1", tablePassword); s != http.StatusTooManyRequests {
				t.Errorf("the guessing client with a forged first hop: %d", s)
			}
			if s := loginFrom(t, srv, "203.0.113.2", tablePassword); s != c.other {
				t.Errorf("another client: %d, want %d", s, c.other)
			}
		})
	}
}

// TestMetricsApart: /metrics is not on the main listener, whoever asks;
// the operator serves MetricsHandler on its own address. Before, behind a
// proxy on the same host, every request looked local and /metrics was
// public.
func TestMetricsApart(t *testing.T) {
	a, srv := proxyApp(t, app.Config{})
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the main listener: %d", resp.StatusCode)
	}
	m := httptest.NewServer(a.MetricsHandler())
	defer m.Close()
	resp, err = http.Get(m.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "parley_") {
		t.Errorf("the metrics listener: %d\n%.200s", resp.StatusCode, b)
	}
}

// TestFeedLinksFromBaseURL: the statements feed builds its links from the
// configured base URL, never from the Host header the client sends.
func TestFeedLinksFromBaseURL(t *testing.T) {
	a, srv := proxyApp(t, app.Config{BaseURL: "https://talks.example"})
	ctx := context.Background()
	u, err := a.Auth.UserByUsername(ctx, access.System, "chair")
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Channel.CreateStatement(ctx, u.Actor(), channel.NewStatement{Title: "Opening", Body: "The round opens."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Channel.ReleaseStatement(ctx, u.Actor(), st.ID); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/statements.atom", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(b), "evil.example") || !strings.Contains(string(b), "https://talks.example/statements") {
		t.Errorf("feed: %d\n%s", resp.StatusCode, b)
	}
}

// TestMetricsCountLiveStreams: parley_live_streams counts the live streams
// open, by route, while they are open. Before, nothing told an operator how
// many streams a server held.
func TestMetricsCountLiveStreams(t *testing.T) {
	a, srv := proxyApp(t, app.Config{})
	m := httptest.NewServer(a.MetricsHandler())
	defer m.Close()
	// A member: a head would be asked to enrol a second factor first.
	chair, err := a.Auth.UserByUsername(context.Background(), access.System, "chair")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.AddUser(context.Background(), access.System, auth.NewUser{Username: "clerk", OrgID: chair.OrgID, Role: access.Member, Password: tablePassword}); err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(srv.URL+"/login", url.Values{"username": {"clerk"}, "password": {tablePassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "session") && c.Value != "" {
			session = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if session == nil {
		t.Fatalf("login: %d, no session", resp.StatusCode)
	}
	open := func() int {
		t.Helper()
		resp, err := http.Get(m.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for line := range strings.Lines(string(b)) {
			if n, ok := strings.CutPrefix(strings.TrimSpace(line), `parley_live_streams{route="GET /notifications/events"} `); ok {
				v, _ := strconv.Atoi(n)
				return v
			}
		}
		return 0
	}
	wait := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for open() != want {
			if time.Now().After(deadline) {
				t.Fatalf("parley_live_streams: %d, want %d", open(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/notifications/events", nil)
	req.AddCookie(session)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if stream.StatusCode != http.StatusOK || !strings.HasPrefix(stream.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("the watch: %d %s", stream.StatusCode, stream.Header.Get("Content-Type"))
	}
	wait(1)
	cancel()
	wait(0)
}
