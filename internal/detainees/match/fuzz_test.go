package match

import (
	"strings"
	"testing"
)

// FuzzLink feeds arbitrary text through reading, normalisation and
// matching: bad input weakens the evidence, it never crashes.
func FuzzLink(f *testing.F) {
	for _, s := range []string{
		"عبد الرحمن بن محمد الحسن", "Abdul Rahman al-Hassan", "abd", "al", "ال", "عبد", "Abu", "ed-Din", "eddine",
		"ash-Shami", "ʿAbd al-Qādir", "Noureddine", "x", "", "Mohammed\tAhmad", "محمد\u200fأحمد", "١٢٣٤", "ٱلله",
	} {
		f.Add(s, "1985-02-30", s)
	}
	f.Fuzz(func(t *testing.T, name, date, other string) {
		_ = Skeletons(name)
		_ = NormalizeArabic(name)
		a := []Record{{ID: "1", NameAr: name, BirthDate: date, Mother: other, ArrestDate: date, BirthPlace: other},
			{ID: "2", Given: name, Family: other, BirthYear: date, NationalID: other}}
		b := []Record{{ID: "1", NameLatin: other + " " + name, ArrestPlace: name}, {ID: "x", Father: name, Grandfather: other}}
		res := Link(a, b, Options{Duplicates: true, Decisions: []Decision{{A: "1", B: "1", Match: true}, {A: "2", B: "x", Match: false}}})
		for _, p := range append(res.Pairs, res.Review...) {
			if p.Probability < 0 || p.Probability > 1 || p.Probability != p.Probability {
				t.Fatalf("probability %v", p)
			}
		}
		_, _, _ = ReadCSV(strings.NewReader("record_id,name_ar,birth_date\n" + name + "," + other + "," + date + "\n"))
	})
}
