package match

import "strings"

// NormalizeArabic returns Arabic-script text in the form records are compared
// in: the alef forms (أ إ آ ٱ) become ا, ta marbuta ة becomes ه, alef maqsura
// ى becomes ي, the hamza seats ؤ and ئ become و and ي, the Persian kaf and ya
// become their Arabic letters, Arabic-Indic digits become ASCII digits, and
// the diacritics (harakat, shadda, sukun, dagger alef) and tatweel go.
// Other characters pass unchanged.
func NormalizeArabic(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r, ok := foldArabic(r); ok {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldArabic maps one rune as NormalizeArabic does; ok is false for a rune
// that disappears.
func foldArabic(r rune) (rune, bool) {
	switch {
	case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640: // harakat, dagger alef, tatweel
		return 0, false
	case r >= 0x0660 && r <= 0x0669: // Arabic-Indic digits
		return '0' + (r - 0x0660), true
	case r >= 0x06F0 && r <= 0x06F9: // Eastern Arabic-Indic digits
		return '0' + (r - 0x06F0), true
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا', true
	case 'ة':
		return 'ه', true
	case 'ى', 'ی', 'ئ':
		return 'ي', true
	case 'ؤ':
		return 'و', true
	case 'ک':
		return 'ك', true
	}
	return r, true
}

func isArabic(r rune) bool {
	return (r >= 0x0600 && r <= 0x06FF) || (r >= 0x0750 && r <= 0x077F) ||
		(r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

// arabicLetter is the transliteration model from (normalised) Arabic letters
// to the Latin skeleton: each consonant to its class letter, the letters that
// are vowels inside a word (ا و ي ع ء) to their vowel.
var arabicLetter = map[rune]byte{
	'ب': 'b', 'ت': 't', 'ث': 's', 'ج': 'j', 'ح': 'h', 'خ': 'k', 'د': 'd',
	'ذ': 'z', 'ر': 'r', 'ز': 'z', 'س': 's', 'ش': 'x', 'ص': 's', 'ض': 'd',
	'ط': 't', 'ظ': 'z', 'غ': 'g', 'ف': 'f', 'ق': 'k', 'ك': 'k', 'ل': 'l',
	'م': 'm', 'ن': 'n', 'ه': 'h', 'پ': 'b', 'چ': 'x', 'ڤ': 'f', 'گ': 'g',
	'ا': 'A', 'ع': 'A', 'ء': 'A', 'و': 'U', 'ي': 'I', 'ى': 'Y',
}

// arabicSkeleton turns one normalised Arabic name token into its skeleton.
func arabicSkeleton(tok string) skeleton {
	var sb skelBuilder
	first := true
	for _, r := range tok {
		c, ok := arabicLetter[r]
		if !ok {
			continue
		}
		switch c {
		case 'A':
			if first {
				sb.initialVowel()
			} else {
				sb.vowel(vowelA, true)
			}
		case 'Y':
			// Alef maqsura reads a (موسى is Moussa), but is also written
			// for a final ي.
			sb.vowel(vowelA|vowelI, true)
		case 'U':
			if first {
				sb.consonant('w')
			} else {
				sb.vowel(vowelU, true)
			}
		case 'I':
			switch {
			case first:
				sb.consonant('y')
			default:
				sb.vowel(vowelI, true)
			}
		default:
			sb.consonant(c)
		}
		first = false
	}
	sb.arabic = true
	return sb.done()
}
