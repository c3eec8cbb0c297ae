package bargain

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
)

// Questions returns up to n "which of these two packages do you prefer"
// pairs for a domain. They depend only on the domain and seed (a round and
// a party), never on a profile, so asking them reveals nothing; each pair
// differs on two issues, so that answering it is a trade-off.
func Questions(d *Domain, seed string, n int) []Answer {
	opts := make([][]string, len(d.Issues))
	for i, is := range d.Issues {
		o, err := is.Options()
		if err != nil || len(o) == 0 {
			return nil
		}
		opts[i] = o
	}
	sum := sha256.Sum256([]byte(seed))
	rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])))
	var out []Answer
	for tries := 0; len(out) < n && tries < 20*n; tries++ {
		a, b := Bid{}, Bid{}
		for i, is := range d.Issues {
			v := opts[i][rng.IntN(len(opts[i]))]
			a[is.Name], b[is.Name] = v, v
		}
		changed := 0
		for _, i := range rng.Perm(len(d.Issues)) {
			if changed == 2 {
				break
			}
			if len(opts[i]) < 2 {
				continue
			}
			name := d.Issues[i].Name
			for b[name] == a[name] {
				b[name] = opts[i][rng.IntN(len(opts[i]))]
			}
			changed++
		}
		if changed == 0 || slices.ContainsFunc(out, func(q Answer) bool { return sameBid(q.A, a) && sameBid(q.B, b) }) {
			continue
		}
		out = append(out, Answer{A: a, B: b})
	}
	return out
}

func sameBid(x, y Bid) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if y[k] != v {
			return false
		}
	}
	return true
}

// Contradictions lists the answers that the profile contradicts: the
// package the party said it prefers is worth strictly less under its own
// weights and ratings. Answers that do not fit the domain are skipped.
func Contradictions(d *Domain, p *Profile, answers []Answer) []int {
	c, err := compileProfile(d, p)
	if err != nil {
		return nil
	}
	opts := make([][]string, len(d.Issues))
	for i, is := range d.Issues {
		opts[i], _ = is.Options()
	}
	utility := func(b Bid) (int64, bool) {
		idx, err := bidOptions(d, opts, b, "bid")
		if err != nil {
			return 0, false
		}
		var u int64
		for i, o := range idx {
			u += c[i][o]
		}
		return u, true
	}
	var out []int
	for k, a := range answers {
		if a.Prefer == "" {
			continue
		}
		ua, ok1 := utility(a.A)
		ub, ok2 := utility(a.B)
		if !ok1 || !ok2 {
			continue
		}
		if (a.Prefer == "a" && ua < ub) || (a.Prefer == "b" && ub < ua) {
			out = append(out, k)
		}
	}
	return out
}

// Utility is the profile's utility of a package on the 0–1 scale.
func (p *Profile) Utility(d *Domain, b Bid) (float64, error) {
	c, err := compileProfile(d, p)
	if err != nil {
		return 0, err
	}
	opts := make([][]string, len(d.Issues))
	for i, is := range d.Issues {
		opts[i], _ = is.Options()
	}
	idx, err := bidOptions(d, opts, b, "bid")
	if err != nil {
		return 0, err
	}
	var u int64
	for i, o := range idx {
		u += c[i][o]
	}
	return toUnit(u), nil
}
