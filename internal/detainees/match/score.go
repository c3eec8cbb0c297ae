package match

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Scoring. EM on the compared pairs gives m, the probability of each level
// of each field among matches. Those pairs were chosen by blocking, so their
// non-matches agree on names far more than people do in general; u, the
// probability of each level among non-matches, is therefore measured on
// random pairs of records instead, and the prior odds of a match are the
// share of all pairs that match, found as a fixed point over the compared
// pairs (fixPrior). A pair's log-odds is then the prior plus, per field, ln(m/u) of its level:
// the Fellegi–Sunter weight. For an agreeing name, u is the frequency of
// that name, so agreeing on a rare family name counts for more than on
// Mohammed.

// uSamples is the number of random pairs u is measured on.
const uSamples = 50_000

// uPrior is how many random pairs' worth of weight defaultU carries: on a
// short list, whose few pairs include its matches, it keeps u sensible.
const uPrior = 1000

// defaultU is what u is believed to be before the data speak: two people
// taken at random rarely share a name, a birth date or a national number.
var defaultU = [nFields][8]float64{
	fGiven:       {0, 0.95, 0.005, 0.01, 0.035},
	fFather:      {0, 0.95, 0.005, 0.01, 0.035},
	fGrandfather: {0, 0.95, 0.005, 0.01, 0.035},
	fFamily:      {0, 0.97, 0.005, 0.005, 0.02},
	fMother:      {0, 0.94, 0.005, 0.01, 0.045},
	fBirth:       {0, 0.92, 0.05, 0.029, 0.001},
	fPlace:       {0, 0.9, 0.01, 0.09},
	fNationalID:  {0, 0.99998, 0.00001, 0.00001},
	fSex:         {0, 0.2, 0.8},
	fArrest:      {0, 0.98, 0.015, 0.005},
	fArrestPlace: {0, 0.9, 0.01, 0.09},
}

// fit counts name frequencies, estimates m by EM on the compared pairs,
// u on random pairs, and the prior odds per scope.
func (l *linker) fit(byScope [2]map[pattern]float64) {
	for c := range l.freq {
		l.freq[c] = make([]float64, len(l.d.consS))
	}
	var total [3]float64
	var sides [2]float64
	for i := range l.recs {
		if l.skip[i] {
			continue
		}
		sides[l.recs[i].side]++
		for s := 0; s < nSlots; s++ {
			if t := l.recs[i].names[0][s]; t != 0 {
				c := freqClass(s)
				l.freq[c][l.d.cons[t]]++
				total[c]++
			}
		}
	}
	for c := range l.freq {
		for k := range l.freq[c] {
			l.freq[c][k] = (l.freq[c][k] + 1) / (total[c] + float64(len(l.freq[c])))
		}
	}

	counts := map[pattern]float64{}
	for s := range byScope {
		for p, n := range byScope[s] {
			counts[p] += n
		}
	}
	pc := make([]patternCount, 0, len(counts))
	for p, n := range counts {
		pc = append(pc, patternCount{p, n})
	}
	slices.SortFunc(pc, func(x, y patternCount) int { return cmp.Compare(x.p, y.p) })
	l.md = estimate(pc)

	u := l.sampleU()
	for f := 0; f < nFields; f++ {
		for lv := 1; lv < nLevels[f]; lv++ {
			l.weight[f][lv] = math.Log(l.md.m[f][lv] / u[f][lv])
		}
	}
	// The prior odds per scope: the share of all pairs that match, found
	// as the fixed point of "the expected number of matches among the
	// compared pairs, given that share" (pairs never compared are taken
	// not to match).
	pairs := [2]float64{sides[0]*(sides[0]-1)/2 + sides[1]*(sides[1]-1)/2, sides[0] * sides[1]}
	for s := range l.prior {
		l.prior[s] = l.fixPrior(byScope[s], pairs[s], min(sides[0], max(sides[1], 1)))
	}

	// Family evidence: brothers share father, grandfather, family name,
	// mother and birth place, so when the given names differ those
	// agreements together say "same family", not five independent times
	// "same person". Their sum is then capped at the odds that two records
	// are of one family, measured by the pairs that agree on the father's
	// and family name and the grandfather's or mother's but not on the
	// given name.
	var siblings float64
	for p, n := range counts {
		if g := p.level(fGiven); (g == lvDisagree || g == lvVowels) && p.level(fFather) == lvAgree && p.level(fFamily) == lvAgree &&
			(p.level(fGrandfather) == lvAgree || p.level(fMother) == lvAgree) {
			siblings += n
		}
	}
	l.familyCap = math.Log(0.9 * max(pairs[0]+pairs[1], 1) / max(siblings, 1))
	for f := fGiven; f <= fMother; f++ {
		l.logM[f] = math.Log(l.md.m[f][lvAgree])
	}
}

