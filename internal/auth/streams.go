package auth

import (
	"encoding/hex"
	"sync"

	"parley/internal/errs"
)

// MaxStreams bounds the live streams (Server-Sent Events) one session or
// API token holds open at once in a process: each holds a connection, a
// goroutine and a subscription, and one token must not be able to open
// them without limit.
const MaxStreams = 8

// streams counts the open live streams of each session, by token hash.
type streams struct {
	mu   sync.Mutex
	open map[string]int
}

// OpenStream counts a live stream of the session of token, and returns the
// function that ends it (call it once the stream closes). Beyond MaxStreams
// open at once it answers too_many_requests. The caller has authenticated
// the token.
func (s *Service) OpenStream(token string) (release func(), err error) {
	key := hex.EncodeToString(tokenHash(token))
	st := &s.streams
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.open == nil {
		st.open = map[string]int{}
	}
	if st.open[key] >= MaxStreams {
		return nil, errs.New(errs.TooMany, "at most %d live streams per session; close one first", MaxStreams)
	}
	st.open[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			st.mu.Lock()
			defer st.mu.Unlock()
			if st.open[key]--; st.open[key] <= 0 {
				delete(st.open, key)
			}
		})
	}, nil
}
