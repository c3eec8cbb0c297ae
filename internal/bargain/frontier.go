package bargain

import (
	"container/heap"
	"slices"
	"sort"
)

// front is the Pareto frontier of a contiguous run of issues: the distinct
// utility vectors that no package of those issues strictly dominates, each
// with the lexicographically smallest package that attains it.
//
// Points are kept in lexicographically descending order of their vectors
// (for two parties: the first party's utility falls, the second's rises).
type front struct {
	d int
	u []int64 // point k's utilities are u[k*d : k*d+d]
	// l and r locate point k's package: in a leaf, l is the option index;
	// in an inner node, l and r are points of the left and right child.
	l, r []int32
	// rank orders the points by their package, issue by issue and option by
	// option: rank 0 is the lexicographically smallest. It breaks ties between
	// equal vectors at the next level up and in the solutions.
	rank []int32
}

func (f *front) n() int               { return len(f.l) }
func (f *front) at(k int) []int64     { return f.u[k*f.d : k*f.d+f.d] }
func bytesPerPoint(d int) int64       { return int64(8*d + 12) }
func (f *front) bytes() int64         { return int64(f.n()) * bytesPerPoint(f.d) }
func cmpVecDesc(a, b []int64) int     { return -slices.Compare(a, b) }
func (f *front) vecCmp(i, j int) int  { return cmpVecDesc(f.at(i), f.at(j)) }
func newFront(d, capacity int) *front { return &front{d: d, u: make([]int64, 0, capacity*d)} }

func (f *front) push(u []int64, l, r int32) {
	f.u = append(f.u, u...)
	f.l = append(f.l, l)
	f.r = append(f.r, r)
}

// node is a node of the divide-and-conquer tree over the issues [lo, hi).
type node struct {
	lo, hi      int
	left, right *node
	f           *front
}

// builder runs the divide and conquer and accounts for the memory it holds.
type builder struct {
	m     *model
	d     int
	limit int64 // bytes
	live  int64
	peak  int64
	// delta > 0 switches on the approximation: after each merge, points are
	// bucketed in a grid of cells delta wide per party and one point is kept
	// per cell. 0 means exact.
	delta  int64
	merges int // merges that pruned by grid, for the error bound
	// maxPoints bounds the size of any one front.
	maxPoints int
	// work counts dominance comparisons of four or more parties, which have
	// no sub-quadratic filter here; maxWork bounds it so that an analysis
	// too slow to finish falls back like one too large to hold.
	work, maxWork int64
}

// pruneFrom is the smallest number of merge candidates worth grid pruning
// (unless the frontier size bound is smaller): small merges are kept exact,
// which keeps the summed error bound low.
const pruneFrom = 4096

// charge accounts for bytes about to be held, refusing before the bound is
// crossed rather than after.
func (b *builder) charge(bytes int64) error {
	if b.live+bytes > b.limit {
		return tooLarge("the analysis needs more than its memory bound of %d MiB; the frontier is too large to list exactly", b.limit>>20)
	}
	b.live += bytes
	b.peak = max(b.peak, b.live)
	return nil
}

func (b *builder) release(bytes int64) { b.live -= bytes }

// build computes the frontier of issues [lo, hi) by splitting them in two
// halves, computing each half's frontier and merging the two.
func (b *builder) build(lo, hi int) (*node, error) {
	nd := &node{lo: lo, hi: hi}
	if hi-lo == 1 {
		nd.f = b.leaf(lo)
		return nd, b.charge(nd.f.bytes())
	}
	mid := (lo + hi) / 2
	var err error
	if nd.left, err = b.build(lo, mid); err != nil {
		return nil, err
	}
	if nd.right, err = b.build(mid, hi); err != nil {
		return nil, err
	}
	if b.d == 2 {
		nd.f, err = b.merge2(nd.left.f, nd.right.f)
	} else {
		nd.f, err = b.mergeN(nd.left.f, nd.right.f)
	}
	if err == nil && nd.f.n() > b.maxPoints {
		err = tooLarge("the frontier has more than %d points", b.maxPoints)
	}
	return nd, err
}

