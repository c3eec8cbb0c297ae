package match

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Blocking: two records are compared only when they share a key. Each
// record has many keys so that a true pair survives a typo, a missing field
// or a name written out of order in some of them:
//
//   - national id;
//   - each pair of the names of the chain (given, father, grandfather,
//     family), in their places, with the birth year, and again with the
//     next year, so that years one apart meet;
//   - each pair of names with the mother's name, and with the birth place;
//   - each triple of names of the chain;
//   - the given name, and the family name, with the arrest date;
//   - family name with mother's name.
//
// Names enter keys by their consonant skeleton, so every script and
// spelling of a name gives the same key.

const keyShift = 24 // low bits of a sorted entry: record index

const maxRecords = 1 << keyShift

// Key kinds, mixed into the hash.
const (
	kindNID = iota + 1
	kindPairYear
	kindPairMother
	kindPairPlace
	kindTriple
	kindFamilyMother
	kindArrest
)

// maxBlock drops a key shared by more records than this, by kind: such a
// key says too little (the other keys of its true pairs still bring them
// together) and would cost the square of its size in comparisons.
var maxBlock = [8]uint64{
	kindNID:          20,
	kindPairYear:     100,
	kindPairMother:   60,
	kindPairPlace:    40,
	kindTriple:       60,
	kindFamilyMother: 40,
	kindArrest:       40,
}

// key tags a hash with its kind, kept in the low bits of the key.
func key(kind, h uint64) uint64 {
	return h&^(1<<(keyShift+3)-1) | kind<<keyShift
}

func mix(h, v uint64) uint64 {
	h ^= v + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return h
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// blockKeys appends the keys of one record to buf.
func (d *dictionary) blockKeys(p *prepared, buf []uint64) []uint64 {
	mother := uint64(d.cons[p.names[0][slotMother]])
	place := uint64(d.cons[p.place])
	if p.nid != "" {
		buf = append(buf, key(kindNID, hashString(p.nid)))
	}
	var seen [maxReadings][4]uint64
	for r := 0; r < int(p.nRead); r++ {
		// Names enter keys with their place in the chain: Mohammed as given
		// name and Fadi as father's name is a much smaller block than the two
		// names anywhere. The readings of a chain (family name first, given
		// and father swapped) give the keys of the other places.
		var toks [4]uint64
		for s := slotGiven; s <= slotFamily; s++ {
			toks[s] = uint64(d.cons[p.names[r][s]])
		}
		seen[r] = toks
		if slices.Contains(seen[:r], toks) {
			continue
		}
		for x := 0; x < 4; x++ {
			if toks[x] == 0 {
				continue
			}
			for y := x + 1; y < 4; y++ {
				if toks[y] == 0 {
					continue
				}
				pair := mix(mix(uint64(x<<4|y), toks[x]), toks[y])
				if p.year != 0 {
					buf = append(buf, key(kindPairYear, mix(pair, uint64(p.year))), key(kindPairYear, mix(pair, uint64(p.year+1))))
				}
				if mother != 0 {
					buf = append(buf, key(kindPairMother, mix(pair, mother)))
				}
				if place != 0 {
					buf = append(buf, key(kindPairPlace, mix(pair, place)))
				}
				for z := y + 1; z < 4; z++ {
					if toks[z] != 0 {
						buf = append(buf, key(kindTriple, mix(mix(pair, uint64(z)), toks[z])))
					}
				}
			}
		}
		if fam := toks[slotFamily]; fam != 0 && mother != 0 {
			buf = append(buf, key(kindFamilyMother, mix(fam, mother)))
		}
		if p.arrest != 0 {
			for _, s := range []int{slotGiven, slotFamily} {
				if toks[s] != 0 {
					buf = append(buf, key(kindArrest, mix(mix(uint64(s), toks[s]), uint64(p.arrest))))
				}
			}
		}
	}
	return buf
}

// blocks is the blocking index: every record's kept keys, sorted, and the
// blocks of two records or more.
type blocks struct {
	entries []uint64 // key<<keyShift | record, sorted
	spans   [][2]int // [start, end) of each block in entries
	off     []int    // keys of record i: keys[off[i]:off[i+1]]
	keys    []uint64
	dropped int // blocks dropped for size
}

func buildBlocks(recs []prepared, d *dictionary, skip []bool, workers int) *blocks {
	parts := make([][]uint64, workers)
	chunk := (len(recs) + workers - 1) / max(workers, 1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(recs))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, buf []uint64
			for i := lo; i < hi; i++ {
				if skip[i] {
					continue
				}
				buf = d.blockKeys(&recs[i], buf[:0])
				for k := range buf {
					buf[k] = buf[k] >> keyShift << keyShift
				}
				slices.Sort(buf)
				for _, k := range slices.Compact(buf) {
					out = append(out, k|uint64(i))
				}
			}
			slices.Sort(out)
			parts[w] = out
		}()
	}
	wg.Wait()
	b := &blocks{entries: mergeSorted(parts)}
	e := b.entries
	counts := make([]int, len(recs)+1)
	for s := 0; s < len(e); {
		t := s + 1
		for t < len(e) && e[t]>>keyShift == e[s]>>keyShift {
			t++
		}
		switch {
		case uint64(t-s) > maxBlock[e[s]>>keyShift&7]:
			b.dropped++
		case t-s >= 2:
			b.spans = append(b.spans, [2]int{s, t})
			for _, x := range e[s:t] {
				counts[x&(maxRecords-1)+1]++
			}
		}
		s = t
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	b.off = counts
	b.keys = make([]uint64, counts[len(counts)-1])
	fill := slices.Clone(counts[:len(recs)])
	for _, sp := range b.spans {
		for _, x := range e[sp[0]:sp[1]] {
			r := x & (maxRecords - 1)
			b.keys[fill[r]] = x >> keyShift
			fill[r]++
		}
	}
	return b
}

