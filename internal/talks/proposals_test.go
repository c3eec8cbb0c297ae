package talks_test

import (
	"context"
	"slices"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestProposeParticipant: a round administrator only proposes a new
// participant; it joins when every party of the round has accepted.
// Before, the host's head added a mediation of its own making to the
// round, which then read what the parties sent "to the mediation".
func TestProposeParticipant(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		med2, err := f.Talks.AddOrg(ctx, access.System, "Second mediation", "m2", access.Mediation)
		wantErr(t, err, "", "")
		g2, err := f.Talks.AddOrg(ctx, access.System, "Second guarantor", "g2", access.Guarantor)
		wantErr(t, err, "", "")
		otherHost, err := f.Talks.AddOrg(ctx, access.System, "Other host", "h2", access.Host)
		wantErr(t, err, "", "")
		_, err = f.Talks.SetConsent(ctx, talkstest.Head(f.Gov), f.Round.ID, f.Opp.ID, true)
		wantErr(t, err, "", "")

		for _, c := range []struct {
			name  string
			actor access.Actor
			round string
			org   string
			code  string
		}{
			{"anonymous", access.Actor{}, f.Round.ID, med2.ID, errs.Unauthorized},
			{"party head", talkstest.Head(f.Gov), f.Round.ID, med2.ID, errs.Forbidden},
			{"host member", talkstest.Actor(f.Host, access.Member), f.Round.ID, med2.ID, errs.Forbidden},
			{"guarantor head", talkstest.Head(f.Guarantor), f.Round.ID, med2.ID, errs.Forbidden},
			{"host head of another round", talkstest.Head(otherHost), f.Round.ID, med2.ID, errs.NotFound},
			{"unknown org", talkstest.Head(f.Host), f.Round.ID, store.NewID(), errs.Invalid},
			{"already in", talkstest.Head(f.Host), f.Round.ID, f.Gov.ID, errs.Conflict},
			{"unknown round", talkstest.Head(f.Host), store.NewID(), med2.ID, errs.NotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				err := f.Talks.ProposeParticipant(ctx, c.actor, c.round, c.org)
				wantErr(t, err, c.code, "")
				unchanged(t, db, before)
			})
		}

		err = f.Talks.ProposeParticipant(ctx, talkstest.Head(f.Host), f.Round.ID, med2.ID)
		wantErr(t, err, "", "")
		err = f.Talks.ProposeParticipant(ctx, talkstest.Head(f.Mediation), f.Round.ID, med2.ID)
		wantErr(t, err, errs.Conflict, "")
		if _, err := f.Talks.Round(ctx, talkstest.Head(med2), f.Round.ID); errs.Code(err) != errs.NotFound {
			t.Fatalf("a proposed mediation reads the round: %v", err)
		}
		r, err := f.Talks.Round(ctx, talkstest.Head(f.Observer), f.Round.ID)
		wantErr(t, err, "", "")
		if len(r.Proposals) != 1 || r.Proposals[0].Org.ID != med2.ID || len(r.Proposals[0].Accepted) != 0 {
			t.Fatalf("proposals = %+v", r.Proposals)
		}

		// Only a party's head answers, and only for a pending proposal.
		for _, c := range []struct {
			name  string
			actor access.Actor
			org   string
			code  string
		}{
			{"party member", talkstest.Actor(f.Gov, access.Member), med2.ID, errs.Forbidden},
			{"mediation head", talkstest.Head(f.Mediation), med2.ID, errs.Forbidden},
			{"host head", talkstest.Head(f.Host), med2.ID, errs.Forbidden},
			{"party outside the round", talkstest.Head(f.Outsider), med2.ID, errs.NotFound},
			{"not proposed", talkstest.Head(f.Gov), g2.ID, errs.NotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.Talks.AcceptParticipant(ctx, c.actor, f.Round.ID, c.org, true)
				wantErr(t, err, c.code, "")
			})
		}

		joined, err := f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Gov), f.Round.ID, med2.ID, true)
		wantErr(t, err, "", "")
		if joined {
			t.Fatal("joined after one party of two accepted")
		}
		r, err = f.Talks.Round(ctx, talkstest.Head(f.Opp), f.Round.ID)
		wantErr(t, err, "", "")
		if len(r.Proposals) != 1 || !slices.Equal(r.Proposals[0].Accepted, []string{f.Gov.ID}) {
			t.Fatalf("proposals = %+v", r.Proposals)
		}
		joined, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Opp), f.Round.ID, med2.ID, true)
		wantErr(t, err, "", "")
		if joined {
			t.Fatal("joined after every party accepted but before its own head did")
		}
		joined, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(med2), f.Round.ID, med2.ID, true)
		wantErr(t, err, "", "")
		if !joined {
			t.Fatal("not joined after its own head and every party accepted")
		}
		r, err = f.Talks.Round(ctx, talkstest.Head(med2), f.Round.ID)
		wantErr(t, err, "", "")
		if len(r.Proposals) != 0 || len(r.Consents) != 0 {
			t.Errorf("the newcomer reads proposals %+v and past consents %+v", r.Proposals, r.Consents)
		}

		// A refusal withdraws the proposal.
		err = f.Talks.ProposeParticipant(ctx, talkstest.Head(f.Mediation), f.Round.ID, g2.ID)
		wantErr(t, err, "", "")
		_, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Gov), f.Round.ID, g2.ID, true)
		wantErr(t, err, "", "")
		joined, err = f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Opp), f.Round.ID, g2.ID, false)
		wantErr(t, err, "", "")
		if joined {
			t.Fatal("joined after a refusal")
		}
		if ok, _ := f.Talks.Participates(ctx, db.R, f.Round.ID, g2.ID); ok {
			t.Fatal("the refused guarantor takes part")
		}
		if r, _ := f.Talks.Round(ctx, talkstest.Head(f.Gov), f.Round.ID); len(r.Proposals) != 0 {
			t.Fatalf("proposal still pending after a refusal: %+v", r.Proposals)
		}
		if _, err := f.Talks.AcceptParticipant(ctx, talkstest.Head(f.Gov), f.Round.ID, g2.ID, true); errs.Code(err) != errs.NotFound {
			t.Fatalf("answer to a withdrawn proposal: %v", err)
		}
	})
}
