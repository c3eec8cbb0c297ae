package detainees

import (
	"cmp"
	"maps"
	"slices"

	"parley/internal/detainees/match"
)

// scored is a pair of records the model links: ids in canonical order
// (A < B), its probability, and whether it falls in the review band.
type scored struct {
	A, B        string
	Probability float64
	Review      bool
}

// linker runs record linkage over every record of a process, given the
// reviewers' decisions so far (keyed by ordered pair: true for a match).
type linker func(recs []StoredRecord, decided map[[2]string]bool) []scored

// ordered returns a pair of record ids in canonical order.
func ordered(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

// decidedPairs returns the pairs of decided in a stable order, so that one
// set of inputs gives one result.
func decidedPairs(decided map[[2]string]bool) [][2]string {
	return slices.SortedFunc(maps.Keys(decided), func(x, y [2]string) int {
		return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1]))
	})
}

// matchLink is the one call into internal/detainees/match: the process's
// records as one set, matched within itself, so that the pairs across
// lists and the duplicates inside a list come out of one model whose
// weights are estimated on all of them. Records are named by parley's ids,
// unique across lists.
func matchLink(recs []StoredRecord, decided map[[2]string]bool) []scored {
	ms := make([]match.Record, len(recs))
	for i, r := range recs {
		ms[i] = r.Record.match()
		ms[i].ID = r.ID
	}
	opt := match.Options{}
	for _, k := range decidedPairs(decided) {
		opt.Decisions = append(opt.Decisions, match.Decision{A: k[0], B: k[1], Match: decided[k]})
	}
	res := match.Link(ms, nil, opt)
	out := make([]scored, 0, len(res.Pairs)+len(res.Review))
	for _, band := range []struct {
		pairs  []match.Pair
		review bool
	}{{res.Pairs, false}, {res.Review, true}} {
		for _, p := range band.pairs {
			k := ordered(p.A, p.B)
			out = append(out, scored{A: k[0], B: k[1], Probability: p.Probability, Review: band.review})
		}
	}
	return out
}
