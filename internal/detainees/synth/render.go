package synth

import (
	"fmt"
	"strings"
	"time"

	"parley/internal/detainees/match"
)

// profile is how one side writes its list.
type profile struct {
	arabicOnly, latinOnly float64 // else both scripts
	party                 string
}

var (
	profileA = profile{arabicOnly: 0.6, latinOnly: 0.15, party: "government"}
	profileB = profile{arabicOnly: 0.35, latinOnly: 0.35, party: "opposition"}
)

// Noise rates of a rendered record.
const (
	pSplit          = 0.5  // split name columns rather than one chain
	pTypo           = 0.03 // per written name
	pFamilyFirst    = 0.06 // a chain written family name first
	pSwapGivenFath  = 0.02 // split columns with given and father swapped
	pNoGrandfather  = 0.25
	pNoFather       = 0.04
	pNoMother       = 0.2
	pMotherFamily   = 0.3 // mother's name written with her family name
	pNoSex          = 0.1
	pFullDate       = 0.4
	pYearOnly       = 0.45 // else no birth data
	pYearOff        = 0.1
	pDayMonthSwap   = 0.05
	pNoPlace        = 0.2
	pNationalID     = 0.5
	pNationalIDTypo = 0.03
	pArrest         = 0.7
	pArrestDayOff   = 0.2
)

var arabicLetters = []rune("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")

func (g *generator) render(p person, pr profile, id string) match.Record {
	r := g.rng
	rec := match.Record{ID: id, HoldingParty: pr.party}
	x := r.Float64()
	arabic, latin := x < pr.arabicOnly || x >= pr.arabicOnly+pr.latinOnly, x >= pr.arabicOnly
	given := g.male
	if p.female {
		given = g.female
	}
	names := []*variant{&given.items[p.given], &g.male.items[p.father], &g.male.items[p.grandfather], &g.family.items[p.fam]}
	if r.Float64() < pNoGrandfather {
		names[2] = nil
	}
	if r.Float64() < pNoFather {
		names[1] = nil
	}
	write := func(v *variant, ar bool) string {
		if v == nil {
			return ""
		}
		var s string
		if ar {
			s = v.arabic
		} else {
			s = v.latin[pick(r, v.cum)]
		}
		if r.Float64() < pTypo {
			s = g.typo(s, ar)
		}
		return s
	}
	chain := func(ar bool) string {
		var parts []string
		for _, v := range names {
			if s := write(v, ar); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 2 && r.Float64() < pFamilyFirst {
			parts = append(parts[len(parts)-1:], parts[:len(parts)-1]...)
		}
		return strings.Join(parts, " ")
	}
	if r.Float64() < pSplit {
		ar := arabic && (!latin || r.Float64() < 0.5)
		fields := []*string{&rec.Given, &rec.Father, &rec.Grandfather, &rec.Family}
		for k, v := range names {
			*fields[k] = write(v, ar)
		}
		if r.Float64() < pSwapGivenFath {
			rec.Given, rec.Father = rec.Father, rec.Given
		}
		if arabic && latin {
			if ar {
				rec.NameLatin = chain(false)
			} else {
				rec.NameAr = chain(true)
			}
		}
	} else {
		if arabic {
			rec.NameAr = chain(true)
		}
		if latin {
			rec.NameLatin = chain(false)
		}
	}
	if r.Float64() >= pNoMother {
		ar := arabic && (!latin || r.Float64() < 0.5)
		rec.Mother = write(&g.female.items[p.motherGiven], ar)
		if r.Float64() < pMotherFamily {
			rec.Mother += " " + write(&g.family.items[p.motherFam], ar)
		}
	}
	if r.Float64() >= pNoSex {
		rec.Sex = map[bool]string{true: "F", false: "M"}[p.female]
	}
	year, month, day := p.year, p.month, p.day
	if r.Float64() < pYearOff {
		year += 1 - 2*r.IntN(2)
	}
	if day <= 12 && r.Float64() < pDayMonthSwap {
		month, day = day, month
	}
	switch x := r.Float64(); {
	case x < pFullDate:
		rec.BirthDate = fmt.Sprintf("%04d-%02d-%02d", year, month, day)
	case x < pFullDate+pYearOnly:
		rec.BirthYear = fmt.Sprint(year)
	}
	if r.Float64() >= pNoPlace {
		v := &g.place.items[p.place]
		if arabic && (!latin || r.Float64() < 0.5) {
			rec.BirthPlace = v.arabic
		} else {
			rec.BirthPlace = v.latin[pick(r, v.cum)]
		}
	}
	if r.Float64() < pNationalID {
		rec.NationalID = p.nid
		if r.Float64() < pNationalIDTypo {
			b := []byte(rec.NationalID)
			b[r.IntN(len(b))] = byte('0' + r.IntN(10))
			rec.NationalID = string(b)
		}
	}
	// Families and witnesses remember the day of an arrest only roughly.
	if r.Float64() < pArrest {
		t := p.arrested
		if r.Float64() < pArrestDayOff {
			t = t.AddDate(0, 0, 1+r.IntN(20)*(1-2*r.IntN(2)))
		}
		rec.ArrestDate = t.Format(time.DateOnly)
	}
	if r.Float64() < pArrest {
		v := &g.place.items[p.arrestPlace]
		if arabic && (!latin || r.Float64() < 0.5) {
			rec.ArrestPlace = v.arabic
		} else {
			rec.ArrestPlace = v.latin[pick(r, v.cum)]
		}
	}
	rec.Status = []string{"held", "held", "held", "held", "unknown", "held", "released", "deceased"}[r.IntN(8)]
	return rec
}

// typo changes one letter of a name: a substitution, a deletion, an
// insertion or two neighbours swapped.
func (g *generator) typo(s string, arabic bool) string {
	rs := []rune(s)
	if len(rs) < 3 {
		return s
	}
	r := g.rng
	letter := func() rune {
		if arabic {
			return arabicLetters[r.IntN(len(arabicLetters))]
		}
		return rune('a' + r.IntN(26))
	}
	i := 1 + r.IntN(len(rs)-2)
	if rs[i] == ' ' || rs[i-1] == ' ' || rs[i+1] == ' ' {
		return s
	}
	switch r.IntN(4) {
	case 0:
		rs[i] = letter()
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	case 2:
		rs = append(rs[:i], append([]rune{letter()}, rs[i:]...)...)
	default:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	}
	return string(rs)
}
