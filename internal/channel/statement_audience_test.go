package channel

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestStatementDraftAudience: a statement draft, embargoed or not, is read
// by its organisation and the mediation taking part in its round, and by
// nobody else. Before, every mediation organisation of the installation
// read it, including one taking part in no round and the mediation of
// another round.
func TestStatementDraftAudience(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		idle, elsewhere := w.otherMediations(t)
		for _, in := range []NewStatement{
			{Title: "About no round", Body: "Draft."},
			{Title: "About round 1", Body: "Draft.", RoundID: w.Round.ID},
		} {
			st, err := w.ch.CreateStatement(ctx, w.head("gov"), in)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				who   access.Actor
				reads bool
			}{
				{w.head("gov"), true},
				{w.head("med"), true},
				{talkstest.Head(idle), false},
				{talkstest.Head(elsewhere), false},
				{w.head("opp"), false},
				{w.head("host"), false},
			} {
				_, err := w.ch.Statement(ctx, c.who, st.ID)
				if reads := err == nil; reads != c.reads || err != nil && errs.Code(err) != errs.NotFound {
					t.Errorf("%q: %s reads: %v (%v), want %v", in.Title, c.who.Username, reads, err, c.reads)
				}
			}
		}
		// A round the author takes no part in is not found.
		_, err := w.ch.CreateStatement(ctx, talkstest.Head(w.Outsider), NewStatement{Title: "T", Body: "B", RoundID: w.Round.ID})
		if errs.Code(err) != errs.NotFound {
			t.Errorf("statement about a round its author is not in: %v", err)
		}
	})
}
