package text

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDOCX opens the Word export with a real reader, pandoc (Debian's
// pandoc package), and checks that it reads the title, the revision, the
// paragraphs with their brackets and options, and the hash, in English and
// in Arabic. In CI a missing pandoc fails the test; elsewhere it skips.
func TestDOCX(t *testing.T) {
	pandoc, err := exec.LookPath("pandoc")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pandoc is missing; CI opens the DOCX export with it (apt-get install pandoc)")
		}
		t.Skip("pandoc is missing: the DOCX export is not opened")
	}
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"english", sample, []string{"[Option A: the joint monitoring group [?within 24 hours].]"}},
		{"arabic", arabic, []string{"اتفاق وقف إطلاق النار", "[بوقف]", "Option A", "[?الثاني]", "& <غير ذلك>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rev := sampleRevision(t, c.src)
			b, err := DOCX(rev)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "rev.docx")
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(pandoc, "-f", "docx", "-t", "plain", "--wrap=none", f).CombinedOutput()
			if err != nil {
				t.Fatalf("pandoc cannot read the export: %v\n%s", err, out)
			}
			text := string(out)
			want := append([]string{rev.Document.Title, "SHA-256 " + rev.SHA256, "Rev." + strconv.Itoa(rev.Number)}, c.want...)
			for _, p := range rev.Document.Paragraphs() {
				want = append(want, Bracketed(p.Spans))
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("pandoc reads no %q in:\n%s", w, text)
				}
			}
		})
	}
}
