package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"parley/internal/detainees/match"
	"parley/internal/detainees/synth"
)

const detaineesUsage = `usage: parley detainees COMMAND
  match [--json] [--duplicates] [--accept P] [--review P] A.csv [B.csv]
        match B against A (or A within itself) and print the pairs
  synth [--n N] [--seed S] [--out DIR]
        write synthetic lists a.csv, b.csv and their true pairs truth.csv
  eval  [--accept P] [--review P] DIR
        match DIR/a.csv against DIR/b.csv with duplicates and score the
        result on DIR/truth.csv (blocking recall, F1, review band, time)
`

func runDetainees(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		io.WriteString(stderr, detaineesUsage)
		return 2
	}
	switch args[0] {
	case "match":
		return runDetaineesMatch(args[1:], stdout, stderr)
	case "synth":
		return runDetaineesSynth(args[1:], stdout, stderr)
	case "eval":
		return runDetaineesEval(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		io.WriteString(stdout, detaineesUsage)
		return 0
	}
	fmt.Fprintf(stderr, "parley detainees: unknown command %q\n\n%s", args[0], detaineesUsage)
	return 2
}

// readList reads a canonical CSV list; bad rows are printed to stderr.
func readList(path string, stderr io.Writer) ([]match.Record, bool) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "parley detainees: %v\n", err)
		return nil, false
	}
	defer f.Close()
	recs, bad, err := match.ReadCSV(f)
	if err != nil {
		fmt.Fprintf(stderr, "parley detainees: %s: %v\n", path, err)
		return nil, false
	}
	for _, e := range bad {
		fmt.Fprintf(stderr, "%s: %v\n", path, e)
	}
	return recs, len(bad) == 0
}

// matchOutput is what `detainees match --json` prints: the shape the issue
// fixes, and the duplicates inside each list when asked for.
type matchOutput struct {
	Pairs   []match.Pair `json:"pairs"`
	Review  []match.Pair `json:"review"`
	WithinA *match.Links `json:"within_a,omitempty"`
	WithinB *match.Links `json:"within_b,omitempty"`
}

func nonNil(ps []match.Pair) []match.Pair {
	if ps == nil {
		return []match.Pair{}
	}
	return ps
}

func runDetaineesMatch(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("detainees match", "detainees match [--json] [--duplicates] A.csv [B.csv]", stderr)
	asJSON := fs.Bool("json", false, "print JSON: {\"pairs\": [...], \"review\": [...]}")
	dups := fs.Bool("duplicates", false, "with two lists, also find duplicates inside each (within_a, within_b)")
	accept := fs.Float64("accept", match.DefaultAccept, "probability from which a pair is accepted")
	review := fs.Float64("review", match.DefaultReview, "probability from which a pair goes to review")
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return 2
	}
	a, ok := readList(fs.Arg(0), stderr)
	if !ok {
		return 1
	}
	var b []match.Record
	if fs.NArg() == 2 {
		if b, ok = readList(fs.Arg(1), stderr); !ok {
			return 1
		}
		if b == nil {
			b = []match.Record{}
		}
	}
	res := match.Link(a, b, match.Options{Accept: *accept, Review: *review, Duplicates: *dups})
	w := bufio.NewWriterSize(stdout, 1<<16)
	defer w.Flush()
	if *asJSON {
		out := matchOutput{Pairs: nonNil(res.Pairs), Review: nonNil(res.Review)}
		if *dups && b != nil {
			wa := match.Links{Pairs: nonNil(res.WithinA.Pairs), Review: nonNil(res.WithinA.Review)}
			wb := match.Links{Pairs: nonNil(res.WithinB.Pairs), Review: nonNil(res.WithinB.Review)}
			out.WithinA, out.WithinB = &wa, &wb
		}
		if err := json.NewEncoder(w).Encode(out); err != nil {
			fmt.Fprintf(stderr, "parley detainees: %v\n", err)
			return 1
		}
		return 0
	}
	section := func(title string, ps []match.Pair) {
		fmt.Fprintf(w, "%s (%d)\n", title, len(ps))
		for _, p := range ps {
			fmt.Fprintf(w, "  %s\t%s\t%.4f\n", p.A, p.B, p.Probability)
		}
	}
	section("pairs", res.Pairs)
	section("review", res.Review)
	if *dups && b != nil {
		section("duplicates in A", res.WithinA.Pairs)
		section("duplicates in A to review", res.WithinA.Review)
		section("duplicates in B", res.WithinB.Pairs)
		section("duplicates in B to review", res.WithinB.Review)
	}
	st := res.Stats
	fmt.Fprintf(w, "records %d + %d, compared %d pairs, accepted %d, review %d, clusters %d\n",
		st.RecordsA, st.RecordsB, st.Candidates, st.Accepted, st.Review, st.Clusters)
	return 0
}

