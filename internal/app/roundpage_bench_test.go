package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"parley/internal/app"
	"parley/internal/demo"
)

// BenchmarkRoundPage serves the demo round page to a logged-in party from
// GOMAXPROCS concurrent clients, through the whole middleware stack.
func BenchmarkRoundPage(b *testing.B) {
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir()}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if _, err := demo.Seed(ctx, a.Talks, a.Auth, "correct horse battery"); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"username": {"opp.head"}, "password": {"correct horse battery"}, "next": {"/"}})
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`href="(/rounds/[0-9a-f]{32})"`).FindStringSubmatch(string(body))
	if m == nil {
		b.Fatal("no round")
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(srv.URL + m[1])
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || n < 1000 {
				b.Fatal(resp.StatusCode)
			}
		}
	})
}
