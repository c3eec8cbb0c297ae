package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func load(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z]+)\s*\}\}`)

func placeholders(s string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestCatalogueComplete fails when any language lacks a key English has, has
// a key English lacks, leaves a message empty, or drops or renames a
// placeholder.
func TestCatalogueComplete(t *testing.T) {
	c := load(t)
	en := c.Keys("en")
	if len(en) == 0 {
		t.Fatal("the English catalogue is empty")
	}
	for _, lang := range Languages {
		t.Run(lang.Tag, func(t *testing.T) {
			keys := c.Keys(lang.Tag)
			for _, k := range en {
				if _, ok := c.messages[lang.Tag][k]; !ok {
					t.Errorf("%s: missing key %q", lang.Tag, k)
				}
			}
			for _, k := range keys {
				msg, ok := c.messages["en"][k]
				if !ok {
					t.Errorf("%s: key %q is not in the English catalogue", lang.Tag, k)
					continue
				}
				got := c.messages[lang.Tag][k]
				if strings.TrimSpace(got) == "" {
					t.Errorf("%s: key %q is empty", lang.Tag, k)
				}
				if want, have := placeholders(msg), placeholders(got); !slices.Equal(want, have) {
					t.Errorf("%s: key %q has placeholders %v, English has %v", lang.Tag, k, have, want)
				}
			}
		})
	}
}

func TestChoose(t *testing.T) {
	c := load(t)
	tests := []struct {
		name, account, accept, want string
	}{
		{"nothing", "", "", "en"},
		{"account wins", "ru", "ar", "ru"},
		{"unsupported account setting", "fr", "tr", "tr"},
		{"browser Arabic with region", "", "ar-EG,ar;q=0.9,en;q=0.5", "ar"},
		{"browser Turkish", "", "tr-TR", "tr"},
		{"browser Russian second", "", "uk, ru;q=0.8", "ru"},
		{"browser unknown", "", "ja, zh;q=0.5", "en"},
		{"malformed header", "", ";;;q=x", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Choose(tt.account, tt.accept); got != tt.want {
				t.Errorf("Choose(%q, %q) = %q, want %q", tt.account, tt.accept, got, tt.want)
			}
		})
	}
}

func TestLocalizer(t *testing.T) {
	c := load(t)
	tests := []struct {
		lang, dir string
	}{{"en", "ltr"}, {"ar", "rtl"}, {"ru", "ltr"}, {"tr", "ltr"}, {"xx", "ltr"}}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l := c.Localizer(tt.lang)
			if l.Dir != tt.dir {
				t.Errorf("Dir = %q, want %q", l.Dir, tt.dir)
			}
			got := l.T("consent.line", "Party", "P-NAME", "Counterpart", "C-NAME")
			if !strings.Contains(got, "P-NAME") || !strings.Contains(got, "C-NAME") {
				t.Errorf("T(consent.line) = %q, placeholders not filled", got)
			}
			if got := l.T("no.such.key"); got != "no.such.key" {
				t.Errorf("missing key gives %q, want the id", got)
			}
			if got := l.Value("track", "water-supply"); got != "water-supply" {
				t.Errorf("custom value = %q, want it unchanged", got)
			}
			if got := l.Value("track", "political"); got == "political" || got == "" {
				t.Errorf("Value(track, political) = %q, want a translation", got)
			}
		})
	}
}
