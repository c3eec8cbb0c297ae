package channel

import (
	"testing"

	"go.uber.org/goleak"

	"parley/internal/store/storetest"
)

// TestMain fails the package's tests when a goroutine outlives them: every
// Service the tests open is closed (Close stops its writers and its
// listener), and nothing else may keep running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestCloseStopsWriters: Close drains the queued sends, stops the writer
// goroutines, and refuses a later Send. Before, the writers ran until the
// process exited.
func TestCloseStopsWriters(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	w.send(t, "opp", NewMessage{Body: "before the close"})
	w.ch.Close()
	_, err := w.ch.Send(t.Context(), w.head("opp"), w.Round.ID, NewMessage{Body: "after the close"})
	wantCode(t, err, ShuttingDown)
	w.ch.Close() // twice is harmless; TestMain checks no writer is left
}
