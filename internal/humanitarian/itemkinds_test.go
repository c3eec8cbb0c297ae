package humanitarian_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/humanitarian"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// stateWorld holds one humanitarian item of each kind, written through the
// service: a location whose status changed, a convoy partially approved,
// held, stripped and passed at checkpoints and delivered, a convoy
// requested without a route and denied, the dashboard and the public
// summary switched on; then a mediation organisation joins the round
// late (the join widens the figures, the convoys and the summary).
type stateWorld struct {
	*world
	status              humanitarian.StatusChange // the location's change of status
	convoy, denied      humanitarian.Convoy
	dashboard, summary  string
	dashIdx, summaryIdx int64
	late                string // the late mediation
}

func newStateWorld(t *testing.T, db *store.DB) *stateWorld {
	t.Helper()
	ctx := context.Background()
	w := &stateWorld{world: newWorld(t, db)}
	w.f.Sign(t)
	w.f.Talks.OnJoin(w.h.Joined)
	loc, err := w.h.SetLocationStatus(ctx, w.agent, w.loc.ID, humanitarian.HardToReach, "a road opened")
	if err != nil {
		t.Fatal(err)
	}
	w.status = loc.History[1]
	cv := w.request(t, "Checkpoint 1", "Checkpoint 2")
	w.step(t, w.gov, cv.ID, humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.PartiallyApproved,
		Items: []humanitarian.StepItemInput{item("medical kits", 60)}, Reason: "surgical items excluded"})
	w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepDispatched, Reason: "trucks left at dawn"})
	w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: "Checkpoint 1", Outcome: humanitarian.Held})
	w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: "Checkpoint 1", Outcome: humanitarian.ItemsRemoved,
		By: w.f.Gov.ID, Removed: []humanitarian.StepItemInput{{Name: "medical kits", Quantity: q(25), Reason: "dual use"}}})
	w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: "Checkpoint 2", Outcome: humanitarian.Passed})
	w.convoy = w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepPartiallyDelivered,
		Items: []humanitarian.StepItemInput{item("wheat flour", 20), item("medical kits", 30)}})
	w.denied = w.request(t)
	w.denied = w.step(t, w.gov, w.denied.ID, humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.Denied})
	if err := w.h.SetPublicSummary(ctx, w.med, w.f.Process.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := db.R.QueryRow("SELECT dashboard_id, dashboard_idx, summary_id, summary_idx FROM hum_processes WHERE process_id = $1", w.f.Process.ID).
		Scan(&w.dashboard, &w.dashIdx, &w.summary, &w.summaryIdx); err != nil {
		t.Fatal(err)
	}
	w.late = w.f.JoinLater(t, "Late mediation team", access.Mediation).ID
	return w
}

