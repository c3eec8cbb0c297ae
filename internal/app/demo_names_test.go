package app_test

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/localized"
)

// demoNames checks what the demo gives in other languages: the round, its
// sessions and agenda items, the organisations, the negotiating text's
// title and the released statement have a value in Arabic, Russian and
// Turkish beside the authoritative English, and every reader of each item
// reads them.
func demoNames(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
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
