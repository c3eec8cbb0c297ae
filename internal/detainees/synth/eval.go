package synth

import "parley/internal/detainees/match"

// Scores measure a matching run against the truth of a data set.
type Scores struct {
	TruePairs int
	// BlockingRecall is the share of true pairs that shared a blocking key
	// and so were compared (needs match.Options.Explain; else -1).
	BlockingRecall float64
	// Precision, Recall and F1 of the accepted pairs (all scopes).
	Precision, Recall, F1 float64
	// Settled*: the same once a person settles the review band correctly
	// (the true pairs in it confirmed, the others rejected).
	SettledPrecision, SettledRecall, SettledF1 float64
	// Review is the number of pairs in the review band, ReviewPer1000 that
	// per thousand records of both lists.
	Review        int
	ReviewPer1000 float64
	// Thresholds scores the pairs and review band cut at other acceptance
	// thresholds (from the review threshold up), without running the
	// matcher again: what Options.Accept would give, clustering aside.
	Thresholds []ThresholdScore
}

// ThresholdScore is precision, recall and F1 of the pairs with a
// probability of at least Accept.
type ThresholdScore struct {
	Accept, Precision, Recall, F1 float64
}

// Evaluate scores res (from match.Link(d.A, d.B, ...) with Duplicates) on
// the truth. Pairs inside a list count both ways round.
func Evaluate(truth []TruePair, res match.Result) Scores {
	type key struct{ scope, a, b string }
	norm := func(scope, a, b string) key {
		if scope != "ab" && a > b {
			a, b = b, a
		}
		return key{scope, a, b}
	}
	isTrue := make(map[key]bool, len(truth))
	for _, t := range truth {
		isTrue[norm(t.Scope, t.A, t.B)] = true
	}
	s := Scores{TruePairs: len(truth), BlockingRecall: -1}
	var tp, fp, reviewTrue int
	cuts := []float64{0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99}
	cutTP, cutFP := make([]int, len(cuts)), make([]int, len(cuts))
	tally := func(p float64, ok bool) {
		for k, c := range cuts {
			if p >= c {
				if ok {
					cutTP[k]++
				} else {
					cutFP[k]++
				}
			}
		}
	}
	for _, sc := range []struct {
		scope string
		l     match.Links
	}{{"ab", res.Links}, {"aa", res.WithinA}, {"bb", res.WithinB}} {
		for _, p := range sc.l.Pairs {
			ok := isTrue[norm(sc.scope, p.A, p.B)]
			if ok {
				tp++
			} else {
				fp++
			}
			tally(p.Probability, ok)
		}
		for _, p := range sc.l.Review {
			s.Review++
			ok := isTrue[norm(sc.scope, p.A, p.B)]
			if ok {
				reviewTrue++
			}
			tally(p.Probability, ok)
		}
	}
	if res.Compared != nil && len(truth) > 0 {
		found := 0
		for _, t := range truth {
			la, lb := "a", "b"
			switch t.Scope {
			case "aa":
				lb = "a"
			case "bb":
				la = "b"
			}
			if res.Compared(match.Member{List: la, ID: t.A}, match.Member{List: lb, ID: t.B}) {
				found++
			}
		}
		s.BlockingRecall = float64(found) / float64(len(truth))
	}
	s.Precision, s.Recall, s.F1 = prf(tp, fp, len(truth))
	s.SettledPrecision, s.SettledRecall, s.SettledF1 = prf(tp+reviewTrue, fp, len(truth))
	for k, c := range cuts {
		p, r, f := prf(cutTP[k], cutFP[k], len(truth))
		s.Thresholds = append(s.Thresholds, ThresholdScore{c, p, r, f})
	}
	if n := res.Stats.RecordsA + res.Stats.RecordsB; n > 0 {
		s.ReviewPer1000 = float64(s.Review) * 1000 / float64(n)
	}
	return s
}

func prf(tp, fp, truth int) (p, r, f float64) {
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if truth > 0 {
		r = float64(tp) / float64(truth)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}