func (w *stateWorld) verify(t *testing.T, db *store.DB, content bool) ledger.Report {
	t.Helper()
	rep, err := ledger.Verify(context.Background(), db, w.f.Ledger.VerifierKey(), humanitarian.ItemKinds(content)...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// step returns the convoy's step of a kind (the first of them).
func (w *stateWorld) stepOf(cv humanitarian.Convoy, kind string) humanitarian.Step {
	for _, st := range cv.Steps {
		if st.Step == kind {
			return st
		}
	}
	panic("no " + kind + " step")
}

// TestVerifyChecksState: parley verify checks each humanitarian item's
// audience rows against the events that created and widened it, and with
// the content its content against the creating event (the convoys' and
// the steps' rebuilt from the rows, the states of the steps from a replay
// of the convoy); it names the first bad item and its event.
func TestVerifyChecksState(t *testing.T) {
	type want func(w *stateWorld) (item string, idx int64)
	grant := func(item func(w *stateWorld) string, org func(w *stateWorld) string) func(*testing.T, *stateWorld, *store.DB) {
		return func(t *testing.T, w *stateWorld, db *store.DB) {
			storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", item(w), org(w))
		}
	}
	update := func(q string, arg func(w *stateWorld) any) func(*testing.T, *stateWorld, *store.DB) {
		return func(t *testing.T, w *stateWorld, db *store.DB) { storetest.Exec(t, db, q, arg(w)) }
	}
	observer := func(w *stateWorld) string { return w.f.Observer.ID }
	host := func(w *stateWorld) string { return w.f.Host.ID }
	location := func(w *stateWorld) (string, int64) { return "location " + w.loc.ID, w.loc.LedgerIndex }
	var statusID string
	status := func(w *stateWorld) (string, int64) { return "location status " + statusID, w.status.LedgerIndex }
	convoy := func(w *stateWorld) (string, int64) { return "convoy " + w.convoy.ID, w.convoy.LedgerIndex }
	denied := func(w *stateWorld) (string, int64) { return "convoy " + w.denied.ID, w.denied.LedgerIndex }
	step := func(kind string) want {
		return func(w *stateWorld) (string, int64) {
			st := w.stepOf(w.convoy, kind)
			return "convoy step " + st.ID, st.LedgerIndex
		}
	}
	dashboard := func(w *stateWorld) (string, int64) { return "dashboard " + w.dashboard, w.dashIdx }
	summary := func(w *stateWorld) (string, int64) { return "public summary " + w.summary, w.summaryIdx }
	convoyID := func(w *stateWorld) any { return w.convoy.ID }
	stepID := func(kind string) func(w *stateWorld) any {
		return func(w *stateWorld) any { return w.stepOf(w.convoy, kind).ID }
	}
	cases := []struct {
		name    string
		content bool // needs the content checked to be seen
		do      func(t *testing.T, w *stateWorld, db *store.DB)
		want    want
		// also: an item the report names beside the first (a step whose
		// change the convoy's figures show too)
		also want
	}{
		{"a location gains the observer", false, grant(func(w *stateWorld) string { return w.loc.ID }, observer), location, nil},
		{"a status change gains the observer", false, grant(func(w *stateWorld) string { return statusID }, observer), status, nil},
		{"a convoy gains the host", false, grant(func(w *stateWorld) string { return w.convoy.ID }, host), convoy, nil},
		{"a convoy step gains the host", false, grant(func(w *stateWorld) string { return w.stepOf(w.convoy, humanitarian.StepDispatched).ID }, host),
			step(humanitarian.StepDispatched), nil},
		{"the dashboard gains the observer", false, grant(func(w *stateWorld) string { return w.dashboard }, observer), dashboard, nil},
		{"the public summary gains an organisation outside the process", false,
			grant(func(w *stateWorld) string { return w.summary }, func(w *stateWorld) string { return w.f.Outsider.ID }), summary, nil},
		{"the dashboard is said to be made by another event", false,
			update("UPDATE hum_processes SET dashboard_idx = dashboard_idx - 1 WHERE process_id = $1", func(w *stateWorld) any { return w.f.Process.ID }),
			func(w *stateWorld) (string, int64) { return "dashboard " + w.dashboard, w.dashIdx - 1 }, nil},
		{"the summary is said to be switched on by the dashboard's event", false,
			update("UPDATE hum_processes SET summary_idx = dashboard_idx WHERE process_id = $1", func(w *stateWorld) any { return w.f.Process.ID }),
			func(w *stateWorld) (string, int64) { return "public summary " + w.summary, w.dashIdx }, nil},
		{"a status change's reason changes", true, update("UPDATE hum_location_status SET reason = 'shelling stopped' WHERE id = $1",
			func(w *stateWorld) any { return statusID }), status, nil},
		{"a location's current status changes", true, update("UPDATE hum_locations SET status = 'accessible' WHERE id = $1",
			func(w *stateWorld) any { return w.loc.ID }), location, nil},
		{"a convoy item's unit changes", true, update("UPDATE hum_convoy_items SET unit = 'kg' WHERE convoy_id = $1 AND pos = 0", convoyID), convoy, nil},
		{"a convoy item's requested quantity changes", true, update("UPDATE hum_convoy_items SET requested = requested + 1 WHERE convoy_id = $1 AND pos = 1", convoyID), convoy, nil},
		{"a checkpoint of the route is renamed", true, update("UPDATE hum_convoy_route SET name = 'Checkpoint 9' WHERE convoy_id = $1 AND pos = 1", convoyID), convoy, nil},
		{"an approval's deadline moves", true, update("UPDATE hum_approvals SET due = due + 86400000000 WHERE convoy_id = $1", convoyID), convoy, nil},
		{"an approval's party changes", true, update("UPDATE hum_approvals SET party_org = (SELECT id FROM orgs WHERE short_name = 'opp') WHERE convoy_id = $1", convoyID), convoy, nil},
		{"a convoy's state changes", true, update("UPDATE hum_convoys SET state = 'delivered' WHERE id = $1", convoyID), convoy, nil},
		{"a denied convoy is said approved", true, update("UPDATE hum_convoys SET state = 'approved' WHERE id = $1", func(w *stateWorld) any { return w.denied.ID }), denied, nil},
		{"a convoy's delivered quantity changes", true, update("UPDATE hum_convoy_items SET delivered = delivered + 1000 WHERE convoy_id = $1 AND pos = 1", convoyID), convoy, nil},
		{"an approval's decision changes", true, update("UPDATE hum_approvals SET decision = 'approved' WHERE convoy_id = $1", convoyID), convoy, nil},
		{"a step's reason changes", true, update("UPDATE hum_steps SET reason = 'trucks left at noon' WHERE id = $1", stepID(humanitarian.StepDispatched)),
			step(humanitarian.StepDispatched), nil},
		{"a checkpoint step names another checkpoint", true, update("UPDATE hum_steps SET checkpoint = 'Checkpoint 9' WHERE id = $1", stepID(humanitarian.StepCheckpoint)),
			step(humanitarian.StepCheckpoint), nil},
		{"the request step's quantity changes", true, update(`UPDATE hum_steps SET items = '[{"name":"wheat flour","quantity":21},{"name":"medical kits","quantity":100}]' WHERE id = $1`,
			stepID(humanitarian.StepRequest)), step(humanitarian.StepRequest), nil},
		{"a delivery step's reason is given by hand", true, update("UPDATE hum_steps SET reason = 'all delivered' WHERE id = $1", stepID(humanitarian.StepPartiallyDelivered)),
			step(humanitarian.StepPartiallyDelivered), nil},
		// The approval's decision is replayed: the convoy's state and
		// figures no longer follow from its steps either.
		{"an approval step's decision changes", true, update("UPDATE hum_steps SET outcome = 'approved' WHERE id = $1", stepID(humanitarian.StepApproval)),
			convoy, step(humanitarian.StepApproval)},
		{"a removal step's quantity changes", true, update(`UPDATE hum_steps SET items = '[{"name":"medical kits","quantity":20,"reason":"dual use"}]' WHERE id = $1 AND outcome = 'items_removed'`,
			func(w *stateWorld) any { return w.convoy.Steps[4].ID }),
			convoy, func(w *stateWorld) (string, int64) {
				return "convoy step " + w.convoy.Steps[4].ID, w.convoy.Steps[4].LedgerIndex
			}},
		{"a step's items no longer parse", true, update(`UPDATE hum_steps SET items = '[{' WHERE id = $1`, stepID(humanitarian.StepDispatched)),
			step(humanitarian.StepDispatched), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				w := newStateWorld(t, db)
				if err := db.R.QueryRow("SELECT id FROM hum_location_status WHERE ledger_idx = $1", w.status.LedgerIndex).Scan(&statusID); err != nil {
					t.Fatal(err)
				}
				// 1 location, 2 status entries, 2 convoys, 7 + 2 steps,
				// the dashboard and the summary.
				if rep := w.verify(t, db, true); !rep.OK() || rep.Items != 16 {
					t.Fatalf("before the change (%d items):\n%s", rep.Items, rep.String())
				}
				tc.do(t, w, db)
				item, idx := tc.want(w)
				rep := w.verify(t, db, true)
				if rep.OK() || rep.FirstBadItem != item || rep.FirstBad != idx || !strings.Contains(rep.String(), fmt.Sprintf("%s (event %d)", item, idx)) {
					t.Fatalf("after the change: first bad item %q at %d, want %q at %d\n%s", rep.FirstBadItem, rep.FirstBad, item, idx, rep.String())
				}
				if tc.also != nil {
					item, idx := tc.also(w)
					if !strings.Contains(rep.String(), fmt.Sprintf("%s (event %d)", item, idx)) {
						t.Fatalf("%s (event %d) is not named:\n%s", item, idx, rep.String())
					}
				}
				// Without the content only the audiences are checked.
				if rep := w.verify(t, db, false); rep.OK() == !tc.content {
					t.Fatalf("without the content: OK %v, want %v\n%s", rep.OK(), tc.content, rep.String())
				}
			})
		})
	}
}

