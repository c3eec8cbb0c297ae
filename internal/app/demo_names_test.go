package app_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/demo"
	"parley/internal/localized"
	"parley/internal/store/storetest"
)

// TestDemoNames: the demo gives the round, its sessions and agenda items,
// the organisations, the negotiating text's title and the released
// statement a value in Arabic, Russian and Turkish beside the
// authoritative English, and every reader of each item reads them.
func TestDemoNames(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { demoNames(t, app.Config{DataDir: t.TempDir()}) })
	dsn := os.Getenv(storetest.EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL suite", storetest.EnvPostgres)
		}
		return
	}
	t.Run("postgres", func(t *testing.T) {
		demoNames(t, app.Config{DataDir: t.TempDir(), DB: storetest.PostgresDSN(t, dsn)})
	})
}

func demoNames(t *testing.T, cfg app.Config) {
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
	u, err := a.Auth.UserByUsername(ctx, access.System, "gov.head")
	if err != nil {
		t.Fatal(err)
	}
	gov := u.Actor()
	rounds, err := a.Talks.Rounds(ctx, gov)
	if err != nil || len(rounds) != 1 {
		t.Fatalf("rounds: %v %v", rounds, err)
	}
	round, err := a.Talks.Round(ctx, gov, rounds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := a.Text.Texts(ctx, gov, round.ID)
	if err != nil || len(texts) != 1 {
		t.Fatalf("texts: %v %v", texts, err)
	}
	sts, err := a.Channel.Statements(ctx, access.Actor{}, 0)
	if err != nil || len(sts) == 0 {
		t.Fatalf("statements: %v %v", sts, err)
	}
	orgs, err := a.Talks.Orgs(ctx, gov)
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		kind, id, field string
		reader          access.Actor
	}
	items := []item{{"round", round.ID, "name", gov}, {"text", texts[0].ID, "title", gov},
		{"statement", sts[0].ID, "title", access.Actor{}}, {"statement", sts[0].ID, "body", access.Actor{}}}
	for _, s := range round.Sessions {
		items = append(items, item{"session", s.ID, "title", gov})
	}
	for _, it := range round.Agenda {
		items = append(items, item{"agenda", it.ID, "title", gov}, item{"agenda", it.ID, "description", gov})
	}
	for _, o := range orgs {
		items = append(items, item{"org", o.ID, "name", access.Actor{}})
	}
	for _, it := range items {
		vs, err := a.Localized.Load(ctx, it.reader, it.kind, it.id)
		if err != nil {
			t.Fatal(err)
		}
		v := vs[it.id]
		if v.Authoritative != "en" {
			t.Errorf("%s %s: authoritative %q, want en", it.kind, it.id, v.Authoritative)
		}
		for _, lang := range localized.Languages[1:] {
			if v.By[it.field][lang] == "" {
				t.Errorf("%s %s: no %s %s", it.kind, it.id, lang, it.field)
			}
		}
	}
	vs, err := a.Localized.Load(ctx, gov, "round", round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := vs[round.ID].Pick("name", "ar", round.Name); got != "أستانا، الجولة الأولى" {
		t.Errorf("the round in Arabic: %q", got)
	}
}
