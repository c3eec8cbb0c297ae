package ceasefire_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// stateWorld holds one ceasefire item of each shape, written through the
// service: a published incident with its steps and an answer, a merge and
// a split, evidence, zones, and a party and a monitor joining a later
// round.
type stateWorld struct {
	*world
	key     []byte
	dataDir string
	pub     ceasefire.Report // its incident published and answered
	other   ceasefire.Report // merged into pub's incident, then split out
	split   ceasefire.Incident
	ev      ceasefire.Evidence
	answer  ceasefire.Answer
	grade   ceasefire.Grade
	zone    ceasefire.Zone
}

func newStateWorld(t *testing.T, db *store.DB) *stateWorld {
	t.Helper()
	f := talkstest.New(t, db)
	signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/ceasefire")
	if err != nil {
		t.Fatal(err)
	}
	f.Ledger.SetKey(signer, vkey)
	key := bytes.Repeat([]byte{7}, 32)
	dir := t.TempDir()
	files, err := channel.NewFileStore(key, ceasefire.EvidenceDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	w := &stateWorld{world: &world{Fixture: f, ctx: context.Background(), cf: ceasefire.New(db, f.Ledger, files),
		now: time.Date(2017, 1, 25, 12, 0, 0, 0, time.UTC)}, key: key, dataDir: dir}
	w.cf.SetClock(func() time.Time { return w.now })
	f.Talks.OnJoin(w.cf.Joined)
	mon := talkstest.Head(w.Monitor)
	w.pub = w.report(t, w.Opp, w.input("Government shells hit the spring."))
	w.other = w.report(t, w.Monitor, w.input("Shells hit the spring of Ain al-Fijah, two dead."))
	if _, err := w.cf.Merge(w.ctx, mon, w.pub.IncidentID, []string{w.other.IncidentID}, "same shelling"); err != nil {
		t.Fatal(err)
	}
	if w.split, err = w.cf.Split(w.ctx, mon, w.pub.IncidentID, w.other.ID, "a different strike"); err != nil {
		t.Fatal(err)
	}
	if w.ev, err = w.cf.AddEvidence(w.ctx, mon, w.pub.ID, "crater.jpg", jpegWithExif("2017:01:25 08:03:10")); err != nil {
		t.Fatal(err)
	}
	for _, v := range []ceasefire.Verification{{Status: ceasefire.UnderReview, Reason: "patrol sent"},
		{Status: ceasefire.ConfirmedViolation, Reason: "craters seen", Reliability: "B"}} {
		if _, err := w.cf.Verify(w.ctx, mon, w.pub.IncidentID, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.cf.Publish(w.ctx, mon, w.pub.IncidentID); err != nil {
		t.Fatal(err)
	}
	if w.answer, err = w.cf.AnswerIncident(w.ctx, talkstest.Head(w.Gov), w.pub.IncidentID, "Our units did not fire."); err != nil {
		t.Fatal(err)
	}
	if w.grade, err = w.cf.GradeSource(w.ctx, mon, w.pub.ID, "B", "a patrol seen firing before"); err != nil {
		t.Fatal(err)
	}
	zones, err := w.cf.ImportZones(w.ctx, mon, w.Process.ID, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",
		"properties":{"name":"Wadi Barada","kind":"`+ceasefire.ZoneKinds[0]+`"},
		"geometry":{"type":"Polygon","coordinates":[[[36.1,33.6],[36.2,33.6],[36.2,33.7],[36.1,33.6]]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	w.zone = zones[0]
	// The public summary, switched on and off again.
	for _, on := range []bool{true, false} {
		if err := w.cf.SetPublicSummary(w.ctx, talkstest.Head(w.Mediation), w.Process.ID, on); err != nil {
			t.Fatal(err)
		}
	}
	// A party joining a later round reads the published incident and the
	// zones: the join widens them.
	r2, err := w.Talks.CreateRound(w.ctx, access.System, talks.NewRound{ProcessID: w.Process.ID, Name: "Round 2", Participants: []string{w.Host.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Talks.AddParticipant(w.ctx, access.System, r2.ID, w.Outsider.ID); err != nil {
		t.Fatal(err)
	}
	// A monitor joining later reads every report and incident.
	mon2, err := w.Talks.AddOrg(w.ctx, access.System, "Second monitoring group", "monitor2", access.Monitor)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Talks.AddParticipant(w.ctx, access.System, r2.ID, mon2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cf.Report(w.ctx, talkstest.Head(mon2), w.other.ID); err != nil {
		t.Fatalf("the later monitor reads a report: %v", err)
	}
	return w
}

func (w *stateWorld) verify(t *testing.T, db *store.DB, master []byte) ledger.Report {
	t.Helper()
	kinds, err := ceasefire.ItemKinds(master, w.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.Verify(context.Background(), db, w.Ledger.VerifierKey(), kinds...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// stepOf reads the id and event index of the incident's last step of the
// given action.
func stepOf(t *testing.T, db *store.DB, incident, action string) (string, int64) {
	t.Helper()
	var id string
	var idx int64
	if err := db.R.QueryRow("SELECT id, ledger_idx FROM ceasefire_history WHERE incident_id = $1 AND action = $2 ORDER BY ledger_idx DESC LIMIT 1",
		incident, action).Scan(&id, &idx); err != nil {
		t.Fatal(err)
	}
	return id, idx
}

// TestVerifyChecksState: parley verify checks each ceasefire item's
// audience rows against the events that created and widened it (steps,
// publication, joins), and with the master key the content of steps,
// answers and evidence files against their events; it names the first bad
// item and its event.
func TestVerifyChecksState(t *testing.T) {
	grant := func(id func(w *stateWorld) string, org func(w *stateWorld) string) func(*testing.T, *stateWorld, *store.DB) {
		return func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", id(w), org(w))
		}
	}
	observer := func(w *stateWorld) string { return w.Observer.ID }
	cases := []struct {
		name    string
		content bool // needs the master key to be seen
		do      func(t *testing.T, w *stateWorld, db *store.DB)
		want    func(t *testing.T, w *stateWorld, db *store.DB) (item string, idx int64)
	}{
		{"a report's audience gains the observer", false, grant(func(w *stateWorld) string { return w.pub.ID }, observer),
			func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
				return "report " + w.pub.ID, w.pub.LedgerIndex
			}},
		{"a published incident's audience gains an organisation outside the process", false,
			grant(func(w *stateWorld) string { return w.pub.IncidentID }, func(*stateWorld) string { return "intruder" }),
			func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
				return "incident " + w.pub.IncidentID, w.pub.LedgerIndex
			}},
		{"a split incident's audience gains the observer", false, grant(func(w *stateWorld) string { return w.split.ID }, observer),
			func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
				_, idx := stepOf(t, db, w.split.ID, "split_from")
				return "incident " + w.split.ID, idx
			}},
		// A monitor joined round 2 after these were made: it alone was
		// given them, not the host and the outsider in that round.
		{"a report gains the host, which was in the round a monitor joined", false,
			grant(func(w *stateWorld) string { return w.other.ID }, func(w *stateWorld) string { return w.Host.ID }),
			func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
				return "report " + w.other.ID, w.other.LedgerIndex
			}},
		{"a split incident gains the outsider, which was in the round a monitor joined", false,
			grant(func(w *stateWorld) string { return w.split.ID }, func(w *stateWorld) string { return w.Outsider.ID }),
			func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
				_, idx := stepOf(t, db, w.split.ID, "split_from")
				return "incident " + w.split.ID, idx
			}},
		{"a zone's audience gains an organisation outside the process", false,
			grant(func(w *stateWorld) string { return w.zone.ID }, func(*stateWorld) string { return "intruder" }),
			func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
				return "zone " + w.zone.ID, w.zone.LedgerIndex
			}},
		{"evidence gains an audience row", false, grant(func(w *stateWorld) string { return w.ev.ID }, observer),
			func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
				return "evidence " + w.ev.ID, w.ev.LedgerIndex
			}},
		{"an evidence file changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			files, err := channel.NewFileStore(w.key, ceasefire.EvidenceDir(w.dataDir))
			if err != nil {
				t.Fatal(err)
			}
			data, err := files.Get("evidence", w.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)-1] ^= 1
			// Sealed again under the key: only the hash can tell.
			if err := os.Remove(filepath.Join(ceasefire.EvidenceDir(w.dataDir), w.ev.ID)); err != nil {
				t.Fatal(err)
			}
			if err := files.Put("evidence", w.ev.ID, data); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "evidence " + w.ev.ID, w.ev.LedgerIndex
		}},
		{"a byte of a sealed evidence file changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			path := filepath.Join(ceasefire.EvidenceDir(w.dataDir), w.ev.ID)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-1] ^= 1
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "evidence " + w.ev.ID, w.ev.LedgerIndex
		}},
		{"an evidence row's size changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_evidence SET size = size + 1 WHERE id = $1", w.ev.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "evidence " + w.ev.ID, w.ev.LedgerIndex
		}},
		{"a report's narrative changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_reports SET narrative_enc = (SELECT narrative_enc FROM ceasefire_reports WHERE id <> $1 LIMIT 1) WHERE id = $1", w.pub.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "report " + w.pub.ID, w.pub.LedgerIndex
		}},
		{"a report's casualty estimate changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_reports SET killed_high = killed_high + 10 WHERE id = $1", w.other.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "report " + w.other.ID, w.other.LedgerIndex
		}},
		{"a source's grade changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_grades SET reliability = 'A' WHERE id = $1", w.grade.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "source grade " + w.grade.ID, w.grade.LedgerIndex
		}},
		{"an answer's text changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_answers SET body = 'We admit it.' WHERE id = $1", w.answer.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "answer " + w.answer.ID, w.answer.LedgerIndex
		}},
		{"a published incident's finding changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_incidents SET status = 'not_a_violation' WHERE id = $1", w.pub.IncidentID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "incident " + w.pub.IncidentID, w.pub.LedgerIndex
		}},
		{"a split incident is published by hand", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_incidents SET published = $1 WHERE id = $2", true, w.split.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			_, idx := stepOf(t, db, w.split.ID, "split_from")
			return "incident " + w.split.ID, idx
		}},
		{"a merged incident is no longer merged", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_incidents SET merged_into = '', status = 'reported' WHERE id = $1", w.other.IncidentID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "incident " + w.other.IncidentID, w.other.LedgerIndex
		}},
		{"an incident's attribution changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_incidents SET attribution = 'disputed' WHERE id = $1", w.pub.IncidentID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "incident " + w.pub.IncidentID, w.pub.LedgerIndex
		}},
		{"an incident's type changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_incidents SET type = 'air_strike' WHERE id = $1", w.pub.IncidentID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "incident " + w.pub.IncidentID, w.pub.LedgerIndex
		}},
		{"an incident's death toll changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_incidents SET killed = killed + 5 WHERE id = $1", w.pub.IncidentID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "incident " + w.pub.IncidentID, w.pub.LedgerIndex
		}},
		// The row and the later steps agree, but a step is missing.
		{"a step is taken out of an incident's history", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "DELETE FROM ceasefire_history WHERE incident_id = $1 AND action = 'verification' AND to_status = 'under_review'", w.pub.IncidentID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "incident " + w.pub.IncidentID, w.pub.LedgerIndex
		}},
		{"a zone's geometry changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_zones SET geometry = REPLACE(geometry, '36.2', '36.3') WHERE id = $1", w.zone.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "zone " + w.zone.ID, w.zone.LedgerIndex
		}},
		{"a zone's kind changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_zones SET kind = 'de-escalation' WHERE id = $1", w.zone.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "zone " + w.zone.ID, w.zone.LedgerIndex
		}},
		// The zone and its file changed together: only the event tells.
		{"a zone and the file its import kept change together", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_zones SET name = 'Wadi Barada north' WHERE id = $1", w.zone.ID)
			var file []byte
			if err := db.R.QueryRow("SELECT file FROM ceasefire_zone_imports WHERE ledger_idx = $1", w.zone.LedgerIndex).Scan(&file); err != nil {
				t.Fatal(err)
			}
			storetest.Exec(t, db, "UPDATE ceasefire_zone_imports SET file = $1 WHERE ledger_idx = $2",
				bytes.Replace(file, []byte(`"Wadi Barada"`), []byte(`"Wadi Barada north"`), 1), w.zone.LedgerIndex)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			return "zone " + w.zone.ID, w.zone.LedgerIndex
		}},
		{"the public summary is switched on by hand", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE ceasefire_settings SET public_summary = $1 WHERE process_id = $2", true, w.Process.ID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			var item string
			var idx int64
			if err := db.R.QueryRow(`SELECT s.item_id, e.idx FROM ceasefire_settings s JOIN events e ON e.object_id = s.item_id
				AND e.type = 'ceasefire.public_summary_item' WHERE s.process_id = $1`, w.Process.ID).Scan(&item, &idx); err != nil {
				t.Fatal(err)
			}
			return "public summary " + item, idx
		}},
		// The incident's row changed with it: only the step's event
		// tells.
		{"a verification step's reliability changes, with its incident's", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			id, _ := stepOf(t, db, w.pub.IncidentID, "verification")
			storetest.Exec(t, db, "UPDATE ceasefire_history SET reliability = 'A' WHERE id = $1", id)
			storetest.Exec(t, db, "UPDATE ceasefire_incidents SET reliability = 'A' WHERE id = $1", w.pub.IncidentID)
		}, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			id, idx := stepOf(t, db, w.pub.IncidentID, "verification")
			return "incident step " + id, idx
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				w := newStateWorld(t, db)
				rep := w.verify(t, db, w.key)
				// 2 reports, 3 incidents (one merged away, one split out), 1 zone,
				// 7 steps, 1 answer, 1 evidence, 1 source grade, the public
				// summary.
				if !rep.OK() || rep.Items != 17 {
					t.Fatalf("before the change (%d items):\n%s", rep.Items, rep.String())
				}
				tc.do(t, w, db)
				item, idx := tc.want(t, w, db)
				rep = w.verify(t, db, w.key)
				if rep.OK() || rep.FirstBadItem != item || rep.FirstBad != idx || !strings.Contains(rep.String(), item) {
					t.Fatalf("after the change: first bad item %q at %d, want %q at %d\n%s", rep.FirstBadItem, rep.FirstBad, item, idx, rep.String())
				}
				// Without the master key only the audiences are checked.
				if rep := w.verify(t, db, nil); rep.OK() == !tc.content {
					t.Fatalf("without the master key: OK %v, want %v\n%s", rep.OK(), tc.content, rep.String())
				}
			})
		})
	}
}

