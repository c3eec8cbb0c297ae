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