// fixPrior finds the log-odds that a pair of the scope matches: λ such that
// λ·pairs is the sum over compared pairs of their posterior under λ.
func (l *linker) fixPrior(counts map[pattern]float64, pairs, start float64) float64 {
	if pairs < 1 || len(counts) == 0 {
		return math.Log(1e-12)
	}
	lambda := min(start/pairs, 0.5)
	for range 100 {
		prior := math.Log(lambda / (1 - lambda))
		expected := 0.0
		for p, n := range counts {
			s := prior
			for f := 0; f < nFields; f++ {
				s += l.weight[f][p.level(f)]
			}
			expected += n * sigmoid(s)
		}
		next := min(max(expected/pairs, 1e-12), 0.5)
		if math.Abs(next-lambda) < 1e-4*lambda {
			lambda = next
			break
		}
		lambda = next
	}
	return math.Log(lambda / (1 - lambda))
}

// scopeIndex is 0 for a pair inside one list, 1 across the lists.
func (l *linker) scopeIndex(i, j int) int {
	if l.recs[i].side != l.recs[j].side {
		return 1
	}
	return 0
}

// sampleU measures the levels of each field on random pairs of the scope
// being matched (across the lists when there are two).
func (l *linker) sampleU() [nFields][8]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	var seen [nFields][8]float64
	n := len(l.recs)
	nb := n - l.na
	samples := n * (n - 1) / 2
	if l.b != nil {
		samples = l.na * nb
	}
	samples = min(samples, uSamples)
	for k, tries := 0, 0; k < samples && tries < 4*samples && n > 1; tries++ {
		var i, j int
		if l.b != nil && l.na > 0 && nb > 0 {
			i, j = rng.IntN(l.na), l.na+rng.IntN(nb)
		} else {
			i, j = rng.IntN(n), rng.IntN(n)
		}
		if i == j || l.skip[i] || l.skip[j] {
			continue
		}
		k++
		p := l.d.compare(&l.recs[i], &l.recs[j])
		for f := 0; f < nFields; f++ {
			seen[f][p.level(f)]++
		}
	}
	var u [nFields][8]float64
	for f := 0; f < nFields; f++ {
		var sum float64
		for lv := 1; lv < nLevels[f]; lv++ {
			sum += seen[f][lv] + uPrior*defaultU[f][lv]
		}
		for lv := 1; lv < nLevels[f]; lv++ {
			u[f][lv] = (seen[f][lv] + uPrior*defaultU[f][lv]) / sum
		}
	}
	return u
}

// freqClass maps a name field to its frequency table.
func freqClass(f int) int {
	switch f {
	case fFamily:
		return 1
	case fMother:
		return 2
	}
	return 0
}

// nameFreq is the frequency of the name a pair agrees on in field f.
func (l *linker) nameFreq(c cand, f int) float64 {
	vx, _ := c.p.readings()
	var t tokenID
	if f == fMother {
		t = l.recs[c.i].names[0][slotMother]
	} else {
		t = l.recs[c.i].names[vx][f]
	}
	return l.freq[freqClass(f)][l.d.cons[t]]
}

// familyFields are the fields whose agreement brothers share.
var familyFields = [nFields]bool{fFather: true, fGrandfather: true, fFamily: true, fMother: true, fPlace: true}

// logit is the log-odds that a compared pair names one person.
func (l *linker) logit(c cand) float64 {
	s := l.prior[l.scopeIndex(int(c.i), int(c.j))]
	family := 0.0
	for f := 0; f < nFields; f++ {
		lv := c.p.level(f)
		var w float64
		switch {
		case lv == 0:
			continue
		case f <= fMother && lv == lvAgree:
			w = l.logM[f] - math.Log(l.nameFreq(c, f))
		default:
			w = l.weight[f][lv]
		}
		if familyFields[f] && w > 0 {
			family += w
		} else {
			s += w
		}
	}
	if g := c.p.level(fGiven); g != lvAgree && g != lvMissing {
		family = min(family, l.familyCap)
	}
	return s + family
}
