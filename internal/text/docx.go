package text

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"unicode"
)

// FormatDOCX is the Word export: Office Open XML WordprocessingML
// (ECMA-376), written with archive/zip and encoding/xml. No maintained,
// dependency-light Go library writes DOCX, and a negotiating text needs
// only paragraphs, bold runs and highlighting, so the package writes the
// four parts itself. A paragraph in a right-to-left script is marked bidi,
// so that Word lays out an Arabic text from the right.
const FormatDOCX = "docx"

// docxParts are the fixed parts of the package beside word/document.xml.
var docxParts = map[string]string{
	"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
	"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
	"word/_rels/document.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`,
}

// docxWriter writes the body of word/document.xml.
type docxWriter struct{ b *bytes.Buffer }

// run is one stretch of text with its formatting.
type run struct {
	text      string
	bold      bool
	highlight bool // inside a bracket
	size      int  // half-points; 0 keeps the default
}

func (w docxWriter) para(rtl bool, runs ...run) {
	w.b.WriteString("<w:p>")
	if rtl {
		w.b.WriteString("<w:pPr><w:bidi/></w:pPr>")
	}
	for _, r := range runs {
		if r.text == "" {
			continue
		}
		w.b.WriteString("<w:r>")
		if r.bold || r.highlight || r.size > 0 || rtl {
			w.b.WriteString("<w:rPr>")
			if r.bold {
				w.b.WriteString("<w:b/>")
			}
			if r.highlight {
				w.b.WriteString(`<w:highlight w:val="yellow"/>`)
			}
			if r.size > 0 {
				fmt.Fprintf(w.b, `<w:sz w:val="%d"/>`, r.size)
			}
			if rtl {
				w.b.WriteString("<w:rtl/>")
			}
			w.b.WriteString("</w:rPr>")
		}
		w.b.WriteString(`<w:t xml:space="preserve">`)
		xml.EscapeText(w.b, []byte(r.text))
		w.b.WriteString("</w:t></w:r>")
	}
	w.b.WriteString("</w:p>")
}

// spanRuns turns spans into runs: brackets keep their characters and are
// highlighted, as on the page.
func spanRuns(spans []Span) []run {
	var out []run
	var walk func([]Span, bool)
	walk = func(ss []Span, in bool) {
		for _, s := range ss {
			if s.Kind == "" {
				out = append(out, run{text: s.Text, highlight: in})
				continue
			}
			open := "["
			if s.Kind == Pending {
				open = "[?"
			}
			out = append(out, run{text: open, highlight: true})
			walk(s.Children, true)
			out = append(out, run{text: "]", highlight: true})
		}
	}
	walk(spans, false)
	return out
}

// rightToLeft reports whether s starts, after neutral characters, with a
// letter of a right-to-left script.
func rightToLeft(s string) bool {
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko):
			return true
		case unicode.IsLetter(r):
			return false
		}
	}
	return false
}

// DOCX renders a revision as a Word document: the title, "Rev.N" and its
// date, the preamble, headings, numbered paragraphs with their brackets,
// each option on its own line, and the SHA-256 of the canonical text.
func DOCX(rev Revision) ([]byte, error) {
	var body bytes.Buffer
	w := docxWriter{b: &body}
	d := rev.Document
	rtl := rightToLeft(d.Title)
	w.para(rtl, run{text: d.Title, bold: true, size: 36})
	w.para(false, run{text: fmt.Sprintf("Rev.%d, %s", rev.Number, rev.IssuedAt.UTC().Format("2 January 2006"))})
	for _, p := range d.Preamble {
		w.para(rightToLeft(p), run{text: p})
	}
	for _, s := range d.Sections {
		if s.Heading != "" {
			w.para(rightToLeft(s.Heading), run{text: s.Heading, bold: true, size: 28})
		}
		for _, p := range s.Paragraphs {
			lead := Bracketed(p.Spans)
			runs := append([]run{{text: fmt.Sprintf("%d. ", p.Number), bold: true}}, spanRuns(p.Spans)...)
			w.para(rightToLeft(lead) || rtl && strings.TrimSpace(lead) == "", runs...)
			for _, o := range p.Options {
				runs := append([]run{{text: "[", highlight: true}, {text: "Option " + o.Label + ": ", bold: true, highlight: true}},
					append(spanRuns(o.Spans), run{text: "]", highlight: true})...)
				w.para(rightToLeft(Bracketed(o.Spans)), runs...)
			}
		}
	}
	w.para(false, run{text: "SHA-256 " + rev.SHA256, size: 16})

	var out bytes.Buffer
	z := zip.NewWriter(&out)
	add := func(name, content string) error {
		f, err := z.Create(name)
		if err != nil {
			return err
		}
		_, err = f.Write([]byte(content))
		return err
	}
	// [Content_Types].xml first, as readers expect.
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"} {
		if err := add(name, docxParts[name]); err != nil {
			return nil, err
		}
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() +
		`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>`
	if err := add("word/document.xml", doc); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
