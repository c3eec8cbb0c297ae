package app_test

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/channel"
	"parley/internal/humanitarian"
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
		// A mediation organisation joined round 1 after everything was
		// written: the join gave it the issued text and its revision,
		// nothing else.
		{"a position gains the mediation that joined later", "position", "SELECT " + positionID + ", p.ledger_idx FROM text_positions p LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, (SELECT id FROM orgs WHERE name = 'Late mediation team'))"},
		{"a profile gains the mediation that joined later", "profile", "SELECT id, ledger_idx FROM bargain_profiles ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, (SELECT id FROM orgs WHERE name = 'Late mediation team'))"},
		{"a text never issued gains the mediation that joined later", "text",
			"SELECT t.id, t.ledger_idx FROM texts t WHERE NOT EXISTS (SELECT 1 FROM text_revisions r WHERE r.text_id = t.id) ORDER BY t.id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, (SELECT id FROM orgs WHERE name = 'Late mediation team'))"},
		{"a revision's audience gains an organisation", "revision", "SELECT id, ledger_idx FROM text_revisions ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a translation's audience gains an organisation", "translation", "SELECT id, ledger_idx FROM text_translations ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a revision's source changes", "revision", "SELECT id, ledger_idx FROM text_revisions ORDER BY id LIMIT 1",
			"UPDATE text_revisions SET source = source || ' ' WHERE id = $1"},
		{"a translation's source changes", "translation", "SELECT id, ledger_idx FROM text_translations ORDER BY id LIMIT 1",
			"UPDATE text_translations SET source = source || ' ' WHERE id = $1"},
		{"a profile is shared by hand", "profile", "SELECT id, ledger_idx FROM bargain_profiles ORDER BY id LIMIT 1",
			"UPDATE bargain_profiles SET shared = NOT shared WHERE id = $1"},
		{"a profile's document changes", "profile", "SELECT id, ledger_idx FROM bargain_profiles ORDER BY id LIMIT 1",
			"UPDATE bargain_profiles SET document = document || ' ' WHERE id = $1"},
		{"a draft gains the mediation that joined later", "draft", "SELECT id, ledger_idx FROM text_drafts ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, (SELECT id FROM orgs WHERE name = 'Late mediation team'))"},
		{"a draft's source changes", "draft", "SELECT id, ledger_idx FROM text_drafts ORDER BY id LIMIT 1",
			"UPDATE text_drafts SET source = source || ' ' WHERE id = $1"},
		{"a summary is switched on by hand", "summary",
			"SELECT 'summary:' || text_id || ':' || org_id, (SELECT MAX(idx) FROM events WHERE type = 'text.summary_set') FROM text_summaries",
			"UPDATE text_summaries SET shared = NOT shared WHERE 'summary:' || text_id || ':' || org_id = $1"},
		{"a location's audience gains an organisation", "location", "SELECT id, ledger_idx FROM hum_locations ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a location's status history gains the observer", "location status", "SELECT id, ledger_idx FROM hum_location_status ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, (SELECT id FROM orgs WHERE kind = 'observer' ORDER BY id LIMIT 1))"},
		{"a commitment's audience gains an organisation", "commitment", "SELECT id, ledger_idx FROM hum_commitments ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a convoy's audience gains an organisation", "convoy", "SELECT id, ledger_idx FROM hum_convoys ORDER BY ledger_idx DESC LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a convoy step's audience gains an organisation", "convoy step", "SELECT id, ledger_idx FROM hum_steps ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		{"a location's population changes", "location", "SELECT id, ledger_idx FROM hum_locations ORDER BY id LIMIT 1",
			"UPDATE hum_locations SET population = population + 1 WHERE id = $1"},
		{"a commitment's cadence changes", "commitment", "SELECT id, ledger_idx FROM hum_commitments ORDER BY id LIMIT 1",
			"UPDATE hum_commitments SET cadence_days = cadence_days + 1 WHERE id = $1"},
		{"a round's audience gains an organisation", "round", "SELECT id, ledger_idx FROM rounds ORDER BY id LIMIT 1",
			"INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')"},
		// (Its kind changed, the join's grants change with it: the items
		// the join gave are reported too, talks.TestVerifyChecksState.)
		{"an organisation's short name changes", "organisation",
			"SELECT o.id, e.idx FROM orgs o JOIN events e ON e.object_type = 'org' AND e.object_id = o.id AND e.type = 'org.added' WHERE o.name = 'Late mediation team'",
			"UPDATE orgs SET short_name = 'med' WHERE id = $1"},
		{"a position's stance changes", "position", "SELECT " + positionID + ", p.ledger_idx FROM text_positions p LIMIT 1",
			"UPDATE text_positions AS p SET stance = CASE WHEN stance = 'reject' THEN 'accept' ELSE 'reject' END, comment = comment || 'x' WHERE " + positionID + " = $1"},
	}
	// undo takes back a case's UPDATE, for the next case.
	undo := map[string]string{
		"UPDATE bargain_profiles SET shared = NOT shared WHERE id = $1":                                   "UPDATE bargain_profiles SET shared = NOT shared WHERE id = $1",
		"UPDATE bargain_profiles SET document = document || ' ' WHERE id = $1":                            "UPDATE bargain_profiles SET document = SUBSTR(document, 1, LENGTH(document) - 1) WHERE id = $1",
		"UPDATE text_drafts SET source = source || ' ' WHERE id = $1":                                     "UPDATE text_drafts SET source = SUBSTR(source, 1, LENGTH(source) - 1) WHERE id = $1",
		"UPDATE text_summaries SET shared = NOT shared WHERE 'summary:' || text_id || ':' || org_id = $1": "UPDATE text_summaries SET shared = NOT shared WHERE 'summary:' || text_id || ':' || org_id = $1",
		"UPDATE text_revisions SET source = source || ' ' WHERE id = $1":                                  "UPDATE text_revisions SET source = SUBSTR(source, 1, LENGTH(source) - 1) WHERE id = $1",
		"UPDATE text_translations SET source = source || ' ' WHERE id = $1":                               "UPDATE text_translations SET source = SUBSTR(source, 1, LENGTH(source) - 1) WHERE id = $1",
		"UPDATE hum_locations SET population = population + 1 WHERE id = $1":                              "UPDATE hum_locations SET population = population - 1 WHERE id = $1",
		"UPDATE hum_commitments SET cadence_days = cadence_days + 1 WHERE id = $1":                        "UPDATE hum_commitments SET cadence_days = cadence_days - 1 WHERE id = $1",
		"UPDATE orgs SET short_name = 'med' WHERE id = $1":                                                "UPDATE orgs SET short_name = 'late' WHERE id = $1",
	}
	storetest.WithAllDSNs(t, func(t *testing.T, dsn string) {
		cfg := app.Config{DataDir: t.TempDir(), DB: dsn}
		w := newWorld(t, cfg)
		w.seedCeasefire()
		w.seedDetainees()
		ctx := context.Background()
		hum := w.seedHumanitarian()
		if _, err := w.a.Humanitarian.CreateCommitment(ctx, w.user["mediator"].Actor(), w.process, humanitarian.NewCommitment{
			Round: w.round1, Location: hum.oppHeld, Title: "Weekly convoy", CadenceDays: 7}); err != nil {
			t.Fatal(err)
		}
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
		// A translation of Rev.1, then a mediation organisation joining
		// round 1 late.
		var source string
		if err := w.a.DB.R.QueryRow("SELECT source FROM text_revisions WHERE text_id = $1 AND number = 1", w.text1).Scan(&source); err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.Text.SetTranslation(ctx, w.user["mediator"].Actor(), w.text1, 1, "ar", source); err != nil {
			t.Fatal(err)
		}
		if err := w.a.Text.SetSummary(ctx, w.user["mediator"].Actor(), w.text1, w.org["opp"], false); err != nil {
			t.Fatal(err)
		}
		late, err := w.a.Talks.AddOrg(ctx, access.System, "Late mediation team", "late", access.Mediation)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.a.Talks.AddParticipant(ctx, access.System, w.round1, late.ID); err != nil {
			t.Fatal(err)
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
			if _, err := w.a.DB.W.Exec(`DELETE FROM audience WHERE org_id = 'intruder'
				OR item_id = $1 AND (org_id = $2 OR org_id IN (SELECT id FROM orgs WHERE kind = 'observer'))`, id, late.ID); err != nil {
				t.Fatal(err)
			}
			if tc.change[:6] == "UPDATE" {
				if undo[tc.change] == "" {
					continue // the last case: nothing to undo
				}
				if _, err := w.a.DB.W.Exec(undo[tc.change], id); err != nil {
					t.Fatal(err)
				}
			}
			if rep := verify(); !rep.OK() {
				t.Fatalf("after undoing %s:\n%s", tc.name, rep.String())
			}
		}
	})
}
