package talks_test

import (
	"context"
	"database/sql"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// TestSharePast: only a head of an organisation taking part lets a
// mediation of the round read its past material, once per newcomer; the
// act is one event read by the organisation, the newcomer and the round's
// mediation, and the hooks run in its transaction.
func TestSharePast(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		med2 := f.JoinLater(t, "Second mediation", access.Mediation)
		var hooked []string
		f.Talks.OnPastShare(func(ctx context.Context, tx *sql.Tx, roundID string, from talks.Participant, newcomer talks.Org) error {
			hooked = append(hooked, string(from.Capacity)+":"+from.Org.ID+">"+newcomer.ID)
			return nil
		})
		for _, c := range []struct {
			name        string
			actor       access.Actor
			round, with string
			code, field string
		}{
			{"anonymous", access.Actor{}, f.Round.ID, med2.ID, errs.Unauthorized, ""},
			{"party member", talkstest.Actor(f.Gov, access.Member), f.Round.ID, med2.ID, errs.Forbidden, ""},
			{"party outside the round", talkstest.Head(f.Outsider), f.Round.ID, med2.ID, errs.NotFound, ""},
			{"unknown round", talkstest.Head(f.Gov), store.NewID(), med2.ID, errs.NotFound, ""},
			{"with a party", talkstest.Head(f.Gov), f.Round.ID, f.Opp.ID, errs.Invalid, "with"},
			{"with an organisation outside the round", talkstest.Head(f.Gov), f.Round.ID, f.Outsider.ID, errs.Invalid, "with"},
			{"with an unknown organisation", talkstest.Head(f.Gov), f.Round.ID, store.NewID(), errs.Invalid, "with"},
			{"a mediation with itself", talkstest.Head(f.Mediation), f.Round.ID, f.Mediation.ID, errs.Invalid, "with"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				err := f.Talks.SharePast(ctx, c.actor, c.round, c.with)
				wantErr(t, err, c.code, c.field)
				unchanged(t, db, before)
			})
		}
		if len(hooked) != 0 {
			t.Fatalf("hooks ran for refused shares: %v", hooked)
		}
		before := count(t, db, "events")
		wantErr(t, f.Talks.SharePast(ctx, talkstest.Head(f.Gov), f.Round.ID, med2.ID), "", "")
		if got := count(t, db, "events"); got != before+1 {
			t.Errorf("events = %d, want one more than %d", got, before)
		}
		if len(hooked) != 1 || hooked[0] != "party:"+f.Gov.ID+">"+med2.ID {
			t.Errorf("hooks ran as %v", hooked)
		}
		wantErr(t, f.Talks.SharePast(ctx, talkstest.Head(f.Gov), f.Round.ID, med2.ID), errs.Conflict, "")
		wantErr(t, f.Talks.SharePast(ctx, talkstest.Head(f.Mediation), f.Round.ID, med2.ID), "", "")

		// The grant is read by the party, the newcomer and the mediation.
		for _, c := range []struct {
			org  talks.Org
			want int
		}{{f.Gov, 1}, {med2, 2}, {f.Mediation, 2}, {f.Opp, 0}, {f.Host, 0}} {
			r, err := f.Talks.Round(ctx, talkstest.Actor(c.org, access.Member), f.Round.ID)
			wantErr(t, err, "", "")
			if len(r.PastShares) != c.want {
				t.Errorf("%s reads past shares %+v, want %d", c.org.Name, r.PastShares, c.want)
			}
		}
	})
}