func runDetaineesSynth(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("detainees synth", "detainees synth [--n N] [--seed S] [--out DIR]", stderr)
	n := fs.Int("n", 1000, "records in each list")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "detainees-synth", "folder to write a.csv, b.csv and truth.csv into")
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() != 0 || *n < 1 {
		fs.Usage()
		return 2
	}
	d := synth.Generate(synth.Options{N: *n, Seed: *seed})
	if err := synth.Write(*out, d); err != nil {
		fmt.Fprintf(stderr, "parley detainees: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d + %d records, %d true pairs\n",
		filepath.Join(*out, "{a,b,truth}.csv"), len(d.A), len(d.B), len(d.Truth))
	return 0
}

func runDetaineesEval(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("detainees eval", "detainees eval [--accept P] [--review P] DIR", stderr)
	accept := fs.Float64("accept", match.DefaultAccept, "probability from which a pair is accepted")
	review := fs.Float64("review", match.DefaultReview, "probability from which a pair goes to review")
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	dir := fs.Arg(0)
	a, ok := readList(filepath.Join(dir, "a.csv"), stderr)
	if !ok {
		return 1
	}
	b, ok := readList(filepath.Join(dir, "b.csv"), stderr)
	if !ok {
		return 1
	}
	truth, err := synth.ReadTruth(filepath.Join(dir, "truth.csv"))
	if err != nil {
		fmt.Fprintf(stderr, "parley detainees: %v\n", err)
		return 1
	}
	cpu0 := cpuTime()
	t0 := time.Now()
	res := match.Link(a, b, match.Options{Accept: *accept, Review: *review, Duplicates: true, Explain: true})
	wall := time.Since(t0)
	cpu := cpuTime() - cpu0
	s := synth.Evaluate(truth, res)
	st := res.Stats
	fmt.Fprintf(stdout, "records            %d + %d\n", st.RecordsA, st.RecordsB)
	fmt.Fprintf(stdout, "true pairs         %d\n", s.TruePairs)
	fmt.Fprintf(stdout, "compared pairs     %d\n", st.Candidates)
	fmt.Fprintf(stdout, "blocking recall    %.4f\n", s.BlockingRecall)
	fmt.Fprintf(stdout, "accepted (p>=%.2f)  precision %.4f  recall %.4f  F1 %.4f\n", *accept, s.Precision, s.Recall, s.F1)
	fmt.Fprintf(stdout, "review settled     precision %.4f  recall %.4f  F1 %.4f\n", s.SettledPrecision, s.SettledRecall, s.SettledF1)
	fmt.Fprintf(stdout, "review band        %d pairs, %.1f per 1000 records\n", s.Review, s.ReviewPer1000)
	for _, th := range s.Thresholds {
		if th.Accept >= *review {
			fmt.Fprintf(stdout, "  cut at p>=%.2f    precision %.4f  recall %.4f  F1 %.4f\n", th.Accept, th.Precision, th.Recall, th.F1)
		}
	}
	fmt.Fprintf(stdout, "matching time      %.2f s wall, %.2f s CPU (user+system)\n", wall.Seconds(), cpu.Seconds())
	fmt.Fprintf(stdout, "  phases (wall)    prepare %.2f s, block %.2f s, compare %.2f s, fit %.2f s, cluster %.2f s\n",
		st.Prepare.Seconds(), st.Block.Seconds(), st.Compare.Seconds(), st.Fit.Seconds(), st.Cluster.Seconds())
	fmt.Fprintf(stdout, "peak memory (RSS)  %d MB\n", peakRSS()>>20)
	return 0
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident memory in bytes (Linux reports
// kilobytes).
func peakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return int64(ru.Maxrss) << 10
}
