package text

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleRevision(t *testing.T, src string) Revision {
	t.Helper()
	d, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	canon := Format(d)
	return Revision{ID: "r1", TextID: "0123456789abcdef0123456789abcdef", Title: d.Title, Number: 2,
		IssuedAt: time.Date(2017, 1, 24, 10, 0, 0, 0, time.UTC), Source: canon, SHA256: Hash(d), Document: d}
}

const arabic = "# اتفاق وقف إطلاق النار\n\nإن الطرفين،\n\n## الأحكام\n\n1. يلتزم الطرفان [بوقف] إطلاق النار & <غير ذلك>.\nA) الخيار الأول\nB) الخيار [?الثاني]\n"

func TestPrintHTML(t *testing.T) {
	b, err := PrintHTML(sampleRevision(t, arabic))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`<span class="bracket contentious" data-kind="contentious">[بوقف]</span>`,
		`[<bdi class="label">Option A</bdi>: الخيار الأول]`,
		`<span class="bracket pending" data-kind="pending">[<span class="pending-mark">?</span>الثاني]</span>`,
		`&amp; &lt;غير ذلك&gt;`, `dir="auto"`, "@media print", "Rev.2",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML export lacks %q", want)
		}
	}
	if !strings.Contains(s, "<style>"+printCSS+"</style>") {
		t.Error("the stylesheet is not the one PrintStyleHash hashes")
	}
}

func TestMarkdown(t *testing.T) {
	s := Markdown(sampleRevision(t, sample))
	for _, want := range []string{
		"# Agreement on the ceasefire regime\n", "## Ceasefire\n", "**3.** \\[The parties agree to release detainees.\\]",
		"> \\[**Option A:** the joint monitoring group \\[?within 24 hours\\].\\]",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, s)
		}
	}
}

func TestAkomaNtoso(t *testing.T) {
	for _, src := range []string{sample, arabic} {
		b, err := AkomaNtoso(sampleRevision(t, src))
		if err != nil {
			t.Fatal(err)
		}
		// Well-formed, in the Akoma Ntoso namespace, with the paragraphs.
		dec := xml.NewDecoder(bytes.NewReader(b))
		var root string
		paras := 0
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, b)
			}
			if se, ok := tok.(xml.StartElement); ok {
				if root == "" {
					root = se.Name.Space + " " + se.Name.Local
				}
				if se.Name.Local == "paragraph" {
					paras++
				}
			}
		}
		if root != AKNNamespace+" akomaNtoso" {
			t.Errorf("root = %s", root)
		}
		d, _ := Parse(src)
		if paras != len(d.Paragraphs()) {
			t.Errorf("%d paragraphs in the XML, want %d", paras, len(d.Paragraphs()))
		}
		validateAKN(t, b)
	}
}

// TestAkomaNtosoSchemaRefuses shows that the validation is real: a
// document the schema does not allow (a doc without its metadata and body)
// is refused.
func TestAkomaNtosoSchemaRefuses(t *testing.T) {
	bad := []byte(`<?xml version="1.0" encoding="UTF-8"?><akomaNtoso xmlns="` + AKNNamespace + `"><doc name="agreement"><unknown/></doc></akomaNtoso>`)
	if err := xmllintAKN(t, bad); err == nil {
		t.Fatal("xmllint accepted a document the schema does not allow")
	}
}

// aknSchema is the OASIS Akoma Ntoso 3.0 schema, kept in the repository
// (testdata/akn, a copy of the one the project's shared schemas hold) so
// that every checkout validates against the same file, unless
// PARLEY_AKN_XSD names another copy.
const aknSchema = "testdata/akn/akomantoso30.xsd"

// validateAKN validates doc against the Akoma Ntoso 3.0 schema with
// xmllint (Debian's libxml2-utils). In CI a missing schema or xmllint is a
// failure: .ci/run installs xmllint and the schema is in testdata. Elsewhere their absence skips the validation and says so.
func validateAKN(t *testing.T, doc []byte) {
	t.Helper()
	if err := xmllintAKN(t, doc); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
}

// xmllintAKN runs xmllint on doc against the schema, or fails (in CI) or
// skips (elsewhere) the test when the schema or xmllint is missing.
func xmllintAKN(t *testing.T, doc []byte) error {
	t.Helper()
	xsd := os.Getenv("PARLEY_AKN_XSD")
	if xsd == "" {
		xsd = aknSchema
	}
	missing := ""
	if _, err := os.Stat(xsd); err != nil {
		missing = "the Akoma Ntoso schema " + xsd
	} else if _, err := exec.LookPath("xmllint"); err != nil {
		missing = "xmllint (apt-get install libxml2-utils)"
	}
	if missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing; CI validates the Akoma Ntoso export against the schema", missing)
		}
		t.Skipf("%s is missing: schema validation not run", missing)
	}
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint: %v\n%s", err, out)
	}
	return nil
}
