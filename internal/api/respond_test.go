package api

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"parley/internal/ceasefire"
	"parley/internal/errs"
	"parley/internal/router"
)

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		status  int
		body    string
		logged  bool
		private string // must not reach the caller
	}{
		{"not found", errs.NotFoundf("round"), 404, `{"error":{"code":"not_found","message":"round not found"}}`, false, ""},
		{"field", errs.Field("name", "is required"), 400, `{"error":{"code":"invalid","message":"is required","field":"name"}}`, false, ""},
		{"consent", errs.New(errs.NoDirectConsent, "no"), 409, `{"error":{"code":"no_direct_consent","message":"no"}}`, false, ""},
		{"wrapped cause hidden", &errs.Error{Code: errs.Conflict, Message: "taken", Err: errors.New(`UNIQUE constraint failed: orgs.name`)}, 409,
			`{"error":{"code":"conflict","message":"taken"}}`, false, "UNIQUE"},
		{"raw database error", errors.New(`pq: relation "rounds" does not exist`), 500,
			`{"error":{"code":"internal","message":"internal error (request req-42)"}}`, true, "relation"},
		{"internal code", &errs.Error{Code: errs.Internal, Message: "disk on fire", Err: errors.New("EIO")}, 500,
			`{"error":{"code":"internal","message":"internal error (request req-42)"}}`, true, "disk"},
		{"disk full", fmt.Errorf("store attachment: %w", &os.PathError{Op: "write", Path: "/data/attachments/x", Err: syscall.ENOSPC}), 507,
			`{"error":{"code":"storage_full","message":"the server's storage is full; nothing was saved"}}`, true, "/data/attachments"},
		{"database gone", fmt.Errorf("channel.Send: %w", &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}), 503,
			`{"error":{"code":"database_unavailable","message":"the database is unavailable; nothing was saved, try again shortly"}}`, true, "administrator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			a := New(Deps{Log: slog.New(slog.NewTextHandler(&logs, nil))})
			r := httptest.NewRequest("GET", "/api/v1/rounds", nil)
			r = r.WithContext(router.WithRequestID(r.Context(), "req-42"))
			w := httptest.NewRecorder()
			a.writeError(w, r, tc.err)
			if w.Code != tc.status || strings.TrimSpace(w.Body.String()) != tc.body {
				t.Fatalf("= %d %s; want %d %s", w.Code, w.Body, tc.status, tc.body)
			}
			if ra := w.Header().Get("Retry-After"); (tc.status == 503) != (ra != "") {
				t.Errorf("Retry-After %q with status %d", ra, tc.status)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.private != "" && strings.Contains(w.Body.String(), tc.private) {
				t.Errorf("body leaks %q: %s", tc.private, w.Body)
			}
			if tc.logged != (logs.Len() > 0) {
				t.Errorf("logged = %v, want %v: %s", logs.Len() > 0, tc.logged, logs.String())
			}
			if tc.logged && (!strings.Contains(logs.String(), "req-42") || !strings.Contains(logs.String(), tc.private)) {
				t.Errorf("log lacks the request id or the cause: %s", logs.String())
			}
		})
	}
}

// TestRefusedFileRows: a refused file's error is written by writeError
// like any other, with its rows beside the code, message and field.
func TestRefusedFileRows(t *testing.T) {
	tooBig := fmt.Errorf("ceasefire.Import: %w", &http.MaxBytesError{Limit: 10})
	rows := &errs.Error{Code: ceasefire.InvalidImport, Field: "file", Message: "2 bad rows",
		Err: &ceasefire.ImportError{Rows: []ceasefire.RowError{{Line: 2, Field: "type", Message: "unknown type"}, {Line: 5, Message: "no date"}}}}
	for _, tc := range []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"ceasefire rows", importError(rows), 400,
			`{"error":{"code":"invalid_import","message":"2 bad rows","field":"file","rows":[{"line":2,"field":"type","message":"unknown type"},{"line":5,"message":"no date"}]}}`},
		{"ceasefire too large", importError(tooBig), 413, `{"error":{"code":"too_large","message":"the request body is larger than 10 bytes"}}`},
		{"plain error", importError(errs.NotFoundf("process")), 404, `{"error":{"code":"not_found","message":"process not found"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := New(Deps{Log: slog.New(slog.DiscardHandler)})
			w := httptest.NewRecorder()
			a.writeError(w, httptest.NewRequest("POST", "/api/v1/processes/x/ceasefire/reports/import", nil), tc.err)
			if w.Code != tc.status || strings.TrimSpace(w.Body.String()) != tc.body {
				t.Fatalf("= %d %s; want %d %s", w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
}
