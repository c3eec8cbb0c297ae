package talks_test

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// failInserts makes every insert into table fail from now on, as a
// database would on a full disk or a broken constraint, so that a write that
// has already appended its event fails half-way.
func failInserts(t *testing.T, db *store.DB, table string) {
	t.Helper()
	ctx := context.Background()
	var stmts []string
	if db.Dialect == store.Postgres {
		stmts = []string{
			"CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
			"CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table + " FOR EACH ROW EXECUTE FUNCTION fail_insert()",
		}
	} else {
		stmts = []string{"CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"}
	}
	for _, s := range stmts {
		if _, err := db.W.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestFailureWritesNothing checks that a write failing after it has appended
// its event and changed some tables leaves no trace: no event, no row, no
// audience.
func TestFailureWritesNothing(t *testing.T) {
	cases := []struct {
		name, table string
		write       func(f *talkstest.Fixture) error
	}{
		{"round", "participation", func(f *talkstest.Fixture) error {
			_, err := f.Talks.CreateRound(context.Background(), access.System, talks.NewRound{
				ProcessID: f.Process.ID, Name: "Round 2", Participants: []string{f.Gov.ID, f.Opp.ID}})
			return err
		}},
		{"session", "session_orgs", func(f *talkstest.Fixture) error {
			_, err := f.Talks.ScheduleSession(context.Background(), access.System, f.Round.ID, talks.NewSession{
				Title: "With the government", Format: talks.Bilateral, StartsAt: store.Time(store.Now()), Orgs: []string{f.Gov.ID}})
			return err
		}},
		{"agenda item", "agenda_items", func(f *talkstest.Fixture) error {
			_, err := f.Talks.AddAgendaItem(context.Background(), access.System, f.Round.ID, talks.NewAgendaItem{Track: "detainees", Title: "Lists"})
			return err
		}},
		{"participant", "audience", func(f *talkstest.Fixture) error {
			return f.Talks.AddParticipant(context.Background(), access.System, f.Round.ID, f.Outsider.ID)
		}},
	}
	for _, c := range cases {
		// Subtest names must not hold '#': storetest puts the test's
		// temporary folder into a SQLite URI, where '#' starts a fragment.
		t.Run(c.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				f := talkstest.New(t, db)
				before := counts(t, db)
				failInserts(t, db, c.table)
				err := c.write(f)
				if err == nil || errs.Code(err) != errs.Internal {
					t.Fatalf("write with failing %s: %v, want an internal error", c.table, err)
				}
				unchanged(t, db, before)
			})
		})
	}
}

// TestConcurrentAgendaItems checks that items added at once to one round get
// distinct consecutive positions and one event each.
func TestConcurrentAgendaItems(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		before := counts(t, db)
		const n = 8
		errc := make(chan error, n)
		for i := range n {
			go func() {
				_, err := f.Talks.AddAgendaItem(context.Background(), talkstest.Head(f.Mediation), f.Round.ID,
					talks.NewAgendaItem{Track: "ceasefire", Title: "Item " + string(rune('A'+i))})
				errc <- err
			}()
		}
		for range n {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		r, err := f.Talks.Round(context.Background(), talkstest.Head(f.Gov), f.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range r.Agenda {
			if it.Position != i+1 {
				t.Errorf("agenda[%d].Position = %d", i, it.Position)
			}
		}
		if len(r.Agenda) != n || count(t, db, "events") != before["events"]+n {
			t.Errorf("%d items, %d events; want %d more of each", len(r.Agenda), count(t, db, "events")-before["events"], n)
		}
	})
}
