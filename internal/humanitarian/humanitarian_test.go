package humanitarian_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/humanitarian"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// world is a process with one location held by the opposition and a
// clock the test moves.
type world struct {
	f     *talkstest.Fixture
	h     *humanitarian.Service
	now   time.Time
	loc   humanitarian.Location
	agent access.Actor // the agency's head
	gov   access.Actor
	opp   access.Actor
	med   access.Actor
}

func newWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	f := talkstest.New(t, db)
	w := &world{f: f, h: humanitarian.New(db, f.Ledger), now: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC),
		agent: talkstest.Actor(f.Agency, access.Head), gov: talkstest.Actor(f.Gov, access.Head),
		opp: talkstest.Actor(f.Opp, access.Head), med: talkstest.Actor(f.Mediation, access.Head)}
	w.h.SetClock(func() time.Time { return w.now })
	var err error
	w.loc, err = w.h.CreateLocation(context.Background(), w.agent, f.Process.ID, humanitarian.NewLocation{
		Name: "Madaya", Admin1: "Rural Damascus", Admin2: "Az-Zabadani", Lat: 33.69, Lon: 36.1,
		Population: 40000, PopulationSource: "OCHA", PopulationDate: "2026-01-15",
		ControlledBy: f.Opp.ID, BesiegedBy: f.Gov.ID, Status: humanitarian.Besieged,
	})
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	return w
}

func (w *world) request(t *testing.T, route ...string) humanitarian.Convoy {
	t.Helper()
	cv, err := w.h.RequestConvoy(context.Background(), w.agent, w.f.Process.ID, humanitarian.NewConvoy{
		Destination: w.loc.ID,
		Items: []humanitarian.NewItem{
			{Name: "wheat flour", Unit: "t", Requested: 20},
			{Name: "medical kits", Unit: "kit", Requested: 100},
		},
		Route:     route,
		Approvals: []humanitarian.NewApproval{{Party: w.f.Gov.ID, Due: w.now.Add(7 * 24 * time.Hour)}},
	})
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	return cv
}

func (w *world) step(t *testing.T, actor access.Actor, id string, in humanitarian.StepInput) humanitarian.Convoy {
	t.Helper()
	w.now = w.now.Add(time.Hour)
	cv, err := w.h.RecordStep(context.Background(), actor, id, in)
	if err != nil {
		t.Fatalf("%s: %v", in.Step, err)
	}
	return cv
}

func q(v float64) *float64 { return &v }

func item(name string, v float64) humanitarian.StepItemInput {
	return humanitarian.StepItemInput{Name: name, Quantity: q(v)}
}

func figure(t *testing.T, d humanitarian.Dashboard, name string) humanitarian.ItemFigures {
	t.Helper()
	for _, l := range d.Locations {
		for _, it := range l.Items {
			if it.Name == name {
				return it
			}
		}
	}
	t.Fatalf("no figures for %s in %+v", name, d)
	return humanitarian.ItemFigures{}
}

