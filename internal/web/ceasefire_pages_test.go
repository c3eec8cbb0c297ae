package web

import (
	"testing"

	"parley/internal/ceasefire"
	"parley/internal/i18n"
)

// TestCeasefireFamilies checks that every value the ceasefire pages
// translate by family (types, statuses, precisions, ...) is in every
// language's catalogue.
func TestCeasefireFamilies(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	families := map[string][]string{
		"type": ceasefire.Types, "status": ceasefire.Statuses, "knowledge": ceasefire.Knowledges, "platform": ceasefire.Platforms,
		"reliability": ceasefire.Reliabilities, "attribution": ceasefire.Attributions,
		"precision": append(append([]string{}, ceasefire.TimePrecisions...), ceasefire.LocationPrecisions...),
		"action":    {"verification", "merge", "merged", "split", "split_from", "publish"},
		"export":    {ceasefire.FormatCSV, ceasefire.FormatGeoJSON, ceasefire.FormatHXL},
		"estimate":  {"low", "best", "high"},
		"field":     reportFields[:len(reportFields)-1],
	}
	for _, lang := range []string{"en", "ar", "ru", "tr"} {
		l := cat.Localizer(lang)
		for fam, vals := range families {
			for _, v := range vals {
				if k := cfKey(fam, v); !l.Has(k) {
					t.Errorf("%s: %q is not in the catalogue", lang, k)
				}
			}
		}
	}
}
