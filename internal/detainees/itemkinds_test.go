package detainees_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/detainees"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// stateWorld holds one detainee item of each kind, written through the
// service: the government's list submitted before the neutral agency is
// named (the naming widens it), the opposition's after, a decision, a
// matching run, an exchange and a verified release; then a second
// mediation organisation joins a later round (the join widens them).
type stateWorld struct {
	*world
	gov, opp detainees.List
	decision detainees.Decision
	run      detainees.Run
	ex       detainees.Exchange
	release  detainees.Person
	naming   int64 // the event that named the neutral agency
	key      []byte
}

func newStateWorld(t *testing.T, db *store.DB) *stateWorld {
	t.Helper()
	w := &stateWorld{world: newWorld(t, db, false), key: bytes.Repeat([]byte{7}, 32)}
	signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/detainees")
	if err != nil {
		t.Fatal(err)
	}
	w.Ledger.SetKey(signer, vkey)
	w.gov = w.submit(t, w.Gov, detainees.Held, govCSV, nil)
	if _, err := w.D.SetAgency(w.ctx, w.Med, w.Process.ID, w.Fixture.Agency.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.R.QueryRow("SELECT ledger_idx FROM detainee_agencies WHERE process_id = $1", w.Process.ID).Scan(&w.naming); err != nil {
		t.Fatal(err)
	}
	w.opp = w.submit(t, w.Opp, detainees.Sought, oppCSV, map[string]string{"Full name": "name_latin"})
	_, grecs, err := w.D.List(w.ctx, w.Med, w.gov.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, orecs, err := w.D.List(w.ctx, w.Med, w.opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if w.decision, err = w.D.LinkRecords(w.ctx, w.Med, w.Process.ID, grecs[0].ID, orecs[0].ID, detainees.Match); err != nil {
		t.Fatal(err)
	}
	if w.run, err = w.D.RunMatching(w.ctx, w.Med, w.Process.ID); err != nil {
		t.Fatal(err)
	}
	if w.ex, err = w.D.RecordExchange(w.ctx, w.Med, w.Process.ID, detainees.NewExchange{Kind: detainees.Unilateral, Title: "First release",
		Sides: []string{w.Fixture.Gov.ID, w.Fixture.Opp.ID}, People: []detainees.NewPerson{{Records: []string{grecs[0].ID}}}}); err != nil {
		t.Fatal(err)
	}
	if w.release, err = w.D.ConfirmRelease(w.ctx, w.Agency, w.ex.ID, detainees.NewRelease{Person: w.ex.People[0].ID,
		At: time.Now().UTC().Truncate(time.Second), Place: "Crossing point"}); err != nil {
		t.Fatal(err)
	}
	// A mediation organisation joining a later round reads what the
	// mediation reads. The join's event has the round's audience, the
	// government included; verify accepts the joining organisation alone.
	w.Talks.OnJoin(w.D.Joined)
	med2, err := w.Talks.AddOrg(w.ctx, access.System, "Second mediation team", "med2", access.Mediation)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := w.Talks.CreateRound(w.ctx, access.System, talks.NewRound{ProcessID: w.Process.ID, Name: "Round 2", Participants: []string{w.Fixture.Mediation.ID, w.Fixture.Gov.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Talks.AddParticipant(w.ctx, access.System, r2.ID, med2.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.D.List(w.ctx, talkstest.Head(med2), w.gov.ID); err != nil {
		t.Fatalf("the later mediation reads a list: %v", err)
	}
	return w
}

func (w *stateWorld) verify(t *testing.T, db *store.DB, content bool) ledger.Report {
	t.Helper()
	var key []byte
	if content {
		key = w.key
	}
	kinds, err := detainees.ItemKinds(key)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.Verify(context.Background(), db, w.Ledger.VerifierKey(), kinds...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestVerifyChecksState: parley verify checks each detainee item's audience
// rows against the events that created and widened it (the naming of the
// neutral agency), and with the master key its content against the
// creating event; it names the first bad item and its event.
func TestVerifyChecksState(t *testing.T) {
	grant := func(item func(w *stateWorld) string, org func(w *stateWorld) string) func(*testing.T, *stateWorld, *store.DB) {
		return func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", item(w), org(w))
		}
	}
	gov := func(w *stateWorld) string { return w.Fixture.Gov.ID }
	host := func(w *stateWorld) string { return w.Fixture.Host.ID }
	list := func(l func(w *stateWorld) detainees.List) func(w *stateWorld) (string, int64) {
		return func(w *stateWorld) (string, int64) { return "detainee list " + l(w).ID, l(w).LedgerIndex }
	}
	oppList := list(func(w *stateWorld) detainees.List { return w.opp })
	run := func(w *stateWorld) (string, int64) { return "matching run " + w.run.ID, w.run.LedgerIndex }
	decision := func(w *stateWorld) (string, int64) { return "pair decision " + w.decision.ID, w.decision.LedgerIndex }
	exchange := func(w *stateWorld) (string, int64) { return "exchange " + w.ex.ID, w.ex.LedgerIndex }
	release := func(w *stateWorld) (string, int64) { return "release " + w.release.ID, w.release.Release.LedgerIndex }
	cases := []struct {
		name    string
		content bool // needs the master key to be seen
		do      func(t *testing.T, w *stateWorld, db *store.DB)
		want    func(w *stateWorld) (item string, idx int64)
	}{
		{"the opposition's list gains the government", false, grant(func(w *stateWorld) string { return w.opp.ID }, gov), oppList},
		{"a list widened by the naming gains an organisation outside the process", false,
			grant(func(w *stateWorld) string { return w.gov.ID }, func(w *stateWorld) string { return w.Fixture.Outsider.ID }),
			list(func(w *stateWorld) detainees.List { return w.gov })},
		{"the government's list, widened by the naming, gains the opposition", false,
			grant(func(w *stateWorld) string { return w.gov.ID }, func(w *stateWorld) string { return w.Fixture.Opp.ID }),
			list(func(w *stateWorld) detainees.List { return w.gov })},
		{"a matching run gains the government, which was in the round a mediation joined", false, grant(func(w *stateWorld) string { return w.run.ID }, gov), run},
		{"a decision gains the government", false, grant(func(w *stateWorld) string { return w.decision.ID }, gov), decision},
		{"an exchange gains the host", false, grant(func(w *stateWorld) string { return w.ex.ID }, host), exchange},
		{"a released person gains the host", false, grant(func(w *stateWorld) string { return w.release.ID }, host), release},
		{"a list's record count changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_lists SET records = records - 1 WHERE id = $1", w.opp.ID)
		}, oppList},
		{"a run's pair count changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_runs SET pairs = pairs + 1 WHERE id = $1", w.run.ID)
		}, run},
		{"a decision is reversed", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_decisions SET decision = $1 WHERE id = $2", detainees.NoMatch, w.decision.ID)
		}, decision},
		{"an exchange loses a side", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_exchanges SET sides = $1 WHERE id = $2", w.Fixture.Gov.ID, w.ex.ID)
		}, exchange},
		{"a release's time changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_people SET released_at = released_at - 3600000000 WHERE id = $1", w.release.ID)
		}, release},
		{"a record's row changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_records SET row_no = row_no + 10 WHERE list_id = $1 AND row_no = 2", w.opp.ID)
		}, oppList},
		{"a record is added", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, `INSERT INTO detainee_records(id, list_id, row_no, data_enc)
				SELECT $2, list_id, 99, data_enc FROM detainee_records WHERE list_id = $1 AND row_no = 2`, w.opp.ID, store.NewID())
		}, oppList},
		{"a record's sealed data is another record's", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, `UPDATE detainee_records SET data_enc = (SELECT r.data_enc FROM detainee_records r WHERE r.list_id = $1 AND r.row_no = 3)
				WHERE list_id = $1 AND row_no = 2`, w.opp.ID)
		}, oppList},
		{"a list's sealed name is another list's", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_lists SET name_enc = (SELECT l.name_enc FROM detainee_lists l WHERE l.id = $1) WHERE id = $2", w.gov.ID, w.opp.ID)
		}, oppList},
		{"a list made since digests is passed off as an earlier one", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_lists SET digest = NULL WHERE id = $1", w.opp.ID)
		}, oppList},
		{"a pair's probability changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_pairs SET probability = probability - 1 WHERE run_id = $1", w.run.ID)
		}, run},
		{"a pair of the run is deleted", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "DELETE FROM detainee_pairs WHERE run_id = $1", w.run.ID)
		}, run},
		{"a person's releasing side changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_people SET released_by = $1 WHERE exchange_id = $2", w.Fixture.Opp.ID, w.ex.ID)
		}, exchange},
		{"a person is tied to another record", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, `UPDATE detainee_person_records SET record_id = (SELECT r.id FROM detainee_records r WHERE r.list_id = $1 AND r.row_no = 3)
				WHERE person_id = $2`, w.gov.ID, w.release.ID)
		}, exchange},
		{"an exchange's sealed title is a list's name", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_exchanges SET title_enc = (SELECT l.name_enc FROM detainee_lists l WHERE l.id = $1) WHERE id = $2", w.gov.ID, w.ex.ID)
		}, exchange},
		{"a release's sealed place changes", true, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_people SET place_enc = data_enc WHERE id = $1", w.release.ID)
		}, release},
		// The real agency's rows on the list submitted before the naming
		// lose their grant (reported first), and the naming is named too.
		{"the neutral agency named is another organisation", false, func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "UPDATE detainee_agencies SET org_id = $1 WHERE process_id = $2", w.Fixture.Host.ID, w.Process.ID)
		}, list(func(w *stateWorld) detainees.List { return w.gov })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				w := newStateWorld(t, db)
				// 2 lists, a run, a decision, an exchange, a release, the
				// naming of the agency.
				if rep := w.verify(t, db, true); !rep.OK() || rep.Items != 7 {
					t.Fatalf("before the change (%d items):\n%s", rep.Items, rep.String())
				}
				tc.do(t, w, db)
				item, idx := tc.want(w)
				rep := w.verify(t, db, true)
				if rep.OK() || rep.FirstBadItem != item || rep.FirstBad != idx || !strings.Contains(rep.String(), item) {
					t.Fatalf("after the change: first bad item %q at %d, want %q at %d\n%s", rep.FirstBadItem, rep.FirstBad, item, idx, rep.String())
				}
				if strings.Contains(tc.name, "agency named") && !strings.Contains(rep.String(), fmt.Sprintf("agency agency:%s (event %d)", w.Process.ID, w.naming)) {
					t.Fatalf("the naming is not named:\n%s", rep.String())
				}
				// Without the master key only the audiences are checked.
				if rep := w.verify(t, db, false); rep.OK() == !tc.content {
					t.Fatalf("without the master key: OK %v, want %v\n%s", rep.OK(), tc.content, rep.String())
				}
			})
		})
	}
}

