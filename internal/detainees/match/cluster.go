package match

import (
	"cmp"
	"math"
	"slices"
	"sync"
)

// decide resolves the reviewers' decisions to record pairs; decisions on
// ids not in the lists are ignored.
func (l *linker) decide() {
	l.decided = map[uint64]bool{}
	l.ids = make(map[Member]int, len(l.recs))
	for i := range l.recs {
		l.ids[l.member(i)] = i
	}
	for _, dec := range l.opt.Decisions {
		la, lb := "a", "b"
		switch {
		case l.b == nil, dec.Within == "a":
			lb = "a"
		case dec.Within == "b":
			la = "b"
		}
		i, ok1 := l.index(Member{la, dec.A})
		j, ok2 := l.index(Member{lb, dec.B})
		if ok1 && ok2 && i != j {
			l.decided[pairKey(i, j)] = dec.Match
		}
	}
}

type edge struct {
	i, j int
	p    float64
}

// cluster scores the compared pairs, joins records through accepted pairs
// (strongest first) unless that would put in one cluster two records a
// reviewer told apart or whose own comparison says they are different
// people, and fills the result: accepted pairs from the clusters, the review
// band, the clusters.
func (l *linker) cluster(parts [][]cand, res *Result) {
	// Score every compared pair, each worker its own part, keeping the
	// pairs from the review band up.
	kept := make([][2][]edge, len(parts))
	var wg sync.WaitGroup
	for w, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range part {
				p := sigmoid(l.logit(c))
				if p < l.opt.Review {
					continue
				}
				if _, ok := l.decided[pairKey(int(c.i), int(c.j))]; ok {
					continue
				}
				e := edge{int(c.i), int(c.j), p}
				if p >= l.opt.Accept {
					kept[w][0] = append(kept[w][0], e)
				} else {
					kept[w][1] = append(kept[w][1], e)
				}
			}
		}()
	}
	wg.Wait()
	var accepted, band []edge
	for _, k := range kept {
		accepted = append(accepted, k[0]...)
		band = append(band, k[1]...)
	}
	for k, m := range l.decided {
		if m {
			accepted = append(accepted, edge{int(k >> 32), int(k & math.MaxUint32), 1})
		}
	}
	res.Stats.Decided = len(l.decided)
	slices.SortFunc(accepted, func(x, y edge) int {
		if c := cmp.Compare(y.p, x.p); c != 0 {
			return c
		}
		return cmp.Compare(pairKey(x.i, x.j), pairKey(y.i, y.j))
	})

	parent := map[int]int{}
	members := map[int][]int{}
	weakest := map[int]float64{}
	find := func(x int) int {
		r := x
		for {
			p, ok := parent[r]
			if !ok || p == r {
				break
			}
			r = p
		}
		for x != r {
			nx := parent[x]
			parent[x] = r
			x = nx
		}
		return r
	}
	var conflicts, confirmed []edge
	for _, e := range accepted {
		ri, rj := find(e.i), find(e.j)
		if ri == rj {
			continue
		}
		mi, mj := members[ri], members[rj]
		if mi == nil {
			mi = []int{ri}
		}
		if mj == nil {
			mj = []int{rj}
		}
		if l.conflict(e, mi, mj) {
			if e.p < 1 {
				conflicts = append(conflicts, e)
			} else {
				confirmed = append(confirmed, e) // a person's word stands, alone
			}
			continue
		}
		if len(mi) < len(mj) {
			ri, rj, mi, mj = rj, ri, mj, mi
		}
		parent[rj] = ri
		parent[ri] = ri
		members[ri] = append(mi, mj...)
		delete(members, rj)
		w := e.p
		for _, r := range []int{ri, rj} {
			if v, ok := weakest[r]; ok {
				w = min(w, v)
			}
		}
		weakest[ri] = w
		delete(weakest, rj)
	}

	// Accepted pairs and clusters.
	for root, ms := range members {
		slices.Sort(ms)
		cl := make([]Member, len(ms))
		for k, i := range ms {
			cl[k] = l.member(i)
		}
		slices.SortFunc(cl, compareMember)
		res.Clusters = append(res.Clusters, cl)
		for x := 0; x < len(ms); x++ {
			for y := x + 1; y < len(ms); y++ {
				i, j := ms[x], ms[y]
				var p float64
				if m, ok := l.decided[pairKey(i, j)]; ok && m {
					p = 1
				} else if p = l.probability(i, j); p < l.opt.Accept {
					p = weakest[root]
				}
				if links := l.scope(i, j); links != nil {
					links.Pairs = append(links.Pairs, l.pair(i, j, p))
				}
			}
		}
	}
	for _, e := range confirmed {
		if links := l.scope(e.i, e.j); links != nil && find(e.i) != find(e.j) {
			links.Pairs = append(links.Pairs, l.pair(e.i, e.j, 1))
		}
	}
	slices.SortFunc(res.Clusters, func(x, y []Member) int { return compareMember(x[0], y[0]) })
	res.Stats.Clusters = len(res.Clusters)

	// The review band: uncertain pairs not already joined, and accepted
	// pairs that clustering refused.
	for _, e := range append(band, conflicts...) {
		if find(e.i) == find(e.j) {
			continue
		}
		if links := l.scope(e.i, e.j); links != nil {
			links.Review = append(links.Review, l.pair(e.i, e.j, e.p))
		}
	}
	for _, links := range []*Links{&res.Links, &res.WithinA, &res.WithinB} {
		sortPairs(links.Pairs)
		sortPairs(links.Review)
		res.Stats.Accepted += len(links.Pairs)
		res.Stats.Review += len(links.Review)
	}
}

// conflict reports whether joining the clusters mi and mj through e would
// put together records a reviewer told apart, or records whose own
// comparison rules a match out, or make a cluster too big to be one person.
func (l *linker) conflict(e edge, mi, mj []int) bool {
	if len(mi)+len(mj) > maxCluster {
		return true
	}
	for _, x := range mi {
		for _, y := range mj {
			if m, ok := l.decided[pairKey(x, y)]; ok {
				if !m {
					return true
				}
				continue
			}
			if pairKey(x, y) == pairKey(e.i, e.j) {
				continue
			}
			if l.contradicts(x, y) {
				return true
			}
		}
	}
	return false
}

// scope is the Links a pair of records belongs in, or nil when the run does
// not report that scope.
func (l *linker) scope(i, j int) *Links {
	switch {
	case l.b == nil:
		return &l.out.Links
	case (i < l.na) != (j < l.na):
		return &l.out.Links
	case !l.opt.Duplicates:
		return nil
	case i < l.na:
		return &l.out.WithinA
	default:
		return &l.out.WithinB
	}
}

// pair orients a pair: a record of list a first; inside one list, file order.
func (l *linker) pair(i, j int, p float64) Pair {
	if i > j {
		i, j = j, i
	}
	return Pair{A: l.id(i), B: l.id(j), Probability: math.Round(p*1e4) / 1e4}
}

func sortPairs(ps []Pair) {
	slices.SortFunc(ps, func(x, y Pair) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
}

func compareMember(x, y Member) int {
	if c := cmp.Compare(x.List, y.List); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}
