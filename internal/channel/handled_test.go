package channel

import (
	"context"
	"testing"

	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestHandled: the mediation marks a message it received handled and
// unhandled again; the mark is its own; a party may not mark, and a message
// it does not read is not found.
func TestHandled(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		m := w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "A proposal for the mediation."})
		if err := w.ch.SetHandled(ctx, w.head("gov"), m.ID, true); errs.Code(err) != errs.NotFound {
			t.Errorf("the government marks a message it does not read: %v", err)
		}
		if err := w.ch.SetHandled(ctx, w.head("opp"), m.ID, true); errs.Code(err) != errs.Forbidden {
			t.Errorf("the opposition marks its own message: %v", err)
		}
		if err := w.ch.SetHandled(ctx, w.head("med"), m.ID, true); err != nil {
			t.Fatal(err)
		}
		for who, want := range map[string]bool{"med": true, "opp": false, "gov": false} {
			got, err := w.ch.Handled(ctx, w.head(who), w.Round.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got[m.ID] != want {
				t.Errorf("%s reads the mark %v, want %v", who, got[m.ID], want)
			}
		}
		if err := w.ch.SetHandled(ctx, w.head("med"), m.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.ch.Handled(ctx, w.head("med"), w.Round.ID); got[m.ID] {
			t.Error("the message is still handled after unmarking")
		}
	})
}
