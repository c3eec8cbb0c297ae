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

// TestMarkReadWritesOnlyWhenItMoves: opening a thread again, with nothing
// new in it, writes nothing; a later message moves the marker. Before,
// every view rewrote the row (a new row version on PostgreSQL, a turn of
// SQLite's one writer).
func TestMarkReadWritesOnlyWhenItMoves(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		med := w.head("med")
		first := w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "A first proposal."})
		// written changes with every write of the mediation's marker: on
		// PostgreSQL the row version's transaction, on SQLite the count of
		// rows the writer connection has changed.
		written := func() string {
			t.Helper()
			var v string
			row := db.W.QueryRowContext(ctx, "SELECT total_changes()")
			if db.Dialect == store.Postgres {
				row = db.W.QueryRowContext(ctx, "SELECT xmin::text FROM thread_read WHERE user_id = $1 AND counterpart = $2", med.User, w.Opp.ID)
			}
			if err := row.Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		markRead := func(upTo int64) {
			t.Helper()
			if err := w.ch.MarkRead(ctx, med, w.Round.ID, w.Opp.ID, upTo); err != nil {
				t.Fatal(err)
			}
		}
		markRead(first.LedgerIndex)
		before := written()
		for _, upTo := range []int64{first.LedgerIndex, first.LedgerIndex - 1} {
			markRead(upTo)
			if after := written(); after != before {
				t.Errorf("reading up to %d again wrote the marker (%s, then %s)", upTo, before, after)
			}
		}
		second := w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "A second one."})
		markRead(second.LedgerIndex)
		if got, err := w.ch.Unread(ctx, med, w.Round.ID); err != nil || got[w.Opp.ID] != 0 {
			t.Errorf("after reading the second, unread %v (%v)", got, err)
		}
	})
}
