package notify_test

import (
	"context"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/channel"
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

// TestStatementReleaseNotifies: a released statement concerns everyone it
// is released to, not only the readers of its draft (its organisation and
// the mediation): the party heads, the guarantor and the observer are told
// of the mediation's statement once it is public, and of an embargoed one
// only when its embargo has passed.
func TestStatementReleaseNotifies(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := talkstest.New(t, db)
		dir := t.TempDir()
		key, err := channel.LoadOrCreateMasterKey(dir + "/master.key")
		if err != nil {
			t.Fatal(err)
		}
		ch, err := channel.New(db, f.Ledger, f.Talks, channel.Options{MasterKey: key, AttachmentDir: dir + "/attachments"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ch.Close)
		n := notify.New(db)
		med := talkstest.Head(f.Mediation)
		count := func(a access.Actor) int {
			t.Helper()
			ns, err := n.List(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			c := 0
			for _, x := range ns {
				if x.Type == "statement.released" {
					c++
					if x.RoundName != f.Round.Name {
						t.Errorf("%s: the release names the round %q, want %q", a.Username, x.RoundName, f.Round.Name)
					}
				}
			}
			return c
		}
		readers := []access.Actor{talkstest.Head(f.Gov), talkstest.Head(f.Opp), talkstest.Head(f.Guarantor), talkstest.Head(f.Observer)}
		draft, err := ch.CreateStatement(ctx, med, channel.NewStatement{Title: "Communiqué", Body: "The round closes.", RoundID: f.Round.ID})
		if err != nil {
			t.Fatal(err)
		}
		later, err := ch.CreateStatement(ctx, med, channel.NewStatement{Title: "Embargoed", Body: "Tomorrow.", RoundID: f.Round.ID,
			EmbargoUntil: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range readers {
			if c := count(a); c != 0 {
				t.Errorf("%s is told of %d releases before any", a.Username, c)
			}
		}
		for _, id := range []string{draft.ID, later.ID} {
			if _, err := ch.ReleaseStatement(ctx, med, id); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range readers {
			if c := count(a); c != 1 {
				t.Errorf("%s is told of %d releases, want the public one", a.Username, c)
			}
		}
		if c := count(med); c != 0 {
			t.Errorf("the mediation is told of its own release %d times", c)
		}
	})
}
