package bargain_test

import (
	"cmp"
	"math"
	"testing"

	"parley/internal/bargain"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestAnalysisConcealsUnsharedUtilities: the mediation sees each party's
// rank order of the packages shown, and its cardinal utilities and
// reservation value only once the party's head shares its profile. The
// draft package's evaluation follows the same rule. Before, the analysis
// gave every party's utility of every frontier package and of any draft
// the mediation set, and its reservation value: weights × ratings, one
// package at a time.
func TestAnalysisConcealsUnsharedUtilities(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.setUp(t)
		r := w.Round.ID
		d := testDomain()
		gov, opp := govProfile(), oppProfile()
		gov.Domain, opp.Domain = d.Name, d.Name
		reservation := 0.3
		gov.ReservationValue = &reservation
		if _, err := w.B.SetProfile(w.ctx, w.Gov, r, bargain.ProfileInput{Profile: gov}); err != nil {
			t.Fatal(err)
		}
		truth, err := bargain.Analyze(&d, []*bargain.Profile{&gov, &opp}, bargain.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.B.SetDraft(w.ctx, w.Med, r, bargain.Bid{"scope": "local", "release": "200"}); err != nil {
			t.Fatal(err)
		}

		// check compares what the mediation reads of party i with the
		// truth: the same values when shared, else ranks in the same order.
		check := func(shared []bool) {
			t.Helper()
			ra, err := w.B.Analysis(w.ctx, w.Med, r)
			if err != nil {
				t.Fatal(err)
			}
			if ra.Status != bargain.StatusReady || len(ra.Frontier) != len(truth.Frontier) || ra.Draft == nil {
				t.Fatalf("analysis %s, frontier %d (want %d), draft %v", ra.Status, len(ra.Frontier), len(truth.Frontier), ra.Draft)
			}
			for i, want := range shared {
				if ra.Parties[i].Cardinal != want {
					t.Errorf("party %d cardinal %v, want %v", i, ra.Parties[i].Cardinal, want)
				}
				if (ra.Disagreement[i] != nil) != want {
					t.Errorf("party %d reservation shown: %v, want %v", i, ra.Disagreement[i] != nil, want)
				}
				ranks := map[float64]bool{}
				for j, p := range ra.Frontier {
					got, real := p.Utilities[i], truth.Frontier[j].Utilities[i]
					if want && math.Abs(got-real) > 1e-6 {
						t.Errorf("party %d package %d: %v, want its utility %v", i, j, got, real)
					}
					ranks[got] = true
					for k, q := range ra.Frontier {
						if real2 := truth.Frontier[k].Utilities[i]; math.Abs(real-real2) > 1e-6 && cmp.Compare(got, q.Utilities[i]) != cmp.Compare(real, real2) {
							t.Errorf("party %d: packages %d and %d in another order", i, j, k)
						}
					}
				}
				if want {
					continue
				}
				for _, p := range append([]bargain.Point{ra.Draft.Draft, *ra.Nash}, ra.Frontier...) {
					u := p.Utilities[i]
					if u < 0 || u > 1 {
						t.Errorf("party %d rank %v outside 0–1", i, u)
					}
				}
				if math.Abs(ra.Draft.Draft.Utilities[i]-truthOf(t, &d, &gov, &opp, i, ra.Draft.Draft.Bid)) < 1e-6 {
					t.Errorf("party %d: the draft's utility is shown: %v", i, ra.Draft.Draft.Utilities[i])
				}
			}
		}
		check([]bool{false, false})

		// Sharing is the head's act.
		if _, err := w.B.SetShared(w.ctx, w.GovMember, r, true); errs.Code(err) != errs.Forbidden {
			t.Fatalf("a member shares the delegation's profile: %v", err)
		}
		if _, err := w.B.SetShared(w.ctx, w.Gov, r, true); err != nil {
			t.Fatal(err)
		}
		check([]bool{true, false})
		ra, _ := w.B.Analysis(w.ctx, w.Med, r)
		if ra.Disagreement[0] == nil || math.Abs(*ra.Disagreement[0]-truth.Disagreement[0]) > 1e-6 {
			t.Errorf("the shared reservation value %v, want %v", ra.Disagreement[0], truth.Disagreement[0])
		}
		// A member may save the profile as it is shared.
		if _, err := w.B.SetProfile(w.ctx, w.GovMember, r, bargain.ProfileInput{Profile: gov, Shared: true}); err != nil {
			t.Fatalf("a member saves the shared profile: %v", err)
		}
		if _, err := w.B.SetProfile(w.ctx, w.GovMember, r, bargain.ProfileInput{Profile: gov}); errs.Code(err) != errs.Forbidden {
			t.Fatalf("a member withdraws the share: %v", err)
		}
	})
}

// truthOf is party i's utility of bid, computed from the profiles.
func truthOf(t *testing.T, d *bargain.Domain, gov, opp *bargain.Profile, i int, bid bargain.Bid) float64 {
	t.Helper()
	a, err := bargain.Analyze(d, []*bargain.Profile{gov, opp}, bargain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := a.CompareDraft(bid)
	if err != nil {
		t.Fatal(err)
	}
	return dc.Draft.Utilities[i]
}
