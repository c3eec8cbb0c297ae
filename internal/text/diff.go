package text

import (
	"context"
	"strings"
	"unicode"

	"parley/internal/access"
	"parley/internal/errs"
)

// The operations of a comparison.
const (
	Equal  = "equal"
	Insert = "insert"
	Delete = "delete"
)

// Segment is a run of text that is kept, inserted or deleted.
type Segment struct {
	Op   string // Equal, Insert or Delete
	Text string
}

// Tokens splits s into words, runs of spaces and single other characters.
// A word is a run of letters, digits and combining marks, with the joiners
// that Arabic and Persian use inside words (ZWNJ, ZWJ) and an apostrophe
// between letters. A combining mark always stays with the character before
// it, so an Arabic vowel sign or shadda is never split from its letter (nor
// an accent from a Latin letter). This follows the word rules of Unicode
// UAX #29 closely enough for comparing negotiated texts without a
// segmentation library.
func Tokens(s string) []string {
	rs := []rune(s)
	var out []string
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case wordRune(rs[i]):
			for j < len(rs) && (wordRune(rs[j]) || unicode.Is(unicode.M, rs[j]) ||
				(rs[j] == '\'' || rs[j] == '’') && j+1 < len(rs) && unicode.IsLetter(rs[j-1]) && unicode.IsLetter(rs[j+1])) {
				j++
			}
		case unicode.IsSpace(rs[i]):
			for j < len(rs) && unicode.IsSpace(rs[j]) && rs[j] != '\n' && rs[i] != '\n' {
				j++
			}
		}
		// Marks after punctuation or a space stay with it.
		for j < len(rs) && unicode.Is(unicode.M, rs[j]) {
			j++
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) || r == '\u200c' || r == '\u200d'
}

// maxEdits bounds the work of one comparison: past it, the changed middle
// is shown as deleted and inserted whole rather than word by word.
const maxEdits = 4000

// Diff compares a and b word by word (Myers' O(ND) algorithm over Tokens)
// and returns the segments, adjacent ones of the same kind merged.
func Diff(a, b string) []Segment {
	x, y := Tokens(a), Tokens(b)
	// Common prefix and suffix cost nothing.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var segs []Segment
	add := func(op string, toks ...string) {
		t := strings.Join(toks, "")
		if t == "" {
			return
		}
		if n := len(segs); n > 0 && segs[n-1].Op == op {
			segs[n-1].Text += t
			return
		}
		segs = append(segs, Segment{Op: op, Text: t})
	}
	add(Equal, x[:pre]...)
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	for _, e := range myers(mx, my) {
		switch e.op {
		case Equal:
			add(Equal, mx[e.i])
		case Delete:
			add(Delete, mx[e.i])
		case Insert:
			add(Insert, my[e.j])
		}
	}
	add(Equal, x[len(x)-suf:]...)
	return cleanup(segs)
}

// cleanup makes a comparison readable: a run of spaces or punctuation kept
// between two changes is folded into them, so that "[without delay]" →
// "within 48 hours" reads as one deletion and one insertion rather than
// alternating fragments. Both sides still rebuild exactly.
func cleanup(segs []Segment) []Segment {
	changed := func(i int) bool { return i >= 0 && i < len(segs) && segs[i].Op != Equal }
	var out []Segment
	var del, ins strings.Builder
	flush := func() {
		if del.Len() > 0 {
			out = append(out, Segment{Delete, del.String()})
		}
		if ins.Len() > 0 {
			out = append(out, Segment{Insert, ins.String()})
		}
		del.Reset()
		ins.Reset()
	}
	for i, s := range segs {
		switch {
		case s.Op == Delete:
			del.WriteString(s.Text)
		case s.Op == Insert:
			ins.WriteString(s.Text)
		case changed(i-1) && changed(i+1) && !strings.ContainsRune(s.Text, '\n') && strings.IndexFunc(s.Text, wordRune) < 0:
			del.WriteString(s.Text)
			ins.WriteString(s.Text)
		default:
			flush()
			out = append(out, s)
		}
	}
	flush()
	return out
}

type edit struct {
	op   string
	i, j int
}