// leaf is the frontier of one issue: its options with dominated ones and
// duplicates (all parties rate them the same) removed.
func (b *builder) leaf(i int) *front {
	d := b.d
	c := b.m.contrib[i]
	n := len(c) / d
	idx := make([]int, n)
	for o := range idx {
		idx[o] = o
	}
	// Descending vectors; equal vectors by option order, so the first of a
	// run of duplicates is the one to keep.
	sort.SliceStable(idx, func(x, y int) bool {
		return cmpVecDesc(c[idx[x]*d:idx[x]*d+d], c[idx[y]*d:idx[y]*d+d]) < 0
	})
	f := newFront(d, n)
	var kept [][]int64
	for k, o := range idx {
		u := c[o*d : o*d+d]
		if k > 0 && slices.Equal(u, c[idx[k-1]*d:idx[k-1]*d+d]) {
			continue
		}
		dom := false
		for _, q := range kept {
			if weaklyDominates(q, u) {
				dom = true
				break
			}
		}
		if dom {
			continue
		}
		kept = append(kept, u)
		f.push(u, int32(o), -1)
	}
	f.rank = ranksBy(f.n(), func(x, y int) int { return int(f.l[x]) - int(f.l[y]) })
	return f
}

// weaklyDominates reports q ≥ u in every party's utility.
func weaklyDominates(q, u []int64) bool {
	for p := range q {
		if q[p] < u[p] {
			return false
		}
	}
	return true
}

// ranksBy returns rank[k] = position of k when 0..n-1 are sorted by cmp.
func ranksBy(n int, cmp func(x, y int) int) []int32 {
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k
	}
	slices.SortFunc(idx, cmp)
	rank := make([]int32, n)
	for pos, k := range idx {
		rank[k] = int32(pos)
	}
	return rank
}

// childRanks orders a merged front's points by their package: by the left
// half's package first, then the right half's.
func childRanks(f, a, c *front) []int32 {
	return ranksBy(f.n(), func(x, y int) int {
		if d := a.rank[f.l[x]] - a.rank[f.l[y]]; d != 0 {
			return int(d)
		}
		return int(c.rank[f.r[x]] - c.rank[f.r[y]])
	})
}

// pairHeap is the k-way merge of the two-party merge: one stream a+B per
// point a of the smaller front, each sorted by the first party's utility.
type pairHeap struct {
	a, c  *front
	i, j  []int32 // stream s is a-point i[s] plus c-point j[s]
	u0    []int64 // current sums
	u1    []int64
	order []int // heap of stream ids
	// swapped is set when a is the right half, so ties compare c first.
	swapped bool
}

func (h *pairHeap) Len() int { return len(h.order) }
func (h *pairHeap) Less(x, y int) bool {
	s, t := h.order[x], h.order[y]
	if h.u0[s] != h.u0[t] {
		return h.u0[s] > h.u0[t]
	}
	if h.u1[s] != h.u1[t] {
		return h.u1[s] > h.u1[t]
	}
	// Equal vectors: the lexicographically smaller package first, so the
	// first one popped is the one kept. The left half's issues come first.
	ra, rb := h.a.rank[h.i[s]], h.a.rank[h.i[t]]
	rc, rd := h.c.rank[h.j[s]], h.c.rank[h.j[t]]
	if h.swapped {
		ra, rb, rc, rd = rc, rd, ra, rb
	}
	if ra != rb {
		return ra < rb
	}
	return rc < rd
}
func (h *pairHeap) Swap(x, y int) { h.order[x], h.order[y] = h.order[y], h.order[x] }
func (h *pairHeap) Push(x any)    { h.order = append(h.order, x.(int)) }
func (h *pairHeap) Pop() any {
	x := h.order[len(h.order)-1]
	h.order = h.order[:len(h.order)-1]
	return x
}

func (h *pairHeap) set(s int, j int32) {
	h.j[s] = j
	h.u0[s] = h.a.u[2*h.i[s]] + h.c.u[2*j]
	h.u1[s] = h.a.u[2*h.i[s]+1] + h.c.u[2*j+1]
}

