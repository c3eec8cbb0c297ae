package text

import (
	"reflect"
	"strings"
	"testing"

	"parley/internal/errs"
)

const sample = `# Agreement on the ceasefire regime

The parties,

Recalling the commitments of the first round,

## Ceasefire

1. The parties shall observe the ceasefire throughout the country.
2. Violations shall be reported to
A) the joint monitoring group [?within 24 hours].
B) the guarantors.
3. [The parties agree to release detainees.]

## Humanitarian access

4. Convoys shall reach [besieged] areas
   without [?delay].
`

func TestParseSample(t *testing.T) {
	d, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Agreement on the ceasefire regime" {
		t.Errorf("title = %q", d.Title)
	}
	if want := []string{"The parties,", "Recalling the commitments of the first round,"}; !reflect.DeepEqual(d.Preamble, want) {
		t.Errorf("preamble = %q", d.Preamble)
	}
	if len(d.Sections) != 2 || d.Sections[0].Heading != "Ceasefire" || d.Sections[1].Heading != "Humanitarian access" {
		t.Fatalf("sections = %+v", d.Sections)
	}
	ps := d.Paragraphs()
	if len(ps) != 4 {
		t.Fatalf("%d paragraphs", len(ps))
	}
	if ps[0].Bracketed() || ps[0].Number != 1 {
		t.Errorf("paragraph 1 = %+v", ps[0])
	}
	p2 := ps[1]
	if len(p2.Options) != 2 || p2.Options[0].Label != "A" || p2.Options[1].Label != "B" {
		t.Fatalf("paragraph 2 options = %+v", p2.Options)
	}
	wantA := []Span{{Text: "the joint monitoring group "}, {Kind: Pending, Children: []Span{{Text: "within 24 hours"}}}, {Text: "."}}
	if !reflect.DeepEqual(p2.Options[0].Spans, wantA) {
		t.Errorf("option A = %+v", p2.Options[0].Spans)
	}
	if !ps[2].Whole() || ps[2].Spans[0].Kind != Contentious {
		t.Errorf("paragraph 3 should be wholly bracketed: %+v", ps[2])
	}
	want4 := []Span{{Text: "Convoys shall reach "}, {Kind: Contentious, Children: []Span{{Text: "besieged"}}},
		{Text: " areas without "}, {Kind: Pending, Children: []Span{{Text: "delay"}}}, {Text: "."}}
	if !reflect.DeepEqual(ps[3].Spans, want4) {
		t.Errorf("paragraph 4 = %+v", ps[3].Spans)
	}
	if got := d.Bracketed(); !reflect.DeepEqual(got, []int{2, 3, 4}) {
		t.Errorf("bracketed = %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src, code, at string
	}{
		{"unclosed", "# T\n\n1. one [two\n", CodeUnbalanced, "3:8"},
		{"unclosed across lines", "# T\n\n1. one\n  two [three\n  four\n", CodeUnbalanced, "4:7"},
		{"stray close", "# T\n\n1. one two]\n", CodeUnbalanced, "3:11"},
		{"stray close in option", "# T\n\n1. lead\nA) x\nB) y]\n", CodeUnbalanced, "5:5"},
		{"nested unclosed", "# T\n\n1. [a [?b] c\n", CodeUnbalanced, "3:4"},
		{"arabic columns count characters", "# نص\n\n1. يلتزم الطرفان [بوقف\n", CodeUnbalanced, "3:18"},
		{"no title", "1. one\n", errs.Invalid, "1:1"},
		{"two titles", "# A\n# B\n", errs.Invalid, "2:1"},
		{"empty paragraph", "# T\n\n1.\n2. x\n", errs.Invalid, "3:1"},
		{"empty bracket", "# T\n\n1. a [] b\n", errs.Invalid, "3:6"},
		{"bracket in preamble", "# T\n\nWe [the parties]\n", errs.Invalid, "3:1"},
		{"bracket in title", "# T [x]\n", errs.Invalid, "1:2"},
		{"stray text after paragraphs", "# T\n\n1. a\n\nloose\n", errs.Invalid, "5:1"},
		{"control character", "# T\n\n1. a\x00b\n", errs.Invalid, "3:5"},
		{"too deep", "# T\n\n1. " + strings.Repeat("[", 10) + "x" + strings.Repeat("]", 10) + "\n", errs.Invalid, "3:12"},
		{"invalid utf-8", "# T\n\n1. \xff\n", errs.Invalid, "1:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.src)
			e, ok := errs.As(err)
			if !ok {
				t.Fatalf("err = %v, want code %s", err, c.code)
			}
			if e.Code != c.code || e.Field != "source" || !strings.HasPrefix(e.Message, c.at+":") {
				t.Fatalf("err = %+v, want code %s at %s", e, c.code, c.at)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	srcs := []string{
		sample,
		"# T\n\n1. a \\[literal\\] and a backslash \\\\ here\n",
		"# T\n\n\\1. is not a paragraph\n\n\\# nor a heading\n",
		"# T\n\n1. [\\?not pending] [?pending] [[nested] [?deep [x]]]\n",
		"# T\n\n1.\nA) only\nB) options\n",
		"# اتفاق وقف إطلاق النار\n\nإن الطرفين،\n\n1. يلتزم الطرفان [بوقف] إطلاق النار.\nA) الخيار الأول\nB) الخيار الثاني\n",
		"# T\n\n## Only a heading\n",
		"# T\n\n7. numbers are assigned\n3. by position\n",
		"# T\n\n1. spaces   \t collapse\n   across lines\n",
	}
	for _, src := range srcs {
		d, err := Parse(src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		f := Format(d)
		d2, err := Parse(f)
		if err != nil {
			t.Fatalf("reparse of %q: %v", f, err)
		}
		if !reflect.DeepEqual(d, d2) {
			t.Errorf("round trip changed the document:\n%q\n%+v\n%+v", f, d, d2)
		}
		if f2 := Format(d2); f2 != f {
			t.Errorf("canonical form unstable:\n%q\n%q", f, f2)
		}
	}
}

func TestNumbering(t *testing.T) {
	d, err := Parse("# T\n\n7. a\n3. b\n\n## S\n\n9. c\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, p := range d.Paragraphs() {
		got = append(got, p.Number)
	}
	if !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("numbers = %v", got)
	}
}

func TestParseWording(t *testing.T) {
	spans, err := ParseWording("wording", "release [all] detainees")
	if err != nil || len(spans) != 3 {
		t.Fatalf("spans = %+v, %v", spans, err)
	}
	_, err = ParseWording("wording", "release [all detainees")
	if e, ok := errs.As(err); !ok || e.Code != CodeUnbalanced || e.Field != "wording" {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("# T\n\n1. [a [?b] c]\nA) x\nB) [y]\n")
	f.Add("# T\n\n1. \\[\\]\\\\\n")
	f.Add("# نص\n\n1. [?نص] ممدود\n")
	f.Fuzz(func(t *testing.T, src string) {
		d, err := Parse(src)
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		f := Format(d)
		d2, err := Parse(f)
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", f, err)
		}
		if !reflect.DeepEqual(d, d2) {
			t.Fatalf("round trip changed %q:\n%+v\n%+v", f, d, d2)
		}
	})
}
