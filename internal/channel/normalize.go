package channel

import (
	"strings"
	"unicode"
)

// Normalize folds text for search: English (and every other cased script)
// is lower-cased; Arabic loses its diacritics (tashkeel U+064B–U+065F, the
// superscript alef U+0670) and the tatweel U+0640, the alef variants أ إ آ ٱ
// become ا, alef maqsura ى becomes ي and ta marbuta ة becomes ه — the usual
// Arabic information-retrieval folding, so that مُحَمَّد finds محمد and
// مدرسة finds مدرسه. docs/channel.md lists the rules and what they cost.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640:
			continue
		case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
			r = 'ا'
		case r == 'ى':
			r = 'ي'
		case r == 'ة':
			r = 'ه'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// maxTokenRunes caps a token; longer runs of letters are cut, which keeps a
// pasted blob from filling the index with unique terms.
const maxTokenRunes = 64

// maxTerms caps the distinct tokens indexed per item.
const maxTerms = 2000

// Tokens returns the distinct normalised tokens of s, in first-seen order:
// maximal runs of letters and digits (non-spacing marks kept with their
// letter).
func Tokens(s string) []string {
	s = Normalize(s)
	seen := map[string]bool{}
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) == 0 {
			return
		}
		if len(cur) > maxTokenRunes {
			cur = cur[:maxTokenRunes]
		}
		t := string(cur)
		cur = cur[:0]
		if !seen[t] && len(out) < maxTerms {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (len(cur) > 0 && unicode.Is(unicode.Mn, r)) {
			cur = append(cur, r)
			continue
		}
		flush()
	}
	flush()
	return out
}
