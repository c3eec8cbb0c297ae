package bargain

import (
	"errors"
	"math"
	"math/big"
	"slices"
	"time"
)

// WelfareWarning accompanies every maximum-welfare result.
const WelfareWarning = "maximum social welfare adds the parties' utilities as if one party's point were worth another's; the parties never agreed to compare their scales"

// Options bound an analysis.
type Options struct {
	// MemoryLimit bounds, in bytes, the frontier points and merge candidates
	// held at once. 0 means DefaultMemoryLimit.
	MemoryLimit int64
	// MaxFrontier bounds the number of points of any frontier computed
	// exactly. Beyond it (or beyond MemoryLimit) a two-party analysis fails
	// with CodeTooLarge and an analysis of three or more parties falls back
	// to the approximation. 0 means DefaultMaxFrontier.
	MaxFrontier int
	// Epsilon is the first error bound tried by the approximation, on the
	// 0–1 scale; it is quadrupled until the approximate frontier fits, up to
	// MaxEpsilon. 0 means DefaultEpsilon.
	Epsilon float64
	// MaxEpsilon is the coarsest approximation worth listing. Beyond it the
	// frontier is omitted, and the Nash and maximum-welfare points are
	// still found exactly. 0 means DefaultMaxEpsilon.
	MaxEpsilon float64
	// MaxWork bounds the dominance comparisons of a frontier of four or
	// more parties. 0 means DefaultMaxWork.
	MaxWork int64
	// ExactOnly refuses the approximation: a frontier too large to list is
	// an error with CodeTooLarge.
	ExactOnly bool
	// MaxSearchNodes bounds the branch and bound for the Nash point in the
	// approximate case. 0 means DefaultMaxSearchNodes.
	MaxSearchNodes int64
}

// Defaults for Options.
const (
	DefaultMemoryLimit    = 256 << 20
	DefaultMaxFrontier    = 200_000
	DefaultEpsilon        = 0.005
	DefaultMaxEpsilon     = 0.08
	DefaultMaxWork        = 100_000_000
	DefaultMaxSearchNodes = 200_000_000
)

func (o Options) withDefaults() Options {
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = DefaultMemoryLimit
	}
	if o.MaxFrontier <= 0 {
		o.MaxFrontier = DefaultMaxFrontier
	}
	if o.Epsilon <= 0 {
		o.Epsilon = DefaultEpsilon
	}
	if o.MaxEpsilon <= 0 {
		o.MaxEpsilon = DefaultMaxEpsilon
	}
	if o.MaxWork <= 0 {
		o.MaxWork = DefaultMaxWork
	}
	if o.MaxSearchNodes <= 0 {
		o.MaxSearchNodes = DefaultMaxSearchNodes
	}
	return o
}

// Point is a package with its utility for each party, in profile order.
type Point struct {
	Bid Bid `json:"bid"`
	// Utilities are on GeniusWeb's 0–1 scale.
	Utilities []float64 `json:"utilities"`
	// Scaled are the exact utilities in units of 1/Scale; every comparison
	// the analysis makes is on these.
	Scaled []int64 `json:"-"`
	opts   []int
}

// Analysis is the result of Analyze.
type Analysis struct {
	// Outcomes is the number of packages in the domain.
	Outcomes *big.Int `json:"outcomes"`
	// Frontier lists the distinct utility vectors no package strictly
	// dominates, each with the lexicographically smallest package attaining
	// it (options compared issue by issue in domain order), sorted by
	// descending utility of the first party, then the second, and so on.
	Frontier []Point `json:"frontier"`
	// Exact is false when the frontier is the approximation.
	Exact bool `json:"exact"`
	// Epsilon is the approximation's error bound on the 0–1 scale: every
	// package on the true frontier is within Epsilon, in every party's
	// utility, of a listed package. 0 when Exact.
	Epsilon float64 `json:"epsilon"`
	// FrontierOmitted is set when even the coarsest approximation allowed
	// (Options.MaxEpsilon) is too large to list; Frontier and Kalai are then
	// empty, while Nash and MaxWelfare are still exact.
	FrontierOmitted bool `json:"frontier_omitted,omitempty"`
	// Disagreement is each party's utility of no agreement.
	Disagreement []float64 `json:"disagreement"`
	// Nash maximises the product of gains over disagreement among packages
	// giving every party a strictly positive gain; nil when there is none.
	// Always exact.
	Nash *Point `json:"nash"`
	// Kalai is the frontier point with the smallest spread between the
	// best- and worst-off party (for two parties |uA − uB|). Approximate
	// when the frontier is.
	Kalai *Point `json:"kalai"`
	// MaxWelfare maximises the sum of utilities. Always exact.
	MaxWelfare *Point `json:"max_welfare"`
	// WelfareWarning is the caveat that goes with MaxWelfare.
	WelfareWarning string `json:"welfare_warning"`
	// PeakBytes is the most memory the frontier computation accounted for.
	PeakBytes int64         `json:"peak_bytes"`
	Elapsed   time.Duration `json:"-"`

	m     *model
	front *front
}