// TestVerifyZonesWithoutFile: a zone imported before the imports kept
// their file is checked for its audience only: verify passes, and still
// names an organisation added to its audience.
func TestVerifyZonesWithoutFile(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newStateWorld(t, db)
		storetest.Exec(t, db, "DELETE FROM ceasefire_zone_imports")
		storetest.Exec(t, db, "UPDATE ceasefire_zones SET kind = 'de-escalation' WHERE id = $1", w.zone.ID)
		if rep := w.verify(t, db, w.key); !rep.OK() {
			t.Fatalf("a zone without its file:\n%s", rep.String())
		}
		storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, 'intruder')", w.zone.ID)
		if rep := w.verify(t, db, w.key); rep.OK() || rep.FirstBadItem != "zone "+w.zone.ID {
			t.Fatalf("a zone without its file gains an organisation:\n%s", rep.String())
		}
	})
}

// TestVerifySummaryMadeByHand: a public summary no event made (a settings
// row written by hand, public, for a process whose summary the mediation
// never switched) is named by verify.
func TestVerifySummaryMadeByHand(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newStateWorld(t, db)
		p, err := w.Talks.AddProcess(w.ctx, access.System, "Second process")
		if err != nil {
			t.Fatal(err)
		}
		storetest.Exec(t, db, "INSERT INTO ceasefire_settings(process_id, item_id, public_summary) VALUES ($1, 'forged', $2)", p.ID, true)
		storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ('forged', '*')")
		if rep := w.verify(t, db, nil); rep.OK() || rep.FirstBadItem != "public summary forged" {
			t.Fatalf("a summary made by hand:\n%s", rep.String())
		}
	})
}
