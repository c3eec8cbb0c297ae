package demo_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/demo"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
)

// TestSeedCeasefire seeds the demo's ceasefire reports and checks what the
// demo promises: a few dozen reports, proposed duplicates, published
// findings, one answered by the government, and the observer reading only
// published incidents.
func TestSeedCeasefire(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		led := ledger.New(db)
		ts := talks.New(db, led)
		as := auth.New(db, led, slog.New(slog.DiscardHandler), auth.Options{HashParams: &auth.HashParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}})
		files, err := channel.NewFileStore(bytes.Repeat([]byte{1}, 32), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		cf := ceasefire.New(db, led, files)
		if _, err := demo.Seed(ctx, ts, as, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedCeasefire(ctx, cf, ts, as); err != nil {
			t.Fatal(err)
		}
		actor := func(name string) access.Actor {
			u, err := as.UserByUsername(ctx, access.System, name)
			if err != nil {
				t.Fatal(err)
			}
			return u.Actor()
		}
		procs, _ := ts.Processes(ctx, access.System)
		p := procs[0].ID
		all, err := cf.Incidents(ctx, actor("monitor"), p, ceasefire.Filter{Limit: -1})
		if err != nil || len(all) < 25 {
			t.Fatalf("the monitor reads %d incidents (%v)", len(all), err)
		}
		cands, err := cf.Duplicates(ctx, actor("monitor"), p, ceasefire.DuplicateOptions{})
		if err != nil || len(cands) < 2 {
			t.Errorf("%d duplicate candidates (%v)", len(cands), err)
		}
		seen, err := cf.Incidents(ctx, actor("observer.us"), p, ceasefire.Filter{Limit: -1})
		if err != nil || len(seen) == 0 {
			t.Fatalf("the observer reads %d incidents (%v)", len(seen), err)
		}
		answered := 0
		for _, inc := range seen {
			if !inc.Published {
				t.Errorf("the observer reads an unpublished incident %s", inc.ID)
			}
			full, err := cf.Incident(ctx, actor("observer.us"), inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			answered += len(full.Answers)
		}
		if answered != 1 {
			t.Errorf("the observer reads %d answers, want the government's one", answered)
		}
	})
}
