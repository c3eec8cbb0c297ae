package match

import (
	"strings"
	"unicode"
)

// word is one whitespace- or punctuation-separated word of a name, already
// normalised: NormalizeArabic for Arabic script, foldLatin otherwise.
type word struct {
	s      string
	arabic bool
}

// splitWords cuts a name into words, a change of script also ending a word.
func splitWords(s string) []word {
	var out []word
	var cur strings.Builder
	curArabic := false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, word{cur.String(), curArabic})
			cur.Reset()
		}
	}
	for _, r := range s {
		if isArabic(r) {
			if r == '،' || r == '؛' || r == '؟' || r == '٬' {
				flush()
				continue
			}
			if !curArabic {
				flush()
				curArabic = true
			}
			if r == 'ى' {
				cur.WriteRune(r) // kept for the skeleton: it reads a, not i
			} else if f, ok := foldArabic(r); ok {
				cur.WriteRune(f)
			}
			continue
		}
		if curArabic {
			flush()
			curArabic = false
		}
		if unicode.IsSpace(r) {
			flush()
			continue
		}
		f := foldLatin(string(r))
		for _, c := range []byte(f) {
			if c == ' ' {
				flush()
			} else {
				cur.WriteByte(c)
			}
		}
	}
	flush()
	return out
}

const (
	arAbd     = "عبد"
	arArticle = "ال"
	arDin     = "دين"
	arAbu     = "ابو"
)

var latinParticles = map[string]bool{"bin": true, "ben": true, "ibn": true, "bint": true, "bent": true, "ould": true}
var arabicParticles = map[string]bool{"بن": true, "ابن": true, "بنت": true}

// isArticle reports whether w is the definite article standing alone: al, el,
// ul, il, ال, or an assimilated form before a sun letter (ar-Rahman,
// as-Sayyid, ash-Shami, ad-Din) when next begins with the same consonant.
func isArticle(w word, next *word) bool {
	if w.arabic {
		return w.s == arArticle
	}
	switch w.s {
	case "al", "el", "ul", "il", "l":
		return true
	}
	if len(w.s) < 2 || len(w.s) > 3 || next == nil || next.arabic {
		return false
	}
	switch w.s[0] {
	case 'a', 'e', 'u', 'i':
	default:
		return false
	}
	return strings.HasPrefix(next.s, w.s[1:])
}

// stripArticle removes a definite article written on the word: الحسن,
// Alhassan, Elkhatib. A Latin "al"/"el" goes only before a consonant and when
// four letters remain, so Ali, Alaa and Elias keep theirs.
func stripArticle(w word) word {
	if w.arabic {
		if strings.HasPrefix(w.s, arArticle) && len([]rune(w.s)) >= 4 {
			w.s = w.s[len(arArticle):]
		}
		return w
	}
	if len(w.s) >= 6 && (w.s[:2] == "al" || w.s[:2] == "el") && !isLatinVowel(w.s[2]) && w.s[2] != 'y' {
		w.s = w.s[2:]
	}
	return w
}

// splitAbd cuts a Latin word beginning with abd into the compound's tail:
// abdulrahman → rahman, abdelaziz → aziz, abdurrahman → rahman, abdallah →
// lah, abdul → "". ok is false for a word that is not an abd- compound.
func splitAbd(s string) (rest string, ok bool) {
	if !strings.HasPrefix(s, "abd") {
		return "", false
	}
	r := s[3:]
	v := 0
	for v < len(r) && v < 2 && isLatinVowel(r[v]) {
		v++
	}
	if v == 0 {
		return r, true // abdrabbo: no article
	}
	r = r[v:]
	switch {
	case r == "":
	case r[0] == 'l':
		r = r[1:]
	case len(r) == 1:
		r = "" // abdur, abdus, abden standing alone
	case r[0] == r[1] && !isLatinVowel(r[0]):
		r = r[1:] // assimilated article: abdurrahman, abdussalam
	}
	return r, true
}

// dinSuffixes are the Latin spellings of a final "ad-Din" written on the word.
var dinSuffixes = []string{"eddine", "eddin", "uddin", "addin", "iddin", "aldin", "eldin", "uldin", "oddin", "edine", "udeen", "uddeen", "eddeen"}

