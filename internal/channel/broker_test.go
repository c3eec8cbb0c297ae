package channel

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// stream runs Stream in the background and collects what it sends.
type stream struct {
	mu     sync.Mutex
	got    []StreamEvent
	cancel context.CancelFunc
	done   chan error
	more   chan struct{}
}

func openStream(t *testing.T, w *world, who, last string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st := &stream{cancel: cancel, done: make(chan error, 1), more: make(chan struct{}, 1000)}
	ready := make(chan struct{})
	go func() {
		st.done <- w.ch.Stream(ctx, w.head(who), w.Round.ID, last, func() { close(ready) }, func(e StreamEvent) error {
			st.mu.Lock()
			st.got = append(st.got, e)
			st.mu.Unlock()
			st.more <- struct{}{}
			return nil
		})
	}()
	select {
	case <-ready:
	case err := <-st.done:
		t.Fatalf("stream ended: %v", err)
	}
	t.Cleanup(st.close)
	return st
}

func (st *stream) close() {
	st.cancel()
	<-st.done
	st.done <- nil
}

// waitFor waits until the stream has delivered n events.
func (st *stream) waitFor(t *testing.T, n int) []StreamEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		st.mu.Lock()
		got := slices.Clone(st.got)
		st.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-st.more:
		case <-deadline:
			t.Fatalf("stream delivered %d events, want %d", len(got), n)
		}
	}
}

func objects(evs []StreamEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ObjectID)
	}
	return out
}

func TestStreamAudienceAndResume(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		gov := openStream(t, w, "gov", "")
		obs := openStream(t, w, "observer", "")
		var forGov []string
		for i := 0; i < 6; i++ {
			w.send(t, "opp", NewMessage{Body: "to the mediation " + strconv.Itoa(i)})
			m := w.send(t, "gov", NewMessage{Body: "gov " + strconv.Itoa(i)})
			forGov = append(forGov, m.ID)
			p := w.send(t, "host", NewMessage{To: []string{"plenary"}, Body: "plenary " + strconv.Itoa(i)})
			forGov = append(forGov, p.ID)
		}
		got := gov.waitFor(t, len(forGov))
		if !slices.Equal(objects(got), forGov) {
			t.Fatalf("government's stream %v, want %v", objects(got), forGov)
		}
		for _, e := range got {
			if e.Message == nil || e.Message.ID != e.ObjectID {
				t.Errorf("event %d carries no readable message", e.Index)
			}
		}
		obsGot := obs.waitFor(t, 6)
		for _, e := range obsGot {
			if e.Message == nil || e.Message.Kind != Plenary {
				t.Errorf("observer's stream carries %+v", e)
			}
		}
		// Resume after the fourth event: exactly the rest, then live.
		res := openStream(t, w, "gov", strconv.FormatInt(got[3].Index, 10))
		rest := res.waitFor(t, len(forGov)-4)
		if !slices.Equal(objects(rest), forGov[4:]) {
			t.Fatalf("resumed stream %v, want %v", objects(rest), forGov[4:])
		}
		m := w.send(t, "gov", NewMessage{Body: "after resume"})
		rest = res.waitFor(t, len(forGov)-3)
		if rest[len(rest)-1].ObjectID != m.ID || len(rest) != len(forGov)-3 {
			t.Errorf("live after resume: %v", objects(rest))
		}
		// Forged Last-Event-IDs start with what comes next.
		for _, forged := range []string{"abc", "-7", "99999999999", "1e3", "0x10", ""} {
			f := openStream(t, w, "gov", forged)
			n := w.send(t, "gov", NewMessage{Body: "after forged " + forged})
			if evs := f.waitFor(t, 1); evs[0].ObjectID != n.ID {
				t.Errorf("Last-Event-ID %q: first event %s, want %s", forged, evs[0].ObjectID, n.ID)
			}
		}
		// Not readable rounds are not found.
		err := w.ch.Stream(context.Background(), w.head("outsider"), w.Round.ID, "", nil, func(StreamEvent) error { return nil })
		wantCode(t, err, errs.NotFound)
	})
}

// TestBrokerOrder hands the broker events out of order and with a gap that
// never fills: streams see them in index order, and after the gap they read
// the table.
func TestBrokerOrder(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	st := openStream(t, w, "gov", "")
	// Three real messages, published to the broker in a scrambled order
	// by a fake ledger hand-over after they are committed.
	var evs []ledger.Event
	w.Ledger.Subscribe(captureOnly{})
	base := w.ch.broker
	base.mu.Lock()
	saved := base.subs
	base.subs = map[*subscription]struct{}{}
	base.mu.Unlock()
	var ids []string
	for i := 0; i < 3; i++ {
		m := w.send(t, "gov", NewMessage{Body: "m" + strconv.Itoa(i)})
		ids = append(ids, m.ID)
	}
	rows, err := db.R.Query("SELECT idx, id, round_id, object_type, object_id FROM events WHERE type = 'message.sent' ORDER BY idx")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e ledger.Event
		rows.Scan(&e.Index, &e.ID, &e.Round, &e.ObjectType, &e.ObjectID)
		e.Type = "message.sent"
		e.Audience = access.Of(w.Gov.ID, w.Mediation.ID)
		evs = append(evs, e)
	}
	rows.Close()
	// Rewind the broker as if it had not seen them, and reconnect the
	// stream's subscription.
	base.mu.Lock()
	base.subs = saved
	base.high = evs[0].Index - 1
	base.mu.Unlock()
	base.Published([]ledger.Event{evs[2]})
	base.Published([]ledger.Event{evs[1]})
	base.Published([]ledger.Event{evs[0]})
	// The stream registered before the writes with cursor below them: it
	// gets all three in order.
	got := st.waitFor(t, 3)
	if !slices.Equal(objects(got), ids) {
		t.Fatalf("order %v, want %v", objects(got), ids)
	}
	// A gap that never fills: another process (here a second ledger and
	// channel over the same database) writes an event this broker never
	// hears of. The next event is held for gapWait, then the stream reads
	// the table and gets both, in order.
	led2 := ledger.New(db)
	ch2, err := New(db, led2, w.Talks, Options{MasterKey: w.key, AttachmentDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch2.Close)
	other, err := ch2.Send(context.Background(), w.head("gov"), w.Round.ID, NewMessage{Body: "from another process"})
	if err != nil {
		t.Fatal(err)
	}
	m4 := w.send(t, "gov", NewMessage{Body: "m4"})
	got = st.waitFor(t, 5)
	if !slices.Equal(objects(got[3:]), []string{other.ID, m4.ID}) {
		t.Fatalf("after the gap %v, want %v", objects(got[3:]), []string{other.ID, m4.ID})
	}
}

type captureOnly struct{}

func (captureOnly) Published([]ledger.Event) {}