// TestVerifyEarlierList: a list submitted before digests came has none,
// and its event hashed the content without one: verify checks that
// content and passes it; its record count changed is still named.
func TestVerifyEarlierList(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newStateWorld(t, db)
		ctx := context.Background()
		id, sum := store.NewID(), strings.Repeat("ab", 32)
		var idx int64
		err := w.Ledger.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			content, _ := json.Marshal(map[string]any{"process": w.Process.ID, "kind": detainees.Held, "records": 3, "sha256": sum})
			aud := access.Of(w.Fixture.Gov.ID, w.Fixture.Mediation.ID)
			ev, err := rec.Append(ctx, ledger.Event{Type: "detainees.list.submitted", Actor: w.Gov, ObjectType: "detainee_list", ObjectID: id,
				Audience: aud, Content: content})
			if err != nil {
				return err
			}
			idx = ev.Index
			if _, err := tx.ExecContext(ctx, `INSERT INTO detainee_lists(id, process_id, org_id, kind, name_enc, records, file_sha256,
				created_by, created_at, ledger_idx) VALUES ($1, $2, $3, $4, $5, 3, $6, $7, 1, $8)`,
				id, w.Process.ID, w.Fixture.Gov.ID, detainees.Held, []byte("sealed"), sum, w.Gov.User, idx); err != nil {
				return err
			}
			return rec.Grant(id, aud)
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep := w.verify(t, db, true); !rep.OK() || rep.Items != 8 {
			t.Fatalf("with the earlier list (%d items):\n%s", rep.Items, rep.String())
		}
		storetest.Exec(t, db, "UPDATE detainee_lists SET records = 4 WHERE id = $1", id)
		if rep := w.verify(t, db, true); rep.FirstBadItem != "detainee list "+id || rep.FirstBad != idx {
			t.Fatalf("the earlier list's count changed: first bad item %q at %d\n%s", rep.FirstBadItem, rep.FirstBad, rep.String())
		}
	})
}
