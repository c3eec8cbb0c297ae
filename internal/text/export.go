package text

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html"
	"html/template"
	"strings"

	"parley/internal/access"
	"parley/internal/errs"
)

// The export formats.
const (
	FormatHTML = "html"
	FormatMD   = "md"
	FormatAKN  = "akn"
)

// Export is a rendered revision ready to download.
type Export struct {
	ContentType string
	Filename    string
	Body        []byte
	// StyleHash is the CSP source of the HTML export's one stylesheet
	// ("'sha256-…'"), so that the server can allow exactly it.
	StyleHash string
}

// Export renders Rev.n of a text, readable by actor, as print-ready HTML,
// Markdown or Akoma Ntoso XML.
func (s *Service) Export(ctx context.Context, actor access.Actor, textID string, n int, format string) (Export, error) {
	switch format {
	case FormatHTML, FormatMD, FormatAKN, FormatDOCX:
	default:
		return Export{}, errs.Field("format", "format must be html, md, akn or docx")
	}
	rev, err := s.Revision(ctx, actor, textID, n)
	if err != nil {
		return Export{}, err
	}
	name := fmt.Sprintf("text-%s-rev%d", textID[:8], rev.Number)
	switch format {
	case FormatHTML:
		b, err := PrintHTML(rev)
		return Export{ContentType: "text/html; charset=utf-8", Filename: name + ".html", Body: b, StyleHash: PrintStyleHash()}, err
	case FormatMD:
		return Export{ContentType: "text/markdown; charset=utf-8", Filename: name + ".md", Body: []byte(Markdown(rev))}, nil
	case FormatDOCX:
		b, err := DOCX(rev)
		return Export{ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Filename: name + ".docx", Body: b}, err
	default:
		b, err := AkomaNtoso(rev)
		return Export{ContentType: "application/akn+xml", Filename: name + ".xml", Body: b}, err
	}
}

// HTMLSpans renders spans with real brackets: each bracket is a span of
// class "bracket" and its kind, holding the bracket characters themselves,
// so that the text reads correctly when printed, copied or read aloud. The
// browser's bidirectional algorithm mirrors the brackets in right-to-left
// text.
func HTMLSpans(spans []Span) template.HTML {
	var b strings.Builder
	var walk func([]Span)
	walk = func(ss []Span) {
		for _, s := range ss {
			if s.Kind == "" {
				b.WriteString(html.EscapeString(s.Text))
				continue
			}
			fmt.Fprintf(&b, `<span class="bracket %s" data-kind="%s">[`, s.Kind, s.Kind)
			if s.Kind == Pending {
				b.WriteString(`<span class="pending-mark">?</span>`)
			}
			walk(s.Children)
			b.WriteString("]</span>")
		}
	}
	walk(spans)
	return template.HTML(b.String())
}

// printCSS is the stylesheet of the HTML export, made for paper.
const printCSS = `body{font-family:"Times New Roman",Georgia,serif;font-size:12pt;line-height:1.5;max-width:42em;margin:2em auto;padding:0 1em;color:#000}
h1{font-size:15pt;text-align:center;margin-block-end:1.5em}
h2{font-size:12pt;text-transform:uppercase;margin-block-start:2em}
.meta{text-align:center;font-size:10pt;margin-block-end:2em}
.preamble p{font-style:italic}
.paragraph{display:flex;gap:1em;margin-block:.8em}
.paragraph .num{min-inline-size:2em;font-weight:bold}
.option{margin-inline-start:3em;margin-block:.3em}
.option .label{font-weight:bold}
.bracket.pending{font-style:italic}
.footer{margin-block-start:3em;font-size:9pt;border-block-start:1px solid #000;padding-block-start:.5em;word-break:break-all}
@page{size:A4;margin:25mm 20mm;@bottom-center{content:counter(page)}}
@media print{body{margin:0;max-width:none}.paragraph,.option{break-inside:avoid}h2{break-after:avoid}}`

