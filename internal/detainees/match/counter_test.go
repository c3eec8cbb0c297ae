package match

import "testing"

func TestPatternCounter(t *testing.T) {
	c := newPatternCounter()
	want := map[pattern]float64{}
	for i := range 50_000 {
		p := pattern(i*7919) % 9001
		c.add(p, 1)
		want[p]++
	}
	got := map[pattern]float64{}
	c.each(func(p pattern, n float64) { got[p] += n })
	if len(got) != len(want) {
		t.Fatalf("%d patterns, want %d", len(got), len(want))
	}
	for p, n := range want {
		if got[p] != n {
			t.Fatalf("pattern %d counted %v, want %v", p, got[p], n)
		}
	}
}
