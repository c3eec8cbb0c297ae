package text

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"parley/internal/errs"
)

// Kind is the kind of a bracket (docs/text.md "Brackets").
type Kind string

// The bracket kinds. Alternative is the kind of a paragraph's options;
// Contentious and Pending are written inline.
const (
	Alternative Kind = "alternative"
	Contentious Kind = "contentious"
	Pending     Kind = "pending" // pending instructions: a party awaits its capital
)

// Span is a piece of inline text: plain text (Kind == "") or a bracket
// holding further spans. Brackets nest, as they do in negotiated texts.
type Span struct {
	Kind     Kind   `json:"kind,omitempty"`
	Text     string `json:"text,omitempty"`
	Children []Span `json:"children,omitempty"`
}

// Option is one alternative wording of a paragraph ("Option A").
type Option struct {
	Label string `json:"label"` // A, B, C … in order
	Spans []Span `json:"spans"`
}

// Paragraph is a numbered paragraph. Its lead text may be empty when it
// consists of options only.
type Paragraph struct {
	Number  int      `json:"number"`
	Spans   []Span   `json:"spans"`
	Options []Option `json:"options,omitempty"`
}

// Section groups paragraphs under a heading. Only the first section of a
// document may have an empty heading: it holds the paragraphs written
// before any heading.
type Section struct {
	Heading    string      `json:"heading"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Document is a parsed negotiating text.
type Document struct {
	Title    string    `json:"title"`
	Preamble []string  `json:"preamble"`
	Sections []Section `json:"sections"`
}

// Paragraphs returns every numbered paragraph in order.
func (d *Document) Paragraphs() []Paragraph {
	var ps []Paragraph
	for _, s := range d.Sections {
		ps = append(ps, s.Paragraphs...)
	}
	return ps
}

// Paragraph returns paragraph n (1-based).
func (d *Document) Paragraph(n int) (Paragraph, bool) {
	for _, s := range d.Sections {
		for _, p := range s.Paragraphs {
			if p.Number == n {
				return p, true
			}
		}
	}
	return Paragraph{}, false
}

// Option returns the option with label, if the paragraph has one.
func (p Paragraph) Option(label string) (Option, bool) {
	for _, o := range p.Options {
		if o.Label == label {
			return o, true
		}
	}
	return Option{}, false
}

// Bracketed reports whether the paragraph still holds brackets: options,
// bracketed spans, or a wholly bracketed text.
func (p Paragraph) Bracketed() bool {
	if len(p.Options) > 0 || hasBracket(p.Spans) {
		return true
	}
	return false
}

// Whole reports whether the paragraph is wholly bracketed: its text is one
// bracket and nothing else.
func (p Paragraph) Whole() bool {
	return len(p.Options) == 0 && len(p.Spans) == 1 && p.Spans[0].Kind != ""
}

func hasBracket(spans []Span) bool {
	for _, s := range spans {
		if s.Kind != "" {
			return true
		}
	}
	return false
}

// Bracketed lists the numbers of the paragraphs that still hold brackets.
func (d *Document) Bracketed() []int {
	var ns []int
	for _, p := range d.Paragraphs() {
		if p.Bracketed() {
			ns = append(ns, p.Number)
		}
	}
	return ns
}

// Limits of the source.
const (
	MaxSource   = 200_000 // bytes of markup in one draft
	MaxDepth    = 8       // nesting of brackets
	MaxOptions  = 26      // options of one paragraph, A to Z
	MaxTitle    = 300     // characters of the title
	MaxWording  = 8000    // characters of a proposed amendment
	MaxComment  = 4000    // characters of a comment on a position
	maxParagaph = 2000    // paragraphs of one text
)

// CodeUnbalanced is the error code of a bracket without its partner.
const CodeUnbalanced = "unbalanced_bracket"

func init() { errs.Register(CodeUnbalanced, 400) }

// SyntaxError is a problem in the source at a line and column (both
// 1-based; the column counts characters, not bytes).
type SyntaxError struct {
	Line, Col int
	Code      string
	Msg       string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// asErr turns a syntax error into parley's error type, field "source", with
// the position leading the message so that the editor can point at it.
func (e *SyntaxError) asErr(field string) *errs.Error {
	return &errs.Error{Code: e.Code, Field: field, Message: e.Error()}
}

// pos is a position in the source.
type pos struct{ line, col int }

// char is one rune of a paragraph's text with where it came from; the
// scanner joins a paragraph's lines before reading brackets, so positions
// travel with the characters.
type char struct {
	r   rune
	at  pos
	esc bool // written with a backslash: never a bracket
}

// Parse reads the markup described in docs/text.md into a Document. Bad
// markup is an *errs.Error with field "source" whose message starts with
// line:column; unbalanced brackets have code CodeUnbalanced.
func Parse(src string) (*Document, error) {
	d, serr := parse(src)
	if serr != nil {
		return nil, serr.asErr("source")
	}
	return d, nil
}

func syntax(at pos, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: at.line, Col: at.col, Code: errs.Invalid, Msg: fmt.Sprintf(format, args...)}
}

// block is a paragraph, option or preamble entry being gathered.
type block struct {
	kind  byte // 'p' paragraph, 'o' option, 'r' preamble
	label string
	chars []char
	start pos
}

func parse(src string) (*Document, *SyntaxError) {
	if len(src) > MaxSource {
		return nil, syntax(pos{1, 1}, "the text is longer than %d bytes", MaxSource)
	}
	if !utf8.ValidString(src) {
		return nil, syntax(pos{1, 1}, "the text is not valid UTF-8")
	}
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	d := &Document{Preamble: []string{}, Sections: []Section{}}
	var cur *block
	var titleAt pos
	// flush ends the block being gathered.
	flush := func() *SyntaxError {
		if cur == nil {
			return nil
		}
		b := cur
		cur = nil
		spans, err := inline(b.chars, b.start)
		if err != nil {
			return err
		}
		switch b.kind {
		case 'r':
			if hasBracket(spans) {
				return syntax(b.start, "brackets belong in numbered paragraphs, not in the preamble")
			}
			if t := plain(spans); t != "" {
				d.Preamble = append(d.Preamble, t)
			}
		case 'p':
			s := &d.Sections[len(d.Sections)-1]
			s.Paragraphs = append(s.Paragraphs, Paragraph{Spans: spans})
		case 'o':
			s := &d.Sections[len(d.Sections)-1]
			p := &s.Paragraphs[len(s.Paragraphs)-1]
			if len(spans) == 0 {
				return syntax(b.start, "option %s is empty", b.label)
			}
			p.Options = append(p.Options, Option{Label: b.label, Spans: spans})
		}
		return nil
	}
	number := 0
	var starts []pos // where each paragraph starts, to report empty ones
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		ln := i + 1
		for j, r := range line {
			if unicode.IsControl(r) && r != '\t' {
				return nil, syntax(pos{ln, utf8.RuneCountInString(line[:j]) + 1}, "control character U+%04X", r)
			}
		}
		trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
		indent := utf8.RuneCountInString(line) - utf8.RuneCountInString(trimmed)
		at := pos{ln, indent + 1}
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		switch {
		case strings.HasPrefix(trimmed, "## "), trimmed == "##":
			if err := flush(); err != nil {
				return nil, err
			}
			if d.Title == "" {
				return nil, syntax(at, "the text starts with its title: a line \"# Title\"")
			}
			h, err := lineText(trimmed[2:], ln, indent+3)
			if err != nil {
				return nil, err
			}
			if h == "" {
				return nil, syntax(at, "a section heading needs text after ##")
			}
			d.Sections = append(d.Sections, Section{Heading: h, Paragraphs: []Paragraph{}})
			continue
		case strings.HasPrefix(trimmed, "# "), trimmed == "#":
			if err := flush(); err != nil {
				return nil, err
			}
			if d.Title != "" {
				return nil, syntax(at, "the text has one title; line %d already gave it", titleAt.line)
			}
			t, err := lineText(trimmed[1:], ln, indent+2)
			if err != nil {
				return nil, err
			}
			if t == "" {
				return nil, syntax(at, "the title needs text after #")
			}
			if utf8.RuneCountInString(t) > MaxTitle {
				return nil, syntax(at, "the title is longer than %d characters", MaxTitle)
			}
			d.Title, titleAt = t, at
			continue
		}
		if n, rest, ok := numbered(trimmed); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			if d.Title == "" {
				return nil, syntax(at, "the text starts with its title: a line \"# Title\"")
			}
			_ = n // paragraphs are numbered by position; the typed number is a convenience
			number++
			if number > maxParagaph {
				return nil, syntax(at, "more than %d paragraphs", maxParagaph)
			}
			if len(d.Sections) == 0 {
				d.Sections = append(d.Sections, Section{Paragraphs: []Paragraph{}})
			}
			col := indent + 1 + utf8.RuneCountInString(trimmed) - utf8.RuneCountInString(rest)
			cur = &block{kind: 'p', start: pos{ln, col}}
			starts = append(starts, at)
			cur.chars = appendLine(cur.chars, rest, ln, col)
			continue
		}
		if label, rest, ok := optionLine(trimmed); ok && lastKind(cur, d) {
			if err := flush(); err != nil {
				return nil, err
			}
			s := &d.Sections[len(d.Sections)-1]
			p := &s.Paragraphs[len(s.Paragraphs)-1]
			if len(p.Options) >= MaxOptions {
				return nil, syntax(at, "a paragraph has at most %d options", MaxOptions)
			}
			_ = label // options are labelled by position, like paragraphs
			col := indent + 1 + utf8.RuneCountInString(trimmed) - utf8.RuneCountInString(rest)
			cur = &block{kind: 'o', label: string(rune('A' + len(p.Options))), start: pos{ln, col}}
			cur.chars = appendLine(cur.chars, rest, ln, col)
			continue
		}
		// A continuation line, or the start of a preamble entry.
		if cur == nil {
			if d.Title == "" {
				return nil, syntax(at, "the text starts with its title: a line \"# Title\"")
			}
			if len(d.Sections) > 0 {
				return nil, syntax(at, "text after the paragraphs must start a numbered paragraph (\"%d. …\") or an option (\"A) …\")", number+1)
			}
			cur = &block{kind: 'r', start: at}
		} else {
			cur.chars = append(cur.chars, char{r: ' ', at: at})
		}
		cur.chars = appendLine(cur.chars, trimmed, ln, indent+1)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if d.Title == "" {
		return nil, syntax(pos{1, 1}, "the text starts with its title: a line \"# Title\"")
	}
	n := 0
	for si := range d.Sections {
		for pi := range d.Sections[si].Paragraphs {
			n++
			p := &d.Sections[si].Paragraphs[pi]
			p.Number = n
			if len(p.Spans) == 0 && len(p.Options) == 0 {
				return nil, syntax(starts[n-1], "paragraph %d is empty", n)
			}
			if p.Spans == nil {
				p.Spans = []Span{}
			}
		}
	}
	return d, nil
}

// lastKind reports whether an option line may follow: the block before it is
// a paragraph or an option (an option line in the preamble is plain text).
func lastKind(cur *block, d *Document) bool {
	if cur != nil {
		return cur.kind == 'p' || cur.kind == 'o'
	}
	if len(d.Sections) == 0 {
		return false
	}
	s := d.Sections[len(d.Sections)-1]
	return len(s.Paragraphs) > 0
}

// lineText reads a heading or title: escapes are honoured, brackets are not
// allowed.
func lineText(s string, ln, col int) (string, *SyntaxError) {
	spans, err := inline(appendLine(nil, s, ln, col), pos{ln, col})
	if err != nil {
		return "", err
	}
	if hasBracket(spans) {
		return "", syntax(pos{ln, col}, "brackets belong in numbered paragraphs, not in titles or headings")
	}
	return plain(spans), nil
}

// numbered recognises "12. text" (or "12." alone).
func numbered(s string) (int, string, bool) {
	i := 0
	for i < len(s) && i < 6 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(s) || s[i] != '.' {
		return 0, "", false
	}
	rest := s[i+1:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	n, _ := strconv.Atoi(s[:i])
	return n, strings.TrimLeft(rest, " \t"), true
}

// optionLine recognises "A) text".
func optionLine(s string) (string, string, bool) {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || s[1] != ')' {
		return "", "", false
	}
	rest := s[2:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", "", false
	}
	return s[:1], strings.TrimLeft(rest, " \t"), true
}

// appendLine adds the characters of one line, resolving backslash escapes
// (a backslash takes the next character literally; a trailing backslash is
// itself).
func appendLine(cs []char, s string, ln, col int) []char {
	c := col
	esc := false
	for _, r := range s {
		switch {
		case esc:
			// An escaped space is still a space: only the markup
			// characters need escaping, and the canonical form never
			// writes one.
			cs = append(cs, char{r: r, at: pos{ln, c - 1}, esc: !unicode.IsSpace(r)})
			esc = false
		case r == '\\':
			esc = true
		default:
			cs = append(cs, char{r: r, at: pos{ln, c}})
		}
		c++
	}
	if esc {
		cs = append(cs, char{r: '\\', at: pos{ln, c - 1}, esc: true})
	}
	return cs
}

// inline reads brackets: "[" opens a contentious bracket, "[?" one pending
// instructions, "]" closes the innermost. Whitespace runs become one space
// and the ends are trimmed, so that the canonical form is stable.
func inline(cs []char, start pos) ([]Span, *SyntaxError) {
	// Normalise whitespace first.
	var norm []char
	for _, c := range cs {
		if !c.esc && unicode.IsSpace(c.r) {
			if len(norm) == 0 || (!norm[len(norm)-1].esc && norm[len(norm)-1].r == ' ') {
				continue
			}
			c.r = ' '
		}
		norm = append(norm, c)
	}
	for len(norm) > 0 && !norm[len(norm)-1].esc && norm[len(norm)-1].r == ' ' {
		norm = norm[:len(norm)-1]
	}
	type frame struct {
		kind  Kind
		at    pos
		spans []Span
		text  strings.Builder
	}
	stack := []*frame{{}}
	top := func() *frame { return stack[len(stack)-1] }
	endText := func(f *frame) {
		if f.text.Len() > 0 {
			f.spans = append(f.spans, Span{Text: f.text.String()})
			f.text.Reset()
		}
	}
	for i := 0; i < len(norm); i++ {
		c := norm[i]
		switch {
		case !c.esc && c.r == '[':
			if len(stack) > MaxDepth {
				return nil, syntax(c.at, "brackets nest deeper than %d", MaxDepth)
			}
			endText(top())
			f := &frame{kind: Contentious, at: c.at}
			if i+1 < len(norm) && !norm[i+1].esc && norm[i+1].r == '?' {
				f.kind = Pending
				i++
			}
			stack = append(stack, f)
		case !c.esc && c.r == ']':
			if len(stack) == 1 {
				return nil, &SyntaxError{Line: c.at.line, Col: c.at.col, Code: CodeUnbalanced,
					Msg: "closing bracket ] without an opening ["}
			}
			f := top()
			endText(f)
			if len(f.spans) == 0 {
				return nil, syntax(f.at, "empty bracket")
			}
			stack = stack[:len(stack)-1]
			p := top()
			p.spans = append(p.spans, Span{Kind: f.kind, Children: f.spans})
		default:
			top().text.WriteRune(c.r)
		}
	}
	if len(stack) > 1 {
		f := top()
		return nil, &SyntaxError{Line: f.at.line, Col: f.at.col, Code: CodeUnbalanced,
			Msg: "opening bracket [ is never closed"}
	}
	endText(stack[0])
	spans := stack[0].spans
	if spans == nil {
		spans = []Span{}
	}
	return spans, nil
}

// ParseWording reads a proposed amendment or any inline text with the
// paragraph markup (brackets and escapes), one paragraph's worth.
func ParseWording(field, s string) ([]Span, error) {
	if !utf8.ValidString(s) {
		return nil, errs.Field(field, "%s is not valid UTF-8", field)
	}
	if utf8.RuneCountInString(s) > MaxWording {
		return nil, errs.Field(field, "%s is longer than %d characters", field, MaxWording)
	}
	var cs []char
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		for _, r := range line {
			if unicode.IsControl(r) && r != '\t' && r != '\r' {
				return nil, errs.Field(field, "%s contains a control character", field)
			}
		}
		if i > 0 {
			cs = append(cs, char{r: ' ', at: pos{i + 1, 1}})
		}
		cs = appendLine(cs, line, i+1, 1)
	}
	spans, err := inline(cs, pos{1, 1})
	if err != nil {
		return nil, err.asErr(field)
	}
	return spans, nil
}

// plain is the text of spans without brackets.
func plain(spans []Span) string {
	var b strings.Builder
	var walk func([]Span)
	walk = func(ss []Span) {
		for _, s := range ss {
			b.WriteString(s.Text)
			walk(s.Children)
		}
	}
	walk(spans)
	return b.String()
}
