package bargain

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// Scale is the common fixed denominator of every utility in the analysis.
//
// A party's utility of a package is the sum over issues of weight/Σweights ×
// rating. Each of these per-issue contributions is multiplied by Scale and
// rounded to the nearest int64 once, at compile time; from then on every sum,
// comparison and tie is exact integer arithmetic, so the divide-and-conquer
// frontier and brute-force enumeration agree bit for bit.
//
// Scale = 720720 × 10^12 (720720 = lcm(1..16)). The contribution is exact (no
// rounding at all) whenever weight × rating has at most 12 decimal places
// after dividing by a weight total such as 1, 100 or any divisor of 720720 —
// which covers GeniusWeb files with up to six decimals per number, 0–100
// sliders, and Genius XML evaluations normalised by a maximum up to 16.
// Otherwise the error is at most half a unit per issue: below 10^-16 on the
// 0–1 scale for 40 issues. The largest sum ever formed is the welfare of five
// parties, 5 × Scale ≈ 3.6 × 10^18 < 2^63, and a product of two gains fits
// in 128 bits.
const Scale int64 = 720720 * 1_000_000_000_000

// model is a domain and its profiles compiled to integers.
type model struct {
	domain  *Domain
	opts    [][]string // options per issue
	parties int
	// contrib[i][o*parties+p] is party p's contribution, in Scale units, when
	// issue i takes option o.
	contrib [][]int64
	// disagreement[p] is party p's utility of no agreement, in Scale units.
	disagreement []int64
	names        []string
}

// ratOf converts a float to the decimal it was written as: the shortest
// representation that reads back to the same float. 0.1 becomes exactly
// 1/10, not the binary approximation of it.
func ratOf(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return r
}

// roundRat rounds a non-negative rational to the nearest integer, halves up.
func roundRat(r *big.Rat) int64 {
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	num.Add(num, r.Denom())
	den := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	q := new(big.Int).Div(num, den)
	return q.Int64()
}

func validUnit(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0) && f >= 0 && f <= 1
}

// ValidateProfile checks that p is a complete profile for d. Paths in the
// error name the offending element.
func ValidateProfile(d *Domain, p *Profile) error {
	_, err := compileProfile(d, p)
	return err
}

// compileProfile validates p against d and returns its per-issue
// contributions in Scale units, indexed [issue][option].
func compileProfile(d *Domain, p *Profile) ([][]int64, error) {
	if p.Domain != d.Name {
		return nil, invalid("profile.domain", "the profile is for domain %q, not %q", p.Domain, d.Name)
	}
	for _, name := range sortedKeys(p.Issues) {
		found := false
		for _, is := range d.Issues {
			if is.Name == name {
				found = true
				break
			}
		}
		if !found {
			return nil, invalid("profile.issueUtilities."+name, "issue %q is not in domain %q", name, d.Name)
		}
	}
	total := new(big.Rat)
	for _, is := range d.Issues {
		iu, ok := p.Issues[is.Name]
		if !ok {
			return nil, invalid("profile.issueUtilities."+is.Name, "no utilities for issue %q", is.Name)
		}
		if math.IsNaN(iu.Weight) || math.IsInf(iu.Weight, 0) || iu.Weight < 0 {
			return nil, invalid("profile.issueWeights."+is.Name, "the weight must be a non-negative number")
		}
		total.Add(total, ratOf(iu.Weight))
	}
	if total.Sign() <= 0 {
		return nil, invalid("profile.issueWeights", "the weights must sum to a positive number")
	}
	out := make([][]int64, len(d.Issues))
	for i, is := range d.Issues {
		iu := p.Issues[is.Name]
		path := "profile.issueUtilities." + is.Name
		opts, err := is.Options()
		if err != nil {
			return nil, err
		}
		w := new(big.Rat).Quo(ratOf(iu.Weight), total)
		w.Mul(w, new(big.Rat).SetInt64(Scale))
		ratings := make([]*big.Rat, len(opts))
		switch {
		case is.Range == nil:
			if iu.Number != nil || iu.Values == nil {
				return nil, invalid(path+".valueUtilities", "issue %q is discrete and needs a rating for each option", is.Name)
			}
			for _, v := range sortedKeys(iu.Values) {
				u := iu.Values[v]
				if optionIndex(is, opts, v) < 0 {
					return nil, invalid(path+".valueUtilities."+v, "%q is not an option of issue %q", v, is.Name)
				}
				if !validUnit(u) {
					return nil, invalid(path+".valueUtilities."+v, "a rating must be between 0 and 1")
				}
			}
			for o, v := range opts {
				u, ok := iu.Values[v]
				if !ok {
					return nil, invalid(path+".valueUtilities."+v, "option %q has no rating", v)
				}
				ratings[o] = ratOf(u)
			}
		default:
			nu := iu.Number
			if nu == nil {
				return nil, invalid(path, "issue %q is numeric and needs a NumberValueSetUtilities", is.Name)
			}
			lv, ok1 := parseDecimal(nu.LowValue)
			hv, ok2 := parseDecimal(nu.HighValue)
			switch {
			case !ok1:
				return nil, invalid(path+".lowValue", "%q is not a number", nu.LowValue)
			case !ok2:
				return nil, invalid(path+".highValue", "%q is not a number", nu.HighValue)
			case hv.Cmp(lv) <= 0:
				return nil, invalid(path+".highValue", "highValue must exceed lowValue")
			case !validUnit(nu.LowUtility):
				return nil, invalid(path+".lowUtility", "a utility must be between 0 and 1")
			case !validUnit(nu.HighUtility):
				return nil, invalid(path+".highUtility", "a utility must be between 0 and 1")
			}
			lu, hu := ratOf(nu.LowUtility), ratOf(nu.HighUtility)
			for o, v := range opts {
				x, _ := parseDecimal(v)
				if x.Cmp(lv) < 0 || x.Cmp(hv) > 0 {
					ratings[o] = new(big.Rat)
					continue
				}
				// lu + (x-lv)/(hv-lv) × (hu-lu)
				t := new(big.Rat).Sub(x, lv)
				t.Quo(t, new(big.Rat).Sub(hv, lv))
				t.Mul(t, new(big.Rat).Sub(hu, lu))
				ratings[o] = t.Add(t, lu)
			}
		}
		out[i] = make([]int64, len(opts))
		for o, r := range ratings {
			out[i][o] = roundRat(new(big.Rat).Mul(w, r))
		}
	}
	return out, nil
}

