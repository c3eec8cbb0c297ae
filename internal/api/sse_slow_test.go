package api_test

import (
	"bufio"
	"context"
	"database/sql"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/api"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestSSEWriteDeadline: a client that opens a stream and never reads
// fills the connection's buffers; the next write fails at its deadline and
// the stream ends, instead of blocking its goroutine until the client
// leaves.
func TestSSEWriteDeadline(t *testing.T) {
	ended := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sse := api.NewSSE(w)
		sse.WriteTimeout = 200 * time.Millisecond
		payload := []byte(strings.Repeat("x", 64<<10))
		var err error
		for i := int64(0); err == nil; i++ {
			err = sse.Send(i, "message.sent", payload)
		}
		sse.Stop()
		ended <- err
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	// The client reads nothing from here on.
	select {
	case err := <-ended:
		if err == nil {
			t.Fatal("the stream ended without an error")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a stream whose client never reads is still writing after 30 s")
	}
}

// rawEvent is one event of a stream as sent, id-less ones included.
type rawEvent struct{ id, name string }

// readAll reads a stream until the server closes it.
func readAll(t *testing.T, resp *http.Response) []rawEvent {
	t.Helper()
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var out []rawEvent
	var cur rawEvent
	data := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data {
				out = append(out, cur)
			}
			cur, data = rawEvent{}, false
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.name = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = true
		}
	}
	return out
}

// TestStreamBehindResets: a stream whose buffer fills is closed with a
// final "event: reset" (no id); the client reconnects with the last id it
// received and gets every event it missed, once.
func TestStreamBehindResets(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newChanWorld(t, db, func(o *channel.Options) { o.StreamBuffer = 2 })
		open := func(last string) *http.Response {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			t.Cleanup(cancel)
			req, _ := http.NewRequestWithContext(ctx, "GET", w.srv.URL+"/api/v1/rounds/"+w.round+"/events", nil)
			req.Header.Set("Authorization", "Bearer "+w.token["opp.head"])
			if last != "" {
				req.Header.Set("Last-Event-ID", last)
			}
			resp, err := w.srv.Client().Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("stream: %v %v", resp, err)
			}
			return resp
		}
		resp := open("")
		// Ten events in one transaction reach the broker at once: more
		// than the stream's buffer of two.
		ctx := context.Background()
		var written []int64
		err := w.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			for range 10 {
				e, err := rec.Append(ctx, ledger.Event{Type: "test.burst", Round: w.round, Actor: access.System, Audience: access.Of(access.Public)})
				if err != nil {
					return err
				}
				written = append(written, e.Index)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		first := readAll(t, resp)
		if len(first) == 0 || first[len(first)-1].name != "reset" || first[len(first)-1].id != "" {
			t.Fatalf("the stream that fell behind did not end with an id-less reset: %+v", first)
		}
		got := map[string]int{}
		last := ""
		for _, e := range first[:len(first)-1] {
			got[e.id]++
			last = e.id
		}
		if last == "" {
			last = strconv.FormatInt(written[0]-1, 10)
		}
		// The client resumes; the stream ends when the test's context
		// does, so read only as many events as are missing.
		resp = open(last)
		sc := bufio.NewScanner(resp.Body)
		for missing := len(written) - len(got); missing > 0 && sc.Scan(); {
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				got[id]++
				missing--
			}
		}
		resp.Body.Close()
		for _, idx := range written {
			if n := got[strconv.FormatInt(idx, 10)]; n != 1 {
				t.Fatalf("event %d received %d times across the reset: %v", idx, n, got)
			}
		}
	})
}
