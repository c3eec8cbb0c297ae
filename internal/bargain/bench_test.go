package bargain

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// benchCase is a domain of the given shape with random profiles of GeniusWeb
// style (ratings with many decimals), reproducible from the seed.
func benchCase(parties, issues, options int, seed uint64) (*Domain, []*Profile) {
	r := rand.New(rand.NewPCG(seed, 7))
	d := &Domain{Name: "bench"}
	for i := 0; i < issues; i++ {
		is := Issue{Name: "issue" + strconv.Itoa(i)}
		for o := 0; o < options; o++ {
			is.Values = append(is.Values, "v"+strconv.Itoa(o))
		}
		d.Issues = append(d.Issues, is)
	}
	var ps []*Profile
	for p := 0; p < parties; p++ {
		pr := &Profile{Name: "party" + strconv.Itoa(p), Domain: d.Name, Issues: map[string]IssueUtility{}}
		for _, is := range d.Issues {
			iu := IssueUtility{Weight: r.Float64() + 0.01, Values: map[string]float64{}}
			for _, v := range is.Values {
				iu.Values[v] = r.Float64()
			}
			pr.Issues[is.Name] = iu
		}
		ps = append(ps, pr)
	}
	return d, ps
}

// BenchmarkAnalyze measures the whole analysis (frontier, Nash, Kalai,
// welfare) on the issue's three target shapes, and reports the frontier
// size, the peak memory the analysis accounted for, and — where brute force
// is feasible — how many times faster than enumeration it is.
func BenchmarkAnalyze(b *testing.B) {
	tests := []struct {
		parties, issues, options int
	}{
		{2, 5, 10}, // 10^5 outcomes: brute force feasible, for the ratio
		{3, 5, 10},
		{2, 10, 10},
		{2, 40, 10},
		{3, 14, 10},
	}
	for _, tc := range tests {
		b.Run(fmt.Sprintf("parties=%d/issues=%dx%d", tc.parties, tc.issues, tc.options), func(b *testing.B) {
			d, ps := benchCase(tc.parties, tc.issues, tc.options, 1)
			var a *Analysis
			var err error
			b.ReportAllocs()
			for b.Loop() {
				a, err = Analyze(d, ps, Options{})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(a.Frontier)), "frontier")
			b.ReportMetric(float64(a.PeakBytes)/(1<<20), "peakMiB")
			if !a.Exact {
				b.ReportMetric(a.Epsilon, "epsilon")
			}
			if a.Outcomes.IsInt64() && a.Outcomes.Int64() <= 1_000_000 {
				start := time.Now()
				bruteForce(a.m)
				bruteTime := time.Since(start)
				perOp := b.Elapsed() / time.Duration(b.N)
				b.ReportMetric(float64(bruteTime)/float64(perOp), "x-vs-brute")
			}
		})
	}
}
