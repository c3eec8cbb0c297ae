package match

// The compared fields, in the order of a comparison pattern.
const (
	fGiven = iota
	fFather
	fGrandfather
	fFamily
	fMother
	fBirth
	fPlace
	fNationalID
	fSex
	fArrest
	fArrestPlace
	nFields
)

// fieldNames name the fields in docs, tests and the model's dump.
var fieldNames = [nFields]string{"given", "father", "grandfather", "family", "mother", "birth", "place", "national_id", "sex", "arrest_date", "arrest_place"}

// nLevels is the number of comparison levels of each field; level 0 is
// always "missing on one side" and carries no evidence.
var nLevels = [nFields]int{5, 5, 5, 5, 5, 5, 4, 4, 3, 4, 4}

// Name levels.
const (
	lvMissing  = 0
	lvDisagree = 1
	lvTypo     = 2 // consonant skeletons one edit apart
	lvVowels   = 3 // same consonants, incompatible vowels (Hassan, Hussein)
	lvAgree    = 4 // same name in any script and spelling
)

// Birth-date levels: 2 year off by one, 3 same year, 4 same date (or day
// and month swapped).
const (
	lvYearNear = 2
	lvYearSame = 3
	lvDateSame = 4
)

const levelBits = 3

// pattern packs one level per field, levelBits each, and in the bits above
// the readings of the name chains that gave the best name agreement.
type pattern uint64

func (p pattern) level(f int) int { return int(p>>(levelBits*f)) & (1<<levelBits - 1) }

func (p pattern) levels() pattern { return p & (1<<(levelBits*nFields) - 1) }

func (p pattern) readings() (int, int) {
	r := int(p >> (levelBits * nFields))
	return r & 7, r >> 3
}

// compareName gives the level of two name tokens.
func (d *dictionary) compareName(x, y tokenID) int {
	switch {
	case x == 0 || y == 0:
		return lvMissing
	case x == y:
		return lvAgree
	case d.cons[x] == d.cons[y]:
		if vowelsAgree(d.toks[x], d.toks[y]) {
			return lvAgree
		}
		return lvVowels
	}
	if d.typo(d.cons[x], d.cons[y]) {
		return lvTypo
	}
	return lvDisagree
}

// rareCount: a consonant skeleton seen this often or less is rare.
const rareCount = 3

// typo reports whether two consonant skeletons are one edit apart and one
// of them is rare: Mohammed and Ahmad ("mhmd", "ahmd") are one edit apart
// too, but both common, so two names, not a slip of the pen.
func (d *dictionary) typo(cx, cy uint32) bool {
	if min(d.count[cx], d.count[cy]) > rareCount {
		return false
	}
	x, y := d.consS[cx], d.consS[cy]
	return max(len(x), len(y)) >= 3 && withinOneEdit(x, y)
}

// compare gives the pattern of two prepared records. Names are compared
// under each reading of each chain (as written, family name first, given
// and father swapped) and the reading with most agreement wins.
func (d *dictionary) compare(x, y *prepared) pattern {
	// Choose the readings by the cheap tests (same consonants, vowels
	// compatible), then grade the chosen reading in full.
	bestSum, bx, by := -1, 0, 0
	for vx := 0; vx < int(x.nRead); vx++ {
		for vy := 0; vy < int(y.nRead); vy++ {
			sum := 0
			for s := 0; s < slotMother; s++ {
				if tx, ty := x.names[vx][s], y.names[vy][s]; tx != 0 && ty != 0 {
					switch {
					case tx == ty:
						sum += 4
					case d.cons[tx] != d.cons[ty]:
						sum--
					case vowelsAgree(d.toks[tx], d.toks[ty]):
						sum += 4
					default:
						sum += 3
					}
				}
			}
			if sum > bestSum {
				bestSum, bx, by = sum, vx, vy
			}
		}
	}
	var best [slotMother]int
	for s := 0; s < slotMother; s++ {
		best[s] = d.compareName(x.names[bx][s], y.names[by][s])
	}
	var p pattern
	for s := 0; s < slotMother; s++ {
		p |= pattern(best[s]) << (levelBits * s)
	}
	p |= pattern(d.compareName(x.names[0][slotMother], y.names[0][slotMother])) << (levelBits * fMother)
	p |= pattern(compareBirth(x, y)) << (levelBits * fBirth)
	p |= pattern(d.comparePlace(x.place, y.place)) << (levelBits * fPlace)
	p |= pattern(compareNID(x.nid, y.nid)) << (levelBits * fNationalID)
	p |= pattern(compareSex(x.sex, y.sex)) << (levelBits * fSex)
	p |= pattern(compareArrest(x, y)) << (levelBits * fArrest)
	p |= pattern(d.comparePlace(x.arrestPlace, y.arrestPlace)) << (levelBits * fArrestPlace)
	p |= pattern(bx|by<<3) << (levelBits * nFields)
	return p
}

func compareBirth(x, y *prepared) int {
	if x.year == 0 || y.year == 0 {
		return lvMissing
	}
	dy := x.year - y.year
	switch {
	case dy == 0:
		if x.month != 0 && y.month != 0 &&
			((x.month == y.month && x.day == y.day) || (x.month == y.day && x.day == y.month)) {
			return lvDateSame
		}
		return lvYearSame
	case dy == 1 || dy == -1:
		return lvYearNear
	}
	return lvDisagree
}

// compareArrest grades arrest dates: 3 the same day (or day and month
// swapped), 2 within a month, 1 further apart.
func compareArrest(x, y *prepared) int {
	if x.arrest == 0 || y.arrest == 0 {
		return 0
	}
	if x.arrest == y.arrest || x.arrestSwapped == y.arrest {
		return 3
	}
	if d := x.arrest - y.arrest; d <= 31 && d >= -31 {
		return 2
	}
	return 1
}

func (d *dictionary) comparePlace(x, y tokenID) int {
	switch {
	case x == 0 || y == 0:
		return 0
	case d.cons[x] == d.cons[y]:
		return 3
	case d.typo(d.cons[x], d.cons[y]):
		return 2
	}
	return 1
}

func compareNID(x, y string) int {
	switch {
	case x == "" || y == "":
		return 0
	case x == y:
		return 3
	case len(x) == len(y) && withinOneEdit(x, y):
		return 2
	}
	return 1
}

func compareSex(x, y byte) int {
	switch {
	case x == 0 || y == 0:
		return 0
	case x == y:
		return 2
	}
	return 1
}
