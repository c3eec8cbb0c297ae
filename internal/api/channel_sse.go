package api

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// SSE writes a Server-Sent Events response: headers once the stream is
// ready, then events, and a comment every KeepAlive so that proxies keep the
// connection open. The web pages' stream uses it too.
//
// Every write has a deadline (WriteTimeout): a client that stops reading
// fills the connection's buffers, the write fails at the deadline and the
// stream ends, instead of holding its connection and goroutine until the
// client leaves. A stream that fell behind (channel.ErrStreamBehind) ends
// with Reset: a last "event: reset", after which the client reconnects with
// Last-Event-ID and loses nothing.
type SSE struct {
	// WriteTimeout bounds each write; NewSSE sets EventWriteTimeout.
	WriteTimeout time.Duration

	w       http.ResponseWriter
	rc      *http.ResponseController
	mu      sync.Mutex
	started bool
	stop    chan struct{}
	exited  chan struct{} // closed when the keep-alive goroutine ends
	once    sync.Once
}

// KeepAlive is the interval of the keep-alive comment.
const KeepAlive = 20 * time.Second

// EventWriteTimeout is how long one event (or keep-alive) may take to
// write before the stream is given up.
const EventWriteTimeout = 10 * time.Second

// NewSSE returns an SSE writer over w.
func NewSSE(w http.ResponseWriter) *SSE {
	return &SSE{WriteTimeout: EventWriteTimeout, w: w, rc: http.NewResponseController(w), stop: make(chan struct{})}
}

// write writes b and flushes it within the write deadline. The caller
// holds mu.
func (s *SSE) write(b []byte) error {
	// A writer without deadlines (a test recorder) writes without one.
	s.rc.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	if err := s.rc.Flush(); err != nil {
		return err
	}
	s.rc.SetWriteDeadline(time.Time{})
	return nil
}

// Start writes the headers and begins the keep-alive comments.
func (s *SSE) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startLocked()
}

func (s *SSE) startLocked() {
	if s.started {
		return
	}
	s.started = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	s.write([]byte("retry: 2000\n: stream open\n\n"))
	s.exited = make(chan struct{})
	go func() {
		defer close(s.exited)
		t := time.NewTicker(KeepAlive)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.mu.Lock()
				select {
				case <-s.stop:
					s.mu.Unlock()
					return
				default:
				}
				err := s.write([]byte(": keep-alive\n\n"))
				s.mu.Unlock()
				if err != nil {
					return
				}
			}
		}
	}()
}

// Started reports whether the headers went out (after which an error can
// no longer be answered with a status).
func (s *SSE) Started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// Send writes one event with id, name and data (several data lines when
// data holds newlines) and flushes it.
func (s *SSE) Send(id int64, name string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startLocked()
	var b bytes.Buffer
	b.WriteString("id: " + strconv.FormatInt(id, 10) + "\n")
	if name != "" {
		b.WriteString("event: " + name + "\n")
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		b.WriteString("data: ")
		b.Write(bytes.TrimSuffix(line, []byte("\r")))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return s.write(b.Bytes())
}

// Reset writes the last event of a stream that fell behind: "event: reset"
// without an id, so that the client's Last-Event-ID stays the last event
// it received and its reconnection resumes from there.
func (s *SSE) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startLocked()
	return s.write([]byte("event: reset\ndata: reconnect with Last-Event-ID\n\n"))
}

// Stop ends the keep-alive comments and waits until none can be written:
// the handler calls it before it returns, after which writing to the
// response is not allowed.
func (s *SSE) Stop() {
	s.once.Do(func() { close(s.stop) })
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	if exited != nil {
		<-exited
	}
}
