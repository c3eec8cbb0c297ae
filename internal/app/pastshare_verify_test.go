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

// TestVerifyAfterPastShare: on the demo's working day, a mediation joins
// the round late and each party's head and the mediation's head let it
// read their past material (talks.SharePast, with the channel's, the
// text's and the analysis's hooks as the app wires them). parley verify
// accepts every widened audience, content included.
func TestVerifyAfterPastShare(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { verifyAfterPastShare(t, app.Config{DataDir: t.TempDir()}) })
	dsn := os.Getenv(storetest.EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL suite", storetest.EnvPostgres)
		}
		return
	}
	t.Run("postgres", func(t *testing.T) {
		verifyAfterPastShare(t, app.Config{DataDir: t.TempDir(), DB: storetest.PostgresDSN(t, dsn)})
	})
}

func verifyAfterPastShare(t *testing.T, cfg app.Config) {
	ctx := context.Background()
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := demo.Seed(ctx, a.Talks, a.Auth, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedWorkday(ctx, demo.Services{Auth: a.Auth, Talks: a.Talks, Channel: a.Channel, Text: a.Text, Bargain: a.Bargain}); err != nil {
		t.Fatal(err)
	}
	actor := func(name string) access.Actor {
		u, err := a.Auth.UserByUsername(ctx, access.System, name)
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	rounds, err := a.Talks.Rounds(ctx, actor("mediator"))
	if err != nil || len(rounds) != 1 {
		t.Fatalf("rounds: %v %v", rounds, err)
	}
	round := rounds[0].ID
	later, err := a.Talks.AddOrg(ctx, access.System, "Later mediation", "", access.Mediation)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Talks.AddParticipant(ctx, access.System, round, later.ID); err != nil {
		t.Fatal(err)
	}
	newcomer := access.Actor{User: "later-head", Username: "later.head", Org: later.ID, OrgKind: access.Mediation, Role: access.Head}
	count := func() int {
		msgs, err := a.Channel.List(ctx, newcomer, round, channelAll())
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}
	before := count()
	for _, who := range []string{"gov.head", "opp.head", "mediator"} {
		if err := a.Talks.SharePast(ctx, actor(who), round, later.ID); err != nil {
			t.Fatalf("%s shares: %v", who, err)
		}
	}
	if after := count(); after <= before {
		t.Errorf("the newcomer reads %d messages after the grants, %d before", after, before)
	}
	master, err := channel.LoadMasterKey(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	kinds, err := app.ItemKinds(cfg.DataDir, master)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ledger.Verify(ctx, a.DB, a.Ledger.VerifierKey(), kinds...); err != nil || !rep.OK() {
		t.Fatalf("parley verify after the grants: %v\n%s", err, rep.String())
	}
}
