package text_test

import (
	"testing"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
	"parley/internal/text"
)

// TestPastShared: a mediation that joins late reads no party's positions
// and none of the mediation's drafts; when the government's head lets it
// (talks.SharePast) it reads the government's positions and not the
// opposition's; when the first mediation's head lets it, the drafts its
// users saved and the texts not yet issued. parley verify accepts the
// widened audiences.
func TestPastShared(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.Sign(t)
		w.Talks.OnPastShare(w.Text.PastShared)
		tx := w.issued(t, rev1)
		for _, who := range []access.Actor{w.Gov, w.Opp} {
			if _, err := w.Text.SetPosition(w.ctx, who, tx.ID, 1, 3, text.PositionInput{Stance: text.Accept}); err != nil {
				t.Fatal(err)
			}
		}
		unissued, err := w.Text.Create(w.ctx, w.Med, w.Round.ID, text.NewText{Source: rev1})
		if err != nil {
			t.Fatal(err)
		}
		med2 := w.JoinLater(t, "Second mediation team", access.Mediation)
		newcomer := talkstest.Head(med2)
		positions := func(org string) int {
			t.Helper()
			var n int
			cond, arg := access.ReadableBy(newcomer, "('position:' || p.revision_id || ':' || CAST(p.paragraph AS TEXT) || ':' || p.alternative || ':' || p.org_id)", 2)
			if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM text_positions p WHERE p.org_id = $1 AND "+cond, org, arg).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		drafts := func() int {
			t.Helper()
			var n int
			cond, arg := access.ReadableBy(newcomer, "d.id", 1)
			if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM text_drafts d WHERE "+cond, arg).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if g, o, d := positions(w.Fixture.Gov.ID), positions(w.Fixture.Opp.ID), drafts(); g+o+d != 0 {
			t.Fatalf("before any grant the newcomer reads %d, %d positions and %d drafts", g, o, d)
		}
		if err := w.Talks.SharePast(w.ctx, w.Gov, w.Round.ID, med2.ID); err != nil {
			t.Fatal(err)
		}
		if g, o, d := positions(w.Fixture.Gov.ID), positions(w.Fixture.Opp.ID), drafts(); g != 1 || o != 0 || d != 0 {
			t.Fatalf("after the government's grant the newcomer reads %d government and %d opposition positions, %d drafts", g, o, d)
		}
		if _, err := w.Text.Text(w.ctx, newcomer, unissued.ID); err == nil {
			t.Fatal("the newcomer reads the unissued text before the mediation's grant")
		}
		if err := w.Talks.SharePast(w.ctx, talkstest.Head(w.Fixture.Mediation), w.Round.ID, med2.ID); err != nil {
			t.Fatal(err)
		}
		if d := drafts(); d != 2 {
			t.Errorf("after the mediation's grant the newcomer reads %d drafts, want 2", d)
		}
		if _, err := w.Text.Text(w.ctx, newcomer, unissued.ID); err != nil {
			t.Errorf("after the mediation's grant the newcomer does not read the unissued text: %v", err)
		}
		if positions(w.Fixture.Opp.ID) != 0 {
			t.Error("the mediation's grant widened the opposition's positions")
		}
		rep, err := ledger.Verify(w.ctx, db, w.Ledger.VerifierKey(), text.ItemKinds()...)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v\n%s", err, rep.String())
		}
	})
}
