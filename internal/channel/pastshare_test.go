package channel

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestPastShared: a mediation that joins the round late reads none of what
// the parties sent the mediation before; once the government's head lets
// it (talks.SharePast), it reads exactly the government's messages to the
// mediation, not the opposition's, not the government's internal notes,
// and not the mediation's own messages to a party. parley verify accepts
// the widened audiences, and still catches a widening no event gave.
func TestPastShared(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		w.Sign(t)
		w.Talks.OnPastShare(w.ch.PastShared)
		govToMed := w.send(t, "gov", NewMessage{To: []string{"mediation"}, Body: "our red lines"})
		oppToMed := w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "their red lines"})
		govNote := w.send(t, "gov", NewMessage{To: []string{"internal"}, Body: "between us"})
		medToGov := w.send(t, "med", NewMessage{To: []string{w.Gov.ID}, Body: "a question for you"})
		med2 := w.JoinLater(t, "Second mediation", access.Mediation)
		reads := func(m Message) bool {
			_, err := w.ch.Get(ctx, talkstest.Head(med2), m.ID)
			if err != nil && errs.Code(err) != errs.NotFound {
				t.Fatal(err)
			}
			return err == nil
		}
		all := []Message{govToMed, oppToMed, govNote, medToGov}
		for _, m := range all {
			if reads(m) {
				t.Fatalf("the newcomer reads %q before any party let it", m.Body)
			}
		}
		if err := w.Talks.SharePast(ctx, w.head("gov"), w.Round.ID, med2.ID); err != nil {
			t.Fatal(err)
		}
		for _, m := range all {
			if reads(m) != (m.ID == govToMed.ID) {
				t.Errorf("after the government's grant the newcomer reads %q: %v", m.Body, reads(m))
			}
		}
		// The mediation's own grant widens none of its messages.
		if err := w.Talks.SharePast(ctx, w.head("med"), w.Round.ID, med2.ID); err != nil {
			t.Fatal(err)
		}
		if reads(medToGov) {
			t.Error("the mediation's grant widened its message to a party")
		}

		kinds, err := ItemKinds(w.key, w.dir)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ledger.Verify(ctx, db, w.Ledger.VerifierKey(), kinds...)
		if err != nil || !rep.OK() {
			t.Fatalf("verify after the grant: %v\n%s", err, rep.String())
		}
		// A widening no event gave is still caught.
		if _, err := db.W.Exec("INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", oppToMed.ID, med2.ID); err != nil {
			t.Fatal(err)
		}
		if rep, err := ledger.Verify(ctx, db, w.Ledger.VerifierKey(), kinds...); err != nil || rep.OK() || rep.FirstBadItem != "message "+oppToMed.ID {
			t.Fatalf("verify after widening the opposition's message: first bad item %q, want %q (%v)", rep.FirstBadItem, oppToMed.ID, err)
		}
	})
}