// Analyze computes the package analysis of a domain for 2 to 5 profiles.
func Analyze(d *Domain, profiles []*Profile, opt Options) (*Analysis, error) {
	start := time.Now()
	opt = opt.withDefaults()
	m, err := compile(d, profiles)
	if err != nil {
		return nil, err
	}
	a := &Analysis{Outcomes: d.OutcomeCount(), Exact: true, WelfareWarning: WelfareWarning, m: m}
	for _, v := range m.disagreement {
		a.Disagreement = append(a.Disagreement, toUnit(v))
	}
	b := &builder{m: m, d: m.parties, limit: opt.MemoryLimit, maxPoints: opt.MaxFrontier, maxWork: opt.MaxWork}
	root, err := b.build(0, len(d.Issues))
	a.PeakBytes = b.peak
	var te *Error
	if err != nil && errors.As(err, &te) && te.Code == CodeTooLarge && m.parties >= 3 && !opt.ExactOnly {
		root, err = approximate(m, opt, a)
	}
	if err != nil {
		return nil, err
	}
	a.MaxWelfare = m.maxWelfare()
	var f *front
	if root != nil {
		f = root.f
		a.front = f
		a.Frontier = make([]Point, f.n())
		for k := range a.Frontier {
			a.Frontier[k] = m.point(root.bidOf(k))
		}
		if k := kalaiOnFront(f); k >= 0 {
			p := a.Frontier[k]
			a.Kalai = &p
		}
	} else {
		a.Exact = false
		a.FrontierOmitted = true
	}
	if a.Exact {
		if k := nashOnFront(f, m.disagreement); k >= 0 {
			p := a.Frontier[k]
			a.Nash = &p
		}
	} else {
		// Start the search from the best package at hand: the approximate
		// frontier's Nash point, or the maximum-welfare package.
		incOpts := a.MaxWelfare.opts
		if f != nil {
			if k := nashOnFront(f, m.disagreement); k >= 0 {
				incOpts = a.Frontier[k].opts
			}
		}
		opts, err := nashSearch(m, incOpts, opt.MaxSearchNodes)
		if err != nil {
			return nil, err
		}
		if opts != nil {
			p := m.point(opts)
			a.Nash = &p
		}
	}
	a.Elapsed = time.Since(start)
	return a, nil
}

// approximate recomputes the frontier with grid pruning, quadrupling the error
// bound until it fits within the memory bound and frontier size.
func approximate(m *model, opt Options, a *Analysis) (*node, error) {
	issues := len(m.domain.Issues)
	eps := opt.Epsilon
	for eps <= opt.MaxEpsilon {
		// The error adds up over the merges: delta per pruned merge, and
		// there are issues-1 merges.
		merges := int64(max(issues-1, 1))
		delta := int64(eps*float64(Scale)) / merges
		if delta < 1 {
			delta = 1
		}
		b := &builder{m: m, d: m.parties, limit: opt.MemoryLimit, maxPoints: opt.MaxFrontier, maxWork: opt.MaxWork, delta: delta}
		root, err := b.build(0, issues)
		a.PeakBytes = max(a.PeakBytes, b.peak)
		if err == nil {
			a.Exact = false
			a.Epsilon = float64(delta*int64(b.merges)) / float64(Scale)
			return root, nil
		}
		var te *Error
		if !errors.As(err, &te) || te.Code != CodeTooLarge {
			return nil, err
		}
		eps *= 4
	}
	return nil, nil
}

// bidOf reconstructs the package of point k of this node's front.
func (nd *node) bidOf(k int) []int {
	out := make([]int, nd.hi-nd.lo)
	nd.fill(k, out, nd.lo)
	return out
}

func (nd *node) fill(k int, out []int, base int) {
	if nd.left == nil {
		out[nd.lo-base] = int(nd.f.l[k])
		return
	}
	nd.left.fill(int(nd.f.l[k]), out, base)
	nd.right.fill(int(nd.f.r[k]), out, base)
}

