package app_test

import (
	"context"
	"testing"

	"parley/internal/app"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store/storetest"
)

// TestVerifyChecksEveryKind: on the access table's world (texts,
// positions, profiles, messages, statements, the ceasefire's reports,
// incidents, steps, answers and evidence, the detainee track's lists, runs,
// decisions and exchanges written through the services),
// parley verify with every domain's item kinds passes; then one change per
// kind in the database is named, with its item and event.
func TestVerifyChecksEveryKind(t *testing.T) {
	positionID := "'position:' || p.revision_id || ':' || CAST(p.paragraph AS TEXT) || ':' || p.alternative || ':' || p.org_id"
	cases := []struct {
		name, kind, pick string // pick selects the item's id and its event index
		change           string // $1 is the item id
	}{
		{"a text's audience gains an organisation", "text", "SELECT id, ledger_idx FROM texts ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a position's audience gains an organisation", "position", "SELECT " + positionID + ", p.ledger_idx FROM text_positions p LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a profile's audience gains an organisation", "profile", "SELECT id, ledger_idx FROM bargain_profiles ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a statement's audience gains an organisation", "statement", "SELECT id, ledger_idx FROM statements ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a ceasefire report's audience gains an organisation", "report", "SELECT id, ledger_idx FROM ceasefire_reports ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"an incident's audience gains an organisation", "incident",
			"SELECT i.id, i.ledger_idx FROM ceasefire_incidents i JOIN ceasefire_reports r ON r.ledger_idx = i.ledger_idx ORDER BY i.id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a detainee list's audience gains an organisation", "detainee list", "SELECT id, ledger_idx FROM detainee_lists ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"an exchange's audience gains an organisation", "exchange", "SELECT id, ledger_idx FROM detainee_exchanges ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a position's stance changes", "position", "SELECT " + positionID + ", p.ledger_idx FROM text_positions p LIMIT 1",
			"UPDATE text_positions AS p SET stance = CASE WHEN stance = 'reject' THEN 'accept' ELSE 'reject' END, comment = comment || 'x' WHERE " + positionID + " = $1"},
	}
	storetest.WithAllDSNs(t, func(t *testing.T, dsn string) {
		cfg := app.Config{DataDir: t.TempDir(), DB: dsn}
		w := newWorld(t, cfg)
		w.seedCeasefire()
		w.seedDetainees()
		ctx := context.Background()
		master, err := channel.LoadMasterKey(cfg.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		kinds, err := app.ItemKinds(w.a.Config.DataDir, master)
		if err != nil {
			t.Fatal(err)
		}
		verify := func() ledger.Report {
			t.Helper()
			rep, err := ledger.Verify(ctx, w.a.DB, w.a.Ledger.VerifierKey(), kinds...)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		if rep := verify(); !rep.OK() || rep.Items == 0 {
			t.Fatalf("the world as written:\n%s", rep.String())
		}
		for _, tc := range cases {
			var id string
			var idx int64
			if err := w.a.DB.R.QueryRow(tc.pick).Scan(&id, &idx); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if _, err := w.a.DB.W.Exec(tc.change, id); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			rep := verify()
			if rep.OK() || rep.FirstBadItem != tc.kind+" "+id || rep.FirstBad != idx {
				t.Fatalf("after %s: first bad item %q at %d, want %q at %d\n%s", tc.name, rep.FirstBadItem, rep.FirstBad, tc.kind+" "+id, idx, rep.String())
			}
			// Undo, for the next case.
			if _, err := w.a.DB.W.Exec("DELETE FROM audience WHERE org_id = 'intruder'"); err != nil {
				t.Fatal(err)
			}
			if tc.change[:6] == "UPDATE" {
				continue // the last case: nothing to undo
			}
			if rep := verify(); !rep.OK() {
				t.Fatalf("after undoing %s:\n%s", tc.name, rep.String())
			}
		}
	})
}
