package app_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/channel"
	"parley/internal/demo"
	"parley/internal/ledger"
	"parley/internal/store/storetest"
)

// TestDemoWorkday seeds the demo round in progress on both databases and
// checks what a newcomer finds: the mediation reads a relay among the
// messages, a text at Rev.2 with positions carried over, an analysis of
// two profiles, and the public reads the released statement.
func TestDemoWorkday(t *testing.T) {
	onWorkday(t, func(t *testing.T, a *app.App) {
		verifyAll(t, a)
		demoWorkday(t, a)
	})
}

// onWorkday runs test on a fresh app, on SQLite and (when
// PARLEY_TEST_POSTGRES is set) PostgreSQL, with the demo round seeded in
// the middle of its working day.
func onWorkday(t *testing.T, test func(*testing.T, *app.App)) {
	run := func(t *testing.T, cfg app.Config) {
		ctx := context.Background()
		a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if _, err := demo.Seed(ctx, a.Talks, a.Auth, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedNames(ctx, a.Localized, a.Talks, a.Auth); err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedWorkday(ctx, demo.Services{Auth: a.Auth, Talks: a.Talks, Channel: a.Channel, Text: a.Text, Bargain: a.Bargain, Localized: a.Localized}); err != nil {
			t.Fatal(err)
		}
		test(t, a)
	}
	t.Run("sqlite", func(t *testing.T) { run(t, app.Config{DataDir: t.TempDir()}) })
	dsn := os.Getenv(storetest.EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL suite", storetest.EnvPostgres)
		}
		return
	}
	t.Run("postgres", func(t *testing.T) {
		run(t, app.Config{DataDir: t.TempDir(), DB: storetest.PostgresDSN(t, dsn)})
	})
}

// verifyAll runs parley verify over everything the app wrote, every kind
// of item with its content.
func verifyAll(t *testing.T, a *app.App) {
	t.Helper()
	master, err := channel.LoadMasterKey(a.Config.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	kinds, err := app.ItemKinds(a.Config.DataDir, master)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ledger.Verify(context.Background(), a.DB, a.Ledger.VerifierKey(), kinds...); err != nil || !rep.OK() || rep.Items == 0 {
		t.Fatalf("parley verify: %v\n%s", err, rep.String())
	}
}

func demoWorkday(t *testing.T, a *app.App) {
	ctx := context.Background()
	u, err := a.Auth.UserByUsername(ctx, access.System, "mediator")
	if err != nil {
		t.Fatal(err)
	}
	med := u.Actor()
	rounds, err := a.Talks.Rounds(ctx, med)
	if err != nil || len(rounds) != 1 {
		t.Fatalf("rounds: %v %v", rounds, err)
	}
	round := rounds[0].ID
	msgs, err := a.Channel.List(ctx, med, round, channelAll())
	if err != nil {
		t.Fatal(err)
	}
	relays := 0
	for _, m := range msgs {
		if m.RelayedFrom != "" {
			relays++
		}
	}
	if len(msgs) < 5 || relays != 1 {
		t.Errorf("the mediation reads %d messages, %d relays", len(msgs), relays)
	}
	ts, err := a.Text.Texts(ctx, med, round)
	if err != nil || len(ts) != 1 || ts[0].Revision != 2 {
		t.Fatalf("texts: %+v %v", ts, err)
	}
	rev, err := a.Text.Revision(ctx, med, ts[0].ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	carried := 0
	for _, p := range rev.Paragraphs {
		for _, pos := range p.Positions {
			if pos.CarriedFrom == 1 {
				carried++
			}
		}
	}
	if carried != 6 || len(rev.Document.Bracketed()) == 0 {
		t.Errorf("Rev.2: %d positions carried over, bracketed paragraphs %v", carried, rev.Document.Bracketed())
	}
	ra, err := a.Bargain.Analysis(ctx, med, round)
	if err != nil || len(ra.Parties) != 2 || ra.Nash == nil {
		t.Errorf("analysis: %d parties, nash %v, %v", len(ra.Parties), ra.Nash, err)
	}
	sts, err := a.Channel.Statements(ctx, access.Actor{}, 0)
	if err != nil || len(sts) != 1 || sts[0].Round.ID != round {
		t.Errorf("public statements: %+v %v", sts, err)
	}
	demoNames(t, a)
}

func channelAll() channel.ListFilter { return channel.ListFilter{After: -1, Limit: channel.MaxLimit} }
