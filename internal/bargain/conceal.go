package bargain

import (
	"slices"
)

// What the mediation learns of a party that has not shared its profile
// (docs/bargain.md "What the mediation sees"). The analysis needs every
// party's cardinal utilities to find the efficient packages and the Nash,
// Kalai and welfare solutions, and the mediation sees those packages. But
// a party's utility for each package the mediation may ask about (every
// frontier package, and any draft it sets) is its weights × ratings, so
// that showing them would give the weights away package by package. For a
// party that has not shared, the stored analysis therefore keeps only the
// party's rank order of the packages it shows, and no reservation value.

// conceal replaces, for every party that has not shared its profile, its
// utilities in the analysis by its rank order of the packages shown, on
// the same 0–1 axis (0 the package it likes least among them, 1 the one it
// likes most, equal utilities equal ranks), and withholds its reservation
// value. It is idempotent: ranks of ranks are the same ranks.
func (ra *RoundAnalysis) conceal() {
	for i := range ra.Parties {
		ra.Parties[i].Cardinal = ra.Parties[i].Shared
		if ra.Parties[i].Shared {
			continue
		}
		points := ra.points()
		var values []float64
		for _, p := range points {
			if i < len(p.Utilities) {
				values = append(values, p.Utilities[i])
			}
		}
		slices.Sort(values)
		values = slices.Compact(values)
		// Every rank is found before any is written: the solutions may
		// share their utilities with a frontier package.
		ranks := make([]float64, len(points))
		for k, p := range points {
			if i < len(p.Utilities) {
				r, _ := slices.BinarySearch(values, p.Utilities[i])
				ranks[k] = 1
				if len(values) > 1 {
					ranks[k] = float64(r) / float64(len(values)-1)
				}
			}
		}
		for k, p := range points {
			if i < len(p.Utilities) {
				p.Utilities[i] = ranks[k]
			}
		}
		if i < len(ra.Disagreement) {
			ra.Disagreement[i] = nil
		}
	}
}

// points lists every package of the analysis that carries utilities.
func (ra *RoundAnalysis) points() []*Point {
	var out []*Point
	for i := range ra.Frontier {
		out = append(out, &ra.Frontier[i])
	}
	for _, p := range []*Point{ra.Nash, ra.Kalai, ra.MaxWelfare} {
		if p != nil {
			out = append(out, p)
		}
	}
	if ra.Draft != nil {
		out = append(out, &ra.Draft.Draft)
		for i := range ra.Draft.Improvements {
			out = append(out, &ra.Draft.Improvements[i])
		}
	}
	return out
}
