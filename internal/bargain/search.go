package bargain

import (
	"math"
	"math/big"
	"slices"
)

// nashSearch finds the exact Nash point by branch and bound over the issues,
// without listing the frontier. incumbent, when not nil, is a good package
// to start from (the best on the approximate frontier). It returns nil when
// no package gives every party a strictly positive gain.
//
// Each issue branches only on its own frontier options: an option another
// option weakly beats for every party can be swapped out without lowering
// any gain, and with all gains positive the product strictly rises, so no
// Nash point uses it (duplicates keep their first option).
//
// A subtree with partial utilities s and remaining issues k.. is bounded by
// the smaller of
//
//   - ∏ₚ (sₚ + Rₚ − dₚ), where Rₚ is party p's best possible remainder, and
//   - for weights λ > 0, by the AM–GM inequality,
//     ∏ₚ gₚ ≤ (Σₚ λₚ gₚ / n)ⁿ / ∏ₚ λₚ, and the largest Σₚ λₚ gₚ of a
//     completion is separable issue by issue, so it is precomputed as a
//     suffix sum. With λₚ = 1/gₚ of a near-optimal package the bound is
//     tight near the optimum, which is what makes the search fast.
//
// Bounds are in floating point with a safety margin; leaves are compared
// exactly, and ties go to the lexicographically smallest package.
func nashSearch(m *model, incumbent []int, maxNodes int64) ([]int, error) {
	n := m.parties
	issues := len(m.opts)
	dis := m.disagreement
	b := &builder{m: m, d: n}
	cand := make([][]int, issues) // per issue: its frontier options
	for i := range cand {
		f := b.leaf(i)
		for k := 0; k < f.n(); k++ {
			cand[i] = append(cand[i], int(f.l[k]))
		}
	}
	c := func(i, o, p int) float64 { return float64(m.contrib[i][o*n+p]) / float64(Scale) }
	fd := make([]float64, n)
	for p := range fd {
		fd[p] = float64(dis[p]) / float64(Scale)
	}
	// rem[k][p]: party p's best utility from issues k.., exactly.
	rem := make([][]int64, issues+1)
	rem[issues] = make([]int64, n)
	for i := issues - 1; i >= 0; i-- {
		rem[i] = slices.Clone(rem[i+1])
		for p := 0; p < n; p++ {
			var best int64
			for _, o := range cand[i] {
				best = max(best, m.contrib[i][o*n+p])
			}
			rem[i][p] += best
		}
	}
	type lambdaBound struct {
		w      []float64
		suffix []float64 // suffix[k]: max over completions of Σ w·u on issues k..
		logDen float64   // Σ log w
	}
	var bounds []lambdaBound
	addLambda := func(w []float64) {
		lb := lambdaBound{w: w, suffix: make([]float64, issues+1)}
		for _, x := range w {
			lb.logDen += math.Log(x)
		}
		for i := issues - 1; i >= 0; i-- {
			best := math.Inf(-1)
			for _, o := range cand[i] {
				s := 0.0
				for p := 0; p < n; p++ {
					s += w[p] * c(i, o, p)
				}
				best = max(best, s)
			}
			lb.suffix[i] = lb.suffix[i+1] + best
		}
		bounds = append(bounds, lb)
	}

	var best *big.Int
	bestF := 0.0
	var bestOpts []int
	if incumbent != nil {
		u := m.utilities(incumbent)
		if prod := gainProduct(u, dis); prod != nil {
			best, bestF, bestOpts = prod, gainFloat(u, dis), slices.Clone(incumbent)
			w := make([]float64, n)
			for p := range w {
				w[p] = float64(Scale) / float64(u[p]-dis[p])
			}
			addLambda(w)
		}
	}
	uniform := make([]float64, n)
	for p := range uniform {
		uniform[p] = 1
	}
	addLambda(uniform)

	// Try the options of each issue in order of the first λ's score so that
	// good packages are found early.
	for i := range cand {
		w := bounds[0].w
		score := func(o int) float64 {
			s := 0.0
			for p := 0; p < n; p++ {
				s += w[p] * c(i, o, p)
			}
			return s
		}
		slices.SortStableFunc(cand[i], func(x, y int) int {
			sx, sy := score(x), score(y)
			switch {
			case sx > sy:
				return -1
			case sx < sy:
				return 1
			}
			return x - y
		})
	}

	var nodes int64
	cur := make([]int, issues)
	s := make([]int64, n)
	sf := make([]float64, n)
	var err error
	var dfs func(k int)
	dfs = func(k int) {
		if err != nil {
			return
		}
		if nodes++; nodes > maxNodes {
			err = tooLarge("the Nash search exceeded %d nodes", maxNodes)
			return
		}
		if k == issues {
			x := gainFloat(s, dis)
			if x == 0 || !closeEnough(x, bestF) {
				return
			}
			prod := gainProduct(s, dis)
			cmp := 1
			if best != nil {
				cmp = prod.Cmp(best)
			}
			if cmp > 0 || (cmp == 0 && slices.Compare(cur, bestOpts) < 0) {
				best, bestF, bestOpts = prod, x, slices.Clone(cur)
			}
			return
		}
		// Upper bound of the product over this subtree.
		ub := 1.0
		for p := 0; p < n; p++ {
			g := s[p] + rem[k][p] - dis[p]
			if g <= 0 {
				return // some party cannot gain
			}
			ub *= float64(g) / float64(Scale)
		}
		for _, lb := range bounds {
			t := lb.suffix[k]
			for p := 0; p < n; p++ {
				t += lb.w[p] * (sf[p] - fd[p])
			}
			if t <= 0 {
				continue // rounding near zero; the exact test above decides
			}
			ub = min(ub, math.Exp(float64(n)*math.Log(t/float64(n))-lb.logDen))
		}
		if best != nil && ub*(1+1e-9) < bestF {
			return
		}
		for _, o := range cand[k] {
			cur[k] = o
			for p := 0; p < n; p++ {
				v := m.contrib[k][o*n+p]
				s[p] += v
				sf[p] = float64(s[p]) / float64(Scale)
			}
			dfs(k + 1)
			for p := 0; p < n; p++ {
				v := m.contrib[k][o*n+p]
				s[p] -= v
				sf[p] = float64(s[p]) / float64(Scale)
			}
		}
	}
	dfs(0)
	if err != nil {
		return nil, err
	}
	return bestOpts, nil
}
