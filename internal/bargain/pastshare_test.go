package bargain_test

import (
	"testing"

	"parley/internal/access"
	"parley/internal/bargain"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestPastShared: a mediation that joins late reads none of the profiles
// the parties shared with the mediation before, nor the draft package, nor
// the package analysis, even after the analysis is computed again (before,
// the next refresh granted it to every mediation of the round). Each
// party's head lets it read that party's profile (talks.SharePast); the
// analysis follows once every party with an earlier profile has; the
// mediation's head lets it read the draft. parley verify accepts the
// widened profiles.
func TestPastShared(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.Sign(t)
		w.Talks.OnJoin(w.B.Joined)
		w.Talks.OnPastShare(w.B.PastShared)
		w.setUp(t)
		r := w.Round.ID
		for _, a := range []access.Actor{w.Gov, w.Opp} {
			if _, err := w.B.SetShared(w.ctx, a, r, true); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.B.SetDraft(w.ctx, w.Med, r, bargain.Bid{"scope": "local", "release": "200"}); err != nil {
			t.Fatal(err)
		}
		med2 := w.JoinLater(t, "Second mediation team", access.Mediation)
		newcomer := talkstest.Head(med2)
		reads := func(table, where string, args ...any) int {
			t.Helper()
			var n int
			cond, arg := access.ReadableBy(newcomer, "x.id", len(args)+2)
			q := "SELECT COUNT(*) FROM " + table + " x WHERE x.round_id = $1" + where + " AND " + cond
			if err := db.R.QueryRowContext(w.ctx, q, append([]any{r}, append(args, arg)...)...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		profile := func(org string) int { return reads("bargain_profiles", " AND x.org_id = $2", org) }
		state := func() [4]int {
			return [4]int{profile(w.Fixture.Gov.ID), profile(w.Fixture.Opp.ID), reads("bargain_analyses", ""), reads("bargain_drafts", "")}
		}
		// The analysis is computed again after the newcomer joined: a
		// third party joins and enters its profile, unshared.
		if err := w.Talks.AddParticipant(w.ctx, access.System, r, w.Fixture.Outsider.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.B.SetProfile(w.ctx, w.Outsider, r, bargain.ProfileInput{Profile: govProfile()}); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != [4]int{0, 0, 0, 0} {
			t.Fatalf("before any grant the newcomer reads gov, opp profiles, analysis, draft %v", got)
		}
		if ra, err := w.B.Analysis(w.ctx, w.Med, r); err != nil || ra.Status != bargain.StatusReady {
			t.Fatalf("the first mediation's analysis: %v %v", ra.Status, err)
		}
		steps := []struct {
			who  access.Actor
			want [4]int
		}{
			{w.Gov, [4]int{1, 0, 0, 0}},
			{w.Opp, [4]int{1, 1, 1, 0}},
			{talkstest.Head(w.Fixture.Mediation), [4]int{1, 1, 1, 1}},
		}
		for _, s := range steps {
			if err := w.Talks.SharePast(w.ctx, s.who, r, med2.ID); err != nil {
				t.Fatal(err)
			}
			if got := state(); got != s.want {
				t.Fatalf("after %s's grant the newcomer reads %v, want %v", s.who.Username, got, s.want)
			}
		}
		rep, err := ledger.Verify(w.ctx, db, w.Ledger.VerifierKey(), bargain.ItemKinds(false)...)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v\n%s", err, rep.String())
		}
	})
}