// isDin reports whether a standalone word is "Din" of a compound like Nour
// al-Din / Nour Eddine.
func isDin(w word) bool {
	if w.arabic {
		return w.s == arDin || w.s == arArticle+arDin
	}
	s := w.s
	for len(s) > 0 && isLatinVowel(s[0]) {
		s = s[1:]
	}
	switch s {
	case "din", "dine", "ddin", "ddine", "deen", "dden", "ddeen", "dinn":
		return true
	}
	return false
}

// nameWords tokenises a name into the words that are one name each, the
// compounds joined before any phonetic key: Abd al-Rahman, Abdul Rahman,
// Abdelrahman and عبد الرحمن are one word; Abu Bakr and أبو بكر one; Nour
// al-Din, Noureddine and نور الدين one. The particles bin, ibn, bint (بن ابن
// بنت) and standing articles go; an article written on a word is removed.
func nameWords(s string) []word {
	ws := splitWords(s)
	var out []word
	next := func(i int) *word {
		if i+1 < len(ws) {
			return &ws[i+1]
		}
		return nil
	}
	// take returns the first word after i that is not an article, stripped.
	take := func(i int) (word, int, bool) {
		for j := i + 1; j < len(ws); j++ {
			if isArticle(ws[j], next(j)) {
				continue
			}
			return stripArticle(ws[j]), j, true
		}
		return word{}, i, false
	}
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if (w.arabic && arabicParticles[w.s]) || (!w.arabic && latinParticles[w.s]) {
			continue
		}
		if isArticle(w, next(i)) {
			continue
		}
		if isDin(w) && len(out) > 0 && out[len(out)-1].arabic == w.arabic {
			last := &out[len(out)-1]
			if w.arabic {
				last.s += arDin
			} else {
				last.s += "din"
			}
			continue
		}
		switch {
		case w.arabic && strings.HasPrefix(w.s, arAbd) && w.s != arAbd+"ه":
			rest := stripArticle(word{w.s[len(arAbd):], true})
			if strings.HasPrefix(rest.s, arArticle) {
				rest.s = rest.s[len(arArticle):]
			}
			if rest.s == "" {
				if n, j, ok := take(i); ok && n.arabic {
					rest, i = n, j
				}
			}
			w.s = arAbd + rest.s
		case !w.arabic && strings.HasPrefix(w.s, "abd"):
			rest, _ := splitAbd(w.s)
			if rest == "" {
				if n, j, ok := take(i); ok && !n.arabic {
					rest, i = n.s, j
				}
			}
			w.s = "abd" + rest
		case (w.arabic && w.s == arAbu) || (!w.arabic && (w.s == "abu" || w.s == "abou" || w.s == "abo" || w.s == "aboo")):
			if n, j, ok := take(i); ok && n.arabic == w.arabic {
				w.s += n.s
				i = j
			}
		default:
			w = stripArticle(w)
		}
		if !w.arabic {
			for _, suf := range dinSuffixes {
				if len(w.s) > len(suf)+2 && strings.HasSuffix(w.s, suf) {
					w.s = w.s[:len(w.s)-len(suf)] + "din"
					break
				}
			}
		} else if strings.HasSuffix(w.s, arArticle+arDin) && len(w.s) > len(arArticle+arDin) {
			w.s = strings.TrimSuffix(w.s, arArticle+arDin) + arDin
		}
		out = append(out, w)
	}
	return out
}

// skeletonOf is the skeleton of one word.
func skeletonOf(w word) skeleton {
	if w.arabic {
		return arabicSkeleton(w.s)
	}
	return latinSkeleton(w.s)
}

// Skeletons returns the Latin consonant skeleton of each name in a name
// chain, in either script, compounds joined: "Mohammed Abdul Rahman al-Hassan"
// and "محمد عبد الرحمن الحسن" both give [mhmd abdrhmn hsn]. It shows what the
// matcher compares and serves tests and pages; matching itself also uses the
// vowels a skeleton keeps.
func Skeletons(name string) []string {
	ws := nameWords(name)
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		if sk := skeletonOf(w); sk.cons != "" {
			out = append(out, sk.cons)
		}
	}
	return out
}
