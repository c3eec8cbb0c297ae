package text

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Format writes d in the canonical form of the markup: the title, the
// preamble entries separated by blank lines, then each section heading and
// each paragraph and option on one line, numbered and labelled by position.
// Parse(Format(d)) gives d back, and the canonical form of an adopted text
// is what its SHA-256 is taken of.
func Format(d *Document) string {
	var b strings.Builder
	b.WriteString("# ")
	b.WriteString(escape(d.Title))
	b.WriteString("\n")
	for _, p := range d.Preamble {
		b.WriteString("\n")
		e := escape(p)
		if e != "" && (e[0] == '#' || e[0] >= '0' && e[0] <= '9') {
			// Keep a preamble entry from reading as a title, heading or
			// paragraph.
			e = `\` + e
		}
		b.WriteString(e)
		b.WriteString("\n")
	}
	for _, s := range d.Sections {
		if s.Heading != "" {
			b.WriteString("\n## ")
			b.WriteString(escape(s.Heading))
			b.WriteString("\n")
		}
		for _, p := range s.Paragraphs {
			b.WriteString("\n")
			b.WriteString(strconv.Itoa(p.Number))
			b.WriteString(".")
			if len(p.Spans) > 0 {
				b.WriteString(" ")
				b.WriteString(FormatSpans(p.Spans))
			}
			b.WriteString("\n")
			for _, o := range p.Options {
				b.WriteString(o.Label)
				b.WriteString(") ")
				b.WriteString(FormatSpans(o.Spans))
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

// FormatSpans writes inline spans in the markup.
func FormatSpans(spans []Span) string {
	var b strings.Builder
	formatSpans(&b, spans)
	return b.String()
}

func formatSpans(b *strings.Builder, spans []Span) {
	for _, s := range spans {
		if s.Kind == "" {
			b.WriteString(escape(s.Text))
			continue
		}
		b.WriteString("[")
		if s.Kind == Pending {
			b.WriteString("?")
		} else if len(s.Children) > 0 && s.Children[0].Kind == "" && strings.HasPrefix(s.Children[0].Text, "?") {
			// A contentious bracket whose text starts with a question
			// mark must not read as pending instructions.
			b.WriteString(`\`)
		}
		formatSpans(b, s.Children)
		b.WriteString("]")
	}
}

var escaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)

func escape(s string) string { return escaper.Replace(s) }

// Hash is the hex SHA-256 of the canonical form of d: what the adoption
// event carries.
func Hash(d *Document) string {
	sum := sha256.Sum256([]byte(Format(d)))
	return hex.EncodeToString(sum[:])
}
