package match

// patternCounter counts comparison patterns: an open-addressing hash table,
// several times faster than a map for the one increment per compared pair.
type patternCounter struct {
	keys   []pattern // 0 marks an empty slot; counts of pattern 0 are kept apart
	counts []float64
	n      int
	zero   float64
}

func newPatternCounter() *patternCounter {
	return &patternCounter{keys: make([]pattern, 1024), counts: make([]float64, 1024)}
}

func (c *patternCounter) add(p pattern, n float64) {
	if p == 0 {
		c.zero += n
		return
	}
	mask := uint64(len(c.keys) - 1)
	for h := uint64(p) * 0x9e3779b97f4a7c15 >> 20 & mask; ; h = (h + 1) & mask {
		switch c.keys[h] {
		case p:
			c.counts[h] += n
			return
		case 0:
			c.keys[h], c.counts[h] = p, n
			c.n++
			if c.n*2 > len(c.keys) {
				c.grow()
			}
			return
		}
	}
}

func (c *patternCounter) grow() {
	old := *c
	c.keys = make([]pattern, 2*len(old.keys))
	c.counts = make([]float64, 2*len(old.keys))
	c.n = 0
	for i, k := range old.keys {
		if k != 0 {
			c.add(k, old.counts[i])
		}
	}
}

// each calls fn for every pattern counted.
func (c *patternCounter) each(fn func(p pattern, n float64)) {
	if c.zero > 0 {
		fn(0, c.zero)
	}
	for i, k := range c.keys {
		if k != 0 {
			fn(k, c.counts[i])
		}
	}
}
