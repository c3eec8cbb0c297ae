package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestStartRecordsEarlierDashboards: a humanitarian dashboard an earlier
// version made without an event fails parley verify until the server
// starts, which records its event once and says so in its log.
func TestStartRecordsEarlierDashboards(t *testing.T) {
	storetest.WithAllDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		cfg := app.Config{DataDir: t.TempDir(), DB: dsn}
		a, err := app.New(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		med, err := a.Talks.AddOrg(ctx, access.System, "Mediation team", "med", access.Mediation)
		if err != nil {
			t.Fatal(err)
		}
		p, err := a.Talks.AddProcess(ctx, access.System, "Earlier process")
		if err != nil {
			t.Fatal(err)
		}
		dash := store.NewID()
		if _, err := a.DB.W.ExecContext(ctx, "INSERT INTO hum_processes(process_id, dashboard_id, updated_at) VALUES ($1, $2, 1)", p.ID, dash); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB.W.ExecContext(ctx, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", dash, med.ID); err != nil {
			t.Fatal(err)
		}
		master, err := channel.LoadMasterKey(cfg.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		kinds, err := app.ItemKinds(cfg.DataDir, master)
		if err != nil {
			t.Fatal(err)
		}
		verify := func(a *app.App) ledger.Report {
			t.Helper()
			rep, err := ledger.Verify(ctx, a.DB, a.Ledger.VerifierKey(), kinds...)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		if rep := verify(a); rep.OK() || rep.FirstBadItem != "dashboard "+dash {
			t.Fatalf("before the start: first bad item %q\n%s", rep.FirstBadItem, rep.String())
		}
		a.Close()

		// The first start records it, the second finds nothing to record.
		for start, recorded := range []bool{true, false} {
			var logs syncBuffer
			a, err = app.New(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(logs.String(), "recorded the events of dashboards made by an earlier version"); got != recorded {
				t.Fatalf("start %d: log says it recorded dashboards: %v\n%s", start, got, logs.String())
			}
			if rep := verify(a); !rep.OK() {
				t.Fatalf("after start %d:\n%s", start, rep.String())
			}
			a.Close()
		}
	})
}
