package bargain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// randomMixedCase is a random domain with discrete and numeric issues, and
// profiles using DiscreteValueSetUtilities and NumberValueSetUtilities.
func randomMixedCase(r *rand.Rand, parties, maxOutcomes int) (*Domain, []*Profile) {
	d := &Domain{Name: "mixed" + strconv.Itoa(r.IntN(1000))}
	outcomes := 1
	for len(d.Issues) == 0 || (r.IntN(6) > 0 && len(d.Issues) < 10) {
		k := 2 + r.IntN(6)
		if outcomes*k > maxOutcomes {
			break
		}
		outcomes *= k
		is := Issue{Name: fmt.Sprintf("issue %d", len(d.Issues))}
		if r.IntN(3) == 0 {
			step := []string{"1", "0.5", "250"}[r.IntN(3)]
			low := strconv.Itoa(r.IntN(10))
			st, _ := parseDecimal(step)
			lo, _ := parseDecimal(low)
			hi := lo.Add(lo, st.Mul(st, ratOf(float64(k-1))))
			is.Range = &NumberRange{Low: low, High: formatDecimal(hi), Step: step}
		} else {
			for o := 0; o < k; o++ {
				is.Values = append(is.Values, fmt.Sprintf("option %d", o))
			}
		}
		d.Issues = append(d.Issues, is)
	}
	var ps []*Profile
	for p := 0; p < parties; p++ {
		pr := &Profile{Name: "party" + strconv.Itoa(p), Domain: d.Name, Issues: map[string]IssueUtility{}}
		for _, is := range d.Issues {
			iu := IssueUtility{Weight: float64(1+r.IntN(100)) / 100}
			if is.Range != nil {
				iu.Number = &NumberUtility{LowValue: is.Range.Low, LowUtility: float64(r.IntN(101)) / 100,
					HighValue: is.Range.High, HighUtility: float64(r.IntN(101)) / 100}
			} else {
				iu.Values = map[string]float64{}
				for _, v := range is.Values {
					iu.Values[v] = float64(r.IntN(11)) / 10
				}
			}
			pr.Issues[is.Name] = iu
		}
		switch r.IntN(3) {
		case 0:
			v := float64(r.IntN(50)) / 100
			pr.ReservationValue = &v
		case 1:
			pr.ReservationBid = Bid{}
			for _, is := range d.Issues {
				opts, _ := is.Options()
				pr.ReservationBid[is.Name] = opts[r.IntN(len(opts))]
			}
		}
		ps = append(ps, pr)
	}
	return d, ps
}

// TestAnalyzeCLIMatchesBruteForce writes random GeniusWeb files, runs the
// command with --json and compares every number with enumeration.
func TestAnalyzeCLIMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cases := 150
	for c := 0; c < cases; c++ {
		maxOutcomes := 3000
		if c%50 == 0 {
			maxOutcomes = 100000
		}
		d, ps := randomMixedCase(r, 2+c%3, maxOutcomes)
		dir := t.TempDir()
		args := []string{"--json"}
		write := func(name string, data []byte) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			args = append(args, path)
		}
		dj, _ := d.GeniusWebJSON()
		write("domain.json", dj)
		for i, p := range ps {
			pj, err := p.GeniusWebJSON(d)
			if err != nil {
				t.Fatal(err)
			}
			write(fmt.Sprintf("profile%d.json", i), pj)
		}
		var stdout, stderr bytes.Buffer
		if code := RunAnalyzeCLI(args, &stdout, &stderr); code != 0 {
			t.Fatalf("case %d: exit %d: %s", c, code, stderr.String())
		}
		var out cliOutput
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("case %d: output is not JSON: %v\n%s", c, err, stdout.String())
		}
		m, err := compile(d, ps)
		if err != nil {
			t.Fatal(err)
		}
		br := bruteForce(m)
		if out.Outcomes.String() != d.OutcomeCount().String() {
			t.Errorf("case %d: outcomes %s, want %s", c, out.Outcomes, d.OutcomeCount())
		}
		want := func(opts []int) *cliPoint {
			if opts == nil {
				return nil
			}
			p := m.point(opts)
			return toCLI(&p)
		}
		if len(out.Frontier) != len(br.frontier) {
			t.Fatalf("case %d: %d frontier points, brute force %d", c, len(out.Frontier), len(br.frontier))
		}
		for k, h := range br.frontier {
			if !reflect.DeepEqual(&out.Frontier[k], want(h.opts)) {
				t.Fatalf("case %d: frontier point %d is %+v, brute force %+v", c, k, out.Frontier[k], want(h.opts))
			}
		}
		for _, x := range []struct {
			name string
			got  *cliPoint
			want []int
		}{{"nash", out.Nash, br.nash}, {"kalai", out.Kalai, br.kalai}, {"max_welfare", out.MaxWelfare, br.welfare}} {
			if !reflect.DeepEqual(x.got, want(x.want)) {
				t.Fatalf("case %d: %s is %+v, brute force %+v", c, x.name, x.got, want(x.want))
			}
		}
	}
}

