package match

import "math"

// model holds the Fellegi–Sunter parameters: for each field and level, m
// (the probability of that level among pairs naming one person) and u (among
// pairs naming two people), and λ, the share of matches among the compared
// pairs. They are estimated by EM on the comparison patterns of the data
// itself; no labels are needed.
type model struct {
	lambda     float64
	m, u       [nFields][8]float64
	weight     [nFields][8]float64 // ln(m/u); 0 for the missing level
	prior      float64             // ln(λ/(1-λ))
	iterations int
}

// patternCount is a distinct pattern (levels only) and how many candidate
// pairs showed it.
type patternCount struct {
	p pattern
	n float64
}

const (
	emMaxIterations = 200
	emTolerance     = 1e-6
	// emPseudo keeps every level possible on both sides, so that no weight
	// becomes infinite on a small list.
	emPseudo = 0.5
	// emPrior is how many matches' worth of weight defaultM carries: it
	// decides m on a short list, where EM has too few pairs to go on, and
	// vanishes on a long one.
	emPrior = 20
)

// defaultM is what m is believed to be before the data speak: matches
// agree on names and dates mostly, with typos, spelling slips and years one
// off now and then.
var defaultM = [nFields][8]float64{
	fGiven:       {0, 0.02, 0.03, 0.02, 0.93},
	fFather:      {0, 0.02, 0.03, 0.02, 0.93},
	fGrandfather: {0, 0.02, 0.03, 0.02, 0.93},
	fFamily:      {0, 0.02, 0.03, 0.02, 0.93},
	fMother:      {0, 0.02, 0.03, 0.05, 0.90},
	fBirth:       {0, 0.02, 0.10, 0.60, 0.28},
	fPlace:       {0, 0.04, 0.02, 0.94},
	fNationalID:  {0, 0.01, 0.04, 0.95},
	fSex:         {0, 0.01, 0.99},
	fArrest:      {0, 0.1, 0.2, 0.7},
	fArrestPlace: {0, 0.08, 0.02, 0.9},
}

// estimate runs EM from a start that says agreement is likelier among
// matches. Missing levels are left out of the likelihood: a field no one
// filled in is no evidence either way.
func estimate(counts []patternCount) model {
	var md model
	// Start near the answer EM should find: matches are rare among the
	// compared pairs and agree on almost everything; non-matches look like
	// the compared pairs as a whole.
	md.lambda = 0.01
	var seen [nFields][8]float64
	for _, c := range counts {
		for f := 0; f < nFields; f++ {
			seen[f][c.p.level(f)] += c.n
		}
	}
	for f := 0; f < nFields; f++ {
		L := nLevels[f]
		var sm, su float64
		for l := 1; l < L; l++ {
			md.m[f][l] = 0.02
			if l == L-1 {
				md.m[f][l] = 0.9
			}
			md.u[f][l] = seen[f][l] + emPseudo
			sm += md.m[f][l]
			su += md.u[f][l]
		}
		for l := 1; l < L; l++ {
			md.m[f][l] /= sm
			md.u[f][l] /= su
		}
	}
	var total float64
	for _, c := range counts {
		total += c.n
	}
	if total == 0 {
		md.finish()
		return md
	}
	for it := 1; it <= emMaxIterations; it++ {
		md.iterations = it
		var am, au [nFields][8]float64
		var sumG float64
		var logM, logU [nFields][8]float64
		for f := 0; f < nFields; f++ {
			for l := 1; l < nLevels[f]; l++ {
				logM[f][l], logU[f][l] = math.Log(md.m[f][l]), math.Log(md.u[f][l])
			}
		}
		l0m, l0u := math.Log(md.lambda), math.Log(1-md.lambda)
		for _, c := range counts {
			lm, lu := l0m, l0u
			for f := 0; f < nFields; f++ {
				l := c.p.level(f)
				lm += logM[f][l]
				lu += logU[f][l]
			}
			g := 1 / (1 + math.Exp(lu-lm))
			sumG += g * c.n
			for f := 0; f < nFields; f++ {
				if l := c.p.level(f); l > 0 {
					am[f][l] += g * c.n
					au[f][l] += (1 - g) * c.n
				}
			}
		}
		change := 0.0
		newLambda := min(max(sumG/total, 1e-9), 1-1e-9)
		change = math.Abs(newLambda - md.lambda)
		md.lambda = newLambda
		for f := 0; f < nFields; f++ {
			var sm, su float64
			for l := 1; l < nLevels[f]; l++ {
				sm += am[f][l] + emPrior*defaultM[f][l]
				su += au[f][l] + emPseudo
			}
			for l := 1; l < nLevels[f]; l++ {
				nm, nu := (am[f][l]+emPrior*defaultM[f][l])/sm, (au[f][l]+emPseudo)/su
				change = max(change, math.Abs(nm-md.m[f][l]), math.Abs(nu-md.u[f][l]))
				md.m[f][l], md.u[f][l] = nm, nu
			}
		}
		if change < emTolerance {
			break
		}
	}
	md.finish()
	return md
}

func (md *model) finish() {
	md.prior = math.Log(md.lambda / (1 - md.lambda))
	for f := 0; f < nFields; f++ {
		for l := 1; l < nLevels[f]; l++ {
			md.weight[f][l] = math.Log(md.m[f][l] / md.u[f][l])
		}
	}
}

// logit is the log-odds of a match for a pattern, before the name-frequency
// adjustment.
func (md *model) logit(p pattern) float64 {
	s := md.prior
	for f := 0; f < nFields; f++ {
		s += md.weight[f][p.level(f)]
	}
	return s
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
