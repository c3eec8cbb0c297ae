package i18n

import "testing"

func TestHasUnsafe(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"Government delegation", false},
		{"وفد المعارضة السورية", false},
		{"Делегация", false},
		{"report.pdf", false},
		{"invoice\u202Efdp.exe", true},
		{"a\u2066b", true},
		{"\u200Fname", true},
		{"\u061Cname", true},
		{"tab\tname", true},
		{"nul\x00", true},
		{"del\x7f", true},
		{"c1\u0085", true},
	} {
		if got := HasUnsafe(c.s); got != c.want {
			t.Errorf("HasUnsafe(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}
