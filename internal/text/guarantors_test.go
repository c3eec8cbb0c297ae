package text_test

import (
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/text"
)

// TestShareWithGuarantors: the guarantor reads no text until the round's
// administrator shares it; then it reads the text, its revisions and the
// next one issued, never a party's position. Others may not share.
func TestShareWithGuarantors(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		tx := w.issued(t, rev1)
		if _, err := w.Text.SetPosition(w.ctx, w.Gov, tx.ID, 1, 3, text.PositionInput{Stance: text.Accept}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Text.Revision(w.ctx, w.Guarantor, tx.ID, 1); errs.Code(err) != errs.NotFound {
			t.Fatalf("before sharing, the guarantor reads Rev.1: %v", err)
		}
		for _, c := range []struct {
			who  string
			a    access.Actor
			code string
		}{
			{"a mediation member", w.Med, errs.Forbidden},
			{"a party head", w.Gov, errs.Forbidden},
			{"the guarantor", w.Guarantor, errs.NotFound},
			{"an outsider", w.Outsider, errs.NotFound},
		} {
			if err := w.Text.ShareWithGuarantors(w.ctx, c.a, tx.ID); errs.Code(err) != c.code {
				t.Errorf("%s shares: %v, want %s", c.who, err, c.code)
			}
		}
		if ok, _ := w.Text.MayShareWithGuarantors(w.ctx, w.Host, w.Round.ID); !ok {
			t.Error("the host's head may not share")
		}
		if ok, _ := w.Text.MayShareWithGuarantors(w.ctx, w.Med, w.Round.ID); ok {
			t.Error("a mediation member may share")
		}
		if err := w.Text.ShareWithGuarantors(w.ctx, w.Host, tx.ID); err != nil {
			t.Fatal(err)
		}
		rev, err := w.Text.Revision(w.ctx, w.Guarantor, tx.ID, 1)
		if err != nil {
			t.Fatalf("after sharing, the guarantor: %v", err)
		}
		for _, p := range rev.Paragraphs {
			if len(p.Positions) > 0 {
				t.Errorf("the guarantor reads positions on paragraph %d", p.Number)
			}
		}
		got, err := w.Text.Text(w.ctx, w.Guarantor, tx.ID)
		if err != nil || !got.Guarantors {
			t.Fatalf("the shared text for the guarantor: %+v %v", got, err)
		}
		if _, err := w.Text.SaveDraft(w.ctx, w.Med, tx.ID, rev1+"4. Done in Astana.\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Text.Issue(w.ctx, w.Med, tx.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Text.Revision(w.ctx, w.Guarantor, tx.ID, 2); err != nil {
			t.Errorf("the guarantor does not read Rev.2, issued after sharing: %v", err)
		}
		// Sharing again changes nothing.
		if err := w.Text.ShareWithGuarantors(w.ctx, w.Host, tx.ID); err != nil {
			t.Error(err)
		}
	})
}
