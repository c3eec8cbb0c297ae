package bargain_test

import (
	"testing"

	"parley/internal/access"
	"parley/internal/bargain"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestJoinedLater: a party that joins the round after the mediation saved
// the domain reads the domain and enters its profile without the mediation
// saving it again, once the package's join hook is registered with talks
// (as the app does). It reads no other party's profile.
func TestJoinedLater(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.Talks.OnJoin(w.B.Joined)
		w.setUp(t)
		r := w.Round.ID
		if _, err := w.B.Domain(w.ctx, w.Outsider, r); errs.Code(err) != errs.NotFound {
			t.Fatalf("the outsider reads the domain before joining: %v", err)
		}
		if err := w.Talks.AddParticipant(w.ctx, access.System, r, w.Fixture.Outsider.ID); err != nil {
			t.Fatal(err)
		}
		rd, err := w.B.Domain(w.ctx, w.Outsider, r)
		if err != nil || rd.Version != 1 {
			t.Fatalf("the newcomer reads the domain: %+v %v", rd, err)
		}
		if _, err := w.B.SetProfile(w.ctx, w.Outsider, r, bargain.ProfileInput{Profile: govProfile()}); err != nil {
			t.Errorf("the newcomer enters its profile: %v", err)
		}
		var profiles int
		cond, arg := access.ReadableBy(w.Outsider, "p.id", 2)
		if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM bargain_profiles p WHERE p.round_id = $1 AND "+cond, r, arg).Scan(&profiles); err != nil || profiles != 1 {
			t.Errorf("the newcomer reads %d profiles, want its own (%v)", profiles, err)
		}

		// A mediation that joins later reads the domain, not the draft
		// package, the analysis or the profiles the parties shared with
		// the mediation that was there (docs/security.md).
		if _, err := w.B.SetProfile(w.ctx, w.Gov, r, bargain.ProfileInput{Profile: govProfile(), Shared: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.B.Analysis(w.ctx, w.Med, r); err != nil {
			t.Fatal(err)
		}
		med2, err := w.Talks.AddOrg(w.ctx, access.System, "Second mediation team", "med2", access.Mediation)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Talks.AddParticipant(w.ctx, access.System, r, med2.ID); err != nil {
			t.Fatal(err)
		}
		for table, first := range map[string]bool{"bargain_domains": true, "bargain_analyses": false, "bargain_drafts": false, "bargain_profiles": false} {
			var n int
			cond, arg := access.ReadableBy(talkstest.Head(med2), "x.id", 2)
			if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM "+table+" x WHERE x.round_id = $1 AND "+cond, r, arg).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if (n > 0) != first {
				t.Errorf("the second mediation reads %d rows of %s", n, table)
			}
		}
	})
}

// TestJoinedByCapacity: the join hook widens by the capacity the
// organisation takes part in, not by its kind (issue 10). A party
// organisation given the guarantor's capacity does not read the domain; in
// a party's capacity it does.
func TestJoinedByCapacity(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.setUp(t)
		r := w.Round.ID
		domains := func() int {
			t.Helper()
			var n int
			cond, arg := access.ReadableBy(w.Outsider, "d.id", 2)
			if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM bargain_domains d WHERE d.round_id = $1 AND "+cond, r, arg).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		w.RunJoin(t, w.B.Joined, w.Fixture.Outsider, access.Guarantor)
		if n := domains(); n != 0 {
			t.Errorf("a party joining as a guarantor reads %d domains", n)
		}
		w.RunJoin(t, w.B.Joined, w.Fixture.Outsider, access.Party)
		if n := domains(); n != 1 {
			t.Errorf("a party joining as a party reads %d domains, want 1", n)
		}
	})
}
