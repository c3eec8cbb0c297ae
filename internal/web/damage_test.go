package web

import (
	"context"
	"strings"
	"testing"

	"parley/internal/channel"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestConversationShowsDamagedMessage: a message whose sealed body no
// longer opens is shown as damaged, with its id and event index, and the
// rest of the conversation is served.
func TestConversationShowsDamagedMessage(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixtureOn(t, db)
		ch := withChannel(t, f)
		ctx := context.Background()
		med := talkstest.Head(f.Mediation)
		good, err := ch.Send(ctx, med, f.Round.ID, channel.NewMessage{To: []string{"plenary"}, Body: "the agenda for today"})
		if err != nil {
			t.Fatal(err)
		}
		bad, err := ch.Send(ctx, med, f.Round.ID, channel.NewMessage{To: []string{"plenary"}, Body: "the second item"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec("UPDATE messages SET body_enc = (SELECT body_enc FROM messages WHERE id = $1) WHERE id = $2", good.ID, bad.ID); err != nil {
			t.Fatal(err)
		}
		page := f.loggedIn(t, "opp.head", "en").get("/rounds/" + f.Round.ID + "/conversation")
		if page.status != 200 {
			t.Fatalf("conversation with a damaged message: %d\n%s", page.status, page.body)
		}
		if !strings.Contains(page.body, "the agenda for today") || strings.Contains(page.body, "the second item") {
			t.Fatal("the conversation lost the good message or shows the damaged one's text")
		}
		if !strings.Contains(page.body, `class="message-body damaged"`) || !strings.Contains(page.body, bad.ID) {
			t.Fatalf("no damage notice naming %s:\n%s", bad.ID, page.body)
		}
	})
}
