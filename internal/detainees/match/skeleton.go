package match

// A skeleton is the script-independent form of one name token: its
// consonants reduced to classes (the letters of cons) and, in the gaps before,
// between and after them, what is known of the vowels. Arabic writes only
// long vowels, Latin spellings write every vowel in varying letters, so two
// spellings of one name share cons and have compatible gaps: محمد, Mohammed,
// Muhammad and Mohamad are all "mhmd"; Hassan and Hussein share "hsn" but
// their gaps (a… against u…ei) tell them apart, as حسن and حسين do.
//
// A word-initial vowel (Arabic ا or ع, Latin a e i o u) is the class letter
// 'a', so Ahmad ("ahmd") differs from Hamad ("hmd").
type skeleton struct {
	cons   string
	gaps   uint64 // 4 bits per gap, gap k before cons[k], gap len(cons) after; see vowel*
	arabic bool   // from Arabic script: absent short vowels are unwritten, not absent
}

// Vowel bits of one gap: which vowel sounds it may hold and whether its
// spelling marks a long vowel.
const (
	vowelA    uint8 = 1
	vowelI    uint8 = 2
	vowelU    uint8 = 4
	vowelLong uint8 = 8
	maxGaps         = 16
)

// skelBuilder accumulates a skeleton letter by letter.
type skelBuilder struct {
	cons   []byte
	gaps   [maxGaps]uint8
	arabic bool
}

func (b *skelBuilder) gap() int { return len(b.cons) }

// consonant appends a consonant class letter; a doubled consonant with no
// vowel between (Latin "mm", Arabic shadda already removed) counts once.
func (b *skelBuilder) consonant(c byte) {
	if n := len(b.cons); n > 0 && b.cons[n-1] == c && b.gaps[n] == 0 {
		return
	}
	if len(b.cons) >= maxGaps-1 {
		return
	}
	b.cons = append(b.cons, c)
}

// initialVowel records a word-initial vowel.
func (b *skelBuilder) initialVowel() { b.consonant('a') }

func (b *skelBuilder) vowel(bits uint8, long bool) {
	if long {
		bits |= vowelLong
	}
	b.gaps[b.gap()] |= bits
}

// done finishes the skeleton. A final h goes (ta marbuta, "-ah", "-eh"):
// Fatima, Fatimah and فاطمة agree; its gaps merge.
func (b *skelBuilder) done() skeleton {
	n := len(b.cons)
	if n > 1 && b.cons[n-1] == 'h' {
		b.gaps[n-1] |= b.gaps[n]
		b.gaps[n] = 0
		b.cons = b.cons[:n-1]
		n--
	}
	var g uint64
	for i := 0; i <= n && i < maxGaps; i++ {
		g |= uint64(b.gaps[i]) << (4 * i)
	}
	return skeleton{cons: string(b.cons), gaps: g, arabic: b.arabic}
}

// vowelsAgree reports whether two skeletons with equal cons can be spellings
// of one name, gap by gap. A gap empty in Arabic is an unwritten short vowel,
// so it accepts a short Latin vowel; a gap empty in Latin is no vowel at all.
// A long vowel must meet a vowel. Present vowels must share a sound.
func vowelsAgree(x, y skeleton) bool {
	n := len(x.cons)
	for i := 0; i <= n && i < maxGaps; i++ {
		gx := uint8(x.gaps>>(4*i)) & 0xF
		gy := uint8(y.gaps>>(4*i)) & 0xF
		if gx == gy {
			continue
		}
		switch {
		case gx == 0:
			if !x.arabic || gy&vowelLong != 0 {
				return false
			}
		case gy == 0:
			if !y.arabic || gx&vowelLong != 0 {
				return false
			}
		case gx&gy&(vowelA|vowelI|vowelU) == 0:
			return false
		}
	}
	return true
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent letters.
func withinOneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	if la < lb {
		a, b, la, lb = b, a, lb, la
	}
	if la-lb > 1 {
		return false
	}
	i := 0
	for i < lb && a[i] == b[i] {
		i++
	}
	if i == lb {
		return true
	}
	if la == lb {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // transposition
	}
	return a[i+1:] == b[i:] // a has one extra letter
}
