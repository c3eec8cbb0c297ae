package match

import (
	"runtime"
	"time"
)

// Defaults of Options and fixed parameters of the method (see
// docs/detainees-matching.md).
const (
	// DefaultAccept maximises F1 on the synthetic lists: the probabilities
	// are calibrated, and a pair at 0.7 is more often right than wrong.
	DefaultAccept = 0.7
	DefaultReview = 0.3

	// maxCluster bounds a cluster: one person is not entered a dozen times,
	// and a chain of merges that long is a chain of mistakes.
	maxCluster = 8
	// conflictEvidence: two records whose own comparison is this much
	// evidence against a match (log likelihood ratio, prior left out) are
	// never put in one cluster through others.
	conflictEvidence = -4.6
	conflictBelow    = 0.05
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

	var res Result
	var phase [5]time.Duration
	t0 := time.Now()
	lap := func(k int) {
		now := time.Now()
		phase[k] = now.Sub(t0)
		t0 = now
	}
	recs, dict := prepareAll(a, b, opt.Workers)
	l := &linker{a: a, b: b, na: len(a), recs: recs, d: dict, opt: opt, out: &res}
	l.skip = make([]bool, len(recs))
	for i := range recs {
		l.skip[i] = l.id(i) == ""
	}
	lap(0)
	l.blocks = buildBlocks(recs, dict, l.skip, opt.Workers)
	lap(1)
	cands := l.blocks.compareBlocks(recs, dict, cross, within, opt.Workers)
	lap(2)
	l.fit(cands.counts)
	for s := range cands.counts {
		for _, n := range cands.counts[s] {
			l.nCompared[s] += n
		}
	}
	l.decide()
	lap(3)
	res.Stats.RecordsA, res.Stats.RecordsB = len(a), len(b)
	res.Stats.Candidates = cands.n
	res.Stats.Iterations = l.md.iterations
	l.cluster(cands.parts, &res)
	lap(4)
	res.Stats.Prepare, res.Stats.Block, res.Stats.Compare, res.Stats.Fit, res.Stats.Cluster = phase[0], phase[1], phase[2], phase[3], phase[4]
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
	freq   [3][]float64 // name frequency by consonant skeleton: personal names, family names, mothers' names
	weight [nFields][8]float64
	prior  [2]float64 // log-odds of a match for a pair inside one list, across the lists
	logM   [fMother + 1]float64
	// nCompared counts the pairs compared per scope.
	nCompared [2]float64
	// familyCap bounds the evidence of the fields brothers share.
	familyCap float64
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

// contradicts reports whether the direct comparison of two records rules
// out joining them through others: different national numbers, strong
// evidence against a match (log likelihood ratio below conflictEvidence, the
// prior left out), or a probability below conflictBelow. A scope that was
// not compared (inside a list, when only pairs across were asked for) is
// judged with the other scope's prior.
func (l *linker) contradicts(i, j int) bool {
	x, y := min(i, j), max(i, j)
	c := cand{uint32(x), uint32(y), l.d.compare(&l.recs[x], &l.recs[y])}
	if c.p.level(fNationalID) == 1 {
		return true
	}
	s := l.scopeIndex(x, y)
	logit := l.logit(c)
	evidence := logit - l.prior[s]
	if l.nCompared[s] == 0 {
		logit = evidence + l.prior[1-s]
	}
	return evidence < conflictEvidence || sigmoid(logit) < conflictBelow
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
	i, ok := l.ids[m]
	return i, ok
}

func (l *linker) member(i int) Member {
	if i < l.na {
		return Member{"a", l.a[i].ID}
	}
	return Member{"b", l.b[i-l.na].ID}
}
