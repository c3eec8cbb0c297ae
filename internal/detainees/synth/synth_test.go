package synth

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"parley/internal/detainees/match"
)

func TestGenerateIsDeterministic(t *testing.T) {
	x := Generate(Options{N: 300, Seed: 7})
	y := Generate(Options{N: 300, Seed: 7})
	z := Generate(Options{N: 300, Seed: 8})
	if !reflect.DeepEqual(x, y) {
		t.Error("the same seed gave different data")
	}
	if reflect.DeepEqual(x.A, z.A) {
		t.Error("different seeds gave the same data")
	}
}

func TestGeneratedData(t *testing.T) {
	d := Generate(Options{N: 3000, Seed: 1})
	if len(d.A) != 3000 || len(d.B) != 3000 {
		t.Fatalf("lists of %d and %d records", len(d.A), len(d.B))
	}
	ids := map[string]string{}
	for list, recs := range map[string][]match.Record{"a": d.A, "b": d.B} {
		for _, r := range recs {
			if errs := r.Validate(0); len(errs) > 0 {
				t.Fatalf("record %+v is invalid: %v", r, errs)
			}
			if _, dup := ids[r.ID]; dup {
				t.Fatalf("id %s twice", r.ID)
			}
			ids[r.ID] = list
		}
	}
	scopes := map[string]int{}
	for _, p := range d.Truth {
		scopes[p.Scope]++
		want := map[string][2]string{"ab": {"a", "b"}, "aa": {"a", "a"}, "bb": {"b", "b"}}[p.Scope]
		if ids[p.A] != want[0] || ids[p.B] != want[1] || p.A == p.B {
			t.Fatalf("true pair %+v names records of the wrong lists", p)
		}
	}
	// About 30% of B overlaps A, and about 5% of each list repeats someone.
	if n := scopes["ab"]; n < 700 || n > 1300 {
		t.Errorf("%d true pairs across the lists", n)
	}
	for _, s := range []string{"aa", "bb"} {
		if n := scopes[s]; n < 80 || n > 250 {
			t.Errorf("%d true pairs in %s", n, s)
		}
	}
	// About a fifth of the fields that may be missing are (names written
	// as a whole chain leave the split columns empty; they are not counted).
	optional := []string{"mother_name", "sex", "birth_place", "national_id", "arrest_date", "arrest_place"}
	empty, total := 0, 0
	both, arabic, latin := 0, 0, 0
	for _, r := range append(d.A, d.B...) {
		for _, c := range optional {
			total++
			if r.Get(c) == "" {
				empty++
			}
		}
		total++
		if r.BirthDate == "" && r.BirthYear == "" {
			empty++
		}
		ar, la := r.NameAr != "" || isArabicText(r.Given), r.NameLatin != "" || (r.Given != "" && !isArabicText(r.Given))
		switch {
		case ar && la:
			both++
		case ar:
			arabic++
		case la:
			latin++
		}
	}
	if share := float64(empty) / float64(total); share < 0.15 || share > 0.3 {
		t.Errorf("%.2f of the optional fields are missing", share)
	}
	if both == 0 || arabic == 0 || latin == 0 {
		t.Errorf("scripts: %d both, %d Arabic only, %d Latin only", both, arabic, latin)
	}
}

func isArabicText(s string) bool {
	for _, r := range s {
		if r >= 0x0600 && r <= 0x06FF {
			return true
		}
	}
	return false
}

func TestWriteAndReadBack(t *testing.T) {
	d := Generate(Options{N: 200, Seed: 3})
	dir := t.TempDir()
	if err := Write(dir, d); err != nil {
		t.Fatal(err)
	}
	truth, err := ReadTruth(filepath.Join(dir, "truth.csv"))
	if err != nil || !reflect.DeepEqual(truth, d.Truth) {
		t.Fatalf("truth read back: %v, %d pairs of %d", err, len(truth), len(d.Truth))
	}
}

// TestMatcherAccuracy runs the whole matcher on a small synthetic set: a
// floor under the figures docs/detainees-matching.md reports at scale.
func TestMatcherAccuracy(t *testing.T) {
	d := Generate(Options{N: 2000, Seed: 11})
	res := match.Link(d.A, d.B, match.Options{Duplicates: true, Explain: true})
	s := Evaluate(d.Truth, res)
	if s.BlockingRecall < 0.98 || s.F1 < 0.95 || s.SettledF1 < 0.97 || s.Precision < 0.97 {
		t.Errorf("scores %+v", s)
	}
}

func TestEvaluate(t *testing.T) {
	truth := []TruePair{{"ab", "A1", "B1"}, {"ab", "A2", "B2"}, {"aa", "A1", "A3"}, {"bb", "B3", "B4"}}
	var res match.Result
	res.Stats.RecordsA, res.Stats.RecordsB = 3, 4
	res.Pairs = []match.Pair{{A: "A1", B: "B1"}, {A: "A3", B: "B2"}}
	res.Review = []match.Pair{{A: "A2", B: "B2"}}
	res.WithinA.Pairs = []match.Pair{{A: "A3", B: "A1"}} // either order
	s := Evaluate(truth, res)
	if s.Precision != 2.0/3 || s.Recall != 0.5 || s.SettledRecall != 0.75 || s.Review != 1 || s.ReviewPer1000 != 1000.0/7 || s.BlockingRecall != -1 {
		t.Errorf("scores %+v", s)
	}
	// At 0.95 only the pairs of probability 0.95 and up count.
	res.Pairs[0].Probability, res.Pairs[1].Probability, res.WithinA.Pairs[0].Probability = 0.99, 0.9, 0.96
	res.Review[0].Probability = 0.5
	for _, th := range Evaluate(truth, res).Thresholds {
		if th.Accept == 0.95 && (th.Precision != 1 || th.Recall != 0.5) {
			t.Errorf("at 0.95: %+v", th)
		}
		if th.Accept == 0.5 && (th.Precision != 0.75 || th.Recall != 0.75) {
			t.Errorf("at 0.5: %+v", th)
		}
	}
}

// BenchmarkLink links two synthetic lists of n records each, with the
// duplicates inside each, and reports the accuracy figures beside the time:
//
//	go test -run XXX -bench 'Link/n=100000' -benchtime 1x ./internal/detainees/synth/
func BenchmarkLink(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d := Generate(Options{N: n, Seed: 1})
			var res match.Result
			for b.Loop() {
				res = match.Link(d.A, d.B, match.Options{Duplicates: true, Explain: true})
			}
			s := Evaluate(d.Truth, res)
			b.ReportMetric(s.BlockingRecall, "blocking-recall")
			b.ReportMetric(s.F1, "F1")
			b.ReportMetric(s.SettledF1, "settled-F1")
			b.ReportMetric(s.ReviewPer1000, "review/1000")
			b.ReportMetric(float64(res.Stats.Candidates), "compared")
		})
	}
}
