package channel

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
)

// twoProcesses opens one fresh PostgreSQL schema twice, as two parley
// processes would: a (the fixture's world, which writes) and b, a channel
// with its own pool, ledger and talks service, whose streams hear of a's
// events only through the listener.
func twoProcesses(t *testing.T) (a, b *world, dsn string, bLog logLines) {
	t.Helper()
	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL suite", storetest.EnvPostgres)
		}
		t.Skipf("%s is not set", storetest.EnvPostgres)
	}
	dsn = storetest.PostgresDSN(t, base)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a = newWorld(t, open())
	dbB := open()
	ledB := ledger.New(dbB)
	bLog = make(logLines, 100)
	chB, err := New(dbB, ledB, talks.New(dbB, ledB), Options{MasterKey: a.key, AttachmentDir: t.TempDir(),
		Log: slog.New(slog.NewTextHandler(bLog, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(chB.Close)
	b = &world{Fixture: a.Fixture, ch: chB, key: a.key}
	return a, b, dsn, bLog
}

// logLines collects a service's log lines, dropping them once it is full.
type logLines chan string

func (c logLines) Write(p []byte) (int, error) {
	select {
	case c <- string(p):
	default:
	}
	return len(p), nil
}

// waitFor polls cond until it holds, for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listening waits until w's listener has had n sessions (connections that
// reached LISTEN) and returns its backend's pid.
func listening(t *testing.T, w *world, n int64) uint32 {
	t.Helper()
	l := w.ch.listen
	waitFor(t, "the listener's session "+strconv.FormatInt(n, 10), func() bool {
		return l.pid.Load() != 0 && l.sessions.Load() >= n
	})
	return l.pid.Load()
}

// holdBack makes w's listener connect only when the returned channel is
// sent a token, one per connection. Call it before w opens a stream.
func holdBack(w *world) chan<- struct{} {
	tokens := make(chan struct{}, 1)
	connect := w.ch.listen.connect
	w.ch.listen.connect = func(ctx context.Context) (*pgx.Conn, error) {
		select {
		case <-tokens:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return connect(ctx)
	}
	return tokens
}

// plenary sends a message every organisation of the round reads, to close
// a sequence: the streams are in index order, so anything delivered twice,
// or to an organisation outside an audience, shows before it.
func plenary(t *testing.T, by *world) string {
	t.Helper()
	return by.send(t, "host", NewMessage{To: []string{"plenary"}, Body: "plenary"}).ID
}

// exactly checks that st delivered want, in order, and nothing else before
// want's last event.
func exactly(t *testing.T, st *stream, want ...string) {
	t.Helper()
	if got := objects(st.waitFor(t, len(want))); !slices.Equal(got, want) {
		t.Fatalf("stream delivered %v, want %v", got, want)
	}
}

// TestListenAcrossProcesses: a message sent through one process reaches
// the live streams of another, only those of organisations in its
// audience, once each, with nothing lost when the listener's connection is
// cut.
func TestListenAcrossProcesses(t *testing.T) {
	a, b, dsn, bLog := twoProcesses(t)
	reconnect := holdBack(b)
	reconnect <- struct{}{}
	gov := openStream(t, b, "gov", "")
	med := openStream(t, b, "med", "")
	opp := openStream(t, b, "opp", "")
	pid := listening(t, b, 1)

	// Written by a, which b never hears of from its own ledger.
	var toMed []string
	for i := range 3 {
		m := a.send(t, "gov", NewMessage{Body: "to the mediation " + strconv.Itoa(i)})
		toMed = append(toMed, m.ID)
	}
	got := gov.waitFor(t, len(toMed))
	if !slices.Equal(objects(got), toMed) {
		t.Fatalf("b's government stream %v, want %v", objects(got), toMed)
	}
	for _, e := range got {
		if e.Message == nil || e.Message.ID != e.ObjectID || e.Message.Body == "" {
			t.Fatalf("event %d carries no readable message: %+v", e.Index, e)
		}
	}

	// Both processes write, interleaved: b's own events reach its broker
	// from its ledger and again from the listener, and are delivered once.
	for i := range 6 {
		w := a
		if i%2 == 1 {
			w = b
		}
		m := w.send(t, "gov", NewMessage{Body: "interleaved " + strconv.Itoa(i)})
		toMed = append(toMed, m.ID)
	}

	// Cut the listener's connection and write while it is held back from
	// reconnecting: those events reach b only through the listener reading
	// the table once it is back, since their notifications went to nobody.
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var cut bool
	if err := admin.QueryRow("SELECT pg_terminate_backend($1)", int64(pid)).Scan(&cut); err != nil || !cut {
		t.Fatalf("terminate the listener's backend %d: %v, %v", pid, cut, err)
	}
	waitFor(t, "the listener to notice", func() bool { return b.ch.listen.pid.Load() == 0 })
	for i := range 4 {
		m := a.send(t, "gov", NewMessage{Body: "while cut " + strconv.Itoa(i)})
		toMed = append(toMed, m.ID)
	}
	reconnect <- struct{}{}
	if again := listening(t, b, 2); again == pid {
		t.Fatalf("listener still on backend %d", pid)
	}
	gov.waitFor(t, len(toMed))
	med.waitFor(t, len(toMed))
	var logged string
	for len(bLog) > 0 {
		logged += <-bLog
	}
	if strings.Count(logged, "level=INFO msg=\"live stream: listening") != 2 || !strings.Contains(logged, "level=WARN msg=\"live stream: not listening") {
		t.Errorf("b's log does not tell of the listener's two connections and the failure between them:\n%s", logged)
	}
	m := a.send(t, "gov", NewMessage{Body: "after the reconnection"})
	toMed = append(toMed, m.ID)

	end := plenary(t, a)
	exactly(t, gov, append(toMed, end)...)
	exactly(t, med, append(toMed, end)...)
	// The opposition is outside every one of them.
	exactly(t, opp, end)
}

// TestListenBacklog: a transaction of more events than the listener reads
// at once moves the other process's broker to the table's end, and its
// streams read the events from the table, in order, within their audience.
func TestListenBacklog(t *testing.T) {
	a, b, _, _ := twoProcesses(t)
	gov := openStream(t, b, "gov", "")
	opp := openStream(t, b, "opp", "")
	listening(t, b, 1)
	n := listenBatch + 20
	var ids []string
	err := a.Ledger.Write(context.Background(), func(_ *sql.Tx, rec *ledger.Recorder) error {
		for i := range n {
			e, err := rec.Append(context.Background(), ledger.Event{Type: "test.tick", Actor: access.System,
				Round: a.Round.ID, ObjectType: "tick", ObjectID: strconv.Itoa(i), Audience: access.Of(a.Gov.ID, a.Mediation.ID)})
			if err != nil {
				return err
			}
			ids = append(ids, e.ObjectID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// All of them, with no later write to wake the listener again.
	gov.waitFor(t, n)
	end := plenary(t, a)
	exactly(t, gov, append(ids, end)...)
	exactly(t, opp, end)
}

// TestListenStops: the listener ends, closing its connection, when the
// service closes, and when the database closes under a service never
// closed.
func TestListenStops(t *testing.T) {
	a, b, dsn, _ := twoProcesses(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	gone := func(pid uint32) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			var n int
			if err := admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", int64(pid)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("backend %d still connected", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	st := openStream(t, b, "gov", "")
	pid := listening(t, b, 1)
	b.ch.Close()
	gone(pid)
	st.close()

	openStream(t, a, "gov", "")
	pid = listening(t, a, 1)
	a.DB.Close()
	<-a.ch.listen.done
	gone(pid)
}
