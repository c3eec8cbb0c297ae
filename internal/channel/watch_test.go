package channel

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// watcher runs Watch in the background and collects what it sends.
type watcher struct {
	mu   sync.Mutex
	got  []WatchEvent
	more chan struct{}
}

func openWatch(t *testing.T, w *world, who string) *watcher {
	t.Helper()
	return openWatchAfter(t, w, who, "")
}

// openWatchAfter opens the watch resuming after the event with index after.
func openWatchAfter(t *testing.T, w *world, who, after string) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	wt := &watcher{more: make(chan struct{}, 1000)}
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- w.ch.Watch(ctx, w.head(who), after, func(int64) { close(ready) }, func(e WatchEvent) error {
			wt.mu.Lock()
			wt.got = append(wt.got, e)
			wt.mu.Unlock()
			wt.more <- struct{}{}
			return nil
		})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("watch ended: %v", err)
	}
	t.Cleanup(func() { cancel(); <-done })
	return wt
}

// until waits for an event that ok accepts and returns all received so far.
func (wt *watcher) until(t *testing.T, ok func(WatchEvent) bool) []WatchEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		wt.mu.Lock()
		got := slices.Clone(wt.got)
		wt.mu.Unlock()
		if slices.ContainsFunc(got, ok) {
			return got
		}
		select {
		case <-wt.more:
		case <-deadline:
			t.Fatalf("the watch did not deliver the event awaited; it has %+v", got)
		}
	}
}

// TestWatch: a page's watch hears of the events its organisation reads in
// the round, with their type and round, and of none it does not read; a
// statement's release, which the draft's audience alone reads, reaches
// every watch only as "count again", naming nothing.
func TestWatch(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		gov := openWatch(t, w, "gov")
		private := w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "For the mediation only."})
		plenary := w.send(t, "med", NewMessage{To: []string{"plenary"}, Body: "To everyone."})
		got := gov.until(t, func(e WatchEvent) bool { return e.ObjectID == plenary.ID })
		for _, e := range got {
			if e.ObjectID == private.ID {
				t.Errorf("the government hears of the opposition's message to the mediation: %+v", e)
			}
			if e.ObjectID == plenary.ID && (e.Round != w.Round.ID || e.Type == "") {
				t.Errorf("the plenary message comes as %+v", e)
			}
		}
		st, err := w.ch.CreateStatement(ctx, w.head("med"), NewStatement{Title: "Communiqué", Body: "Closing.", RoundID: w.Round.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ch.ReleaseStatement(ctx, w.head("med"), st.ID); err != nil {
			t.Fatal(err)
		}
		got = gov.until(t, func(e WatchEvent) bool { return e.Type == "" && e.Index > plenary.LedgerIndex })
		for _, e := range got {
			if e.ObjectID == st.ID {
				t.Errorf("the government hears of the draft statement by name: %+v", e)
			}
		}
	})
}

// TestWatchResumes: a watch opened after an event (a page taking the watch
// over from another) first sends again the events since that the reader
// reads, its own marked as such, and none it does not read. Before, a watch
// sent nothing from before it opened, so what happened while no page held
// it was lost.
func TestWatchResumes(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		first := w.send(t, "gov", NewMessage{To: []string{"mediation"}, Body: "Before the gap."})
		private := w.send(t, "opp", NewMessage{To: []string{"mediation"}, Body: "For the mediation only."})
		plenary := w.send(t, "med", NewMessage{To: []string{"plenary"}, Body: "To everyone."})
		own := w.send(t, "gov", NewMessage{To: []string{"plenary"}, Body: "Ours."})
		gov := openWatchAfter(t, w, "gov", strconv.FormatInt(first.LedgerIndex, 10))
		got := gov.until(t, func(e WatchEvent) bool { return e.ObjectID == own.ID })
		var ids []string
		for _, e := range got {
			if e.ObjectID == private.ID {
				t.Errorf("the government hears again of the opposition's message to the mediation: %+v", e)
			}
			if e.ObjectID == first.ID {
				t.Errorf("the watch sends again the event it resumes after: %+v", e)
			}
			if e.ObjectID == own.ID && !e.Own || e.ObjectID == plenary.ID && e.Own {
				t.Errorf("own is wrong: %+v", e)
			}
			if e.Type != "" && e.ObjectType == "message" {
				ids = append(ids, e.ObjectID)
			}
		}
		if !slices.Contains(ids, plenary.ID) || slices.Index(ids, plenary.ID) > slices.Index(ids, own.ID) {
			t.Errorf("the events since, in order: %v, want %s before %s", ids, plenary.ID, own.ID)
		}
	})
}
