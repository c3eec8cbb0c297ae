package channel

import (
	"context"
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestRelayEventCount: a relay appends the same number of events whatever
// its options, so the growth of the tree tells a recipient nothing of
// whether the relay was attributed or hidden from its origin. Before, a
// relay shown to its origin appended one event more.
func TestRelayEventCount(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		grew := map[int]int{}
		for _, in := range []RelayInput{
			{To: []string{w.Gov.ID}},
			{To: []string{w.Gov.ID}, Attributed: true},
			{To: []string{w.Gov.ID}, HideFromOrigin: true},
			{To: []string{w.Gov.ID}, Attributed: true, HideFromOrigin: true},
			{To: []string{w.Gov.ID, w.Guarantor.ID}, Body: "In other words."},
		} {
			src := w.send(t, "opp", NewMessage{Body: "For the government."})
			before := count(t, db, "events")
			if _, err := w.ch.Relay(ctx, w.head("med"), src.ID, in); err != nil {
				t.Fatal(err)
			}
			grew[count(t, db, "events")-before]++
		}
		if len(grew) != 1 {
			t.Errorf("relays appended different numbers of events: %v", grew)
		}
	})
}
