package bargain

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// brute is the analysis by enumerating every package, the reference the
// divide-and-conquer frontier must match exactly.
type brute struct {
	frontier []bruteHit // distinct non-dominated vectors, descending
	nash     []int      // nil when no package gives all parties a gain
	kalai    []int
	welfare  []int
}

type bruteHit struct {
	u    []int64
	opts []int // lexicographically smallest package with this vector
}

func enumerate(m *model, visit func(opts []int, u []int64)) {
	n, issues := m.parties, len(m.opts)
	opts := make([]int, issues)
	u := make([]int64, n)
	for i := range opts {
		for p := 0; p < n; p++ {
			u[p] += m.contrib[i][p]
		}
	}
	for {
		visit(opts, u)
		// Odometer with the last issue fastest: packages in lexicographic order.
		i := issues - 1
		for ; i >= 0; i-- {
			for p := 0; p < n; p++ {
				u[p] -= m.contrib[i][opts[i]*n+p]
			}
			opts[i]++
			if opts[i] < len(m.opts[i]) {
				for p := 0; p < n; p++ {
					u[p] += m.contrib[i][opts[i]*n+p]
				}
				break
			}
			opts[i] = 0
			for p := 0; p < n; p++ {
				u[p] += m.contrib[i][p]
			}
		}
		if i < 0 {
			return
		}
	}
}

func bruteForce(m *model) brute {
	var br brute
	seen := map[string]int{}
	var hits []bruteHit
	var best *big.Int
	var bestWelfare int64
	first := true
	enumerate(m, func(opts []int, u []int64) {
		key := fmt.Sprint(u)
		if _, ok := seen[key]; !ok {
			seen[key] = len(hits)
			hits = append(hits, bruteHit{u: slices.Clone(u), opts: slices.Clone(opts)})
		}
		if prod := gainProduct(u, m.disagreement); prod != nil && (best == nil || prod.Cmp(best) > 0) {
			best, br.nash = prod, slices.Clone(opts)
		}
		var w int64
		for _, v := range u {
			w += v
		}
		if first || w > bestWelfare {
			first, bestWelfare, br.welfare = false, w, slices.Clone(opts)
		}
	})
	slices.SortFunc(hits, func(a, b bruteHit) int { return cmpVecDesc(a.u, b.u) })
	for _, h := range hits {
		dom := false
		for _, k := range br.frontier {
			if weaklyDominates(k.u, h.u) {
				dom = true
				break
			}
		}
		if !dom {
			br.frontier = append(br.frontier, h)
		}
	}
	var bestSpread, bestSum int64
	for _, h := range br.frontier {
		spread := slices.Max(h.u) - slices.Min(h.u)
		var sum int64
		for _, v := range h.u {
			sum += v
		}
		if br.kalai == nil || spread < bestSpread || (spread == bestSpread &&
			(sum > bestSum || (sum == bestSum && slices.Compare(h.opts, br.kalai) < 0))) {
			br.kalai, bestSpread, bestSum = h.opts, spread, sum
		}
	}
	return br
}

// randomCase builds a random domain with at most maxOutcomes packages and
// random profiles. Ratings are drawn either from a coarse grid (many ties
// and duplicate options) or with many decimals (few ties).
func randomCase(r *rand.Rand, parties, maxOutcomes int) (*Domain, []*Profile) {
	d := &Domain{Name: "random"}
	outcomes := 1
	for len(d.Issues) == 0 || (r.IntN(8) > 0 && len(d.Issues) < 12) {
		k := 1 + r.IntN(8)
		if outcomes*k > maxOutcomes {
			if outcomes*2 > maxOutcomes {
				break
			}
			k = maxOutcomes / outcomes
		}
		outcomes *= k
		is := Issue{Name: "issue" + strconv.Itoa(len(d.Issues))}
		for o := 0; o < k; o++ {
			is.Values = append(is.Values, "v"+strconv.Itoa(o))
		}
		d.Issues = append(d.Issues, is)
	}
	coarse := r.IntN(2) == 0
	var profiles []*Profile
	for p := 0; p < parties; p++ {
		pr := &Profile{Name: "party" + strconv.Itoa(p), Domain: d.Name, Issues: map[string]IssueUtility{}}
		for _, is := range d.Issues {
			iu := IssueUtility{Values: map[string]float64{}}
			if coarse {
				iu.Weight = float64(1 + r.IntN(4))
			} else {
				iu.Weight = r.Float64() + 0.01
			}
			for _, v := range is.Values {
				if coarse {
					iu.Values[v] = float64(r.IntN(5)) / 4
				} else {
					iu.Values[v] = r.Float64()
				}
			}
			pr.Issues[is.Name] = iu
		}
		switch r.IntN(3) {
		case 0:
			v := float64(r.IntN(60)) / 100
			pr.ReservationValue = &v
		case 1:
			pr.ReservationBid = Bid{}
			for _, is := range d.Issues {
				pr.ReservationBid[is.Name] = is.Values[r.IntN(len(is.Values))]
			}
		}
		profiles = append(profiles, pr)
	}
	return d, profiles
}

