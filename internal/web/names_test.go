package web

import (
	"testing"

	"parley/internal/localized"
)

// TestLocalName: a name is shown in the reader's language when it has one,
// else in the authoritative language, marked with its language and
// direction, and always escaped.
func TestLocalName(t *testing.T) {
	vs := map[string]localized.Values{
		"r": {Authoritative: "en", By: map[string]map[string]string{"name": {"ar": "الجولة <1>", "ru": "Раунд 1"}}},
		"u": {By: map[string]map[string]string{"name": {"ar": "بلا أصل"}}},
	}
	for _, c := range []struct {
		lang, id, class, want string
	}{
		{"ar", "r", "", `<bdi lang="ar" dir="rtl">الجولة &lt;1&gt;</bdi>`},
		{"ru", "r", "h", `<bdi lang="ru" dir="ltr" class="h">Раунд 1</bdi>`},
		{"tr", "r", "", `<bdi lang="en" dir="ltr">Round &#34;1&#34;</bdi>`},
		{"en", "r", "", `<bdi lang="en" dir="ltr">Round &#34;1&#34;</bdi>`},
		{"tr", "u", "", `<bdi dir="auto">Round &#34;1&#34;</bdi>`},
		{"ar", "missing", "", `<bdi dir="auto">Round &#34;1&#34;</bdi>`},
	} {
		n := names{lang: c.lang, values: vs}
		var class []string
		if c.class != "" {
			class = []string{c.class}
		}
		if got := string(localName(n, c.id, "name", `Round "1"`, class...)); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.lang, c.id, got, c.want)
		}
	}
	// A value in the authoritative language never replaces the domain's own.
	vs["r"].By["name"]["en"] = "Stale copy"
	if got := localText(names{lang: "en", values: vs}, "r", "name", "Round 1"); got != "Round 1" {
		t.Errorf("the authoritative language shows %q", got)
	}
}
