package notify_test

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/notify"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
	"parley/internal/text"
)

// TestNotifications: a revision issued by the mediation and a consent
// changed by the opposition reach the government; the mediation is not
// told of its own act; the observer, outside both audiences, hears of
// neither; seen is remembered per user and never moves back.
func TestNotifications(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := talkstest.New(t, db)
		tx := text.New(db, f.Ledger, nil)
		n := notify.New(db)
		med, gov, opp, obs := talkstest.Head(f.Mediation), talkstest.Head(f.Gov), talkstest.Head(f.Opp), talkstest.Head(f.Observer)
		tt, err := tx.Create(ctx, med, f.Round.ID, text.NewText{Source: "# T\n\n1. A paragraph.\n"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Issue(ctx, med, tt.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Talks.SetConsent(ctx, opp, f.Round.ID, f.Gov.ID, true); err != nil {
			t.Fatal(err)
		}
		types := func(a access.Actor) (string, int) {
			t.Helper()
			ns, err := n.List(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			u, err := n.Unseen(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, x := range ns {
				s += x.Type + " "
			}
			return s, u
		}
		for _, c := range []struct {
			who    string
			a      access.Actor
			want   string
			unseen int
		}{
			{"government", gov, "consent.set text.issued ", 2},
			{"mediation", med, "consent.set ", 1},
			{"observer", obs, "", 0},
		} {
			if got, u := types(c.a); got != c.want || u != c.unseen {
				t.Errorf("%s: %q (%d unseen), want %q (%d)", c.who, got, u, c.want, c.unseen)
			}
		}
		ns, _ := n.List(ctx, gov)
		if err := n.MarkSeen(ctx, gov, ns[0].Index); err != nil {
			t.Fatal(err)
		}
		if err := n.MarkSeen(ctx, gov, ns[1].Index); err != nil {
			t.Fatal(err)
		}
		if _, u := types(gov); u != 0 {
			t.Errorf("after seeing, the government has %d unseen", u)
		}
		if _, u := types(med); u != 1 {
			t.Errorf("the government's seeing changed the mediation's count: %d", u)
		}
	})
}
