package channel

import (
	"context"
	"maps"
	"testing"

	"parley/internal/access"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestUnread: each user's unread count per thread counts only the messages
// it reads (the opposition's internal note is not the mediation's), falls
// when the thread is read up to a message, never moves back, and is the
// user's own: a colleague in the mediation keeps its own.
func TestUnread(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		med, colleague := w.head("med"), w.head("med")
		colleague.User = store.NewID()
		first := w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "A first proposal."})
		w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "A second one."})
		w.send(t, "opp", NewMessage{To: []string{"internal"}, Body: "Our own note."})
		w.send(t, "gov", NewMessage{To: []string{"mediation"}, Body: "The government's answer."})
		unread := func(actor access.Actor) map[string]int {
			t.Helper()
			got, err := w.ch.Unread(ctx, actor, w.Round.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		want := map[string]int{w.Opp.ID: 2, w.Gov.ID: 1}
		if got := unread(med); !maps.Equal(got, want) {
			t.Errorf("the mediation's unread: %v, want %v", got, want)
		}
		if got := unread(w.head("observer")); len(got) != 0 {
			t.Errorf("the observer counts messages it does not read: %v", got)
		}
		if got := unread(w.head("gov")); len(got) != 0 {
			t.Errorf("the government counts messages it does not read: %v", got)
		}
		if err := w.ch.MarkRead(ctx, med, w.Round.ID, w.Opp.ID, first.LedgerIndex); err != nil {
			t.Fatal(err)
		}
		if got := unread(med)[w.Opp.ID]; got != 1 {
			t.Errorf("after reading the first, %d unread from the opposition", got)
		}
		if err := w.ch.MarkRead(ctx, med, w.Round.ID, w.Opp.ID, -1); err != nil {
			t.Fatal(err)
		}
		if got := unread(med)[w.Opp.ID]; got != 1 {
			t.Errorf("the marker moved back: %d unread", got)
		}
		if got := unread(colleague); !maps.Equal(got, want) {
			t.Errorf("a colleague's unread changed with another's reading: %v", got)
		}
		if err := w.ch.MarkRead(ctx, med, "not-an-id", w.Opp.ID, 5); err == nil {
			t.Error("a malformed round is accepted")
		}
	})
}
