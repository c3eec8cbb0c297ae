package web

import (
	"context"
	"fmt"
	"html"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/i18n"
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
		// The search page shows it the same way.
		search := f.loggedIn(t, "opp.head", "en").get("/search?q=second")
		if search.status != 200 || !strings.Contains(search.body, `class="message-body damaged"`) || strings.Contains(search.body, "the second item") {
			t.Fatalf("search with a damaged message: %d\n%s", search.status, search.body)
		}
		// A damaged statement on the statements desk.
		st, err := ch.CreateStatement(ctx, talkstest.Head(f.Gov), channel.NewStatement{Title: "On the agenda", Body: "We agree."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec("UPDATE statements SET title_enc = body_enc WHERE id = $1", st.ID); err != nil {
			t.Fatal(err)
		}
		desk := f.loggedIn(t, "gov.head", "en").get("/statements/desk")
		if desk.status != 200 || !strings.Contains(desk.body, `class="statement-body damaged"`) || !strings.Contains(desk.body, st.ID) {
			t.Fatalf("statements desk with a damaged statement: %d\n%s", desk.status, desk.body)
		}
		// An attachment whose file no longer matches its checksum: the
		// download is the damaged page, naming it and its event.
		withFile, err := ch.Send(ctx, med, f.Round.ID, channel.NewMessage{To: []string{"plenary"}, Body: "the map",
			Attachments: []channel.Upload{{Name: "map.txt", DeclaredType: "text/plain", Data: []byte("the lines")}}})
		if err != nil {
			t.Fatal(err)
		}
		att := withFile.Attachments[0].ID
		if _, err := db.W.Exec("UPDATE attachments SET sha256 = $1 WHERE id = $2", make([]byte, 32), att); err != nil {
			t.Fatal(err)
		}
		dl := f.loggedIn(t, "opp.head", "en").get("/attachments/" + att)
		if dl.status != 410 || !strings.Contains(dl.body, att) || !strings.Contains(dl.body, fmt.Sprint(withFile.LedgerIndex)) {
			t.Fatalf("download of a damaged attachment: %d\n%s", dl.status, dl.body)
		}
	})
}

// TestStorageFailurePages: a full disk and a lost database have their own
// error pages, in every language, and the 503 says when to retry.
func TestStorageFailurePages(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		err    error
		status int
		key    string
	}{
		{"disk full", fmt.Errorf("store attachment: %w", &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}), 507, "error.storage_full"},
		{"database gone", fmt.Errorf("send: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}), 503, "error.database_unavailable"},
		{"ledger halted", &errs.Error{Code: errs.ReadOnly, Message: "halted"}, 503, "error.read_only"},
	} {
		for _, lang := range i18n.Languages {
			t.Run(tc.name+"/"+lang.Tag, func(t *testing.T) {
				r := httptest.NewRequest("POST", "/rounds/x/messages", nil)
				r.Header.Set("Accept-Language", lang.Tag)
				rec := httptest.NewRecorder()
				f.web.fail(rec, r, tc.err)
				l := f.web.cat.Localizer(lang.Tag)
				body := rec.Body.String()
				if rec.Code != tc.status || !strings.Contains(body, html.EscapeString(l.T(tc.key))) ||
					!strings.Contains(body, html.EscapeString(l.T(fmt.Sprintf("error.title.%d", tc.status)))) {
					t.Fatalf("%s page: %d\n%s", tc.name, rec.Code, body)
				}
				if (tc.status == 503) != (rec.Header().Get("Retry-After") != "") {
					t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
				}
			})
		}
	}
}