func (m *model) point(opts []int) Point {
	u := m.utilities(opts)
	p := Point{Bid: m.bid(opts), Scaled: u, opts: opts}
	for _, v := range u {
		p.Utilities = append(p.Utilities, toUnit(v))
	}
	return p
}

// maxWelfare is separable: with additive utilities the package of greatest
// total utility takes, on every issue, the option of greatest total
// contribution (the first such option, so ties go to the smallest package).
func (m *model) maxWelfare() *Point {
	opts := make([]int, len(m.opts))
	for i, c := range m.contrib {
		best := int64(math.MinInt64)
		for o := range m.opts[i] {
			var s int64
			for p := 0; p < m.parties; p++ {
				s += c[o*m.parties+p]
			}
			if s > best {
				best, opts[i] = s, o
			}
		}
	}
	p := m.point(opts)
	return &p
}

// gainProduct is the exact product of gains over disagreement, or nil when
// some gain is not positive.
func gainProduct(u, dis []int64) *big.Int {
	prod := big.NewInt(1)
	var g big.Int
	for p := range u {
		if u[p] <= dis[p] {
			return nil
		}
		prod.Mul(prod, g.SetInt64(u[p]-dis[p]))
	}
	return prod
}

// gainFloat is the product of gains in floating point, used to skip exact
// arithmetic for candidates that are clearly worse. 0 when some gain is not
// positive.
func gainFloat(u, dis []int64) float64 {
	prod := 1.0
	for p := range u {
		if u[p] <= dis[p] {
			return 0
		}
		prod *= float64(u[p]-dis[p]) / float64(Scale)
	}
	return prod
}

// closeEnough reports whether x might equal or exceed best given float
// rounding; only such candidates are compared exactly.
func closeEnough(x, best float64) bool { return x >= best*(1-1e-9) }

// nashOnFront picks the Nash point among the front's points: the largest
// exact product of gains, ties to the smallest package. -1 when no point
// gives every party a positive gain.
func nashOnFront(f *front, dis []int64) int {
	best, bestF := (*big.Int)(nil), 0.0
	bestK := -1
	for k := 0; k < f.n(); k++ {
		u := f.at(k)
		x := gainFloat(u, dis)
		if x == 0 || !closeEnough(x, bestF) {
			continue
		}
		prod := gainProduct(u, dis)
		c := 1
		if best != nil {
			c = prod.Cmp(best)
		}
		if c > 0 || (c == 0 && f.rank[k] < f.rank[bestK]) {
			best, bestF, bestK = prod, x, k
		}
	}
	return bestK
}

// kalaiOnFront picks the point with the smallest spread between the largest
// and smallest utility; ties go to the larger total, then the smaller
// package.
func kalaiOnFront(f *front) int {
	bestK := -1
	var bestSpread, bestSum int64
	for k := 0; k < f.n(); k++ {
		u := f.at(k)
		lo, hi := slices.Min(u), slices.Max(u)
		var sum int64
		for _, v := range u {
			sum += v
		}
		spread := hi - lo
		if bestK < 0 || spread < bestSpread ||
			(spread == bestSpread && (sum > bestSum || (sum == bestSum && f.rank[k] < f.rank[bestK]))) {
			bestK, bestSpread, bestSum = k, spread, sum
		}
	}
	return bestK
}

// Draft status values of DraftComparison.
const (
	DraftOnFrontier   = "on_frontier"
	DraftDominated    = "dominated"
	DraftUndetermined = "undetermined" // approximate frontier, no listed point dominates it
)

// DraftComparison compares a draft package with the analysis.
type DraftComparison struct {
	Draft  Point  `json:"draft"`
	Status string `json:"status"`
	// Improvements are the frontier packages that leave every party at least
	// as well off as the draft (including the draft's own vector when it is
	// on the frontier).
	Improvements []Point `json:"improvements"`
}

// CompareDraft places a draft package relative to the frontier.
func (a *Analysis) CompareDraft(b Bid) (*DraftComparison, error) {
	opts, err := bidOptions(a.m.domain, a.m.opts, b, "draft")
	if err != nil {
		return nil, err
	}
	dc := &DraftComparison{Draft: a.m.point(opts), Status: DraftUndetermined}
	if a.Exact {
		dc.Status = DraftDominated
	}
	u := dc.Draft.Scaled
	for _, p := range a.Frontier {
		if !weaklyDominates(p.Scaled, u) {
			continue
		}
		dc.Improvements = append(dc.Improvements, p)
		if slices.Equal(p.Scaled, u) {
			if a.Exact {
				dc.Status = DraftOnFrontier
			}
		} else {
			dc.Status = DraftDominated
		}
	}
	return dc, nil
}
