package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMetricsOnlyForLoopback(t *testing.T) {
	h := loopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	for _, c := range []struct {
		remote string
		want   int
	}{
		{"127.0.0.1:5000", 200},
		{"[::1]:5000", 200},
		{"10.1.2.3:5000", 404},
		{"[2001:db8::1]:443", 404},
		{"garbage", 404},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = c.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.remote, w.Code, c.want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	a := &App{Config: Config{MaxBody: 1 << 20}}
	for _, c := range []struct {
		method, path, ctype string
		big                 bool
	}{
		{"POST", "/api/v1/rounds/abc/messages", "multipart/form-data; boundary=x", true},
		{"POST", "/rounds/abc/messages", "multipart/form-data; boundary=x", true},
		{"POST", "/api/v1/rounds/abc/messages", "application/json", false},
		{"POST", "/api/v1/rounds/abc/messages/x", "multipart/form-data; boundary=x", false},
		{"PUT", "/api/v1/rounds/abc/messages", "multipart/form-data; boundary=x", false},
		{"POST", "/login", "multipart/form-data; boundary=x", false},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		r.Header.Set("Content-Type", c.ctype)
		if got := a.bodyLimit(r) > 1<<20; got != c.big {
			t.Errorf("%s %s %s: large=%v, want %v", c.method, c.path, c.ctype, got, c.big)
		}
	}
}
