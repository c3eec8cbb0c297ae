// Package synth generates synthetic Syrian-style detainee lists for tests
// and benchmarks of the matcher: two lists A and B naming partly the same
// people, each with people entered more than once, and the true pairs beside
// them.
//
// The records carry what makes the real lists hard: Arabic name chains and
// Latin spellings drawn from realistic variant frequencies, a few very common
// names shared by many different people (and brothers sharing father,
// grandfather, family and mother), typos, name chains written family name
// first or with given and father's names swapped, dropped grandfather names,
// about a fifth of the fields missing, birth years off by one and day and
// month swapped.
package synth

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"parley/internal/detainees/match"
)

// Options size the lists. Zero fields take the defaults beside them.
type Options struct {
	N       int     // records in each list (default 1000)
	Seed    uint64  // random seed; the same seed gives the same files
	Overlap float64 // share of B's new records that name someone of A (default 0.3)
	Repeat  float64 // share of records that name someone already in the same list (default 0.05)
}

// TruePair is a pair of records that name one person. Scope is "ab" (A in
// list A, B in list B), "aa" or "bb" (both in that list, file order).
type TruePair struct {
	Scope, A, B string
}

// Data is one generated data set.
type Data struct {
	A, B  []match.Record
	Truth []TruePair
}

// variant is a name: its Arabic form and its Latin spellings with weights.
type variant struct {
	arabic string
	latin  []string
	cum    []float64 // cumulative weights of latin
}

// table is a weighted list of names.
type table struct {
	items []variant
	cum   []float64
}

func parseTable(src string) table {
	var t table
	total := 0.0
	for _, line := range strings.Split(strings.TrimSpace(src), "\n") {
		parts := strings.Split(line, "|")
		var w float64
		fmt.Sscan(parts[0], &w)
		v := variant{arabic: parts[1]}
		vt := 0.0
		for _, sp := range strings.Split(parts[2], ",") {
			name, weight, _ := strings.Cut(sp, ":")
			var x float64
			fmt.Sscan(weight, &x)
			vt += x
			v.latin = append(v.latin, name)
			v.cum = append(v.cum, vt)
		}
		total += w
		t.items = append(t.items, v)
		t.cum = append(t.cum, total)
	}
	return t
}

