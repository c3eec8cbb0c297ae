package match

import (
	"strconv"
	"strings"
	"sync"
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
	// names[0] is the chain as read; names[1] another reading tried when
	// comparing: a whole chain read family name first, or the given and
	// father's names of split fields swapped.
	names      [2][nSlots]tokenID
	year       int16
	month, day int8
	sex        byte // 'M', 'F' or 0
	place      tokenID
	nid        string
	side       uint8 // 0 = list a, 1 = list b
}

// dictionary interns skeletons and counts how often each consonant
// skeleton fills each kind of slot, for the frequency-aware name weights.
type dictionary struct {
	ids   map[skeleton]tokenID
	toks  []skeleton // by id; toks[0] is the missing token
	cons  []uint32   // consonant-skeleton id of each token
	consI map[string]uint32
	consS []string
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
	names [2][nSlots]skeleton
	place skeleton
	p     prepared
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

// prepareRaw reduces one record to skeletons. Split name fields win; a
// whole chain (Arabic preferred) fills the slots they leave empty: given,
// father, grandfather when four or more names, family last.
func prepareRaw(r *Record, side uint8) raw {
	var x raw
	n := &x.names[0]
	n[slotGiven] = nameOf(r.Given, false)
	n[slotFather] = nameOf(r.Father, false)
	n[slotGrandfather] = nameOf(r.Grandfather, false)
	n[slotFamily] = nameOf(r.Family, true)
	n[slotMother] = nameOf(r.Mother, false)
	x.names[1] = x.names[0]
	x.names[1][slotGiven], x.names[1][slotFather] = n[slotFather], n[slotGiven]
	chain := r.NameAr
	if chain == "" {
		chain = r.NameLatin
	}
	if chain != "" && (n[slotGiven].cons == "" || n[slotFamily].cons == "") {
		ws := nameWords(chain)
		sk := make([]skeleton, len(ws))
		for i, w := range ws {
			sk[i] = skeletonOf(w)
		}
		direct, familyFirst := chainSlots(sk)
		for s := 0; s < slotMother; s++ {
			if n[s].cons == "" {
				n[s] = direct[s]
				x.names[1][s] = familyFirst[s]
			}
		}
	}
	x.place = placeSkeleton(r.BirthPlace)
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
		for v := 0; v < 2; v++ {
			for s := 0; s < nSlots; s++ {
				p.names[v][s] = d.intern(raws[i].names[v][s])
			}
		}
		p.place = d.intern(raws[i].place)
		out[i] = p
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
