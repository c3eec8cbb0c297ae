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
	nFields
)

// fieldNames name the fields in docs, tests and the model's dump.
var fieldNames = [nFields]string{"given", "father", "grandfather", "family", "mother", "birth", "place", "national_id", "sex"}

// nLevels is the number of comparison levels of each field; level 0 is
// always "missing on one side" and carries no evidence.
var nLevels = [nFields]int{5, 5, 5, 5, 5, 5, 4, 4, 3}

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
// the two readings of the name chains that gave the best name agreement.
type pattern uint32

func (p pattern) level(f int) int { return int(p>>(levelBits*f)) & (1<<levelBits - 1) }

func (p pattern) levels() pattern { return p & (1<<(levelBits*nFields) - 1) }

func (p pattern) readings() (int, int) {
	r := int(p >> (levelBits * nFields))
	return r & 1, r >> 1
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
	cx, cy := d.consS[d.cons[x]], d.consS[d.cons[y]]
	if max(len(cx), len(cy)) >= 3 && withinOneEdit(cx, cy) {
		return lvTypo
	}
	return lvDisagree
}

// compare gives the pattern of two prepared records. Names are compared
// under each reading of each chain (as written, family name first, given
// and father swapped) and the reading with most agreement wins.
func (d *dictionary) compare(x, y *prepared) pattern {
	var best [slotMother]int
	bestSum, bx, by := -1, 0, 0
	for vx := 0; vx < 2; vx++ {
		if vx == 1 && x.names[1] == x.names[0] {
			continue
		}
		for vy := 0; vy < 2; vy++ {
			if vy == 1 && y.names[1] == y.names[0] {
				continue
			}
			var lv [slotMother]int
			sum := 0
			for s := 0; s < slotMother; s++ {
				lv[s] = d.compareName(x.names[vx][s], y.names[vy][s])
				sum += lv[s] * lv[s]
			}
			if sum > bestSum {
				best, bestSum, bx, by = lv, sum, vx, vy
			}
		}
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
	p |= pattern(bx|by<<1) << (levelBits * nFields)
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

func (d *dictionary) comparePlace(x, y tokenID) int {
	switch {
	case x == 0 || y == 0:
		return 0
	case d.cons[x] == d.cons[y]:
		return 3
	}
	cx, cy := d.consS[d.cons[x]], d.consS[d.cons[y]]
	if max(len(cx), len(cy)) >= 3 && withinOneEdit(cx, cy) {
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