// bidOptions resolves a bid to option indices, naming the offending issue.
func bidOptions(d *Domain, opts [][]string, b Bid, path string) ([]int, error) {
	if len(b) != len(d.Issues) {
		for _, name := range sortedKeys(b) {
			if issueIndex(d, name) < 0 {
				return nil, invalid(path+"."+name, "issue %q is not in domain %q", name, d.Name)
			}
		}
	}
	out := make([]int, len(d.Issues))
	for i, is := range d.Issues {
		v, ok := b[is.Name]
		if !ok {
			return nil, invalid(path+"."+is.Name, "the bid has no value for issue %q", is.Name)
		}
		o := optionIndex(is, opts[i], v)
		if o < 0 {
			return nil, invalid(path+"."+is.Name, "%q is not an option of issue %q", v, is.Name)
		}
		out[i] = o
	}
	return out, nil
}

func issueIndex(d *Domain, name string) int {
	for i, is := range d.Issues {
		if is.Name == name {
			return i
		}
	}
	return -1
}

// compile validates the domain and every profile and builds the integer
// model. Profile errors carry the profile's position in their path.
func compile(d *Domain, profiles []*Profile) (*model, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if len(profiles) < 2 || len(profiles) > 5 {
		return nil, invalid("profiles", "the analysis needs 2 to 5 profiles, got %d", len(profiles))
	}
	m := &model{domain: d, parties: len(profiles)}
	for _, is := range d.Issues {
		o, _ := is.Options()
		m.opts = append(m.opts, o)
	}
	m.contrib = make([][]int64, len(d.Issues))
	for i := range d.Issues {
		m.contrib[i] = make([]int64, len(m.opts[i])*m.parties)
	}
	for p, prof := range profiles {
		prefix := func(err error) error {
			if e, ok := err.(*Error); ok && len(profiles) > 1 {
				e.Message = fmt.Sprintf("profile %d (%s): %s", p+1, prof.Name, e.Message)
			}
			return err
		}
		c, err := compileProfile(d, prof)
		if err != nil {
			return nil, prefix(err)
		}
		for i := range c {
			for o, v := range c[i] {
				m.contrib[i][o*m.parties+p] = v
			}
		}
		var dis int64
		switch {
		case prof.ReservationBid != nil:
			b, err := bidOptions(d, m.opts, prof.ReservationBid, "profile.reservationBid")
			if err != nil {
				return nil, prefix(err)
			}
			for i, o := range b {
				dis += c[i][o]
			}
		case prof.ReservationValue != nil:
			r := *prof.ReservationValue
			if !validUnit(r) {
				return nil, prefix(invalid("profile.reservation", "the reservation value must be between 0 and 1"))
			}
			dis = roundRat(new(big.Rat).Mul(ratOf(r), new(big.Rat).SetInt64(Scale)))
		}
		m.disagreement = append(m.disagreement, dis)
		m.names = append(m.names, prof.Name)
	}
	return m, nil
}

// utilities returns the integer utility of a package given as option indices.
func (m *model) utilities(bid []int) []int64 {
	u := make([]int64, m.parties)
	for i, o := range bid {
		for p := 0; p < m.parties; p++ {
			u[p] += m.contrib[i][o*m.parties+p]
		}
	}
	return u
}

// bid turns option indices into a Bid.
func (m *model) bid(opts []int) Bid {
	b := make(Bid, len(opts))
	for i, o := range opts {
		b[m.domain.Issues[i].Name] = m.opts[i][o]
	}
	return b
}

// toUnit converts an integer utility to GeniusWeb's 0–1 scale.
func toUnit(u int64) float64 { return float64(u) / float64(Scale) }
