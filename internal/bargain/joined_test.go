package bargain_test

import (
	"testing"

	"parley/internal/access"
	"parley/internal/bargain"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
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
	})
}
