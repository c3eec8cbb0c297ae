package app

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"parley/internal/channel"
	"parley/internal/router"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Handler returns the route table wrapped in parley's middleware, outermost
// first: request id, access log and metrics, panic recovery, security
// headers, cross-origin (CSRF) protection, body cap.
func (a *App) Handler() http.Handler {
	var h http.Handler = a.Mux
	h = a.capBody(h)
	h = a.crossOrigin(h)
	h = a.securityHeaders(h)
	h = a.recoverPanics(h)
	h = a.observe(h)
	h = a.trustProxies(h)
	return h
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// opened is called once the status is written; a live stream's open
	// count is raised from there (observe).
	opened func()
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.opened()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		w.opened()
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush for live streams.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives the request an id, logs it when done and counts it, and
// counts the live streams open while they are.
func (a *App) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(router.WithRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		var stream prometheus.Gauge
		sw.opened = func() {
			// The mux has set r.Pattern by the time its handler answers.
			if strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") {
				stream = a.metrics.streams.WithLabelValues(r.Pattern)
				stream.Inc()
			}
		}
		next.ServeHTTP(sw, r)
		if stream != nil {
			stream.Dec()
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		a.metrics.observe(pattern, sw.status, elapsed)
		level := levelFor(sw.status)
		a.Log.Log(r.Context(), level, "request",
			"request_id", id, "method", r.Method, "path", r.URL.Path, "route", pattern,
			"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(elapsed.Microseconds())/1000,
			"remote", clientAddr(r))
	})
}

func (a *App) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				id := router.RequestID(r.Context())
				a.Log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				writeInternal(w, r, id)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func writeInternal(w http.ResponseWriter, r *http.Request, id string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"error":{"code":"internal","message":"internal error (request %s)"}}`, id)
		return
	}
	http.Error(w, "internal error (request "+id+")", http.StatusInternalServerError)
}

func (a *App) securityHeaders(next http.Handler) http.Handler {
	csp := withMapTiles(contentSecurityPolicy, a.Config.MapTiles)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if a.Config.Secure || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser marks as coming
// from another origin (Sec-Fetch-Site, then Origin against Host). Requests
// without those headers, such as API clients with bearer tokens, pass.
func (a *App) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.Log.Warn("cross-origin request refused", "request_id", router.RequestID(r.Context()),
			"method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"), "remote", clientAddr(r))
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":{"code":"cross_origin","message":"cross-origin request refused"}}`)
			return
		}
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return cop.Handler(next)
}

func (a *App) capBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := a.bodyLimit(r)
		if r.Body != nil && r.ContentLength > limit {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				fmt.Fprint(w, `{"error":{"code":"too_large","message":"request body too large"}}`)
				return
			}
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// uploadRoute matches the routes that take files: a message sent through
// the API or through the conversation page, and a detainee list.
var uploadRoute = regexp.MustCompile(`^(/api/v1)?/(rounds/[^/]+/messages|processes/[^/]+/detainees/lists(/check)?)$`)

// bodyLimit is MaxBody, except for a multipart message with attachments,
// which may carry up to channel.MaxUpload; the channel checks each part's
// own limits as it reads them.
func (a *App) bodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") &&
		uploadRoute.MatchString(r.URL.Path) {
		return max(a.Config.MaxBody, channel.MaxUpload)
	}
	if n := ceasefireBodyLimit(r); n > 0 {
		return max(a.Config.MaxBody, n)
	}
	return a.Config.MaxBody
}

// clientAddr is the client address: the peer, or the address a trusted
// proxy forwarded (trustProxies has rewritten RemoteAddr by then).
func clientAddr(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// levelFor logs server errors as errors and every other request at info.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