// PrintStyleHash is the CSP hash source of printCSS.
func PrintStyleHash() string {
	sum := sha256.Sum256([]byte(printCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

var printTemplate = template.Must(template.New("print").Funcs(template.FuncMap{"spans": HTMLSpans}).Parse(`<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{{.Title}} — Rev.{{.Number}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<h1 dir="auto">{{.Title}}</h1>
<p class="meta">Rev.{{.Number}} · {{.Issued}}</p>
{{with .Doc.Preamble}}<div class="preamble">{{range .}}<p dir="auto">{{.}}</p>{{end}}</div>{{end}}
{{range .Doc.Sections}}{{if .Heading}}<h2 dir="auto">{{.Heading}}</h2>{{end}}
{{range .Paragraphs}}<div class="paragraph" dir="auto" id="para-{{.Number}}"><span class="num">{{.Number}}.</span><div>{{if .Spans}}<p>{{spans .Spans}}</p>{{end}}
{{range .Options}}<p class="option">[<bdi class="label">Option {{.Label}}</bdi>: {{spans .Spans}}]</p>
{{end}}</div></div>
{{end}}{{end}}
<p class="footer">SHA-256 {{.SHA256}}</p>
</body>
</html>
`))

// PrintHTML renders a revision as a standalone, print-ready HTML page.
func PrintHTML(rev Revision) ([]byte, error) {
	var b bytes.Buffer
	err := printTemplate.Execute(&b, map[string]any{
		"Title": rev.Title, "Number": rev.Number, "Issued": rev.IssuedAt.UTC().Format("2 January 2006"),
		"Doc": rev.Document, "SHA256": rev.SHA256, "CSS": template.CSS(printCSS),
	})
	return b.Bytes(), err
}

// mdEscaper keeps Markdown from reading the text's own characters as
// markup: brackets stay visible as brackets.
var mdEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `[`, `\[`, `]`, `\]`, `<`, `&lt;`, `#`, `\#`)

// Markdown renders a revision as Markdown.
func Markdown(rev Revision) string {
	var b strings.Builder
	d := rev.Document
	fmt.Fprintf(&b, "# %s\n\n*Rev.%d, %s*\n\n", mdEscaper.Replace(d.Title), rev.Number, rev.IssuedAt.UTC().Format("2 January 2006"))
	for _, p := range d.Preamble {
		fmt.Fprintf(&b, "%s\n\n", mdEscaper.Replace(p))
	}
	for _, s := range d.Sections {
		if s.Heading != "" {
			fmt.Fprintf(&b, "## %s\n\n", mdEscaper.Replace(s.Heading))
		}
		for _, p := range s.Paragraphs {
			fmt.Fprintf(&b, "**%d.**", p.Number)
			if len(p.Spans) > 0 {
				b.WriteString(" " + mdEscaper.Replace(Bracketed(p.Spans)))
			}
			b.WriteString("\n\n")
			for _, o := range p.Options {
				fmt.Fprintf(&b, "> \\[**Option %s:** %s\\]\n\n", o.Label, mdEscaper.Replace(Bracketed(o.Spans)))
			}
		}
	}
	fmt.Fprintf(&b, "---\n\nSHA-256 `%s`\n", rev.SHA256)
	return b.String()
}

// AKNNamespace is the namespace of Akoma Ntoso 3.0 (OASIS LegalDocML).
const AKNNamespace = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

// AkomaNtoso renders a revision as an Akoma Ntoso 3.0 <doc name="agreement">:
// FRBR identification, the title in the preface, the preamble, and the
// paragraphs in the main body. A bracket is an <inline name="bracket"> of
// class contentious or pending, holding its bracket characters; the options
// of a paragraph are a <blockList> whose items are numbered "Option A", ….
func AkomaNtoso(rev Revision) ([]byte, error) {
	var b bytes.Buffer
	w := &aknWriter{b: &b}
	date := rev.IssuedAt.UTC().Format("2006-01-02")
	work := "/akn/un/doc/agreement/" + date + "/" + rev.TextID
	expr := work + "/eng@" + date
	b.WriteString(xml.Header)
	w.open("akomaNtoso", "xmlns", AKNNamespace)
	w.open("doc", "name", "agreement")
	w.open("meta")
	w.open("identification", "source", "#parley")
	w.open("FRBRWork")
	w.empty("FRBRthis", "value", work+"/!main")
	w.empty("FRBRuri", "value", work)
	w.empty("FRBRdate", "date", date, "name", "issued")
	w.empty("FRBRauthor", "href", "#mediation")
	w.empty("FRBRcountry", "value", "un")
	w.close("FRBRWork")
	w.open("FRBRExpression")
	w.empty("FRBRthis", "value", expr+"/!main")
	w.empty("FRBRuri", "value", expr)
	w.empty("FRBRdate", "date", date, "name", "issued")
	w.empty("FRBRauthor", "href", "#mediation")
	w.empty("FRBRversionNumber", "value", fmt.Sprintf("rev%d", rev.Number))
	w.empty("FRBRlanguage", "language", "eng")
	w.close("FRBRExpression")
	w.open("FRBRManifestation")
	w.empty("FRBRthis", "value", expr+"/!main.xml")
	w.empty("FRBRuri", "value", expr+".akn")
	w.empty("FRBRdate", "date", date, "name", "generation")
	w.empty("FRBRauthor", "href", "#parley")
	w.close("FRBRManifestation")
	w.close("identification")
	w.open("references", "source", "#parley")
	w.empty("TLCOrganization", "eId", "mediation", "href", "/ontology/organization/mediation", "showAs", "Mediation")
	w.empty("TLCOrganization", "eId", "parley", "href", "/ontology/organization/parley", "showAs", "parley")
	w.close("references")
	w.close("meta")
	d := rev.Document
	w.open("preface")
	w.open("p")
	w.open("docTitle")
	w.text(d.Title)
	w.close("docTitle")
	w.close("p")
	w.open("p")
	w.open("docNumber")
	w.text(fmt.Sprintf("Rev.%d", rev.Number))
	w.close("docNumber")
	w.close("p")
	w.close("preface")
	if len(d.Preamble) > 0 {
		w.open("preamble")
		for _, p := range d.Preamble {
			w.open("p")
			w.text(p)
			w.close("p")
		}
		w.close("preamble")
	}
	w.open("mainBody")
	for si, s := range d.Sections {
		if s.Heading != "" {
			w.open("section", "eId", fmt.Sprintf("sec_%d", si+1))
			w.open("heading")
			w.text(s.Heading)
			w.close("heading")
		}
		for _, p := range s.Paragraphs {
			id := fmt.Sprintf("para_%d", p.Number)
			w.open("paragraph", "eId", id)
			w.open("num")
			w.text(fmt.Sprintf("%d.", p.Number))
			w.close("num")
			w.open("content")
			if len(p.Spans) > 0 {
				w.open("p")
				w.spans(p.Spans)
				w.close("p")
			}
			if len(p.Options) > 0 {
				w.open("blockList", "eId", id+"__list_1", "class", "alternatives")
				for _, o := range p.Options {
					w.open("item", "eId", id+"__list_1__item_"+o.Label)
					w.open("num")
					w.text("Option " + o.Label)
					w.close("num")
					w.open("p")
					w.open("inline", "name", "bracket", "class", string(Alternative))
					w.text("[")
					w.spans(o.Spans)
					w.text("]")
					w.close("inline")
					w.close("p")
					w.close("item")
				}
				w.close("blockList")
			}
			w.close("content")
			w.close("paragraph")
		}
		if s.Heading != "" {
			w.close("section")
		}
	}
	w.close("mainBody")
	w.close("doc")
	w.close("akomaNtoso")
	return b.Bytes(), w.err
}

// aknWriter writes XML by hand, so that element order is exactly the
// schema's and mixed content (text with inline brackets) stays intact.
type aknWriter struct {
	b   *bytes.Buffer
	err error
}

func (w *aknWriter) attrs(kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.b.WriteString(" " + kv[i] + `="`)
		w.text(kv[i+1])
		w.b.WriteString(`"`)
	}
}

func (w *aknWriter) open(name string, kv ...string) {
	w.b.WriteString("<" + name)
	w.attrs(kv)
	w.b.WriteString(">")
}

func (w *aknWriter) empty(name string, kv ...string) {
	w.b.WriteString("<" + name)
	w.attrs(kv)
	w.b.WriteString("/>")
}

func (w *aknWriter) close(name string) { w.b.WriteString("</" + name + ">") }

func (w *aknWriter) text(s string) {
	if err := xml.EscapeText(w.b, []byte(s)); err != nil && w.err == nil {
		w.err = err
	}
}

func (w *aknWriter) spans(ss []Span) {
	for _, s := range ss {
		if s.Kind == "" {
			w.text(s.Text)
			continue
		}
		w.open("inline", "name", "bracket", "class", string(s.Kind))
		w.text("[")
		w.spans(s.Children)
		w.text("]")
		w.close("inline")
	}
}
