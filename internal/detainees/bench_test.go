package detainees_test

import (
	"bytes"
	"context"
	"testing"

	"parley/internal/detainees"
	"parley/internal/detainees/match"
	"parley/internal/detainees/synth"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// BenchmarkListsAndMatching imports two synthetic lists of 5,000 records
// each through the service (parse, validate, seal, store) and runs the
// matching over the process (read, open, link, store the pairs), on
// SQLite: the cost of the service around the matcher.
//
//	go test ./internal/detainees/ -run '^$' -bench ListsAndMatching -benchtime 3x
func BenchmarkListsAndMatching(b *testing.B) {
	d := synth.Generate(synth.Options{N: 5000, Seed: 1})
	var fa, fb bytes.Buffer
	if err := match.WriteCSV(&fa, d.A); err != nil {
		b.Fatal(err)
	}
	if err := match.WriteCSV(&fb, d.B); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := storetest.SQLite(b)
		f := talkstest.New(b, db)
		s, err := detainees.New(db, f.Ledger, bytes.Repeat([]byte{1}, 32))
		if err != nil {
			b.Fatal(err)
		}
		med := talkstest.Head(f.Mediation)
		b.StartTimer()
		if _, err := s.SubmitList(ctx, talkstest.Head(f.Gov), f.Process.ID, detainees.NewList{Kind: detainees.Held, Name: "A", File: fa.Bytes()}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.SubmitList(ctx, talkstest.Head(f.Opp), f.Process.ID, detainees.NewList{Kind: detainees.Sought, Name: "B", File: fb.Bytes()}); err != nil {
			b.Fatal(err)
		}
		run, err := s.RunMatching(ctx, med, f.Process.ID)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(run.Pairs), "pairs")
		b.ReportMetric(float64(run.Review), "review")
	}
}
