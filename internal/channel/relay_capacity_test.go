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

// TestRelayIsTheRoundsMediation: the right to relay is the capacity in the
// message's round, not the organisation's kind. A mediation organisation
// taking part in no round, or in another round only, relays nothing here;
// and an organisation that is not the mediation is answered about a
// message it does not read exactly as about a missing one (before, every
// organisation not of kind mediation got 403 for any id, read or not).
func TestRelayIsTheRoundsMediation(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		idle, elsewhere := w.otherMediations(t)
		toMed := w.send(t, "opp", NewMessage{Body: "For the mediation only."})
		plenary := w.send(t, "opp", NewMessage{To: []string{ToKeywordPlenary}, Body: "For everyone."})
		in := RelayInput{To: []string{w.Gov.ID}}
		for _, c := range []struct {
			name string
			who  access.Actor
			src  string
			code string
		}{
			{"the mediation of no round", talkstest.Head(idle), toMed.ID, errs.NotFound},
			{"the mediation of another round", talkstest.Head(elsewhere), toMed.ID, errs.NotFound},
			{"a party, a message it does not read", w.head("gov"), toMed.ID, errs.NotFound},
			{"a party, a missing message", w.head("gov"), store.NewID(), errs.NotFound},
			{"a party, a message it reads", w.head("gov"), plenary.ID, errs.Forbidden},
			{"the host, a message it reads", w.head("host"), plenary.ID, errs.Forbidden},
		} {
			_, err := w.ch.Relay(ctx, c.who, c.src, in)
			if errs.Code(err) != c.code {
				t.Errorf("%s relays: %v, want %s", c.name, err, c.code)
			}
		}
		if _, err := w.ch.Relay(ctx, w.head("med"), toMed.ID, in); err != nil {
			t.Errorf("the round's mediation relays: %v", err)
		}
	})
}
