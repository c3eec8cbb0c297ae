package match

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Name slots of a prepared record.
const (
	slotGiven = iota
	slotFather
	slotGrandfather
	slotFamily
	slotMother
	nSlots
)

// token ids: 0 is "missing".
type tokenID = uint32

// prepared is a record reduced to what comparison needs, names as token ids
// into the dictionary of skeletons.
type prepared struct {
	// names holds up to maxReadings readings of the name chain, tried in
	// turn when comparing: as written, family name first (a whole chain) or
	// given and father's names swapped (split columns), and the same for a
	// chain in the other script when the record has both.
	names      [maxReadings][nSlots]tokenID
	nRead      uint8
	year       int16
	month, day int8
	sex        byte // 'M', 'F' or 0
	place      tokenID
	nid        string
	// arrest is the arrest date in days since 1900 (0 unknown),
	// arrestSwapped the same with day and month swapped.
	arrest, arrestSwapped int32
	arrestPlace           tokenID
	side                  uint8 // 0 = list a, 1 = list b
}

const maxReadings = 6

// dictionary interns skeletons and counts how often each consonant
// skeleton fills each kind of slot, for the frequency-aware name weights.
type dictionary struct {
	ids   map[skeleton]tokenID
	toks  []skeleton // by id; toks[0] is the missing token
	cons  []uint32   // consonant-skeleton id of each token
	consI map[string]uint32
	consS []string
	// count of each consonant skeleton over the records' names and places:
	// a skeleton seen once or twice next to a common one is a typo.
	count []uint32
}

func newDictionary() *dictionary {
	return &dictionary{ids: map[skeleton]tokenID{}, toks: []skeleton{{}}, cons: []uint32{0},
		consI: map[string]uint32{"": 0}, consS: []string{""}}
}

func (d *dictionary) intern(s skeleton) tokenID {
	if s.cons == "" {
		return 0
	}
	if id, ok := d.ids[s]; ok {
		return id
	}
	id := tokenID(len(d.toks))
	d.ids[s] = id
	d.toks = append(d.toks, s)
	ci, ok := d.consI[s.cons]
	if !ok {
		ci = uint32(len(d.consS))
		d.consI[s.cons] = ci
		d.consS = append(d.consS, s.cons)
	}
	d.cons = append(d.cons, ci)
	return id
}

// raw is a record's skeletons before interning, computed in parallel.
type raw struct {
	names       [maxReadings][nSlots]skeleton
	nRead       int
	place       skeleton
	arrestPlace skeleton
	p           prepared
}

// add appends a reading unless the record has it already.
func (x *raw) add(n [nSlots]skeleton) {
	for k := 0; k < x.nRead; k++ {
		if x.names[k] == n {
			return
		}
	}
	if x.nRead < maxReadings {
		x.names[x.nRead] = n
		x.nRead++
	}
}

// nameOf joins a field's words into one skeleton (a family name of two words
// such as Abu Zeid or Hajj Ali is one name) or takes its first word.
func nameOf(field string, whole bool) skeleton {
	ws := nameWords(field)
	if len(ws) == 0 {
		return skeleton{}
	}
	if !whole || len(ws) == 1 {
		return skeletonOf(ws[0])
	}
	w := ws[0]
	for _, x := range ws[1:] {
		if x.arabic == w.arabic {
			w.s += x.s
		}
	}
	return skeletonOf(w)
}

// chainReadings reads a whole chain in the usual order, family name first,
// and, for a chain of three names, with the middle one as the grandfather's
// (the father's name left out).
func chainReadings(chain string, mother skeleton) [][nSlots]skeleton {
	ws := nameWords(chain)
	sk := make([]skeleton, len(ws))
	for i, w := range ws {
		sk[i] = skeletonOf(w)
	}
	d, f := chainSlots(sk)
	var out [][nSlots]skeleton
	for _, r := range [][slotMother]skeleton{d, f} {
		var n [nSlots]skeleton
		copy(n[:], r[:])
		n[slotMother] = mother
		out = append(out, n)
	}
	if len(sk) == 3 {
		g := out[0]
		g[slotFather], g[slotGrandfather] = skeleton{}, g[slotFather]
		out = append(out, g)
	}
	return out
}

