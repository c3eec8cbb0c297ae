package bargain

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestRefreshOutsideTheWriteLock: the analysis is computed without holding
// the write lock (a write made while it is being computed goes through),
// and an analysis whose inputs changed meanwhile is not stored over the
// analysis of the newer inputs.
func TestRefreshOutsideTheWriteLock(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := talkstest.New(t, db)
		s := New(db, f.Ledger)
		med, gov, opp := talkstest.Actor(f.Mediation, access.Member), talkstest.Head(f.Gov), talkstest.Head(f.Opp)
		d := Domain{Name: "d", Issues: []Issue{{Name: "scope", Values: []string{"a", "b", "c"}}}}
		if _, err := s.SetDomain(ctx, med, f.Round.ID, d, nil); err != nil {
			t.Fatal(err)
		}
		profile := func(a, b, c float64) ProfileInput {
			return ProfileInput{Profile: Profile{Name: "p", Issues: map[string]IssueUtility{
				"scope": {Weight: 100, Values: map[string]float64{"a": a, "b": b, "c": c}}}}, Shared: true}
		}
		if _, err := s.SetProfile(ctx, gov, f.Round.ID, profile(1, 0.5, 0)); err != nil {
			t.Fatal(err)
		}
		// While the analysis of the opposition's first profile is being
		// computed, the opposition saves another one.
		calls := 0
		s.analysed = func() {
			calls++
			if calls == 1 {
				if _, err := s.SetProfile(ctx, opp, f.Round.ID, profile(0, 0.2, 1)); err != nil {
					t.Errorf("a write while the analysis is computed: %v", err)
				}
			}
		}
		if _, err := s.SetProfile(ctx, opp, f.Round.ID, profile(0, 0.9, 1)); err != nil {
			t.Fatal(err)
		}
		s.analysed = nil
		ra, err := s.Analysis(ctx, med, f.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ra.Status != StatusReady || len(ra.Parties) != 2 {
			t.Fatalf("analysis %+v", ra)
		}
		// Package b is worth 0.9 to the opposition under its first profile
		// and 0.2 under the second, which the stored analysis must use.
		found := false
		for _, pt := range ra.Frontier {
			if pt.Bid["scope"] == "b" {
				found = true
				if len(pt.Utilities) != 2 || pt.Utilities[1] != 0.2 {
					t.Errorf("the stored analysis is of the superseded profile: b = %v", pt.Utilities)
				}
			}
		}
		if !found {
			t.Errorf("b is not on the frontier: %+v", ra.Frontier)
		}
		if calls != 2 {
			t.Errorf("%d analyses computed, want 2", calls)
		}
	})
}
