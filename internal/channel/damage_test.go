package channel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestDamagedItemsIsolated: a message or statement whose sealed content no
// longer opens is shown as damaged, with its id and event index and no
// content; the rest of the list is served, and the damage is reported
// once.
func TestDamagedItemsIsolated(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		var mu sync.Mutex
		reported := map[string]int{}
		done := make(chan struct{}, 16)
		w.ch.OnDamage(func(_ context.Context, d Damage) {
			mu.Lock()
			reported[d.Kind+" "+d.ID]++
			mu.Unlock()
			done <- struct{}{}
		})
		first := w.send(t, "med", NewMessage{To: []string{"plenary"}, Body: "first"})
		bad := w.send(t, "med", NewMessage{To: []string{"plenary"}, Body: "second", Attachments: []Upload{
			{Name: "notes.txt", DeclaredType: "text/plain", Data: []byte("notes")}}})
		w.send(t, "med", NewMessage{To: []string{"plenary"}, Body: "third"})
		stmt, err := w.ch.CreateStatement(ctx, w.head("gov"), NewStatement{Title: "T", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		storetest.Exec(t, db, "UPDATE messages SET body_enc = (SELECT body_enc FROM messages WHERE id = $1) WHERE id = $2", first.ID, bad.ID)
		storetest.Exec(t, db, "UPDATE attachments SET name_enc = $1 WHERE id = $2", []byte("not sealed at all, far too short?"), bad.Attachments[0].ID)
		flipByte(t, db, "statements", "title_enc", stmt.ID)

		for range 2 { // the second read reports nothing new
			list, err := w.ch.List(ctx, w.head("opp"), w.Round.ID, ListFilter{After: -1})
			if err != nil {
				t.Fatalf("list with a damaged message: %v", err)
			}
			if len(list) != 3 || list[0].Body != "first" || list[2].Body != "third" || list[0].Damaged || list[2].Damaged {
				t.Fatalf("list: %+v", list)
			}
			m := list[1]
			if !m.Damaged || m.Body != "" || m.ID != bad.ID || m.LedgerIndex != bad.LedgerIndex {
				t.Fatalf("damaged message shown as %+v", m)
			}
			if len(m.Attachments) != 1 || !m.Attachments[0].Damaged || m.Attachments[0].Name != "" {
				t.Fatalf("damaged attachment shown as %+v", m.Attachments)
			}
		}
		if m, err := w.ch.Get(ctx, w.head("opp"), bad.ID); err != nil || !m.Damaged {
			t.Fatalf("get a damaged message: %+v, %v", m, err)
		}
		if _, err := w.ch.Relay(ctx, w.head("med"), bad.ID, RelayInput{To: []string{w.Gov.ID}}); err == nil {
			t.Fatal("relayed a damaged message")
		}
		drafts, err := w.ch.StatementDrafts(ctx, w.head("gov"), 10)
		if err != nil || len(drafts) != 1 || !drafts[0].Damaged || drafts[0].Title != "" || drafts[0].Body != "" {
			t.Fatalf("damaged statement: %+v, %v", drafts, err)
		}
		for range 3 {
			<-done
		}
		mu.Lock()
		defer mu.Unlock()
		want := map[string]int{"message " + bad.ID: 1, "attachment " + bad.Attachments[0].ID: 1, "statement " + stmt.ID: 1}
		for k, n := range want {
			if reported[k] != n {
				t.Errorf("reported %v, want %v", reported, want)
				break
			}
		}
	})
}

// TestDamagedAttachmentDownload: an attachment whose file was changed,
// replaced by another's or removed answers damaged, naming the attachment
// and its message's event, and is reported once; a reader of nothing still
// gets not_found.
func TestDamagedAttachmentDownload(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		var mu sync.Mutex
		reported := map[string]Damage{}
		w.ch.OnDamage(func(_ context.Context, d Damage) {
			mu.Lock()
			reported[d.ID] = d
			mu.Unlock()
		})
		upload := func(body string) Message {
			return w.send(t, "med", NewMessage{To: []string{"plenary"}, Body: body, Attachments: []Upload{
				{Name: "notes.txt", DeclaredType: "text/plain", Data: []byte("notes for " + body)}}})
		}
		good, flipped, swapped, removed := upload("good"), upload("flipped"), upload("swapped"), upload("removed")
		file := func(m Message) string { return filepath.Join(w.dir, m.Attachments[0].ID) }
		b, err := os.ReadFile(file(flipped))
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-1] ^= 1
		if err := os.WriteFile(file(flipped), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err = os.ReadFile(file(good)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file(swapped), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(file(removed)); err != nil {
			t.Fatal(err)
		}
		if _, data, err := w.ch.OpenAttachment(ctx, w.head("opp"), good.Attachments[0].ID); err != nil || string(data) != "notes for good" {
			t.Fatalf("the good attachment: %q, %v", data, err)
		}
		for _, m := range []Message{flipped, swapped, removed} {
			id := m.Attachments[0].ID
			for range 2 {
				_, data, err := w.ch.OpenAttachment(ctx, w.head("opp"), id)
				e, ok := errs.As(err)
				if !ok || e.Code != errs.Damaged || data != nil || !strings.Contains(e.Message, id) ||
					!strings.Contains(e.Message, fmt.Sprintf("ledger event %d", m.LedgerIndex)) {
					t.Fatalf("download of a damaged attachment (%s): %q, %v", m.Body, data, err)
				}
				var d Damage
				if !errors.As(err, &d) || d.ID != id || d.LedgerIndex != m.LedgerIndex {
					t.Fatalf("the error does not carry the damage: %+v", d)
				}
			}
			if _, _, err := w.ch.OpenAttachment(ctx, w.head("outsider"), id); errs.Code(err) != errs.NotFound {
				t.Fatalf("an outsider asking for a damaged attachment: %v", err)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			n := len(reported)
			mu.Unlock()
			if n == 3 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, m := range []Message{flipped, swapped, removed} {
			if d := reported[m.Attachments[0].ID]; d.Kind != "attachment" || d.LedgerIndex != m.LedgerIndex {
				t.Errorf("%s: reported %+v", m.Body, d)
			}
		}
		if len(reported) != 3 {
			t.Errorf("reported %v, want the three damaged attachments", reported)
		}
	})
}
