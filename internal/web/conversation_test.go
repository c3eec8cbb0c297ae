package web

import (
	"bufio"
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/channel"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// withChannel gives the fixture's pages the channel.
func withChannel(t *testing.T, f *fixture) *channel.Service {
	t.Helper()
	dir := t.TempDir()
	key, err := channel.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := channel.New(f.DB, f.Ledger, f.Talks, channel.Options{MasterKey: key, AttachmentDir: filepath.Join(dir, "attachments")})
	if err != nil {
		t.Fatal(err)
	}
	f.web.channel = ch
	return ch
}

// section returns the HTML of the page's message group.
func section(body, group string) string {
	i := strings.Index(body, `id="group-`+group+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

func TestConversationPages(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixtureOn(t, db)
		ch := withChannel(t, f)
		round := f.Round.ID
		conv := "/rounds/" + round + "/conversation"

		opp := f.loggedIn(t, "opp.head", "en")
		page := opp.get(conv)
		if page.status != 200 {
			t.Fatalf("conversation: %d\n%s", page.status, page.body)
		}
		for _, want := range []string{`value="mediation" checked`, `value="internal"`, `value="plenary"`, `id="direct-closed-` + f.Gov.ID + `"`, "htmx-ext-sse", `sse-connect="/rounds/` + round + `/events?after=-1"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("opposition's page lacks %s", want)
			}
		}
		if strings.Contains(page.body, `value="`+f.Gov.ID+`"`) {
			t.Errorf("the compose box offers direct talks without consent")
		}
		// Direct without consent: refused, pointing to the mediation.
		refused := opp.post("/rounds/"+round+"/messages", url.Values{"to": {f.Gov.ID}, "body": {"direct please"}})
		if refused.status != http.StatusConflict || !strings.Contains(refused.body, "mediation") {
			t.Errorf("direct without consent: %d", refused.status)
		}
		sent := opp.post("/rounds/"+round+"/messages", url.Values{"to": {"mediation"}, "body": {"Our proposal on list B"}})
		if sent.status != http.StatusSeeOther || sent.location != conv {
			t.Fatalf("send: %d %s", sent.status, sent.location)
		}
		if empty := opp.post("/rounds/"+round+"/messages", url.Values{"to": {"mediation"}, "body": {" "}}); empty.status != 400 {
			t.Errorf("empty body: %d", empty.status)
		}
		msgs, err := ch.List(context.Background(), talkstest.Head(f.Opp), round, channel.ListFilter{After: -1})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("messages %v %v", msgs, err)
		}
		orig := msgs[0]

		// The government opens its live stream before the relay.
		gov := f.loggedIn(t, "gov.head", "en")
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/rounds/"+round+"/events", nil)
		req.AddCookie(gov.cookie)
		resp, err := f.srv.Client().Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("page stream: %v %v", err, resp)
		}
		defer resp.Body.Close()

		med := f.loggedIn(t, "mediator", "en")
		mp := med.get(conv)
		if !strings.Contains(section(mp.body, "mediation"), "Our proposal on list B") || !strings.Contains(mp.body, `action="/messages/`+orig.ID+`/relay"`) {
			t.Fatalf("mediation's page lacks the message or its relay form")
		}
		relayed := med.post("/messages/"+orig.ID+"/relay", url.Values{"to": {f.Gov.ID}, "body": {"One side proposes list B"}, "show_origin": {"yes"}})
		if relayed.status != http.StatusSeeOther {
			t.Fatalf("relay: %d\n%s", relayed.status, relayed.body)
		}
		// The relay arrives live, as the relayed group's list item, with
		// no author party shown.
		sc := bufio.NewScanner(resp.Body)
		var event, data string
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "event: ") {
				event = line[7:]
			}
			if strings.HasPrefix(line, "data: ") {
				data += line[6:] + "\n"
			}
			if line == "" && event != "" {
				break
			}
		}
		if event != "msg-relayed" || !strings.Contains(data, "One side proposes list B") || !strings.Contains(data, "relayed by the mediation") {
			t.Errorf("live event %q: %s", event, data)
		}
		if strings.Contains(data, f.Opp.Name) {
			t.Errorf("the live relay names the opposition: %s", data)
		}
		gp := gov.get(conv)
		if !strings.Contains(section(gp.body, "relayed"), "One side proposes list B") || strings.Contains(gp.body, "Our proposal on list B") || strings.Contains(section(gp.body, "relayed"), f.Opp.Name) {
			t.Errorf("government's page:\n%s", section(gp.body, "relayed"))
		}
		obs := f.loggedIn(t, "observer.us", "en").get(conv)
		if strings.Contains(obs.body, "list B") {
			t.Errorf("the observer sees the messages")
		}
		if out := f.loggedIn(t, "outsider.head", "en").get(conv); out.status != 404 {
			t.Errorf("outsider: %d", out.status)
		}

		// Search: the Arabic and English folding, and only what one reads.
		if p := opp.get("/search?q=" + url.QueryEscape("PROPOSAL list")); p.status != 200 || !strings.Contains(p.body, "Our proposal on list B") {
			t.Errorf("opposition's search: %d", p.status)
		}
		if p := gov.get("/search?q=proposal"); strings.Contains(p.body, "Our proposal on list B") {
			t.Errorf("the government finds the opposition's message")
		}
		if p := gov.get("/search?q=" + url.QueryEscape(",;")); p.status != 400 {
			t.Errorf("empty search: %d", p.status)
		}

		// Statements: public page and feed, no login.
		st, err := ch.CreateStatement(context.Background(), talkstest.Head(f.Host), channel.NewStatement{Title: "Closing communiqué", Body: "The round ends."})
		if err != nil {
			t.Fatal(err)
		}
		anon := f.browser(t, "en")
		if p := anon.get("/statements"); strings.Contains(p.body, "Closing communiqué") {
			t.Errorf("draft on the public page")
		}
		if _, err := ch.ReleaseStatement(context.Background(), talkstest.Head(f.Host), st.ID); err != nil {
			t.Fatal(err)
		}
		if p := anon.get("/statements"); p.status != 200 || !strings.Contains(p.body, "Closing communiqué") {
			t.Errorf("public page: %d", p.status)
		}
		feed := anon.get("/statements.atom")
		var parsed struct {
			Entries []struct {
				Title string `xml:"title"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(feed.body), &parsed); err != nil || len(parsed.Entries) != 1 || parsed.Entries[0].Title != "Closing communiqué" {
			t.Errorf("feed %v: %s", err, feed.body)
		}
	})
}

// TestConversationShare: a party shares its own note from the page; the
// guarantor it chose then reads it on its page and nobody else does; a
// share the rules refuse shows the page again with the reason, next to
// the form, and widens nothing.
func TestConversationShare(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixtureOn(t, db)
		ch := withChannel(t, f)
		conv := "/rounds/" + f.Round.ID + "/conversation"
		note, err := ch.Send(context.Background(), talkstest.Head(f.Gov), f.Round.ID, channel.NewMessage{To: []string{"internal"}, Body: "Our fallback on the convoy route"})
		if err != nil {
			t.Fatal(err)
		}
		gov := f.loggedIn(t, "gov.head", "en")
		if p := gov.get(conv); !strings.Contains(p.body, `id="share-form-`+note.ID+`"`) || !strings.Contains(p.body, `id="share-`+note.ID+`-with-`+f.Guarantor.ID+`"`) {
			t.Fatalf("the government's page has no share form for its note")
		}
		if p := f.loggedIn(t, "opp.head", "en").get(conv); strings.Contains(p.body, "share-form-") {
			t.Errorf("the opposition is offered to share messages it did not write")
		}
		// Sharing with the other party without consent: refused, explained,
		// the form open with the choice kept.
		refused := gov.post("/messages/"+note.ID+"/share", url.Values{"with": {f.Opp.ID}})
		if refused.status != http.StatusConflict || !strings.Contains(refused.body, "consented to direct talks") ||
			!strings.Contains(refused.body, `<details class="share" open>`) {
			t.Errorf("share without consent: %d", refused.status)
		}
		if p := f.loggedIn(t, "opp.head", "en").get(conv); strings.Contains(p.body, "convoy route") {
			t.Errorf("a refused share reached the opposition")
		}
		shared := gov.post("/messages/"+note.ID+"/share", url.Values{"with": {f.Guarantor.ID}})
		if shared.status != http.StatusSeeOther || shared.location != conv+"#m-"+note.ID {
			t.Fatalf("share: %d %q", shared.status, shared.location)
		}
		for user, reads := range map[string]bool{"guarantor.ru": true, "observer.us": false, "opp.head": false, "mediator": false, "gov.head": true} {
			if p := f.loggedIn(t, user, "en").get(conv); strings.Contains(p.body, "convoy route") != reads {
				t.Errorf("%s reads the shared note: %v, want %v", user, !reads, reads)
			}
		}
		if p := gov.get(conv); !strings.Contains(p.body, `<p class="shared-with">Shared with: <bdi>`+f.Guarantor.Name+`</bdi></p>`) {
			t.Errorf("the government's page does not say whom the note was shared with")
		}
		if p := f.loggedIn(t, "guarantor.ru", "en").get(conv); strings.Contains(p.body, `class="shared-with"`) {
			t.Errorf("the guarantor's page shows the share list")
		}
		// The guarantor reads it but did not write it.
		if p := f.loggedIn(t, "guarantor.ru", "en").post("/messages/"+note.ID+"/share", url.Values{"with": {f.Observer.ID}}); p.status != http.StatusForbidden {
			t.Errorf("the guarantor shares the government's note: %d", p.status)
		}
	})
}

