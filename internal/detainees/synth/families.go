package synth

import (
	"math"
	"math/rand/v2"
	"strings"
)

// Syria has thousands of family names. Beside the tables, the generator
// forms more from consonant roots and the patterns family names follow:
// al-faʿʿāl (الحداد, Al-Haddad: trades), fāʿūl (حاسوب-like: Hassoun), faʿlān
// (Hamdan), fuʿaylī (Zubaydi) and the nisba al-fāʿilī. Each gets a few
// Latin spellings, its consonants written the ways they are (ق as q or k, ش
// as sh or ch, ج as j or dj, ذ as z or dh), weighted.

// rootLetter is an Arabic consonant and its Latin spellings, the first
// most common.
type rootLetter struct {
	ar    string
	latin []string
}

var rootLetters = []rootLetter{
	{"ب", []string{"b"}}, {"ت", []string{"t"}}, {"ث", []string{"th", "s"}}, {"ج", []string{"j", "dj"}},
	{"ح", []string{"h"}}, {"خ", []string{"kh"}}, {"د", []string{"d"}}, {"ذ", []string{"z", "dh"}},
	{"ر", []string{"r"}}, {"ز", []string{"z"}}, {"س", []string{"s"}}, {"ش", []string{"sh", "ch"}},
	{"ص", []string{"s"}}, {"ض", []string{"d", "dh"}}, {"ط", []string{"t"}}, {"غ", []string{"gh"}},
	{"ف", []string{"f"}}, {"ق", []string{"q", "k"}}, {"ك", []string{"k"}}, {"ل", []string{"l"}},
	{"م", []string{"m"}}, {"ن", []string{"n"}}, {"ه", []string{"h"}},
}

// familyPattern builds the Arabic and the Latin forms from three root
// letters; spell picks a Latin spelling of each letter.
type familyPattern struct {
	arabic func(c [3]string) string
	latin  []func(c [3]string) string // spellings, the first most common
}

var familyPatterns = []familyPattern{
	{ // al-faʿʿāl: Al-Haddad, Haddad, Hadad
		func(c [3]string) string { return "ال" + c[0] + c[1] + "ا" + c[2] },
		[]func(c [3]string) string{
			func(c [3]string) string { return "Al-" + title(c[0]) + "a" + c[1] + c[1] + "a" + c[2] },
			func(c [3]string) string { return title(c[0]) + "a" + c[1] + c[1] + "a" + c[2] },
			func(c [3]string) string { return title(c[0]) + "a" + c[1] + "a" + c[2] },
		},
	},
	{ // fāʿūl: Hassoun, Hasoun, Hassun
		func(c [3]string) string { return c[0] + c[1] + "و" + c[2] },
		[]func(c [3]string) string{
			func(c [3]string) string { return title(c[0]) + "a" + c[1] + c[1] + "ou" + c[2] },
			func(c [3]string) string { return title(c[0]) + "a" + c[1] + "ou" + c[2] },
			func(c [3]string) string { return title(c[0]) + "a" + c[1] + c[1] + "u" + c[2] },
		},
	},
	{ // faʿlān: Hamdan
		func(c [3]string) string { return c[0] + c[1] + c[2] + "ان" },
		[]func(c [3]string) string{
			func(c [3]string) string { return title(c[0]) + "a" + c[1] + c[2] + "an" },
			func(c [3]string) string { return "Al-" + title(c[0]) + "a" + c[1] + c[2] + "an" },
		},
	},
	{ // fuʿaylī: Zubaydi, Zoubeidi
		func(c [3]string) string { return "ال" + c[0] + c[1] + "ي" + c[2] + "ي" },
		[]func(c [3]string) string{
			func(c [3]string) string { return title(c[0]) + "u" + c[1] + "ay" + c[2] + "i" },
			func(c [3]string) string { return "Al-" + title(c[0]) + "ou" + c[1] + "ei" + c[2] + "i" },
			func(c [3]string) string { return title(c[0]) + "o" + c[1] + "ei" + c[2] + "i" },
		},
	},
	{ // al-fāʿilī: Al-Fadili, Fadili
		func(c [3]string) string { return "ال" + c[0] + "ا" + c[1] + c[2] + "ي" },
		[]func(c [3]string) string{
			func(c [3]string) string { return "Al-" + title(c[0]) + "a" + c[1] + "i" + c[2] + "i" },
			func(c [3]string) string { return title(c[0]) + "a" + c[1] + "e" + c[2] + "i" },
		},
	},
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// formedFamilies are the generated family names, their weights falling off
// with rank.
const formedFamilies = 3000

// addFormedFamilies appends formedFamilies names to t, weighing together
// as much as share of t's total.
func addFormedFamilies(t *table, share float64) {
	rng := rand.New(rand.NewPCG(2026, 14)) // the table is fixed, whatever the seed
	seen := map[string]bool{}
	var weights []float64
	var sum float64
	var items []variant
	for len(items) < formedFamilies {
		var idx [3]int
		for k := range idx {
			idx[k] = rng.IntN(len(rootLetters))
		}
		if idx[0] == idx[1] || idx[1] == idx[2] {
			continue
		}
		pat := familyPatterns[rng.IntN(len(familyPatterns))]
		var ar [3]string
		for k, x := range idx {
			ar[k] = rootLetters[x].ar
		}
		arabic := pat.arabic(ar)
		if seen[arabic] {
			continue
		}
		seen[arabic] = true
		v := variant{arabic: arabic}
		total := 0.0
		for n, spell := range pat.latin {
			// The most common spelling of each letter, then another.
			var lat [3]string
			for k, x := range idx {
				ls := rootLetters[x].latin
				lat[k] = ls[min(n%2*rng.IntN(len(ls)), len(ls)-1)]
			}
			total += 10 / float64(n+1)
			v.latin = append(v.latin, spell(lat))
			v.cum = append(v.cum, total)
		}
		items = append(items, v)
		w := 1 / math.Pow(float64(len(items)), 0.7)
		weights = append(weights, w)
		sum += w
	}
	scale := share * t.cum[len(t.cum)-1] / sum
	total := t.cum[len(t.cum)-1]
	for k, v := range items {
		total += weights[k] * scale
		t.items = append(t.items, v)
		t.cum = append(t.cum, total)
	}
}