// myers returns the edit script turning x into y, deletions before
// insertions at each change.
func myers(x, y []string) []edit {
	n, m := len(x), len(y)
	max := n + m
	if max == 0 {
		return nil
	}
	whole := func() []edit {
		var es []edit
		for i := range x {
			es = append(es, edit{Delete, i, 0})
		}
		for j := range y {
			es = append(es, edit{Insert, 0, j})
		}
		return es
	}
	limit := min(max, maxEdits)
	off := limit + 1
	v := make([]int, 2*limit+3)
	var trace [][]int
	found := -1
	for d := 0; d <= limit && found < 0; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var px int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				px = v[off+k+1]
			} else {
				px = v[off+k-1] + 1
			}
			py := px - k
			for px < n && py < m && x[px] == y[py] {
				px++
				py++
			}
			v[off+k] = px
			if px >= n && py >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return whole()
	}
	// Walk back through the saved frontiers.
	var es []edit
	px, py := n, m
	for d := found; d > 0; d-- {
		vd := trace[d]
		k := px - py
		var prevK int
		if k == -d || k != d && vd[off+k-1] < vd[off+k+1] {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[off+prevK]
		prevY := prevX - prevK
		for px > prevX && py > prevY {
			px--
			py--
			es = append(es, edit{Equal, px, py})
		}
		if px == prevX {
			py--
			es = append(es, edit{Insert, px, py})
		} else {
			px--
			es = append(es, edit{Delete, px, py})
		}
	}
	for px > 0 && py > 0 {
		px--
		py--
		es = append(es, edit{Equal, px, py})
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// Comparison is the word-level difference between two revisions.
type Comparison struct {
	TextID   string
	From, To int
	Lines    [][]Segment // one per line of the reading text, for rendering
}

// Compare compares Rev.from with Rev.to of a text, both readable by actor,
// on their reading text (Plain).
func (s *Service) Compare(ctx context.Context, actor access.Actor, textID string, from, to int) (c Comparison, err error) {
	defer errs.Wrap(&err, "text.Compare")
	a, err := s.Revision(ctx, actor, textID, from)
	if err != nil {
		return Comparison{}, err
	}
	b, err := s.Revision(ctx, actor, textID, to)
	if err != nil {
		return Comparison{}, err
	}
	return Comparison{TextID: textID, From: from, To: to, Lines: Lines(Diff(Plain(a.Document, nil), Plain(b.Document, nil)))}, nil
}

// Lines splits segments at newlines, so that each line renders as its own
// paragraph with its insertions and deletions inline.
func Lines(segs []Segment) [][]Segment {
	lines := [][]Segment{{}}
	for _, s := range segs {
		parts := strings.Split(s.Text, "\n")
		for i, p := range parts {
			if i > 0 {
				lines = append(lines, []Segment{})
			}
			if p != "" {
				lines[len(lines)-1] = append(lines[len(lines)-1], Segment{Op: s.Op, Text: p})
			}
		}
	}
	return lines
}

// Labels names the option labels in the reading text; nil gives
// "Option A".
type Labels func(label string) string

// Plain is the reading text of d: the title, the preamble, the headings and
// the numbered paragraphs with real brackets and option labels, one per
// line. Comparisons and the Markdown export read it.
func Plain(d *Document, option Labels) string {
	if option == nil {
		option = func(l string) string { return "Option " + l }
	}
	var b strings.Builder
	b.WriteString(d.Title + "\n")
	for _, p := range d.Preamble {
		b.WriteString(p + "\n")
	}
	for _, s := range d.Sections {
		if s.Heading != "" {
			b.WriteString(s.Heading + "\n")
		}
		for _, p := range s.Paragraphs {
			b.WriteString(RevisionParagraphNumber(p.Number))
			if len(p.Spans) > 0 {
				b.WriteString(" " + Bracketed(p.Spans))
			}
			b.WriteString("\n")
			for _, o := range p.Options {
				b.WriteString("[" + option(o.Label) + ": " + Bracketed(o.Spans) + "]\n")
			}
		}
	}
	return b.String()
}

// RevisionParagraphNumber is how a paragraph number is written: "1.".
func RevisionParagraphNumber(n int) string { return itoa(n) + "." }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// Bracketed writes spans with real square brackets; a bracket pending
// instructions is marked with a question mark, as in the markup.
func Bracketed(spans []Span) string {
	var b strings.Builder
	var walk func([]Span)
	walk = func(ss []Span) {
		for _, s := range ss {
			if s.Kind == "" {
				b.WriteString(s.Text)
				continue
			}
			b.WriteString("[")
			if s.Kind == Pending {
				b.WriteString("?")
			}
			walk(s.Children)
			b.WriteString("]")
		}
	}
	walk(spans)
	return b.String()
}
