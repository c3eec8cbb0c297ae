package api_test

import (
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