func checkAgainstBrute(t *testing.T, name string, d *Domain, profiles []*Profile) {
	t.Helper()
	a, err := Analyze(d, profiles, Options{ExactOnly: true})
	if err != nil {
		t.Fatalf("%s: Analyze: %v", name, err)
	}
	br := bruteForce(a.m)
	if len(a.Frontier) != len(br.frontier) {
		t.Fatalf("%s: frontier has %d points, brute force %d", name, len(a.Frontier), len(br.frontier))
	}
	for k, p := range a.Frontier {
		h := br.frontier[k]
		if !slices.Equal(p.Scaled, h.u) || !slices.Equal(p.opts, h.opts) {
			t.Fatalf("%s: frontier point %d is %v %v, brute force %v %v", name, k, p.Scaled, p.opts, h.u, h.opts)
		}
	}
	same := func(what string, got *Point, want []int) {
		t.Helper()
		switch {
		case got == nil && want == nil:
		case got == nil || want == nil:
			t.Fatalf("%s: %s is %v, brute force %v", name, what, got, want)
		case !slices.Equal(got.opts, want):
			t.Fatalf("%s: %s is %v %v, brute force %v %v", name, what, got.opts, got.Scaled, want, a.m.utilities(want))
		}
	}
	same("nash", a.Nash, br.nash)
	same("kalai", a.Kalai, br.kalai)
	same("max welfare", a.MaxWelfare, br.welfare)
	// The branch and bound used for large frontiers must find the same
	// Nash point, with and without a starting package.
	for _, inc := range [][]int{nil, br.welfare} {
		got, err := nashSearch(a.m, inc, DefaultMaxSearchNodes)
		if err != nil {
			t.Fatalf("%s: nashSearch: %v", name, err)
		}
		if !slices.Equal(got, br.nash) {
			t.Fatalf("%s: nashSearch = %v, brute force %v", name, got, br.nash)
		}
	}
}

// TestFrontierMatchesBruteForce compares the analysis with enumeration on
// thousands of random domains: frontier sets and solution points must be
// exactly equal.
func TestFrontierMatchesBruteForce(t *testing.T) {
	tests := []struct {
		name        string
		cases       int
		parties     []int
		minOutcomes int64 // redraw smaller domains, so the large set is large
		maxOutcomes int
	}{
		{"tiny", 2000, []int{2, 3, 4}, 1, 64},
		{"small", 1000, []int{2, 3, 4}, 1, 2000},
		{"medium", 24, []int{2, 3, 4}, 2000, 20000},
		{"large", 3, []int{2, 3, 4}, 70000, 100000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(len(tc.name)), uint64(tc.cases)))
			for c := 0; c < tc.cases; c++ {
				parties := tc.parties[c%len(tc.parties)]
				d, profiles := randomCase(r, parties, tc.maxOutcomes)
				for d.OutcomeCount().Int64() < tc.minOutcomes {
					d, profiles = randomCase(r, parties, tc.maxOutcomes)
				}
				checkAgainstBrute(t, fmt.Sprintf("%s/%d (%d parties, %v outcomes)", tc.name, c, parties, d.OutcomeCount()), d, profiles)
			}
			t.Logf("%d random domains agree with brute force", tc.cases)
		})
	}
}