// TestStory runs the story through the service: a partial
// approval, a removal of medical items at a checkpoint, delivery of the
// rest, and the dashboard's gap per item.
func TestStory(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		cv := w.request(t, "Checkpoint 1", "Checkpoint 2")
		if cv.State != humanitarian.StateRequested {
			t.Fatalf("state %s", cv.State)
		}
		cv = w.step(t, w.gov, cv.ID, humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.PartiallyApproved,
			Items: []humanitarian.StepItemInput{item("medical kits", 60)}, Reason: "surgical items excluded"})
		if cv.State != humanitarian.StatePartiallyApproved || *cv.Items[1].Approved != 60_000 || *cv.Items[0].Approved != 20_000 {
			t.Fatalf("after approval: %+v", cv)
		}
		cv = w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepDispatched})
		cv = w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: "Checkpoint 1", Outcome: humanitarian.Held})
		if cv.State != humanitarian.StateHeld {
			t.Fatalf("held: %s", cv.State)
		}
		cv = w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: "Checkpoint 1", Outcome: humanitarian.ItemsRemoved,
			By: w.f.Gov.ID, Removed: []humanitarian.StepItemInput{{Name: "medical kits", Quantity: q(25), Reason: "dual use"}}})
		cv = w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: "Checkpoint 2", Outcome: humanitarian.Passed})
		cv = w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: humanitarian.StepDelivered})
		if cv.State != humanitarian.StateDelivered || *cv.Items[1].Delivered != 35_000 || len(cv.Steps) != 7 {
			t.Fatalf("delivered: %+v", cv)
		}
		if rm := cv.Steps[4]; rm.Outcome != humanitarian.ItemsRemoved || len(rm.Items) != 1 || rm.Items[0].Quantity != 25_000 || rm.Items[0].Reason != "dual use" {
			t.Errorf("the removal step reads back as %+v", rm)
		}
		for _, st := range cv.Steps {
			if st.LedgerIndex <= 0 {
				t.Errorf("step %s has no ledger event", st.Step)
			}
		}
		d, err := w.h.Dashboard(ctx, w.gov, w.f.Process.ID)
		if err != nil {
			t.Fatal(err)
		}
		kits := figure(t, d, "medical kits")
		if kits.Requested != 100_000 || kits.Approved != 60_000 || kits.Loaded != 60_000 || kits.Removed != 25_000 || kits.Delivered != 35_000 {
			t.Errorf("funnel of medical kits: %+v", kits)
		}
		if d.MedianApproval == nil || *d.MedianApproval != time.Hour {
			t.Errorf("median approval %v, want 1h", d.MedianApproval)
		}
		var removed bool
		for _, o := range d.Locations[0].Obstacles {
			removed = removed || o.Kind == humanitarian.ObstacleRemoved && o.Org == w.f.Gov.ID && o.Checkpoint == "Checkpoint 1"
		}
		if !removed {
			t.Errorf("obstacles %+v miss the removal", d.Locations[0].Obstacles)
		}
		if got := d.Locations[0].DaysSinceLastDelivery(w.now.Add(72 * time.Hour)); got != 3 {
			t.Errorf("days since last delivery %d", got)
		}
		checkFigures(t, db, w.f.Process.ID)

		// Readers: the agency, the mediation, the named party and the
		// controlling party read the convoy; the guarantor, the observer,
		// the monitor and the host do not, and read it as absent.
		for _, o := range w.f.AllInRound {
			a := talkstest.Actor(o, access.Head)
			_, err := w.h.Convoy(ctx, a, cv.ID)
			want := o.ID == w.f.Agency.ID || o.ID == w.f.Mediation.ID || o.ID == w.f.Gov.ID || o.ID == w.f.Opp.ID
			if (err == nil) != want || err != nil && errs.Code(err) != errs.NotFound {
				t.Errorf("%s reads the convoy: %v, want %v", o.Name, err, want)
			}
			_, err = w.h.Dashboard(ctx, a, w.f.Process.ID)
			if (err == nil) != (o.Kind != access.Observer) {
				t.Errorf("%s reads the dashboard: %v", o.Name, err)
			}
		}
		if err := w.h.SetPublicSummary(ctx, w.med, w.f.Process.ID, true); err != nil {
			t.Fatal(err)
		}
		sum, err := w.h.Dashboard(ctx, talkstest.Actor(w.f.Observer, access.Head), w.f.Process.ID)
		if err != nil || !sum.Summary || len(sum.Locations) != 1 || sum.Locations[0].Obstacles != nil || sum.Locations[0].Recent != nil {
			t.Errorf("observer's summary: %+v %v", sum, err)
		}
		if err := w.h.SetPublicSummary(ctx, w.med, w.f.Process.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := w.h.Dashboard(ctx, talkstest.Actor(w.f.Observer, access.Head), w.f.Process.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("observer after the summary is off: %v", err)
		}
	})
}

