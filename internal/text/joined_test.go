package text_test

import (
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestJoinedLater: a party that joins the round after Rev.1 was issued
// reads the text and Rev.1 like the parties that were there, once the text
// service's join hook is registered with talks (as the app does); without
// the hook it would read neither. It does not read the next draft, which
// no party reads.
func TestJoinedLater(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.Talks.OnJoin(w.Text.Joined)
		tx := w.issued(t, rev1)
		if _, err := w.Text.Revision(w.ctx, w.Outsider, tx.ID, 1); errs.Code(err) != errs.NotFound {
			t.Fatalf("the outsider reads Rev.1 before joining: %v", err)
		}
		if _, err := w.Text.SaveDraft(w.ctx, w.Med, tx.ID, rev1+"4. A new paragraph.\n"); err != nil {
			t.Fatal(err)
		}
		if err := w.Talks.AddParticipant(w.ctx, access.System, w.Round.ID, w.Fixture.Outsider.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Text.Text(w.ctx, w.Outsider, tx.ID); err != nil {
			t.Errorf("the newcomer cannot read the text: %v", err)
		}
		rev, err := w.Text.Revision(w.ctx, w.Outsider, tx.ID, 1)
		if err != nil || rev.Number != 1 {
			t.Fatalf("the newcomer reads Rev.1: %+v %v", rev, err)
		}
		drafts := func(a access.Actor) int {
			var n int
			cond, arg := access.ReadableBy(a, "d.id", 2)
			if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM text_drafts d WHERE d.text_id = $1 AND "+cond, tx.ID, arg).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := drafts(w.Outsider); n != 0 {
			t.Errorf("the newcomer reads %d drafts", n)
		}

		// A second mediation organisation that joins reads the issued
		// text, not the drafts: they were confidential to the mediation
		// that was there (docs/security.md).
		med2, err := w.Talks.AddOrg(w.ctx, access.System, "Second mediation team", "med2", access.Mediation)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Talks.AddParticipant(w.ctx, access.System, w.Round.ID, med2.ID); err != nil {
			t.Fatal(err)
		}
		if n, first := drafts(talkstest.Head(med2)), drafts(w.Med); n != 0 || first < 2 {
			t.Errorf("the second mediation reads %d drafts, the first %d", n, first)
		}
		if _, err := w.Text.Revision(w.ctx, talkstest.Head(med2), tx.ID, 1); err != nil {
			t.Errorf("the second mediation cannot read Rev.1: %v", err)
		}
	})
}

// TestJoinedByCapacity: the join hook widens by the capacity the
// organisation takes part in, not by its kind (issue 10). A party
// organisation given the guarantor's capacity reads no text that was not
// shared with the guarantors; in a party's capacity it reads Rev.1.
func TestJoinedByCapacity(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		tx := w.issued(t, rev1)
		w.RunJoin(t, w.Text.Joined, w.Fixture.Outsider, access.Guarantor)
		if _, err := w.Text.Revision(w.ctx, w.Outsider, tx.ID, 1); errs.Code(err) != errs.NotFound {
			t.Errorf("a party joining as a guarantor reads Rev.1 of an unshared text: %v", err)
		}
		w.RunJoin(t, w.Text.Joined, w.Fixture.Outsider, access.Party)
		if _, err := w.Text.Revision(w.ctx, w.Outsider, tx.ID, 1); err != nil {
			t.Errorf("a party joining as a party cannot read Rev.1: %v", err)
		}
	})
}