func pick(rng *rand.Rand, cum []float64) int {
	x := rng.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

func (t *table) draw(rng *rand.Rand) int { return pick(rng, t.cum) }

// familyTable adds to the written family names those formed from male
// names, as many Syrian family names are, and as many again formed from
// roots (addFormedFamilies). The male-name ones: with the article (الأحمد;
// Al-Ahmad, Al Ahmad, Alahmad, El-Ahmad, Ahmad), as a nisba (الأحمدي;
// Al-Ahmadi, Ahmadi) and with Abu (أبو أحمد; Abu Ahmad, Abou Ahmad).
func familyTable(male table) table {
	t := parseTable(familyNames)
	total := t.cum[len(t.cum)-1]
	type form struct {
		s string
		w float64
	}
	add := func(ar string, forms []form, w float64) {
		v := variant{arabic: ar}
		vt := 0.0
		for _, f := range forms {
			vt += f.w
			v.latin = append(v.latin, f.s)
			v.cum = append(v.cum, vt)
		}
		total += w
		t.items = append(t.items, v)
		t.cum = append(t.cum, total)
	}
	for k, m := range male.items {
		if strings.Contains(m.arabic, " ") {
			continue
		}
		w := male.cum[k]
		if k > 0 {
			w -= male.cum[k-1]
		}
		w = math.Sqrt(w) // Al-Mohammed is common, but not as common as Mohammed
		ar := m.arabic
		withArticle := "ال" + ar
		if strings.HasPrefix(ar, "أ") || strings.HasPrefix(ar, "إ") {
			withArticle = "الأ" + ar[len("أ"):]
		}
		base := m.latin[pick(rand.New(rand.NewPCG(uint64(k), 7)), m.cum)]
		lower := strings.ToLower(base)
		add(withArticle, []form{{"Al-" + base, 45}, {"Al " + base, 15}, {"Al" + lower, 10}, {"El-" + base, 10}, {base, 20}}, w)
		if last := lower[len(lower)-1]; !strings.ContainsRune("aeiouyh", rune(last)) && !strings.HasSuffix(ar, "ي") {
			add(withArticle+"ي", []form{{"Al-" + base + "i", 40}, {base + "i", 50}, {"El-" + base + "i", 10}}, w*0.7)
		}
		add("أبو "+ar, []form{{"Abu " + base, 50}, {"Abou " + base, 30}, {"Abu" + lower, 20}}, w*0.4)
	}
	addFormedFamilies(&t, 1)
	return t
}

// person is one detainee as the world knows them.
type person struct {
	female                          bool
	given, father, grandfather, fam int
	motherGiven, motherFam          int
	year, month, day                int
	place                           int
	nid                             string
	arrested                        time.Time
	arrestPlace                     int
}

type generator struct {
	rng                         *rand.Rand
	male, female, family, place table
}

func (g *generator) person() person {
	r := g.rng
	p := person{female: r.Float64() < 0.08}
	if p.female {
		p.given = g.female.draw(r)
	} else {
		p.given = g.male.draw(r)
	}
	p.father, p.grandfather = g.male.draw(r), g.male.draw(r)
	p.fam, p.motherFam = g.family.draw(r), g.family.draw(r)
	p.motherGiven = g.female.draw(r)
	p.year = 1950 + int(min(57, max(0, r.NormFloat64()*10+35)))
	p.month, p.day = 1+r.IntN(12), 1+r.IntN(28)
	p.place = g.place.draw(r)
	p.nid = fmt.Sprintf("%02d%09d", 1+r.IntN(14), r.IntN(1e9))
	p.arrested = time.Date(2011, 3, 15, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(3600))
	p.arrestPlace = g.place.draw(r)
	return p
}

// sibling is a brother of p: same father, grandfather, family and mother.
func (g *generator) sibling(p person) person {
	s := g.person()
	for s.given == p.given && s.female == p.female {
		s = g.person() // brothers do not share a given name
	}
	s.father, s.grandfather, s.fam, s.motherGiven, s.motherFam, s.place = p.father, p.grandfather, p.fam, p.motherGiven, p.motherFam, p.place
	return s
}

// Generate makes a data set.
func Generate(opt Options) Data {
	if opt.N <= 0 {
		opt.N = 1000
	}
	if opt.Overlap <= 0 {
		opt.Overlap = 0.3
	}
	if opt.Repeat <= 0 {
		opt.Repeat = 0.05
	}
	male := parseTable(maleNames)
	g := &generator{
		rng:  rand.New(rand.NewPCG(opt.Seed, 0x5eed)),
		male: male, female: parseTable(femaleNames), family: familyTable(male), place: parseTable(places),
	}
	var people []person
	newPerson := func() int {
		if len(people) > 0 && g.rng.Float64() < 0.06 {
			people = append(people, g.sibling(people[g.rng.IntN(len(people))]))
		} else {
			people = append(people, g.person())
		}
		return len(people) - 1
	}
	// Who each record names.
	whoA := make([]int, 0, opt.N)
	for len(whoA) < opt.N {
		if len(whoA) > 0 && g.rng.Float64() < opt.Repeat {
			whoA = append(whoA, whoA[g.rng.IntN(len(whoA))])
		} else {
			whoA = append(whoA, newPerson())
		}
	}
	inA := len(people)
	usedInB := map[int]bool{}
	whoB := make([]int, 0, opt.N)
	for len(whoB) < opt.N {
		switch x := g.rng.Float64(); {
		case len(whoB) > 0 && x < opt.Repeat:
			whoB = append(whoB, whoB[g.rng.IntN(len(whoB))])
		case x < opt.Repeat+opt.Overlap:
			k := g.rng.IntN(inA)
			if usedInB[k] {
				continue
			}
			usedInB[k] = true
			whoB = append(whoB, k)
		default:
			whoB = append(whoB, newPerson())
		}
	}
	g.rng.Shuffle(len(whoA), func(i, j int) { whoA[i], whoA[j] = whoA[j], whoA[i] })
	g.rng.Shuffle(len(whoB), func(i, j int) { whoB[i], whoB[j] = whoB[j], whoB[i] })

	var d Data
	d.A = make([]match.Record, len(whoA))
	for i, k := range whoA {
		d.A[i] = g.render(people[k], profileA, fmt.Sprintf("A-%06d", i+1))
	}
	d.B = make([]match.Record, len(whoB))
	for i, k := range whoB {
		d.B[i] = g.render(people[k], profileB, fmt.Sprintf("B-%06d", i+1))
	}
	d.Truth = truth(whoA, whoB, d.A, d.B)
	return d
}

// truth lists every pair of records naming one person.
func truth(whoA, whoB []int, a, b []match.Record) []TruePair {
	recA, recB := map[int][]int{}, map[int][]int{}
	for i, k := range whoA {
		recA[k] = append(recA[k], i)
	}
	for i, k := range whoB {
		recB[k] = append(recB[k], i)
	}
	var out []TruePair
	within := func(scope string, recs []match.Record, idx []int) {
		for x := 0; x < len(idx); x++ {
			for y := x + 1; y < len(idx); y++ {
				i, j := min(idx[x], idx[y]), max(idx[x], idx[y])
				out = append(out, TruePair{scope, recs[i].ID, recs[j].ID})
			}
		}
	}
	for i := range whoA {
		k := whoA[i]
		if recA[k][0] != i {
			continue
		}
		within("aa", a, recA[k])
		for _, x := range recA[k] {
			for _, y := range recB[k] {
				out = append(out, TruePair{"ab", a[x].ID, b[y].ID})
			}
		}
	}
	for i := range whoB {
		if k := whoB[i]; recB[k][0] == i {
			within("bb", b, recB[k])
		}
	}
	return out
}

// Write writes a.csv, b.csv (canonical columns) and truth.csv (scope,a,b)
// into dir, creating it.
func Write(dir string, d Data) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		recs []match.Record
	}{{"a.csv", d.A}, {"b.csv", d.B}} {
		if err := writeFile(filepath.Join(dir, f.name), func(w *os.File) error { return match.WriteCSV(w, f.recs) }); err != nil {
			return err
		}
	}
	return writeFile(filepath.Join(dir, "truth.csv"), func(w *os.File) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"scope", "a", "b"})
		for _, p := range d.Truth {
			cw.Write([]string{p.Scope, p.A, p.B})
		}
		cw.Flush()
		return cw.Error()
	})
}

func writeFile(path string, fill func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadTruth reads a truth.csv written by Write.
func ReadTruth(path string) ([]TruePair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var out []TruePair
	for i, r := range rows {
		if i == 0 || len(r) != 3 {
			continue
		}
		out = append(out, TruePair{r[0], r[1], r[2]})
	}
	return out, nil
}
