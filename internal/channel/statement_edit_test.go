package channel

import (
	"context"
	"testing"

	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestStatementEditDelete: the organisation that drafted a statement edits
// it (the search finds the new words, not the old) and names its round, or
// deletes it; nobody else does, and a released statement changes no more.
func TestStatementEditDelete(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		opp := w.head("opp")
		st, err := w.ch.CreateStatement(ctx, opp, NewStatement{Title: "On the ceasefire", Body: "We welcome the zucchini arrangements."})
		if err != nil {
			t.Fatal(err)
		}
		found := func(word string) int {
			t.Helper()
			res, err := w.ch.Search(ctx, opp, word, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Statements)
		}
		for _, c := range []struct {
			who  string
			code string
		}{{"gov", errs.NotFound}, {"med", errs.Forbidden}, {"outsider", errs.NotFound}} {
			if _, err := w.ch.EditStatement(ctx, w.head(c.who), st.ID, NewStatement{Title: "x", Body: "y"}); errs.Code(err) != c.code {
				t.Errorf("%s edits: %v, want %s", c.who, err, c.code)
			}
			if err := w.ch.DeleteStatement(ctx, w.head(c.who), st.ID); errs.Code(err) != c.code {
				t.Errorf("%s deletes: %v, want %s", c.who, err, c.code)
			}
		}
		if _, err := w.ch.EditStatement(ctx, opp, st.ID, NewStatement{Title: "On the ceasefire", Body: "Text", RoundID: w.Outsider.ID}); errs.Code(err) != errs.Invalid {
			t.Errorf("naming a round id that is no round: %v", err)
		}
		ed, err := w.ch.EditStatement(ctx, opp, st.ID, NewStatement{Title: "On the ceasefire regime", Body: "We welcome the monitoring arrangements.", RoundID: w.Round.ID})
		if err != nil {
			t.Fatal(err)
		}
		if ed.Title != "On the ceasefire regime" || ed.Round.Name != w.Round.Name {
			t.Errorf("edited: %q, round %+v", ed.Title, ed.Round)
		}
		if found("zucchini") != 0 || found("monitoring") != 1 {
			t.Errorf("after the edit the search finds the old words (%d) or not the new (%d)", found("zucchini"), found("monitoring"))
		}
		if _, err := w.ch.ReleaseStatement(ctx, opp, st.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ch.EditStatement(ctx, opp, st.ID, NewStatement{Title: "x", Body: "y"}); errs.Code(err) != errs.Conflict {
			t.Errorf("editing a released statement: %v", err)
		}
		if err := w.ch.DeleteStatement(ctx, opp, st.ID); errs.Code(err) != errs.Conflict {
			t.Errorf("deleting a released statement: %v", err)
		}

		draft, err := w.ch.CreateStatement(ctx, opp, NewStatement{Title: "Withdrawn", Body: "A quince draft."})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.ch.DeleteStatement(ctx, opp, draft.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ch.Statement(ctx, opp, draft.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("the deleted draft: %v", err)
		}
		if found("quince") != 0 {
			t.Error("the search finds the deleted draft")
		}
	})
}