func TestAnalyzeCLIUsage(t *testing.T) {
	dir := t.TempDir()
	d, ps := benchCase(2, 3, 3, 1)
	dj, _ := d.GeniusWebJSON()
	dpath := filepath.Join(dir, "d.json")
	os.WriteFile(dpath, dj, 0o600)
	var profiles []string
	for i, p := range ps {
		pj, _ := p.GeniusWebJSON(d)
		path := filepath.Join(dir, fmt.Sprintf("p%d.json", i))
		os.WriteFile(path, pj, 0o600)
		profiles = append(profiles, path)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"LinearAdditiveUtilitySpace":{`), 0o600)
	tests := []struct {
		name       string
		args       []string
		code       int
		wantOut    string
		wantStderr string
	}{
		{"help", []string{"--help"}, 0, "usage: parley bargain analyze", ""},
		{"bad flag", []string{"--frobnicate"}, 2, "", "usage:"},
		{"too few files", []string{dpath, profiles[0]}, 2, "", "need a domain"},
		{"text", append([]string{"analyze", dpath}, profiles...), 0, "Nash bargaining solution", ""},
		{"json", append([]string{"--json", dpath}, profiles...), 0, `"elapsed_ms"`, ""},
		{"malformed profile", []string{dpath, profiles[0], bad}, 1, "", "invalid: profile: malformed JSON"},
		{"missing file", []string{dpath, profiles[0], filepath.Join(dir, "nope.json")}, 1, "", "nope.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := RunAnalyzeCLI(tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.wantOut) || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
		})
	}
}

// TestApproximation forces the fallback for three and four parties and
// checks its promises against brute force: every true frontier vector is
// within Epsilon of a listed one, listed packages are real, and Nash and
// maximum welfare are still exact.
func TestApproximation(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	checked, omitted := 0, 0
	defer func() { t.Logf("%d approximations checked (%d with the frontier omitted)", checked, omitted) }()
	for c := 0; c < 40; c++ {
		parties := 3 + c%2
		d, ps := randomCase(r, parties, 20000)
		m, err := compile(d, ps)
		if err != nil {
			t.Fatal(err)
		}
		br := bruteForce(m)
		if len(br.frontier) < 20 {
			continue
		}
		limit := len(br.frontier) - 1
		a, err := Analyze(d, ps, Options{MaxFrontier: limit, Epsilon: 0.02, MaxEpsilon: 1})
		if err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		if a.Exact {
			t.Fatalf("case %d: frontier of %d listed exactly under a limit of %d", c, len(a.Frontier), limit)
		}
		checked++
		if a.FrontierOmitted {
			omitted++
		} else {
			eps := int64(a.Epsilon*float64(Scale)) + 1
			for _, h := range br.frontier {
				covered := slices.ContainsFunc(a.Frontier, func(p Point) bool {
					for i := range h.u {
						if p.Scaled[i] < h.u[i]-eps {
							return false
						}
					}
					return true
				})
				if !covered {
					t.Fatalf("case %d: frontier vector %v not within %g of a listed package", c, h.u, a.Epsilon)
				}
			}
			for _, p := range a.Frontier {
				if !slices.Equal(p.Scaled, m.utilities(p.opts)) {
					t.Fatalf("case %d: listed package %v has wrong utilities", c, p.Bid)
				}
			}
		}
		if (a.Nash == nil) != (br.nash == nil) || (a.Nash != nil && !slices.Equal(a.Nash.opts, br.nash)) {
			t.Fatalf("case %d: approximate-mode Nash %v, brute force %v", c, a.Nash, br.nash)
		}
		if !slices.Equal(a.MaxWelfare.opts, br.welfare) {
			t.Fatalf("case %d: max welfare %v, brute force %v", c, a.MaxWelfare.opts, br.welfare)
		}
		// The same analysis with ExactOnly refuses with a typed error.
		_, err = Analyze(d, ps, Options{MaxFrontier: limit, ExactOnly: true})
		if e, ok := err.(*Error); !ok || e.Code != CodeTooLarge {
			t.Fatalf("case %d: ExactOnly gave %v, want too_large", c, err)
		}
	}
}

func TestMemoryBound(t *testing.T) {
	d, ps := benchCase(2, 40, 10, 1)
	_, err := Analyze(d, ps, Options{MemoryLimit: 1 << 10})
	if e, ok := err.(*Error); !ok || e.Code != CodeTooLarge {
		t.Fatalf("got %v, want too_large", err)
	}
}

func TestCompareDraft(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for c := 0; c < 300; c++ {
		d, ps := randomCase(r, 2+c%3, 500)
		a, err := Analyze(d, ps, Options{})
		if err != nil {
			t.Fatal(err)
		}
		br := bruteForce(a.m)
		draft := Bid{}
		var opts []int
		for _, is := range d.Issues {
			o := r.IntN(len(is.Values))
			draft[is.Name] = is.Values[o]
			opts = append(opts, o)
		}
		dc, err := a.CompareDraft(draft)
		if err != nil {
			t.Fatal(err)
		}
		u := a.m.utilities(opts)
		onFront := slices.ContainsFunc(br.frontier, func(h bruteHit) bool { return slices.Equal(h.u, u) })
		if want := map[bool]string{true: DraftOnFrontier, false: DraftDominated}[onFront]; dc.Status != want {
			t.Fatalf("case %d: status %s, want %s", c, dc.Status, want)
		}
		var want int
		for _, h := range br.frontier {
			if weaklyDominates(h.u, u) {
				want++
			}
		}
		if len(dc.Improvements) != want || want == 0 {
			t.Fatalf("case %d: %d improvements, want %d (>0)", c, len(dc.Improvements), want)
		}
	}
	d, ps := benchCase(2, 3, 3, 1)
	a, _ := Analyze(d, ps, Options{})
	_, err := a.CompareDraft(Bid{"issue0": "v0", "issue1": "v9", "issue2": "v0"})
	if e, ok := err.(*Error); !ok || e.Path != "draft.issue1" {
		t.Errorf("draft with an unknown value: %v, want invalid at draft.issue1", err)
	}
}