// mergeSorted merges sorted slices into one.
func mergeSorted(parts [][]uint64) []uint64 {
	var out []uint64
	for _, p := range parts {
		if out == nil {
			out = p
			continue
		}
		merged := make([]uint64, 0, len(out)+len(p))
		i, j := 0, 0
		for i < len(out) && j < len(p) {
			if out[i] <= p[j] {
				merged = append(merged, out[i])
				i++
			} else {
				merged = append(merged, p[j])
				j++
			}
		}
		out = append(append(merged, out[i:]...), p[j:]...)
	}
	return out
}

// firstShared reports whether key k is the smallest key records i and j
// share, so that a pair in several blocks is compared once.
func (b *blocks) firstShared(i, j int, k uint64) bool {
	x, y := b.keys[b.off[i]:b.off[i+1]], b.keys[b.off[j]:b.off[j+1]]
	for len(x) > 0 && len(y) > 0 {
		switch {
		case x[0] >= k || y[0] >= k:
			return true
		case x[0] == y[0]:
			return false
		case x[0] < y[0]:
			x = x[1:]
		default:
			y = y[1:]
		}
	}
	return true
}

// shareKey reports whether records i and j meet in some kept block.
func (b *blocks) shareKey(i, j int) bool {
	x, y := b.keys[b.off[i]:b.off[i+1]], b.keys[b.off[j]:b.off[j+1]]
	for len(x) > 0 && len(y) > 0 {
		switch {
		case x[0] == y[0]:
			return true
		case x[0] < y[0]:
			x = x[1:]
		default:
			y = y[1:]
		}
	}
	return false
}

// cand is one compared pair, i < j, with its comparison pattern.
type cand struct {
	i, j uint32
	p    pattern
}

// compared holds the compared pairs, as each worker found them, and how
// often each pattern occurred per scope (0 inside one list, 1 across).
type compared struct {
	parts  [][]cand
	counts [2]map[pattern]float64
	n      int
}

// compareBlocks compares every pair that shares a block once, keeping pairs
// across the lists when cross and inside one list when within.
func (b *blocks) compareBlocks(recs []prepared, d *dictionary, cross, within bool, workers int) compared {
	var next atomic.Int64
	const grab = 256
	parts := make([][]cand, workers)
	counts := make([][2]*patternCounter, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out []cand
			cnt := [2]*patternCounter{newPatternCounter(), newPatternCounter()}
			for {
				lo := int(next.Add(grab)) - grab
				if lo >= len(b.spans) {
					break
				}
				for _, sp := range b.spans[lo:min(lo+grab, len(b.spans))] {
					blk := b.entries[sp[0]:sp[1]]
					k := blk[0] >> keyShift
					for p := 0; p < len(blk); p++ {
						i := int(blk[p] & (maxRecords - 1))
						for q := p + 1; q < len(blk); q++ {
							j := int(blk[q] & (maxRecords - 1))
							if i == j {
								continue
							}
							same := recs[i].side == recs[j].side
							if (same && !within) || (!same && !cross) {
								continue
							}
							if !b.firstShared(i, j, k) {
								continue
							}
							x, y := min(i, j), max(i, j)
							c := cand{uint32(x), uint32(y), d.compare(&recs[x], &recs[y])}
							out = append(out, c)
							scope := 0
							if !same {
								scope = 1
							}
							cnt[scope].add(c.p.levels(), 1)
						}
					}
				}
			}
			parts[w], counts[w] = out, cnt
		}()
	}
	wg.Wait()
	res := compared{parts: parts, counts: [2]map[pattern]float64{{}, {}}}
	for w := range counts {
		res.n += len(parts[w])
		for s := range 2 {
			if counts[w][s] != nil {
				counts[w][s].each(func(p pattern, n float64) { res.counts[s][p] += n })
			}
		}
	}
	return res
}
