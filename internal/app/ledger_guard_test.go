package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store/storetest"
)

// syncBuffer is a log sink the test reads while the app writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// appendEvents writes n public events through the app's ledger.
func appendEvents(t *testing.T, a *app.App, n int) {
	t.Helper()
	ctx := context.Background()
	err := a.Ledger.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		for range n {
			if _, err := rec.Append(ctx, ledger.Event{Type: "test.event", Actor: access.System, Audience: access.Of(access.Public)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStartOnDamagedLedger: a server started on a database whose tail was
// rolled back behind a signed checkpoint says so in its log, shows the
// read-only banner on every page and refuses writes.
func TestStartOnDamagedLedger(t *testing.T) {
	storetest.WithAllDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		cfg := app.Config{DataDir: t.TempDir(), DB: dsn}
		a, err := app.New(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		appendEvents(t, a, 10)
		if _, err := a.Ledger.SignNow(ctx); err != nil {
			t.Fatal(err)
		}
		// Roll the last three events back, stored hashes included.
		if _, err := a.DB.W.ExecContext(ctx, "DELETE FROM events WHERE idx >= 7"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB.W.ExecContext(ctx, "DELETE FROM ledger_hashes WHERE id >= $1", tlog.StoredHashCount(7)); err != nil {
			t.Fatal(err)
		}
		a.Close()

		var logs syncBuffer
		a, err = app.New(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if h := a.Ledger.ReadOnly(); h == nil || !strings.Contains(h.Reason, "fewer than the 10") {
			t.Fatalf("halt after start: %+v", h)
		}
		if !strings.Contains(logs.String(), "READ-ONLY") {
			t.Fatalf("no read-only log line:\n%s", logs.String())
		}
		srv := httptest.NewServer(a.Handler())
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(body, []byte("read-only-banner")) {
			t.Fatalf("login page without the read-only banner:\n%s", body)
		}
		err = a.Ledger.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			_, err := rec.Append(ctx, ledger.Event{Type: "test.event", Actor: access.System, Audience: access.Of(access.Public)})
			return err
		})
		if errs.Code(err) != errs.ReadOnly || errs.Status(errs.Code(err)) != http.StatusServiceUnavailable {
			t.Fatalf("write on a read-only server: %v", err)
		}
	})
}

// TestVerifyOnStart: damage only the full verify sees (a message's
// audience row gained an organisation, below the signed checkpoint) makes
// the server read-only once --verify-on-start has run.
func TestVerifyOnStart(t *testing.T) {
	storetest.WithAllDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		cfg := app.Config{DataDir: t.TempDir(), DB: dsn, VerifyOnStart: true}
		w := newWorld(t, cfg)
		if _, err := w.a.Ledger.SignNow(ctx); err != nil {
			t.Fatal(err)
		}
		var id string
		if err := w.a.DB.R.QueryRow("SELECT id FROM messages ORDER BY id LIMIT 1").Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.DB.W.Exec("INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')", id); err != nil {
			t.Fatal(err)
		}
		a, err := app.New(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if a.Ledger.ReadOnly() != nil {
			t.Fatal("the tail check saw damage it cannot see")
		}
		sctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- a.Serve(sctx, a.Server(), func() error { <-sctx.Done(); return http.ErrServerClosed }, time.Second)
		}()
		deadline := time.Now().Add(30 * time.Second)
		for a.Ledger.ReadOnly() == nil && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		stop()
		<-done
		h := a.Ledger.ReadOnly()
		if h == nil || !strings.Contains(h.Reason, "message "+id) {
			t.Fatalf("after verify at start: %+v", h)
		}
	})
}