// merge2 merges two two-party frontiers. The candidates a+b are produced in
// descending order of the first party's utility by a k-way merge; a
// candidate is kept exactly when the second party's utility beats every
// candidate kept so far. When a stream's head is dominated, the stream skips
// by binary search to its first element that could still be kept, so the
// work is close to the size of the output rather than |A|×|B|.
func (b *builder) merge2(a, c *front) (*front, error) {
	swapped := false
	if a.n() > c.n() {
		a, c = c, a
		swapped = true
	}
	h := &pairHeap{a: a, c: c, swapped: swapped}
	na := a.n()
	h.i = make([]int32, na)
	h.j = make([]int32, na)
	h.u0 = make([]int64, na)
	h.u1 = make([]int64, na)
	h.order = make([]int, 0, na)
	for s := 0; s < na; s++ {
		h.i[s] = int32(s)
		h.set(s, 0)
		h.order = append(h.order, s)
	}
	heap.Init(h)
	out := newFront(2, na+c.n())
	var best int64 // second party's utility of the last kept point
	first := true
	nc := c.n()
	check := 0
	for h.Len() > 0 {
		s := h.order[0]
		u0, u1 := h.u0[s], h.u1[s]
		if first || u1 > best {
			first = false
			best = u1
			if swapped {
				out.push([]int64{u0, u1}, h.j[s], h.i[s])
			} else {
				out.push([]int64{u0, u1}, h.i[s], h.j[s])
			}
			if check++; check&0xfff == 0 && (out.bytes()+b.live > b.limit || out.n() > b.maxPoints) {
				return nil, tooLarge("the two-party frontier exceeds the memory bound of %d MiB", b.limit>>20)
			}
		}
		// Advance the stream to its first element whose second utility
		// beats best; everything before it is dominated or a duplicate.
		ai := h.i[s]
		need := best - a.u[2*ai+1] // c.u1 must exceed need
		lo := int(h.j[s]) + 1
		k := lo + sort.Search(nc-lo, func(x int) bool { return c.u[2*(lo+x)+1] > need })
		if k >= nc {
			heap.Pop(h)
			continue
		}
		h.set(s, int32(k))
		heap.Fix(h, 0)
	}
	if swapped {
		a, c = c, a
	}
	out.rank = childRanks(out, a, c)
	return out, b.charge(out.bytes())
}

// mergeN merges two frontiers of three or more parties: all pairs a+b are
// formed (within the memory bound), sorted in descending lexicographic
// order, and swept once, keeping each vector that no earlier kept vector
// weakly dominates.
func (b *builder) mergeN(a, c *front) (*front, error) {
	d := b.d
	count := int64(a.n()) * int64(c.n())
	candBytes := count * (bytesPerPoint(d) + 4)
	if err := b.charge(candBytes); err != nil {
		return nil, err
	}
	defer b.release(candBytes)
	cand := newFront(d, int(count))
	sum := make([]int64, d)
	for i := 0; i < a.n(); i++ {
		ua := a.at(i)
		for j := 0; j < c.n(); j++ {
			uc := c.at(j)
			for p := range sum {
				sum[p] = ua[p] + uc[p]
			}
			cand.push(sum, int32(i), int32(j))
		}
	}
	tie := func(x, y int) int {
		if r := a.rank[cand.l[x]] - a.rank[cand.l[y]]; r != 0 {
			return int(r)
		}
		return int(c.rank[cand.r[x]] - c.rank[cand.r[y]])
	}
	idx := make([]int32, count)
	for k := range idx {
		idx[k] = int32(k)
	}
	pruned := b.delta > 0 && count >= min(pruneFrom, int64(b.maxPoints))
	if pruned {
		idx = b.gridPrune(cand, idx, tie)
	}
	slices.SortFunc(idx, func(x, y int32) int {
		if r := cand.vecCmp(int(x), int(y)); r != 0 {
			return r
		}
		return tie(int(x), int(y))
	})
	out := newFront(d, 0)
	var st stair
	var kept []int32 // for four or more parties, most recent dominator first
	for n, k := range idx {
		u := cand.at(int(k))
		if n > 0 && slices.Equal(u, cand.at(int(idx[n-1]))) {
			continue // same vector, larger package
		}
		if d == 3 {
			if st.dominated(u[1], u[2]) {
				continue
			}
			st.insert(u[1], u[2])
		} else {
			// A dominated candidate is usually dominated by one of the
			// points that dominated its predecessors, so the dominator is
			// moved to the front.
			dom := false
			for x, q := range kept {
				if weaklyDominates(out.at(int(q))[1:], u[1:]) {
					dom = true
					copy(kept[1:x+1], kept[:x])
					kept[0] = q
					b.work += int64(x + 1)
					break
				}
			}
			if !dom {
				b.work += int64(len(kept))
			}
			if b.maxWork > 0 && b.work > b.maxWork {
				return nil, tooLarge("the frontier of %d parties needs more than %d comparisons", d, b.maxWork)
			}
			if dom {
				continue
			}
			kept = append(kept, int32(out.n()))
		}
		out.push(u, cand.l[k], cand.r[k])
	}
	out.rank = childRanks(out, a, c)
	if pruned {
		b.merges++
	}
	return out, b.charge(out.bytes())
}