// prepareRaw reduces one record to skeletons. Split name columns come
// first, a whole chain filling the slots they leave empty (given, father,
// grandfather when four or more names, family last); a chain in the other
// script gives further readings.
func prepareRaw(r *Record, side uint8) raw {
	var x raw
	var n [nSlots]skeleton
	n[slotGiven] = nameOf(r.Given, false)
	n[slotFather] = nameOf(r.Father, false)
	n[slotGrandfather] = nameOf(r.Grandfather, false)
	n[slotFamily] = nameOf(r.Family, true)
	n[slotMother] = nameOf(r.Mother, false)
	chains := make([]string, 0, 2)
	for _, c := range []string{r.NameAr, r.NameLatin} {
		if c != "" {
			chains = append(chains, c)
		}
	}
	if n[slotGiven].cons != "" || n[slotFamily].cons != "" {
		if len(chains) > 0 && (n[slotGiven].cons == "" || n[slotFamily].cons == "") {
			d := chainReadings(chains[0], n[slotMother])[0]
			for s := 0; s < slotMother; s++ {
				if n[s].cons == "" {
					n[s] = d[s]
				}
			}
			chains = chains[1:]
		}
		swapped := n
		swapped[slotGiven], swapped[slotFather] = n[slotFather], n[slotGiven]
		x.add(n)
		x.add(swapped)
	}
	for _, c := range chains {
		for _, r := range chainReadings(c, n[slotMother]) {
			x.add(r)
		}
	}
	if x.nRead == 0 {
		x.add(n)
	}
	x.place = placeSkeleton(r.BirthPlace)
	x.arrestPlace = placeSkeleton(r.ArrestPlace)
	p := &x.p
	p.side = side
	switch r.Sex {
	case "M", "m":
		p.sex = 'M'
	case "F", "f":
		p.sex = 'F'
	}
	if d := r.BirthDate; len(d) == 10 && d[4] == '-' && d[7] == '-' {
		y, _ := strconv.Atoi(d[:4])
		m, _ := strconv.Atoi(d[5:7])
		dd, _ := strconv.Atoi(d[8:])
		p.year, p.month, p.day = int16(y), int8(m), int8(dd)
	}
	if p.year == 0 && len(r.BirthYear) == 4 {
		y, _ := strconv.Atoi(r.BirthYear)
		p.year = int16(y)
	}
	p.nid = digits(r.NationalID)
	if t, err := time.Parse(time.DateOnly, r.ArrestDate); err == nil {
		p.arrest = days(t)
		if t.Day() <= 12 {
			p.arrestSwapped = days(time.Date(t.Year(), time.Month(t.Day()), int(t.Month()), 0, 0, 0, 0, time.UTC))
		}
	}
	return x
}

// chainSlots reads a whole name chain in the usual order and family name
// first (as official lists often write it).
func chainSlots(sk []skeleton) (direct, familyFirst [slotMother]skeleton) {
	fill := func(dst *[slotMother]skeleton, t []skeleton) {
		switch n := len(t); {
		case n == 1:
			dst[slotGiven] = t[0]
		case n >= 2:
			dst[slotGiven] = t[0]
			dst[slotFamily] = t[n-1]
			if n >= 3 {
				dst[slotFather] = t[1]
			}
			if n >= 4 {
				dst[slotGrandfather] = t[2]
			}
		}
	}
	fill(&direct, sk)
	if len(sk) >= 2 {
		rot := append(append([]skeleton{}, sk[1:]...), sk[0])
		fill(&familyFirst, rot)
	} else {
		familyFirst = direct
	}
	return direct, familyFirst
}

var epoch = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

func days(t time.Time) int32 { return int32(t.Sub(epoch).Hours() / 24) }

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if f, ok := foldArabic(r); ok && f >= '0' && f <= '9' {
			b.WriteRune(f)
		}
	}
	return b.String()
}

// prepareAll prepares the records of both lists with all workers and interns
// their skeletons in one dictionary.
func prepareAll(a, b []Record, workers int) ([]prepared, *dictionary) {
	all := len(a) + len(b)
	raws := make([]raw, all)
	parallel(all, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if i < len(a) {
				raws[i] = prepareRaw(&a[i], 0)
			} else {
				raws[i] = prepareRaw(&b[i-len(a)], 1)
			}
		}
	})
	d := newDictionary()
	out := make([]prepared, all)
	for i := range raws {
		p := raws[i].p
		p.nRead = uint8(raws[i].nRead)
		for v := 0; v < raws[i].nRead; v++ {
			for s := 0; s < nSlots; s++ {
				p.names[v][s] = d.intern(raws[i].names[v][s])
			}
		}
		p.place = d.intern(raws[i].place)
		p.arrestPlace = d.intern(raws[i].arrestPlace)
		out[i] = p
	}
	d.count = make([]uint32, len(d.consS))
	for i := range out {
		for s := 0; s < nSlots; s++ {
			d.count[d.cons[out[i].names[0][s]]]++
		}
		d.count[d.cons[out[i].place]]++
	}
	return out, d
}

// parallel runs fn over [0,n) in contiguous chunks on up to workers
// goroutines.
func parallel(n, workers int, fn func(lo, hi int)) {
	if workers < 1 {
		workers = 1
	}
	chunk := (n + workers - 1) / workers
	if chunk == 0 {
		return
	}
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
