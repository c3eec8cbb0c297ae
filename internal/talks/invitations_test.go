package talks_test

import (
	"context"
	"slices"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// TestNobodyJoinsWithoutConsent: the head who opens a round puts only its
// own organisation into it; every other organisation named is invited and
// joins when its own head accepts and every party already in the round
// has accepted. Before, a host head opened a round naming a party and a
// mediation of its choosing, and both took part at once: the mediation
// then read everything the party sent "to the mediation".
func TestNobodyJoinsWithoutConsent(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		evil, err := f.Talks.AddOrg(ctx, access.System, "Friendly mediation", "m2", access.Mediation)
		wantErr(t, err, "", "")
		host := talkstest.Head(f.Host)
		r, err := f.Talks.CreateRound(ctx, host, talks.NewRound{ProcessID: f.Process.ID, Name: "Round 2",
			Participants: []string{f.Gov.ID, f.Opp.ID, evil.ID}})
		wantErr(t, err, "", "")
		if len(r.Participants) != 1 || r.Participants[0].Org.ID != f.Host.ID || len(r.Proposals) != 3 {
			t.Fatalf("participants %+v, proposals %+v: want the host alone and three invitations", r.Participants, r.Proposals)
		}
		for _, o := range []talks.Org{f.Gov, f.Opp, evil} {
			if ok, _ := f.Talks.Participates(ctx, db.R, r.ID, o.ID); ok {
				t.Fatalf("%s takes part before accepting", o.Name)
			}
			if _, err := f.Talks.Round(ctx, talkstest.Head(o), r.ID); errs.Code(err) != errs.NotFound {
				t.Fatalf("%s reads the round it is only invited to: %v", o.Name, err)
			}
		}

		// The invitee's head reads its invitation, with whom it would sit.
		inv, err := f.Talks.Invitations(ctx, talkstest.Actor(f.Gov, access.Member))
		wantErr(t, err, "", "")
		if len(inv) != 1 || inv[0].RoundID != r.ID || inv[0].RoundName != "Round 2" || len(inv[0].Participants) != 1 ||
			inv[0].Participants[0].Org.ID != f.Host.ID || inv[0].Consented {
			t.Fatalf("invitations = %+v", inv)
		}
		if inv, err := f.Talks.Invitations(ctx, talkstest.Head(f.Outsider)); err != nil || len(inv) != 0 {
			t.Fatalf("outsider's invitations = %+v, %v", inv, err)
		}

		// Only the invitee's own head answers for it.
		for _, c := range []struct {
			name  string
			actor access.Actor
			code  string
		}{
			{"member of the invitee", talkstest.Actor(f.Gov, access.Member), errs.Forbidden},
			{"head of another invitee", talkstest.Head(f.Opp), errs.NotFound},
			{"outsider", talkstest.Head(f.Outsider), errs.NotFound},
			{"the host that invited it", host, errs.Forbidden},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				_, err := f.Talks.AcceptParticipant(ctx, c.actor, r.ID, f.Gov.ID, true)
				wantErr(t, err, c.code, "")
				unchanged(t, db, before)
			})
		}

		// The first party to accept joins: no party was there to ask.
		joined, err := f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Gov), r.ID, f.Gov.ID, true)
		wantErr(t, err, "", "")
		if !joined {
			t.Fatal("the government did not join on accepting its invitation")
		}
		// From now on the government's acceptance is needed too.
		joined, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(evil), r.ID, evil.ID, true)
		wantErr(t, err, "", "")
		if joined {
			t.Fatal("the host's mediation joined without the party's acceptance")
		}
		got, err := f.Talks.Round(ctx, talkstest.Head(f.Gov), r.ID)
		wantErr(t, err, "", "")
		var pending []string
		for _, p := range got.Proposals {
			pending = append(pending, p.Org.ID)
			if p.Org.ID == evil.ID && !p.Consented {
				t.Errorf("the mediation's own acceptance is not shown: %+v", p)
			}
		}
		slices.Sort(pending)
		want := []string{f.Opp.ID, evil.ID}
		slices.Sort(want)
		if !slices.Equal(pending, want) {
			t.Fatalf("the joined party reads proposals %v, want %v", pending, want)
		}
		// The party refuses it: it never takes part.
		_, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Gov), r.ID, evil.ID, false)
		wantErr(t, err, "", "")
		if _, err := f.Talks.Round(ctx, talkstest.Head(evil), r.ID); errs.Code(err) != errs.NotFound {
			t.Fatalf("the refused mediation reads the round: %v", err)
		}
		if inv, _ := f.Talks.Invitations(ctx, talkstest.Head(evil)); len(inv) != 0 {
			t.Fatalf("the refused mediation still has an invitation: %+v", inv)
		}

		// The second party: its own acceptance, then the first party's.
		joined, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Opp), r.ID, f.Opp.ID, true)
		wantErr(t, err, "", "")
		if joined {
			t.Fatal("the opposition joined without the government's acceptance")
		}
		joined, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Gov), r.ID, f.Opp.ID, true)
		wantErr(t, err, "", "")
		if !joined {
			t.Fatal("the opposition did not join once both had accepted")
		}

		// An invitee may decline.
		r3, err := f.Talks.CreateRound(ctx, talkstest.Head(f.Mediation), talks.NewRound{ProcessID: f.Process.ID, Name: "Round 3",
			Participants: []string{f.Guarantor.ID}})
		wantErr(t, err, "", "")
		_, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Guarantor), r3.ID, f.Guarantor.ID, false)
		wantErr(t, err, "", "")
		if ok, _ := f.Talks.Participates(ctx, db.R, r3.ID, f.Guarantor.ID); ok {
			t.Fatal("the guarantor takes part after declining")
		}
		if inv, _ := f.Talks.Invitations(ctx, talkstest.Head(f.Guarantor)); len(inv) != 0 {
			t.Fatalf("a declined invitation is still pending: %+v", inv)
		}
	})
}
