package api_test

import (
	"context"
	"net/http"
	"testing"

	"parley/internal/auth"
	"parley/internal/store/storetest"
)

// TestStreamLimit: one token holds at most auth.MaxStreams live streams
// open at once; the next is answered 429 until one closes. Before, a token
// opened any number.
func TestStreamLimit(t *testing.T) {
	w := newChanWorld(t, storetest.SQLite(t))
	open := func() *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), "GET", w.srv.URL+"/api/v1/rounds/"+w.round+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+w.token["mediator"])
		resp, err := w.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var held []*http.Response
	defer func() {
		for _, r := range held {
			r.Body.Close()
		}
	}()
	for i := range auth.MaxStreams {
		r := open()
		held = append(held, r)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: %d", i+1, r.StatusCode)
		}
	}
	r := open()
	r.Body.Close()
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("stream %d: %d, want 429", auth.MaxStreams+1, r.StatusCode)
	}
	// Closing one frees its place (the server notices the closed
	// connection and ends the stream).
	held[0].Body.Close()
	held = held[1:]
	deadline, cancel := context.WithTimeout(context.Background(), 10e9)
	defer cancel()
	for {
		r := open()
		if r.StatusCode == http.StatusOK {
			held = append(held, r)
			break
		}
		r.Body.Close()
		if deadline.Err() != nil {
			t.Fatalf("no stream after one closed: %d", r.StatusCode)
		}
	}
}
