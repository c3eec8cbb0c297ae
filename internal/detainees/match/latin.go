package match

import "strings"

// latinFold maps accented and transliteration letters to plain ASCII
// lower-case; "" drops the rune (apostrophes and ayn/hamza signs, which
// Latin spellings write or omit at will).
var latinFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'ı': "i",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ō': "o", 'ø': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u",
	'ç': "s", 'ñ': "n", 'ş': "sh", 'š': "sh", 'ś': "s", 'ğ': "g", 'ž': "z", 'ý': "y", 'ÿ': "y",
	'ḥ': "h", 'ṣ': "s", 'ḍ': "d", 'ṭ': "t", 'ẓ': "z", 'ḏ': "dh", 'ṯ': "th", 'ḫ': "kh", 'ġ': "gh",
	'\'': "", '’': "", '‘': "", '`': "", '´': "", 'ʿ': "", 'ʾ': "", 'ʼ': "",
}

// foldLatin lower-cases Latin text, folds its accents and drops apostrophes;
// every other character that is not an ASCII letter or digit becomes a space.
func foldLatin(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if f, ok := latinFold[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

func isLatinVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// latinDigraphs are the letter groups written for one Arabic consonant,
// longest first; each maps to the consonant class of arabicLetter.
var latinDigraphs = []struct {
	s string
	c byte
}{
	{"sch", 'x'}, {"tch", 'x'}, {"sh", 'x'}, {"ch", 'x'}, {"kh", 'k'}, {"gh", 'g'},
	{"th", 's'}, {"dh", 'd'}, {"ph", 'f'}, {"dj", 'j'}, {"ck", 'k'}, {"zh", 'z'},
}

var latinLetter = [26]byte{
	'a' - 'a': 0, 'b' - 'a': 'b', 'c' - 'a': 'k', 'd' - 'a': 'd', 'f' - 'a': 'f',
	'g' - 'a': 'g', 'h' - 'a': 'h', 'j' - 'a': 'j', 'k' - 'a': 'k', 'l' - 'a': 'l',
	'm' - 'a': 'm', 'n' - 'a': 'n', 'p' - 'a': 'b', 'q' - 'a': 'k', 'r' - 'a': 'r',
	's' - 'a': 's', 't' - 'a': 't', 'v' - 'a': 'f', 'x' - 'a': 'k', 'z' - 'a': 'z',
}

// latinSkeleton turns one folded Latin name token into its skeleton. Inside
// a word y and w are vowel letters (Ayman, Nawaf), as ي and و are in Arabic.
func latinSkeleton(tok string) skeleton {
	var sb skelBuilder
	for i := 0; i < len(tok); {
		c := tok[i]
		if c < 'a' || c > 'z' {
			i++
			continue
		}
		if isLatinVowel(c) || (i > 0 && (c == 'y' || c == 'w')) {
			j := i
			var bits uint8
			for j < len(tok) && (isLatinVowel(tok[j]) || (j > 0 && (tok[j] == 'y' || tok[j] == 'w'))) {
				switch tok[j] {
				case 'a':
					bits |= vowelA
				case 'e':
					bits |= vowelA | vowelI
				case 'i', 'y':
					bits |= vowelI
				case 'o', 'u', 'w':
					bits |= vowelU
				}
				j++
			}
			if i == 0 {
				sb.initialVowel()
			}
			long := latinLong(tok[i:j])
			if sb.gap() == 1 && tok[i:j] == "ou" {
				// In the first syllable the French ou is mostly a short u
				// (Houssam, Moustafa, Oussama); later it is the long u of
				// Mahmoud and Mansour.
				long = false
			}
			sb.vowel(bits, long)
			i = j
			continue
		}
		matched := false
		for _, d := range latinDigraphs {
			if strings.HasPrefix(tok[i:], d.s) {
				sb.consonant(d.c)
				i += len(d.s)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		switch c {
		case 'y':
			sb.consonant('y')
		case 'w':
			sb.consonant('w')
		case 'x':
			sb.consonant('k')
			sb.consonant('s')
		default:
			sb.consonant(latinLetter[c-'a'])
		}
		i++
	}
	return sb.done()
}

// latinLong reports whether a Latin vowel group spells a long vowel: a
// doubled vowel (aa, ee, oo), a diphthong spelling (ai, ay, ei, ey, ie) or
// the French ou (Youssef, Mansour, Mahmoud).
func latinLong(g string) bool {
	if len(g) < 2 {
		return false
	}
	for i := 0; i+1 < len(g); i++ {
		a, b := g[i], g[i+1]
		switch {
		case a == b:
			return true
		case (a == 'a' || a == 'e') && (b == 'i' || b == 'y'):
			return true
		case a == 'i' && b == 'e', a == 'o' && b == 'u':
			return true
		}
	}
	return false
}
