package app

import (
	"net/http/httptest"
	"testing"
)

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