// TestConversationRelayAttachment: the mediation's relay form offers the
// message's attachments; one ticked is passed on as a copy that the
// recipient downloads, while the original stays out of its reach.
func TestConversationRelayAttachment(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixtureOn(t, db)
		ch := withChannel(t, f)
		conv := "/rounds/" + f.Round.ID + "/conversation"
		src, err := ch.Send(context.Background(), talkstest.Head(f.Opp), f.Round.ID, channel.NewMessage{Body: "Our lists",
			Attachments: []channel.Upload{{Name: "detainees.txt", DeclaredType: "text/plain", Data: []byte("names")}}})
		if err != nil {
			t.Fatal(err)
		}
		att := src.Attachments[0].ID
		med := f.loggedIn(t, "mediator", "en")
		if p := med.get(conv); !strings.Contains(p.body, `id="relay-`+src.ID+`-att-`+att+`"`) {
			t.Fatalf("the relay form does not offer the attachment")
		}
		res := med.post("/messages/"+src.ID+"/relay", url.Values{"to": {f.Guarantor.ID}, "body": {"One side's lists"}, "attachment": {att}, "show_origin": {"yes"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("relay: %d\n%s", res.status, res.body)
		}
		guar := f.loggedIn(t, "guarantor.ru", "en")
		page := guar.get(conv)
		i := strings.Index(page.body, `href="/attachments/`)
		if i < 0 || !strings.Contains(page.body, "detainees.txt") {
			t.Fatalf("the guarantor's page shows no attachment")
		}
		copyID := page.body[i+len(`href="/attachments/`) : i+len(`href="/attachments/`)+32]
		if copyID == att {
			t.Fatalf("the relay links the original attachment")
		}
		if d := guar.get("/attachments/" + copyID); d.status != 200 || d.body != "names" {
			t.Errorf("download of the copy: %d %q", d.status, d.body)
		}
		if d := guar.get("/attachments/" + att); d.status != http.StatusNotFound {
			t.Errorf("the guarantor downloads the original: %d", d.status)
		}
	})
}