// TestRefusals checks the rules of each step: who may record it (403, or
// 404 for a convoy not theirs to read), which state allows it (409 naming
// the state) and its quantities (400 naming the field).
func TestRefusals(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		requested := w.request(t, "Checkpoint 1")
		dispatched := w.request(t, "Checkpoint 1")
		w.step(t, w.gov, dispatched.ID, humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.Approved})
		w.step(t, w.agent, dispatched.ID, humanitarian.StepInput{Step: humanitarian.StepDispatched,
			Items: []humanitarian.StepItemInput{item("medical kits", 80)}})
		guarantor := talkstest.Actor(w.f.Guarantor, access.Head)
		govMember := talkstest.Actor(w.f.Gov, access.Member)
		cases := []struct {
			name  string
			actor access.Actor
			id    string
			in    humanitarian.StepInput
			code  string
			field string // or a word of the message
		}{
			{"approval by a party not named", w.opp, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"}, errs.Forbidden, ""},
			{"approval by a member, not the head", govMember, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"}, errs.Forbidden, ""},
			{"approval by the agency", w.agent, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"}, errs.Forbidden, ""},
			{"anything by a guarantor", guarantor, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"}, errs.NotFound, ""},
			{"delivery by a party", w.gov, dispatched.ID, humanitarian.StepInput{Step: "delivered"}, errs.Forbidden, ""},
			{"approved above requested", w.gov, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "partially_approved",
				Items: []humanitarian.StepItemInput{item("medical kits", 101)}}, errs.Invalid, "items[0].approved"},
			{"negative quantity", w.gov, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "partially_approved",
				Items: []humanitarian.StepItemInput{item("wheat flour", 3), item("medical kits", -1)}}, errs.Invalid, "items[1].approved"},
			{"unknown item", w.gov, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "partially_approved",
				Items: []humanitarian.StepItemInput{item("tents", 1)}}, errs.Invalid, "items[0].name"},
			{"unknown decision", w.gov, requested.ID, humanitarian.StepInput{Step: "approval", Decision: "maybe"}, errs.Invalid, "decision"},
			{"dispatch before approval", w.agent, requested.ID, humanitarian.StepInput{Step: "dispatched"}, humanitarian.CodeInvalidTransition, "requested"},
			{"delivery before the checkpoint", w.agent, dispatched.ID, humanitarian.StepInput{Step: "delivered"}, humanitarian.CodeInvalidTransition, "dispatched"},
			{"approval of a dispatched convoy", w.gov, dispatched.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"}, humanitarian.CodeInvalidTransition, "dispatched"},
			{"a checkpoint not next", w.agent, dispatched.ID, humanitarian.StepInput{Step: "checkpoint", Checkpoint: "Elsewhere", Outcome: "passed"}, errs.Invalid, "checkpoint"},
			{"removal above loaded", w.agent, dispatched.ID, humanitarian.StepInput{Step: "checkpoint", Checkpoint: "Checkpoint 1", Outcome: "items_removed",
				Removed: []humanitarian.StepItemInput{item("medical kits", 81)}}, errs.Invalid, "removed[0].quantity"},
			{"unknown step", w.agent, dispatched.ID, humanitarian.StepInput{Step: "teleported"}, errs.Invalid, "step"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.h.RecordStep(context.Background(), c.actor, c.id, c.in)
				e, ok := errs.As(err)
				if !ok || e.Code != c.code {
					t.Fatalf("got %v, want code %s", err, c.code)
				}
				if c.code == errs.Invalid && e.Field != c.field {
					t.Errorf("field %q, want %q", e.Field, c.field)
				}
				if c.code == humanitarian.CodeInvalidTransition && !strings.Contains(e.Message, c.field) {
					t.Errorf("message %q does not name the state %q", e.Message, c.field)
				}
			})
		}
		// Nothing was half-written: the refused steps left no step behind.
		cv, err := w.h.Convoy(context.Background(), w.agent, requested.ID)
		if err != nil || len(cv.Steps) != 1 || cv.State != humanitarian.StateRequested {
			t.Errorf("the requested convoy after the refusals: %+v %v", cv, err)
		}
		// A delivery of more than arrived names the field.
		w.step(t, w.agent, dispatched.ID, humanitarian.StepInput{Step: "checkpoint", Checkpoint: "Checkpoint 1", Outcome: "items_removed",
			Removed: []humanitarian.StepItemInput{item("medical kits", 30)}})
		_, err = w.h.RecordStep(context.Background(), w.agent, dispatched.ID, humanitarian.StepInput{Step: "partially_delivered",
			Items: []humanitarian.StepItemInput{item("medical kits", 51)}})
		if e, ok := errs.As(err); !ok || e.Field != "items[0].delivered" {
			t.Errorf("delivery above loaded less removed: %v", err)
		}
		checkFigures(t, db, w.f.Process.ID)
	})
}

// TestNoAnswer: an approval not given by its deadline reads as no_answer,
// counts as an obstacle of its party, and can no longer be given.
func TestNoAnswer(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		cv := w.request(t)
		w.now = w.now.Add(8 * 24 * time.Hour)
		got, err := w.h.Convoy(ctx, w.agent, cv.ID)
		if err != nil || got.Approvals[0].Decision != humanitarian.NoAnswer {
			t.Fatalf("after the deadline: %+v %v", got.Approvals, err)
		}
		_, err = w.h.RecordStep(ctx, w.gov, cv.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"})
		if errs.Code(err) != humanitarian.CodeInvalidTransition {
			t.Errorf("a late answer: %v", err)
		}
		d, err := w.h.Dashboard(ctx, w.med, w.f.Process.ID)
		if err != nil {
			t.Fatal(err)
		}
		obs := d.Locations[0].Obstacles
		if len(obs) != 1 || obs[0].Kind != humanitarian.ObstacleNoAnswer || obs[0].Org != w.f.Gov.ID || obs[0].Count != 1 {
			t.Errorf("obstacles %+v", obs)
		}
	})
}

