package text

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"The parties agree.", []string{"The", " ", "parties", " ", "agree", "."}},
		{"don't  stop", []string{"don't", "  ", "stop"}},
		// Shadda and fatha stay on their letters; the words split at the
		// space only.
		{"يَلتزمُ الطرفانِ", []string{"يَلتزمُ", " ", "الطرفانِ"}},
		// A ZWNJ inside a Persian word keeps it whole.
		{"می\u200cخواهم", []string{"می\u200cخواهم"}},
		// A combining mark after punctuation stays with it.
		{"a.\u0301b", []string{"a", ".\u0301", "b"}},
		{"x\n\ny", []string{"x", "\n", "\n", "y"}},
	}
	for _, c := range cases {
		if got := Tokens(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func apply(segs []Segment) (a, b string) {
	var x, y strings.Builder
	for _, s := range segs {
		if s.Op != Insert {
			x.WriteString(s.Text)
		}
		if s.Op != Delete {
			y.WriteString(s.Text)
		}
	}
	return x.String(), y.String()
}

func TestDiff(t *testing.T) {
	cases := []struct {
		a, b string
		want []Segment
	}{
		{"release within thirty days", "release within sixty days",
			[]Segment{{Equal, "release within "}, {Delete, "thirty"}, {Insert, "sixty"}, {Equal, " days"}}},
		{"a b", "a b", []Segment{{Equal, "a b"}}},
		{"", "new", []Segment{{Insert, "new"}}},
		{"old", "", []Segment{{Delete, "old"}}},
		// An added vowel sign changes the whole Arabic word, never half of it.
		{"يلتزم الطرفان", "يلتزمُ الطرفان", []Segment{{Delete, "يلتزم"}, {Insert, "يلتزمُ"}, {Equal, " الطرفان"}}},
	}
	for _, c := range cases {
		got := Diff(c.a, c.b)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Diff(%q, %q) = %+v, want %+v", c.a, c.b, got, c.want)
		}
	}
}

// TestDiffProperty checks on random texts that the segments rebuild both
// sides and that the edit count is minimal against a dynamic-programming
// LCS.
func TestDiffProperty(t *testing.T) {
	words := []string{"a", "b", "c", "ال", "طرف", " ", "\n", "."}
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() string {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	for range 500 {
		a, b := gen(), gen()
		segs := Diff(a, b)
		ga, gb := apply(segs)
		if ga != a || gb != b {
			t.Fatalf("Diff(%q, %q) rebuilds %q, %q", a, b, ga, gb)
		}
		x, y := Tokens(a), Tokens(b)
		edits := 0
		for _, e := range myers(x, y) {
			if e.op != Equal {
				edits++
			}
		}
		if want := len(x) + len(y) - 2*lcs(x, y); edits != want {
			t.Fatalf("myers(%q, %q): %d edits, the minimum is %d", x, y, edits, want)
		}
	}
}

func lcs(x, y []string) int {
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			if x[i-1] == y[j-1] {
				d[i][j] = d[i-1][j-1] + 1
			} else {
				d[i][j] = max(d[i-1][j], d[i][j-1])
			}
		}
	}
	return d[len(x)][len(y)]
}
