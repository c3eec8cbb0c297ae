package app_test

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/app"
)

// TestVerifyAfterPastShare: on the demo's working day, a mediation joins
// the round late and each party's head and the mediation's head let it
// read their past material (talks.SharePast, with the channel's, the
// text's and the analysis's hooks as the app wires them). parley verify
// accepts every widened audience, content included.
func TestVerifyAfterPastShare(t *testing.T) {
	onWorkday(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
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
		verifyAll(t, a)
	})
}