// TestCommitment: a commitment is kept while no wait between deliveries
// is longer than its cadence, and broken once one is.
func TestCommitment(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		m, err := w.h.CreateCommitment(ctx, w.med, w.f.Process.ID, humanitarian.NewCommitment{
			Round: w.f.Round.ID, Location: w.loc.ID, Title: "Access every 14 days", CadenceDays: 14})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.h.CreateCommitment(ctx, w.agent, w.f.Process.ID, humanitarian.NewCommitment{
			Round: w.f.Round.ID, Location: w.loc.ID, Title: "x", CadenceDays: 14}); errs.Code(err) != errs.Forbidden {
			t.Errorf("a commitment by the agency: %v", err)
		}
		deliver := func() {
			cv := w.request(t)
			w.step(t, w.gov, cv.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"})
			w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: "dispatched"})
			w.step(t, w.agent, cv.ID, humanitarian.StepInput{Step: "delivered"})
		}
		kept := func() bool {
			d, err := w.h.Dashboard(ctx, w.gov, w.f.Process.ID)
			if err != nil {
				t.Fatal(err)
			}
			c := d.Locations[0].Commitments
			if len(c) != 1 || c[0].ID != m.ID {
				t.Fatalf("commitments %+v", c)
			}
			return c[0].Kept
		}
		w.now = w.now.Add(10 * 24 * time.Hour)
		deliver()
		if !kept() {
			t.Error("broken after a delivery within 10 days")
		}
		w.now = w.now.Add(20 * 24 * time.Hour)
		deliver()
		w.now = w.now.Add(24 * time.Hour)
		if kept() {
			t.Error("kept after a 20-day wait")
		}
		checkFigures(t, db, w.f.Process.ID)
	})
}

// TestJoined: an organisation that joins a round of the process later
// reads what it would have read had it been there: a guarantor the
// dashboard and no convoy, a second mediation every convoy.
func TestJoined(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		w.f.Talks.OnJoin(w.h.Joined)
		cv := w.request(t, "Checkpoint 1")
		for _, kind := range []access.OrgKind{access.Guarantor, access.Mediation, access.Observer} {
			o, err := w.f.Talks.AddOrg(ctx, access.System, "Late "+string(kind), "", kind)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.f.Talks.AddParticipant(ctx, access.System, w.f.Round.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			a := talkstest.Actor(o, access.Head)
			_, dashErr := w.h.Dashboard(ctx, a, w.f.Process.ID)
			_, convoyErr := w.h.Convoy(ctx, a, cv.ID)
			if (dashErr == nil) != (kind != access.Observer) || (convoyErr == nil) != (kind == access.Mediation) {
				t.Errorf("a late %s: dashboard %v, convoy %v", kind, dashErr, convoyErr)
			}
		}
	})
}

// TestMedians: the median approval time of an area and of the process,
// with odd and even counts over several hours' counts.
func TestMedians(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		other, err := w.h.CreateLocation(ctx, w.agent, w.f.Process.ID, humanitarian.NewLocation{Name: "Other", Admin1: "Idlib", Lat: 35, Lon: 36, ControlledBy: w.f.Gov.ID})
		if err != nil {
			t.Fatal(err)
		}
		approveAfter := func(loc string, hours int) {
			t.Helper()
			saved := w.loc.ID
			w.loc.ID = loc
			cv := w.request(t)
			w.loc.ID = saved
			w.now = w.now.Add(time.Duration(hours)*time.Hour - time.Hour) // w.step adds the last hour
			w.step(t, w.gov, cv.ID, humanitarian.StepInput{Step: "approval", Decision: "approved"})
		}
		medians := func() (time.Duration, time.Duration) {
			t.Helper()
			d, err := w.h.Dashboard(ctx, w.med, w.f.Process.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range d.Locations {
				if l.ID == w.loc.ID {
					return *l.MedianApproval, *d.MedianApproval
				}
			}
			t.Fatal("no area")
			return 0, 0
		}
		for _, h := range []int{10, 1, 3} {
			approveAfter(w.loc.ID, h)
		}
		approveAfter(other.ID, 2)
		if area, all := medians(); area != 3*time.Hour || all != 150*time.Minute {
			t.Errorf("medians %v and %v, want 3h and 2h30m", area, all)
		}
		approveAfter(w.loc.ID, 20)
		if area, all := medians(); area != 390*time.Minute || all != 3*time.Hour {
			t.Errorf("medians %v and %v, want 6h30m and 3h", area, all)
		}
		// Beyond two days, six-hour counts: 100 hours counts as 96.
		approveAfter(w.loc.ID, 100)
		approveAfter(w.loc.ID, 101)
		if area, _ := medians(); area != 15*time.Hour {
			t.Errorf("median %v, want 15h (the mean of 10 and 20)", area)
		}
		checkFigures(t, db, w.f.Process.ID)
	})
}
