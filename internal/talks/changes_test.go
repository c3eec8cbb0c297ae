package talks_test

import (
	"context"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// lastEvent returns the type of the newest event about objectID.
func lastEvent(t *testing.T, db *store.DB, objectID string) string {
	t.Helper()
	var typ string
	if err := db.R.QueryRowContext(context.Background(),
		"SELECT type FROM events WHERE object_id = $1 ORDER BY idx DESC LIMIT 1", objectID).Scan(&typ); err != nil {
		t.Fatalf("event for %s: %v", objectID, err)
	}
	return typ
}

// otherRound is a round with the host and the government only: the
// mediation administers nothing in it and reads nothing of it.
func otherRound(t *testing.T, f *talkstest.Fixture) talks.Round {
	t.Helper()
	r, err := f.Talks.CreateRound(context.Background(), access.System, talks.NewRound{
		ProcessID: f.Process.ID, Name: "Round 2", Participants: []string{f.Host.ID, f.Gov.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestChangeSession(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		at := time.Date(2017, 1, 23, 10, 0, 0, 0, time.UTC)
		plenary := talks.NewSession{Title: "Opening plenary", Format: talks.Plenary, StartsAt: at}
		ss, err := f.Talks.ScheduleSession(ctx, talkstest.Head(f.Host), f.Round.ID, plenary)
		wantErr(t, err, "", "")
		r2 := otherRound(t, f)
		other, err := f.Talks.ScheduleSession(ctx, talkstest.Head(f.Host), r2.ID, plenary)
		wantErr(t, err, "", "")

		moved := talks.NewSession{Title: "Opening plenary, moved", Format: talks.Proximity, StartsAt: at.Add(24 * time.Hour),
			EndsAt: at.Add(26 * time.Hour), Orgs: []string{f.Gov.ID, f.Opp.ID}}
		direct := talks.NewSession{Title: "Face to face", Format: talks.Direct, StartsAt: at, Orgs: []string{f.Gov.ID, f.Opp.ID}}
		for _, c := range []struct {
			name        string
			actor       access.Actor
			id          string
			in          talks.NewSession
			code, field string
		}{
			{"party head", talkstest.Head(f.Gov), ss.ID, moved, errs.Forbidden, ""},
			{"mediation member", talkstest.Actor(f.Mediation, access.Member), ss.ID, moved, errs.Forbidden, ""},
			{"observer head", talkstest.Head(f.Observer), ss.ID, moved, errs.Forbidden, ""},
			{"outsider", talkstest.Head(f.Outsider), ss.ID, moved, errs.NotFound, ""},
			{"mediation head, another round", talkstest.Head(f.Mediation), other.ID, moved, errs.NotFound, ""},
			{"unknown session", access.System, store.NewID(), moved, errs.NotFound, ""},
			{"malformed id", access.System, "x", moved, errs.NotFound, ""},
			{"no title", talkstest.Head(f.Mediation), ss.ID, talks.NewSession{Format: talks.Plenary, StartsAt: at}, errs.Invalid, "title"},
			{"bilateral with a guarantor", talkstest.Head(f.Mediation), ss.ID, talks.NewSession{Title: "X", Format: talks.Bilateral, StartsAt: at, Orgs: []string{f.Guarantor.ID}}, errs.Invalid, "orgs"},
			{"direct without consent", talkstest.Head(f.Mediation), ss.ID, direct, errs.NoDirectConsent, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				_, err := f.Talks.UpdateSession(ctx, c.actor, c.id, c.in)
				wantErr(t, err, c.code, c.field)
				unchanged(t, db, before)
			})
		}

		before := counts(t, db)
		got, err := f.Talks.UpdateSession(ctx, talkstest.Head(f.Mediation), ss.ID, moved)
		wantErr(t, err, "", "")
		if got.LedgerIndex != ss.LedgerIndex || got.Edited.IsZero() || got.RoundID != f.Round.ID {
			t.Errorf("updated = %+v", got)
		}
		if n := count(t, db, "events"); n != before["events"]+1 || lastEvent(t, db, ss.ID) != "session.updated" {
			t.Errorf("events = %d (want %d), last %q", n, before["events"]+1, lastEvent(t, db, ss.ID))
		}
		// Every participant reads the change; nobody else reads the round.
		r, err := f.Talks.Round(ctx, talkstest.Head(f.Observer), f.Round.ID)
		wantErr(t, err, "", "")
		if len(r.Sessions) != 1 || r.Sessions[0].Title != moved.Title || r.Sessions[0].Format != talks.Proximity ||
			len(r.Sessions[0].Orgs) != 2 || !r.Sessions[0].EndsAt.Equal(moved.EndsAt) || r.Sessions[0].Edited.IsZero() {
			t.Errorf("the observer reads %+v", r.Sessions)
		}

		wantErr(t, f.Talks.CancelSession(ctx, talkstest.Head(f.Gov), ss.ID, ""), errs.Forbidden, "")
		wantErr(t, f.Talks.CancelSession(ctx, talkstest.Head(f.Mediation), other.ID, ""), errs.NotFound, "")
		wantErr(t, f.Talks.CancelSession(ctx, talkstest.Head(f.Host), ss.ID, "bad\x00reason"), errs.Invalid, "reason")
		wantErr(t, f.Talks.CancelSession(ctx, talkstest.Head(f.Host), ss.ID, "The venue is closed."), "", "")
		if typ := lastEvent(t, db, ss.ID); typ != "session.cancelled" {
			t.Errorf("last event %q", typ)
		}
		r, _ = f.Talks.Round(ctx, talkstest.Head(f.Gov), f.Round.ID)
		if len(r.Sessions) != 1 || r.Sessions[0].Cancelled.IsZero() || r.Sessions[0].CancelReason != "The venue is closed." {
			t.Errorf("cancelled session reads %+v", r.Sessions)
		}
		// Called off once: no second cancel, no edit.
		before = counts(t, db)
		wantErr(t, f.Talks.CancelSession(ctx, talkstest.Head(f.Host), ss.ID, ""), errs.Conflict, "")
		_, err = f.Talks.UpdateSession(ctx, talkstest.Head(f.Host), ss.ID, plenary)
		wantErr(t, err, errs.Conflict, "")
		unchanged(t, db, before)
	})
}

func TestChangeAgendaItem(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		item := talks.NewAgendaItem{Track: talks.TrackDetainees, Title: "Exchange of lists"}
		it, err := f.Talks.AddAgendaItem(ctx, talkstest.Head(f.Mediation), f.Round.ID, item)
		wantErr(t, err, "", "")
		r2 := otherRound(t, f)
		other, err := f.Talks.AddAgendaItem(ctx, talkstest.Head(f.Host), r2.ID, item)
		wantErr(t, err, "", "")
		_, err = f.Talks.SetStance(ctx, talkstest.Head(f.Gov), it.ID, talks.Accept, "")
		wantErr(t, err, "", "")

		edited := talks.NewAgendaItem{Track: talks.TrackHumanitarian, Title: "Exchange of lists of the sick and wounded", Description: "First the sick."}
		for _, c := range []struct {
			name        string
			actor       access.Actor
			id          string
			in          talks.NewAgendaItem
			code, field string
		}{
			{"party head", talkstest.Head(f.Gov), it.ID, edited, errs.Forbidden, ""},
			{"guarantor head", talkstest.Head(f.Guarantor), it.ID, edited, errs.Forbidden, ""},
			{"outsider", talkstest.Head(f.Outsider), it.ID, edited, errs.NotFound, ""},
			{"mediation head, another round", talkstest.Head(f.Mediation), other.ID, edited, errs.NotFound, ""},
			{"unknown item", access.System, store.NewID(), edited, errs.NotFound, ""},
			{"bad track", talkstest.Head(f.Mediation), it.ID, talks.NewAgendaItem{Track: "Bad Track", Title: "X"}, errs.Invalid, "track"},
			{"no title", talkstest.Head(f.Mediation), it.ID, talks.NewAgendaItem{Track: "ceasefire"}, errs.Invalid, "title"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				_, err := f.Talks.UpdateAgendaItem(ctx, c.actor, c.id, c.in)
				wantErr(t, err, c.code, c.field)
				unchanged(t, db, before)
			})
		}

		// An edit that changes nothing writes nothing.
		before := counts(t, db)
		same, err := f.Talks.UpdateAgendaItem(ctx, talkstest.Head(f.Mediation), it.ID, item)
		wantErr(t, err, "", "")
		unchanged(t, db, before)
		if !same.Edited.IsZero() || len(same.Stances) != 1 || same.Stances[0].Earlier {
			t.Errorf("unchanged item = %+v", same)
		}

		got, err := f.Talks.UpdateAgendaItem(ctx, talkstest.Head(f.Mediation), it.ID, edited)
		wantErr(t, err, "", "")
		if got.Title != edited.Title || got.Track != edited.Track || got.Position != it.Position || got.Edited.IsZero() {
			t.Errorf("updated = %+v", got)
		}
		if n := count(t, db, "events"); n != before["events"]+1 || lastEvent(t, db, it.ID) != "agenda.item_updated" {
			t.Errorf("events = %d, last %q", n, lastEvent(t, db, it.ID))
		}
		// The government's acceptance was of the earlier wording.
		if len(got.Stances) != 1 || !got.Stances[0].Earlier {
			t.Errorf("stances after the edit = %+v", got.Stances)
		}
		fresh, err := f.Talks.SetStance(ctx, talkstest.Head(f.Gov), it.ID, talks.Accept, "")
		wantErr(t, err, "", "")
		if len(fresh.Stances) != 1 || fresh.Stances[0].Earlier {
			t.Errorf("a stance on the new wording = %+v", fresh.Stances)
		}

		wantErr(t, f.Talks.WithdrawAgendaItem(ctx, talkstest.Head(f.Opp), it.ID, ""), errs.Forbidden, "")
		wantErr(t, f.Talks.WithdrawAgendaItem(ctx, talkstest.Head(f.Mediation), other.ID, ""), errs.NotFound, "")
		wantErr(t, f.Talks.WithdrawAgendaItem(ctx, talkstest.Head(f.Mediation), it.ID, "Moved to the next round."), "", "")
		if typ := lastEvent(t, db, it.ID); typ != "agenda.item_withdrawn" {
			t.Errorf("last event %q", typ)
		}
		r, err := f.Talks.Round(ctx, talkstest.Head(f.Monitor), f.Round.ID)
		wantErr(t, err, "", "")
		if len(r.Agenda) != 1 || r.Agenda[0].Withdrawn.IsZero() || r.Agenda[0].WithdrawReason != "Moved to the next round." || len(r.Agenda[0].Stances) != 1 {
			t.Errorf("withdrawn item reads %+v", r.Agenda)
		}
		before = counts(t, db)
		_, err = f.Talks.SetStance(ctx, talkstest.Head(f.Opp), it.ID, talks.Accept, "")
		wantErr(t, err, errs.Conflict, "")
		_, err = f.Talks.UpdateAgendaItem(ctx, talkstest.Head(f.Mediation), it.ID, item)
		wantErr(t, err, errs.Conflict, "")
		wantErr(t, f.Talks.WithdrawAgendaItem(ctx, talkstest.Head(f.Mediation), it.ID, ""), errs.Conflict, "")
		unchanged(t, db, before)
	})
}