// gridPrune keeps one candidate per grid cell: the one with the greatest
// vector in lexicographic order (ties: the smaller package). Any dropped
// candidate is within delta, in every party's utility, of the one kept.
func (b *builder) gridPrune(cand *front, idx []int32, tie func(x, y int) int) []int32 {
	d, delta := cand.d, b.delta
	cell := func(k int32, p int) int64 { return cand.u[int(k)*d+p] / delta }
	slices.SortFunc(idx, func(x, y int32) int {
		for p := 0; p < d; p++ {
			if cx, cy := cell(x, p), cell(y, p); cx != cy {
				if cx > cy {
					return -1
				}
				return 1
			}
		}
		if r := cand.vecCmp(int(x), int(y)); r != 0 {
			return r
		}
		return tie(int(x), int(y))
	})
	out := idx[:0]
	for n, k := range idx {
		if n > 0 {
			same := true
			for p := 0; p < d; p++ {
				if cell(k, p) != cell(idx[n-1], p) {
					same = false
					break
				}
			}
			if same {
				continue
			}
		}
		out = append(out, k)
	}
	return out
}

// stair is a two-dimensional staircase: points with strictly increasing x
// and strictly decreasing y, stored in blocks so that insertion stays cheap
// for large fronts. It answers "does some point weakly dominate (x, y)?".
type stair struct {
	blocks [][][2]int64
}

const stairBlock = 512

// lowerBound returns the position of the first point with x' ≥ x, or the
// end position.
func (s *stair) lowerBound(x int64) (int, int) {
	bi := sort.Search(len(s.blocks), func(i int) bool {
		blk := s.blocks[i]
		return blk[len(blk)-1][0] >= x
	})
	if bi == len(s.blocks) {
		if bi == 0 {
			return 0, 0
		}
		return bi - 1, len(s.blocks[bi-1])
	}
	blk := s.blocks[bi]
	return bi, sort.Search(len(blk), func(i int) bool { return blk[i][0] >= x })
}

func (s *stair) dominated(x, y int64) bool {
	bi, j := s.lowerBound(x)
	if bi >= len(s.blocks) || j >= len(s.blocks[bi]) {
		return false
	}
	return s.blocks[bi][j][1] >= y
}

// insert adds a point no stored point dominates and removes the points it
// dominates: a run just before its position.
func (s *stair) insert(x, y int64) {
	if len(s.blocks) == 0 {
		s.blocks = [][][2]int64{{{x, y}}}
		return
	}
	bi, j := s.lowerBound(x)
	for {
		pb, pj := bi, j-1
		if pj < 0 {
			if bi == 0 {
				break
			}
			pb, pj = bi-1, len(s.blocks[bi-1])-1
		}
		if s.blocks[pb][pj][1] > y {
			break
		}
		s.blocks[pb] = slices.Delete(s.blocks[pb], pj, pj+1)
		if pb == bi {
			j--
		}
		if len(s.blocks[pb]) == 0 {
			s.blocks = slices.Delete(s.blocks, pb, pb+1)
			if len(s.blocks) == 0 {
				s.blocks = [][][2]int64{{{x, y}}}
				return
			}
			if pb < bi {
				bi--
			} else {
				// The current block vanished: continue at the end of the
				// previous block, or the start of the next.
				if bi > 0 {
					bi--
					j = len(s.blocks[bi])
				} else {
					j = 0
				}
			}
		}
	}
	s.blocks[bi] = slices.Insert(s.blocks[bi], j, [2]int64{x, y})
	if len(s.blocks[bi]) > 2*stairBlock {
		blk := s.blocks[bi]
		left := slices.Clone(blk[:stairBlock])
		right := slices.Clone(blk[stairBlock:])
		s.blocks[bi] = left
		s.blocks = slices.Insert(s.blocks, bi+1, right)
	}
}