// TestRecordDashboards: a dashboard an earlier version made without an
// event is reported by verify until the server's start records its event,
// once; a dashboard that has its event is never recorded again, even with
// its index cleared.
func TestRecordDashboards(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newStateWorld(t, db)
		// A second process whose dashboard an earlier version made: its
		// row and audience, no event.
		p, err := w.f.Talks.AddProcess(ctx, access.System, "Earlier process")
		if err != nil {
			t.Fatal(err)
		}
		old := store.NewID()
		storetest.Exec(t, db, "INSERT INTO hum_processes(process_id, dashboard_id, updated_at) VALUES ($1, $2, 1)", p.ID, old)
		storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2), ($1, $3)", old, w.f.Mediation.ID, w.f.Gov.ID)
		rep := w.verify(t, db, true)
		if rep.OK() || rep.FirstBadItem != "dashboard "+old {
			t.Fatalf("the earlier dashboard: first bad item %q\n%s", rep.FirstBadItem, rep.String())
		}
		if n, err := w.h.RecordDashboards(ctx); err != nil || n != 1 {
			t.Fatalf("RecordDashboards: %d, %v", n, err)
		}
		if rep := w.verify(t, db, true); !rep.OK() || rep.Items != 17 {
			t.Fatalf("after recording (%d items):\n%s", rep.Items, rep.String())
		}
		if n, err := w.h.RecordDashboards(ctx); err != nil || n != 0 {
			t.Fatalf("RecordDashboards again: %d, %v", n, err)
		}
		// Its audience is now checked: the observer added is named.
		storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", old, w.f.Observer.ID)
		if rep := w.verify(t, db, false); rep.FirstBadItem != "dashboard "+old {
			t.Fatalf("the recorded dashboard gains the observer: first bad item %q\n%s", rep.FirstBadItem, rep.String())
		}
		storetest.Exec(t, db, "DELETE FROM audience WHERE item_id = $1 AND org_id = $2", old, w.f.Observer.ID)
		// Clearing the index of a dashboard with an event does not have
		// it recorded again with what its rows say now.
		storetest.Exec(t, db, "UPDATE hum_processes SET dashboard_idx = NULL WHERE process_id = $1", w.f.Process.ID)
		if n, err := w.h.RecordDashboards(ctx); err != nil || n != 0 {
			t.Fatalf("RecordDashboards with a cleared index: %d, %v", n, err)
		}
		if rep := w.verify(t, db, false); rep.OK() || rep.FirstBadItem != "dashboard "+w.dashboard {
			t.Fatalf("the cleared index: first bad item %q\n%s", rep.FirstBadItem, rep.String())
		}
	})
}
