package match

import (
	"cmp"
	"math"
	"runtime"
	"slices"
)

// Defaults of Options and fixed parameters of the method (see
// docs/detainees-matching.md).
const (
	DefaultAccept = 0.9
	DefaultReview = 0.3

	// maxBlock drops a blocking key shared by more records than this.
	maxBlock = 400
	// maxCluster bounds a cluster: one person is not entered a dozen times,
	// and a chain of merges that long is a chain of mistakes.
	maxCluster = 8
	// conflictBelow: two records whose own comparison says they are
	// different people with less than this probability are never put in one
	// cluster through others.
	conflictBelow = 0.02
	// tfClamp bounds the name-frequency adjustment of a weight, in nats.
	tfClamp = 4.0
)

// Link matches list b against list a, or a within itself when b is nil, and
// returns the accepted pairs, the review band and the clusters. Records
// whose ID is empty are skipped. Link never fails: bad or missing fields only
// weaken the evidence.
func Link(a, b []Record, opt Options) Result {
	if opt.Accept <= 0 || opt.Accept > 1 {
		opt.Accept = DefaultAccept
	}
	if opt.Review <= 0 {
		opt.Review = DefaultReview
	}
	opt.Review = min(opt.Review, opt.Accept)
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	cross := b != nil
	within := !cross || opt.Duplicates
	if len(a)+len(b) >= maxRecords {
		panic("match: too many records")
	}

	recs, dict := prepareAll(a, b, opt.Workers)
	l := &linker{a: a, b: b, na: len(a), recs: recs, d: dict, opt: opt}
	l.skip = make([]bool, len(recs))
	for i := range recs {
		l.skip[i] = l.id(i) == ""
	}
	l.blocks = buildBlocks(recs, dict, l.skip, maxBlock, opt.Workers)
	cands := l.blocks.compareBlocks(recs, dict, cross, within, opt.Workers)
	l.fit(cands)
	l.decide()

	var res Result
	l.out = &res
	res.Stats.RecordsA, res.Stats.RecordsB = len(a), len(b)
	res.Stats.Candidates = len(cands)
	res.Stats.Iterations = l.md.iterations
	l.cluster(cands, &res)
	if opt.Explain {
		res.Compared = l.compared
	}
	return res
}

// linker carries one Link run.
type linker struct {
	a, b   []Record
	na     int
	recs   []prepared
	skip   []bool
	d      *dictionary
	opt    Options
	blocks *blocks
	md     model
	freq   [3][]float64         // name frequency by consonant skeleton: personal names, family names, mothers' names
	meanLF [fMother + 1]float64 // mean ln frequency of the names agreed on among compared pairs
	// decisions by pair key; true = match.
	decided map[uint64]bool
	ids     map[Member]int
	out     *Result
}

func (l *linker) id(i int) string {
	if i < l.na {
		return l.a[i].ID
	}
	return l.b[i-l.na].ID
}

func pairKey(i, j int) uint64 {
	if i > j {
		i, j = j, i
	}
	return uint64(i)<<32 | uint64(j)
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

// fit counts name frequencies, estimates the model by EM on the compared
// pairs' patterns and the mean frequency of agreed names.
func (l *linker) fit(cands []cand) {
	for c := range l.freq {
		l.freq[c] = make([]float64, len(l.d.consS))
	}
	var total [3]float64
	for i := range l.recs {
		if l.skip[i] {
			continue
		}
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
	var sumLF [fMother + 1]float64
	var nLF [fMother + 1]float64
	for _, c := range cands {
		counts[c.p.levels()]++
		for f := fGiven; f <= fMother; f++ {
			if c.p.level(f) == lvAgree {
				sumLF[f] += math.Log(l.nameFreq(c, f))
				nLF[f]++
			}
		}
	}
	pc := make([]patternCount, 0, len(counts))
	for p, n := range counts {
		pc = append(pc, patternCount{p, n})
	}
	slices.SortFunc(pc, func(x, y patternCount) int { return cmp.Compare(x.p, y.p) })
	l.md = estimate(pc)
	for f := range sumLF {
		if nLF[f] > 0 {
			l.meanLF[f] = sumLF[f] / nLF[f]
		}
	}
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

// logit scores a compared pair: the model's weights, and for each name
// agreed on, how much rarer (or commoner) that name is than the names pairs
// usually agree on.
func (l *linker) logit(c cand) float64 {
	s := l.md.logit(c.p.levels())
	for f := fGiven; f <= fMother; f++ {
		if c.p.level(f) == lvAgree {
			adj := l.meanLF[f] - math.Log(l.nameFreq(c, f))
			s += max(-tfClamp, min(tfClamp, adj))
		}
	}
	return s
}

// probability compares and scores any two records.
func (l *linker) probability(i, j int) float64 {
	x, y := min(i, j), max(i, j)
	return sigmoid(l.logit(cand{uint32(x), uint32(y), l.d.compare(&l.recs[x], &l.recs[y])}))
}

// compared serves Result.Compared.
func (l *linker) compared(x, y Member) bool {
	i, ok1 := l.index(x)
	j, ok2 := l.index(y)
	return ok1 && ok2 && l.blocks.shareKey(i, j)
}

func (l *linker) index(m Member) (int, bool) {
	if l.ids == nil {
		l.ids = map[Member]int{}
		for i := range l.recs {
			l.ids[l.member(i)] = i
		}
	}
	i, ok := l.ids[m]
	return i, ok
}

func (l *linker) member(i int) Member {
	if i < l.na {
		return Member{"a", l.a[i].ID}
	}
	return Member{"b", l.b[i-l.na].ID}
}
