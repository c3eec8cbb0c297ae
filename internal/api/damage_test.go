package api_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/api"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestListWithDamagedMessage: one message whose sealed body no longer
// opens is listed as damaged (id, ledger index, no body); the list answers
// 200 with the others intact.
func TestListWithDamagedMessage(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newChanWorld(t, db)
		path := "/api/v1/rounds/" + w.round + "/messages"
		var sent [2]api.MessageJSON
		for i, body := range []string{"the agenda", "the second item"} {
			res := w.do(t, "mediator", "POST", path, map[string]any{"to": []string{"plenary"}, "body": body})
			if res.status != 201 {
				t.Fatalf("send: %d %s", res.status, res.body)
			}
			res.decode(t, &sent[i])
		}
		if _, err := db.W.Exec("UPDATE messages SET body_enc = (SELECT body_enc FROM messages WHERE id = $1) WHERE id = $2", sent[0].ID, sent[1].ID); err != nil {
			t.Fatal(err)
		}
		res := w.do(t, "opp.head", "GET", path, nil)
		if res.status != 200 {
			t.Fatalf("list with a damaged message: %d %s", res.status, res.body)
		}
		var list struct {
			Messages []api.MessageJSON `json:"messages"`
		}
		res.decode(t, &list)
		if len(list.Messages) != 2 || list.Messages[0].Body != "the agenda" || list.Messages[0].Damaged {
			t.Fatalf("list: %+v", list.Messages)
		}
		if m := list.Messages[1]; !m.Damaged || m.Body != "" || m.ID != sent[1].ID || m.LedgerIndex != sent[1].LedgerIndex {
			t.Fatalf("damaged message listed as %+v", m)
		}
	})
}

// TestDamagedAttachmentAnswersDamaged: the download of an attachment whose
// file no longer opens answers 410 damaged, naming the attachment and its
// event, not 500 internal; the message around it is still served.
func TestDamagedAttachmentAnswersDamaged(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newChanWorld(t, db)
		res := w.multipartMessage(t, "mediator", []string{"plenary"}, "the map", file{"map.txt", "text/plain", []byte("the lines")})
		if res.status != 201 {
			t.Fatalf("send: %d %s", res.status, res.body)
		}
		var m api.MessageJSON
		res.decode(t, &m)
		id := m.Attachments[0].ID
		if err := os.WriteFile(filepath.Join(w.dir, id), []byte("not what was sealed"), 0o600); err != nil {
			t.Fatal(err)
		}
		dl := w.do(t, "opp.head", "GET", "/api/v1/attachments/"+id, nil)
		var e struct {
			Error struct{ Code, Message string }
		}
		dl.decode(t, &e)
		if dl.status != 410 || e.Error.Code != "damaged" || !strings.Contains(e.Error.Message, id) ||
			!strings.Contains(e.Error.Message, fmt.Sprintf("ledger event %d", m.LedgerIndex)) {
			t.Fatalf("download of a damaged attachment: %d %s", dl.status, dl.body)
		}
		if one := w.do(t, "opp.head", "GET", "/api/v1/messages/"+m.ID, nil); one.status != 200 {
			t.Fatalf("the message of a damaged attachment: %d %s", one.status, one.body)
		}
	})
}

// TestSQLiteFileRemovedAnswersUnavailable: a send after the SQLite file was
// removed under the server answers 503 database_unavailable with
// Retry-After, instead of being acknowledged into an unlinked file.
func TestSQLiteFileRemovedAnswersUnavailable(t *testing.T) {
	db := storetest.SQLite(t)
	w := newChanWorld(t, db)
	path := "/api/v1/rounds/" + w.round + "/messages"
	if res := w.do(t, "mediator", "POST", path, map[string]any{"to": []string{"plenary"}, "body": "before"}); res.status != 201 {
		t.Fatalf("send: %d %s", res.status, res.body)
	}
	if err := os.Remove(db.Path); err != nil {
		t.Fatal(err)
	}
	res := w.do(t, "mediator", "POST", path, map[string]any{"to": []string{"plenary"}, "body": "after"})
	if res.status != 503 || res.header.Get("Retry-After") == "" || !strings.Contains(string(res.body), `"database_unavailable"`) {
		t.Fatalf("send after the database file was removed: %d %q %s", res.status, res.header.Get("Retry-After"), res.body)
	}
}
