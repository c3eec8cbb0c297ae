package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openStreams reads from the server's metrics how many notification
// watches (/notifications/events) are open.
func openStreams(t *testing.T, metrics string) int {
	t.Helper()
	resp, err := http.Get(metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^parley_live_streams\{route="GET /notifications/events"\} (\d+)$`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// waitStreams waits until the server holds want notification watches.
func waitStreams(t *testing.T, metrics string, want int, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := openStreams(t, metrics)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the server holds %d notification streams, want %d", what, n, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestNotificationsAcrossTabs: every page held its own notifications
// stream, against a cap of 8 live streams per session, so with more pages
// open than that the later ones' badges stopped counting. The pages of one
// browser now share one stream: with ten tabs open the server holds one,
// and a released statement raises every tab's badge; when the tab holding
// the stream leaves, another takes it over, still one, and the next
// release raises every remaining badge.
func TestNotificationsAcrossTabs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := startDemo(t, "PARLEY_METRICS_ADDR="+addr)
	metrics := "http://" + addr + "/metrics"
	first := newBrowser(t)
	login(t, first, base, "gov.head")
	medAPI := chanLogin(t, base, "mediator")
	var rounds struct{ Rounds []struct{ ID string } }
	if status := medAPI.json("GET", "/api/v1/rounds", nil, &rounds); status != http.StatusOK || len(rounds.Rounds) == 0 {
		t.Fatalf("rounds: %d", status)
	}
	pages := []string{"/", "/statements", "/search", "/account", "/rounds/" + rounds.Rounds[0].ID}
	tabs := []context.Context{first}
	for len(tabs) < 10 {
		tab, cancel := chromedp.NewContext(first)
		t.Cleanup(cancel)
		// Open the tab now, so that it lives as long as tab, not as the
		// first step's deadline.
		do(t, tab)
		tabs = append(tabs, tab)
	}
	for i, tab := range tabs {
		// Each page holding a stream of its own, the browser's few
		// connections to one host were soon all taken and later tabs did
		// not load at all.
		nctx, cancel := context.WithTimeout(tab, 30*time.Second)
		err := chromedp.Do(nctx, chromedp.Navigate(base+pages[i%len(pages)]), chromedp.WaitVisible("#nav-notifications"))
		cancel()
		if err != nil {
			t.Fatalf("tab %d did not load: %v (the server holds %d notification streams)", i+1, err, openStreams(t, metrics))
		}
		markPage(t, tab)
	}
	waitStreams(t, metrics, 1, "ten tabs open")
	for round, open := range [][]context.Context{tabs, tabs[1:]} {
		before := make([]int, len(open))
		for i, tab := range open {
			before[i] = badge(t, tab)
		}
		releaseStatement(t, medAPI, rounds.Rounds[0].ID, fmt.Sprintf("Communiqué %d", round+1))
		for i, tab := range open {
			badgeRises(t, tab, before[i], fmt.Sprintf("release %d, tab %d", round+1, i+1))
		}
		waitStreams(t, metrics, 1, fmt.Sprintf("after release %d", round+1))
		if round == 0 {
			// The first tab took the lock first and holds the stream; it
			// leaves parley.
			if err := chromedp.Do(first, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			waitStreams(t, metrics, 1, "the first tab gone")
		}
	}
}
