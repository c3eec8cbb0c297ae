package channel

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// stateWorld is a round with one item of every kind the channel stores: a
// message to the mediation with an attachment, a relay shown to its origin,
// a shared internal note, a plenary message and a statement.
type stateWorld struct {
	*world
	msg, relay, note, plenary Message
	stmt                      Statement
}

func newStateWorld(t *testing.T, db *store.DB) *stateWorld {
	t.Helper()
	ctx := context.Background()
	w := &stateWorld{world: newWorld(t, db)}
	signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/state")
	if err != nil {
		t.Fatal(err)
	}
	w.Ledger.SetKey(signer, vkey)
	w.msg = w.send(t, "opp", NewMessage{Body: "our list", Attachments: []Upload{
		{Name: "list.txt", DeclaredType: "text/plain", Data: []byte("names on the list")},
	}})
	if w.relay, err = w.ch.Relay(ctx, w.head("med"), w.msg.ID, RelayInput{To: []string{w.Gov.ID}, Body: "their list"}); err != nil {
		t.Fatal(err)
	}
	w.note = w.send(t, "gov", NewMessage{To: []string{"internal"}, Body: "our fallback"})
	if _, err := w.ch.Share(ctx, w.head("gov"), w.note.ID, []string{w.Guarantor.ID}); err != nil {
		t.Fatal(err)
	}
	w.plenary = w.send(t, "med", NewMessage{To: []string{"plenary"}, Body: "welcome"})
	if w.stmt, err = w.ch.CreateStatement(ctx, w.head("gov"), NewStatement{Title: "On the list", Body: "We agree."}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *stateWorld) verify(t *testing.T, db *store.DB, master []byte) ledger.Report {
	t.Helper()
	kinds, err := ItemKinds(master, w.dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.Verify(context.Background(), db, w.Ledger.VerifierKey(), kinds...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// flipByte changes the last byte of a sealed column.
func flipByte(t *testing.T, db *store.DB, table, col, id string) {
	t.Helper()
	var b []byte
	if err := db.R.QueryRow("SELECT "+col+" FROM "+table+" WHERE id = $1", id).Scan(&b); err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	storetest.Exec(t, db, "UPDATE "+table+" SET "+col+" = $1 WHERE id = $2", b, id)
}

// TestVerifyChecksState: parley verify checks each channel item's audience
// rows against the events that created and widened it, and with the master
// key its content against the creating event's content hash; it names the
// first bad item and its event.
func TestVerifyChecksState(t *testing.T) {
	cases := []struct {
		name    string
		content bool // needs the master key to be seen
		do      func(t *testing.T, w *stateWorld, db *store.DB) (item string, idx int64)
	}{
		{"a message's audience gains an organisation", false, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", w.msg.ID, w.Observer.ID)
			return "message " + w.msg.ID, w.msg.LedgerIndex
		}},
		{"a relay's audience gains the hidden origin", false, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", w.relay.ID, w.Observer.ID)
			return "message " + w.relay.ID, w.relay.LedgerIndex
		}},
		{"a shared note's audience gains another organisation", false, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", w.note.ID, w.Opp.ID)
			return "message " + w.note.ID, w.note.LedgerIndex
		}},
		{"a statement's draft audience gains an organisation", false, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", w.stmt.ID, w.Opp.ID)
			return "statement " + w.stmt.ID, w.stmt.LedgerIndex
		}},
		{"a message's ciphertext changes", true, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			flipByte(t, db, "messages", "body_enc", w.plenary.ID)
			return "message " + w.plenary.ID, w.plenary.LedgerIndex
		}},
		{"a message's sealed body is swapped for another's", true, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "UPDATE messages SET body_enc = (SELECT body_enc FROM messages WHERE id = $1) WHERE id = $2", w.plenary.ID, w.note.ID)
			return "message " + w.note.ID, w.note.LedgerIndex
		}},
		{"a message's recipients change", true, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "UPDATE messages SET recipients = $1 WHERE id = $2", w.Opp.ID, w.relay.ID)
			return "message " + w.relay.ID, w.relay.LedgerIndex
		}},
		{"an attachment file changes", true, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			path := filepath.Join(w.dir, w.msg.Attachments[0].ID)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-1] ^= 1
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return "message " + w.msg.ID, w.msg.LedgerIndex
		}},
		{"an attachment row's size changes", true, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "UPDATE attachments SET size = size + 1 WHERE id = $1", w.msg.Attachments[0].ID)
			return "message " + w.msg.ID, w.msg.LedgerIndex
		}},
		{"a statement's text changes", true, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			flipByte(t, db, "statements", "body_enc", w.stmt.ID)
			return "statement " + w.stmt.ID, w.stmt.LedgerIndex
		}},
		{"a statement's embargo changes", true, func(t *testing.T, w *stateWorld, db *store.DB) (string, int64) {
			storetest.Exec(t, db, "UPDATE statements SET embargo_until = $1 WHERE id = $2", store.Stamp(time.Now().Add(time.Hour)), w.stmt.ID)
			return "statement " + w.stmt.ID, w.stmt.LedgerIndex
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				w := newStateWorld(t, db)
				if rep := w.verify(t, db, w.key); !rep.OK() || rep.Items != 5 {
					t.Fatalf("before the change:\n%s", rep.String())
				}
				item, idx := tc.do(t, w, db)
				rep := w.verify(t, db, w.key)
				if rep.OK() || rep.FirstBadItem != item || rep.FirstBad != idx || !strings.Contains(rep.String(), item) {
					t.Fatalf("after the change: first bad item %q at %d, want %q at %d\n%s", rep.FirstBadItem, rep.FirstBad, item, idx, rep.String())
				}
				// Without the master key only the audiences are checked.
				if rep := w.verify(t, db, nil); rep.OK() == !tc.content {
					t.Fatalf("without the master key: OK %v, want %v\n%s", rep.OK(), tc.content, rep.String())
				}
			})
		})
	}
}
