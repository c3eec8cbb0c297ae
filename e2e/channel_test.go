package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chanClient is one demo user on the JSON API, logged in once: the login
// throttle counts attempts per address, so the story does not log in per
// request.
type chanClient struct {
	t     *testing.T
	base  string
	user  string
	token string
	org   string
}

// chanLogin logs username in through POST /api/v1/auth/login and reads its
// organisation from /api/v1/me.
func chanLogin(t *testing.T, base, username string) *chanClient {
	t.Helper()
	body := strings.NewReader(`{"username":"` + username + `","password":"` + demoPassword + `"}`)
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var l struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&l)
	resp.Body.Close()
	if l.Token == "" {
		t.Fatalf("API login %s: %d", username, resp.StatusCode)
	}
	c := &chanClient{t: t, base: base, user: username, token: l.Token}
	var me struct {
		Org struct{ ID string }
	}
	if status := c.json("GET", "/api/v1/me", nil, &me); status != http.StatusOK || me.Org.ID == "" {
		t.Fatalf("/api/v1/me for %s: %d", username, status)
	}
	c.org = me.Org.ID
	return c
}

// call sends one request with the bearer token and returns the status and
// body.
func (c *chanClient) call(method, p string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.base+p, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// json is call decoding a successful answer into out.
func (c *chanClient) json(method, p string, body, out any) int {
	c.t.Helper()
	status, b := c.call(method, p, body)
	if status < 300 && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s as %s: %v\n%s", method, p, c.user, err, b)
		}
	}
	return status
}

// apiMessage is the part of a message's JSON the story reads.
type apiMessage struct {
	ID          string
	Kind        string
	Body        string
	RelayedFrom string `json:"relayed_from"`
	From        struct{ ID, Name string }
	FromUser    string `json:"from_user"`
	Attachments []struct{ ID string }
}

// messages lists the round's messages the client reads.
func (c *chanClient) messages(roundID string) []apiMessage {
	c.t.Helper()
	var out struct{ Messages []apiMessage }
	if status := c.json("GET", "/api/v1/rounds/"+roundID+"/messages", nil, &out); status != http.StatusOK {
		c.t.Fatalf("list as %s: %d", c.user, status)
	}
	return out.Messages
}

// sseEvent is one event of the API's live stream, its data as sent.
type sseEvent struct {
	ID, Name, Data string
}

// openStream opens GET /api/v1/rounds/{id}/events for the client and
// returns its events as they arrive; the stream is registered when it
// returns (the server answers its headers after registering it).
func (c *chanClient) openStream(ctx context.Context, roundID string) <-chan sseEvent {
	c.t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/rounds/"+roundID+"/events", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		c.t.Fatalf("event stream as %s: %d", c.user, resp.StatusCode)
	}
	out := make(chan sseEvent, 256)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.ID != "" || e.Data != "" {
					out <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				e.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				e.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.Data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// waitLive waits, with a deadline, for sel to become visible on the page
// already open in ctx.
func waitLive(t *testing.T, ctx context.Context, sel string, within time.Duration) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(sel)); err != nil {
		t.Fatalf("%s did not appear within %s: %v", sel, within, err)
	}
}

// count is the number of elements matching sel on the page, without waiting.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return len(get(t, ctx, chromedp.Nodes(sel, chromedp.AtLeast(0))))
}

// markPage tags the page's window, so that stillSamePage can tell that a
// later change came live and not from a reload.
func markPage(t *testing.T, ctx context.Context) {
	t.Helper()
	if !get(t, ctx, chromedp.Evaluate[bool](`window.parleyStory = "open"; true`)) {
		t.Fatal("could not mark the page")
	}
}

func stillSamePage(t *testing.T, ctx context.Context) bool {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[bool](`window.parleyStory === "open"`))
}

// openConversation opens the demo round's conversation from its page.
func openConversation(t *testing.T, ctx context.Context) {
	t.Helper()
	openRound(t, ctx)
	do(t, ctx, chromedp.Click("#conversation-link"), chromedp.WaitVisible("#compose-form"))
}

// TestProximityTalksStory is issue 3's story through the browser: the
// opposition writes to the mediation with an attachment; the government
// reaches that message through none of the five paths; the mediation
// relays it without attribution and the government sees the relay arrive
// live on its open page, with no author party; the observer sees neither;
// a direct message is refused and pointed to the mediation until both
// parties consent, then goes through; the consent and a stance appear live
// on the government's open round page; a statement drafted and released on
// the opposition's statements desk, read before release by the mediation
// and not the government, is on the public page and the Atom feed.
func TestProximityTalksStory(t *testing.T) {
	base := startDemo(t)

	oppAPI := chanLogin(t, base, "opp.head")
	govAPI := chanLogin(t, base, "gov.head")
	medAPI := chanLogin(t, base, "mediator")
	obsAPI := chanLogin(t, base, "observer.us")
	govOrg := govAPI.org

	// The government has its conversation page open before anything is
	// sent, and an API stream too.
	gov := newBrowser(t)
	login(t, gov, base, "gov.head")
	openConversation(t, gov)
	roundURL := strings.TrimSuffix(get(t, gov, chromedp.Location()), "/conversation")
	roundID := path.Base(roundURL)
	conversation := roundURL + "/conversation"
	markPage(t, gov)
	streamCtx, stopStream := context.WithTimeout(context.Background(), 2*time.Minute)
	defer stopStream()
	govStream := govAPI.openStream(streamCtx, roundID)

	// 1. The opposition writes to the mediation through the page, with a
	// small text attachment.
	const word = "zabadani4711"
	body := "We can accept a ceasefire around Wadi Barada if the checkpoints are listed: " + word
	attachment := filepath.Join(t.TempDir(), "checkpoints.txt")
	if err := os.WriteFile(attachment, []byte("Checkpoints proposed for Wadi Barada, draft 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opp := newBrowser(t)
	login(t, opp, base, "opp.head")
	openConversation(t, opp)
	if got := get(t, opp, chromedp.Location()); got != conversation {
		t.Fatalf("the round page's link leads to %s, want %s", got, conversation)
	}
	if n := count(t, opp, "#to-mediation:checked"); n != 1 {
		t.Errorf("the compose box does not preselect the mediation for a party")
	}
	do(t, opp,
		chromedp.SendKeys("#compose-body", body),
		chromedp.SetUploadFiles("#compose-attachment", []string{attachment}),
		chromedp.Click("#compose-form button[type=submit]"),
		chromedp.WaitVisible("#list-mediation li.message"),
	)
	var orig apiMessage
	for _, m := range oppAPI.messages(roundID) {
		if m.Body == body {
			orig = m
		}
	}
	if orig.ID == "" || orig.Kind != "mediation" || len(orig.Attachments) != 1 {
		t.Fatalf("the opposition's message as the API lists it: %+v", orig)
	}
	attURL := "/api/v1/attachments/" + orig.Attachments[0].ID
	do(t, opp, chromedp.WaitVisible("#m-"+orig.ID+" .attachments a"))
	if got := get(t, opp, chromedp.Text("#m-"+orig.ID+" .message-body")); got != body {
		t.Errorf("the opposition's page shows %q", got)
	}

	// Its readers read it: the mediation fetches it and its attachment.
	if status, _ := medAPI.call("GET", "/api/v1/messages/"+orig.ID, nil); status != http.StatusOK {
		t.Errorf("the mediation fetches the message: %d", status)
	}
	if status, b := medAPI.call("GET", attURL, nil); status != http.StatusOK || !strings.Contains(string(b), "Wadi Barada") {
		t.Errorf("the mediation downloads the attachment: %d %q", status, b)
	}
	var found struct{ Messages []apiMessage }
	if oppAPI.json("GET", "/api/v1/search?q="+word, nil, &found); len(found.Messages) != 1 {
		t.Errorf("the opposition's search finds %d messages", len(found.Messages))
	}

	// 2. The government reaches it through none of the five paths.
	leaks := func(who *chanClient, ctx context.Context) {
		t.Helper()
		// List: the API and the page.
		for _, m := range who.messages(roundID) {
			if m.ID == orig.ID {
				t.Errorf("%s lists the opposition's message to the mediation", who.user)
			}
		}
		do(t, ctx, chromedp.Navigate(conversation), chromedp.WaitVisible("#compose-form"))
		if n := count(t, ctx, "#m-"+orig.ID); n != 0 {
			t.Errorf("%s's conversation page shows the opposition's message", who.user)
		}
		// Single fetch: 404 like a missing message.
		if status, _ := who.call("GET", "/api/v1/messages/"+orig.ID, nil); status != http.StatusNotFound {
			t.Errorf("%s fetches the message: %d", who.user, status)
		}
		// Search: the API and the page.
		var res struct{ Messages []apiMessage }
		if status := who.json("GET", "/api/v1/search?q="+word, nil, &res); status != http.StatusOK {
			t.Errorf("%s's search: %d", who.user, status)
		}
		for _, m := range res.Messages {
			if m.ID == orig.ID {
				t.Errorf("%s's search finds the message", who.user)
			}
		}
		do(t, ctx, chromedp.Navigate(base+"/search?q="+url.QueryEscape(word)), chromedp.WaitVisible("#search-q"))
		if n := count(t, ctx, "#m-"+orig.ID); n != 0 {
			t.Errorf("%s's search page shows the message", who.user)
		}
		// Attachment download: 404 through the API and the page's route.
		if status, b := who.call("GET", attURL, nil); status != http.StatusNotFound || strings.Contains(string(b), "Wadi Barada") {
			t.Errorf("%s downloads the attachment: %d", who.user, status)
		}
	}
	// A second government browser, so that the open page stays open. The
	// live paths (the open page, the API stream) are checked once the relay
	// has come through them (below): streams deliver in order.
	govCheck := newBrowser(t)
	login(t, govCheck, base, "gov.head")
	leaks(govAPI, govCheck)

	// 3. The mediation relays it through its page, without attribution,
	// to the government.
	med := newBrowser(t)
	login(t, med, base, "mediator")
	openConversation(t, med)
	relayTo := "#relay-" + orig.ID + "-to-" + govOrg
	do(t, med,
		chromedp.WaitVisible("#m-"+orig.ID),
		chromedp.Click("#m-"+orig.ID+" details.relay summary"),
		chromedp.WaitVisible(relayTo),
	)
	if n := count(t, med, "#relay-"+orig.ID+"-attributed:checked"); n != 0 {
		t.Errorf("the relay form names the originating party by default")
	}
	if n := count(t, med, "#relay-"+orig.ID+"-show-origin:checked"); n != 1 {
		t.Errorf("the relay form does not show the relay to the originating party by default")
	}
	do(t, med,
		chromedp.Click(relayTo),
		chromedp.Click("#relay-form-"+orig.ID+" button[type=submit]"),
		chromedp.WaitVisible("#list-relayed li.message"),
	)
	var relay apiMessage
	for _, m := range medAPI.messages(roundID) {
		if m.RelayedFrom == orig.ID {
			relay = m
		}
	}
	if relay.ID == "" || relay.Kind != "relayed" || relay.Body != body {
		t.Fatalf("the relay as the mediation lists it: %+v", relay)
	}

	// 4. The relay appears live on the government's open page, with no
	// author party.
	waitLive(t, gov, "#m-"+relay.ID, 20*time.Second)
	if !stillSamePage(t, gov) {
		t.Errorf("the government's page was reloaded; the relay did not arrive live")
	}
	shown := get(t, gov, chromedp.Text("#m-"+relay.ID))
	for _, name := range []string{"opposition", "Opposition", "opp.head"} {
		if strings.Contains(shown, name) {
			t.Errorf("the relay on the government's page names its origin (%q): %q", name, shown)
		}
	}
	if got := get(t, gov, chromedp.Text("#m-"+relay.ID+" .message-from")); !strings.Contains(got, "mediation") {
		t.Errorf("the relay's sender reads %q", got)
	}
	// The stream delivers in order: the relay came after the original, so
	// the open page would have shown the original by now.
	if n := count(t, gov, "#m-"+orig.ID); n != 0 {
		t.Errorf("the government's open page received the opposition's message live")
	}
	var got apiMessage
	if govAPI.json("GET", "/api/v1/messages/"+relay.ID, nil, &got); got.ID != relay.ID || got.RelayedFrom != "" || got.FromUser != "" || got.From.ID == oppAPI.org {
		t.Errorf("the relay as the government fetches it: %+v", got)
	}
	// The API stream: everything up to the relay, none of it the original.
	func() {
		deadline := time.After(20 * time.Second)
		for {
			select {
			case e, ok := <-govStream:
				if !ok {
					t.Errorf("the government's API stream ended before the relay")
					return
				}
				if strings.Contains(e.Data, orig.ID) || strings.Contains(e.Data, orig.Attachments[0].ID) {
					t.Errorf("the government's API stream carries the original: %s", e.Data)
				}
				if strings.Contains(e.Data, relay.ID) {
					if strings.Contains(e.Data, oppAPI.org) {
						t.Errorf("the relay's stream event names the origin: %s", e.Data)
					}
					return
				}
			case <-deadline:
				t.Errorf("the relay did not reach the government's API stream within 20s")
				return
			}
		}
	}()
	stopStream()
	// The relay does not open the original to the government.
	leaks(govAPI, govCheck)

	// 5. The observer sees neither message.
	obs := newBrowser(t)
	login(t, obs, base, "observer.us")
	openConversation(t, obs)
	if n := count(t, obs, "#m-"+orig.ID+", #m-"+relay.ID); n != 0 {
		t.Errorf("the observer's page shows %d of the two messages", n)
	}
	for _, m := range obsAPI.messages(roundID) {
		if m.ID == orig.ID || m.ID == relay.ID {
			t.Errorf("the observer lists message %s", m.ID)
		}
	}
	for _, id := range []string{orig.ID, relay.ID} {
		if status, _ := obsAPI.call("GET", "/api/v1/messages/"+id, nil); status != http.StatusNotFound {
			t.Errorf("the observer fetches %s: %d", id, status)
		}
	}
	if status, _ := obsAPI.call("GET", attURL, nil); status != http.StatusNotFound {
		t.Errorf("the observer downloads the attachment: %d", status)
	}
	var obsFound struct{ Messages []apiMessage }
	if obsAPI.json("GET", "/api/v1/search?q="+word, nil, &obsFound); len(obsFound.Messages) != 0 {
		t.Errorf("the observer's search finds %d messages", len(obsFound.Messages))
	}

	// 6. Direct talks are not open: the opposition's compose box does not
	// offer the government, says why and points to the mediation; the API
	// refuses with 409 no_direct_consent.
	do(t, opp, chromedp.Navigate(conversation), chromedp.WaitVisible("#compose-form"))
	if n := count(t, opp, "#to-"+govOrg); n != 0 {
		t.Errorf("the compose box offers the government while direct talks are closed")
	}
	closed := get(t, opp, chromedp.Text("#direct-closed-"+govOrg))
	if !strings.Contains(closed, "consent") || !strings.Contains(closed, "mediation") {
		t.Errorf("the closed direct channel is explained as %q", closed)
	}
	status, b := oppAPI.call("POST", "/api/v1/rounds/"+roundID+"/messages", map[string]any{"to": []string{govOrg}, "body": "Directly: shall we meet?"})
	var refusal struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal(b, &refusal)
	if status != http.StatusConflict || refusal.Error.Code != "no_direct_consent" || !strings.Contains(refusal.Error.Message, "mediation") {
		t.Errorf("a direct message without consent: %d %s", status, b)
	}

	// 7. The opposition consents on the round page (the government already
	// does); the government's open round page shows the consent live; a
	// direct message goes through, and the government sees it live.
	do(t, govCheck, chromedp.Navigate(roundURL), chromedp.WaitVisible("#consent"))
	markPage(t, govCheck)
	oppConsents := `.consent-line.consent-` + oppAPI.org + `[data-counterpart="` + govOrg + `"][data-consent="yes"]`
	if n := count(t, govCheck, oppConsents); n != 0 {
		t.Fatalf("the demo's opposition already consents to direct talks")
	}
	consentYes := "#consent-" + govOrg + "-yes"
	do(t, opp,
		chromedp.Click("#direct-closed-"+govOrg+"-consent"),
		chromedp.WaitVisible(consentYes),
		chromedp.Click(consentYes),
		chromedp.Click("#consent form.consent-form button[type=submit]"),
		chromedp.WaitVisible(oppConsents),
		chromedp.Click("#conversation-link"),
		chromedp.WaitVisible("#to-"+govOrg),
	)
	waitLive(t, govCheck, oppConsents, 20*time.Second)
	if !stillSamePage(t, govCheck) {
		t.Errorf("the government's round page was reloaded; the consent did not arrive live")
	}
	if n := count(t, opp, "#direct-closed-"+govOrg); n != 0 {
		t.Errorf("the page still says direct talks are closed")
	}
	const direct = "Directly: the opposition proposes to meet the government tomorrow at ten."
	do(t, opp,
		chromedp.Click("#to-"+govOrg),
		chromedp.SendKeys("#compose-body", direct),
		chromedp.Click("#compose-form button[type=submit]"),
		chromedp.WaitVisible("#list-direct li.message"),
	)
	if got := get(t, opp, chromedp.Text("#list-direct")); !strings.Contains(got, direct) {
		t.Errorf("the opposition's direct group: %q", got)
	}
	waitLive(t, gov, "#list-direct li.message", 20*time.Second)
	if !stillSamePage(t, gov) {
		t.Errorf("the government's page was reloaded; the direct message did not arrive live")
	}
	if got := get(t, gov, chromedp.Text("#list-direct")); !strings.Contains(got, direct) {
		t.Errorf("the government's direct group: %q", got)
	}

	// A stance changes live too: the opposition refuses an item on its
	// round page, and the government's open round page shows it.
	const item = ".track-detainees .agenda-item"
	const reason = "The lists of detainees must first be exchanged through the mediation."
	if n := count(t, govCheck, item+".refused"); n != 0 {
		t.Fatalf("the demo's detainees item is already refused")
	}
	do(t, opp,
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(item),
		chromedp.Click(item+` input[value="refuse"]`),
		chromedp.SendKeys(item+" textarea[name=reason]", reason),
		chromedp.Click(item+" .stance-form button[type=submit]"),
		chromedp.WaitVisible(item+".refused"),
	)
	waitLive(t, govCheck, item+".refused", 20*time.Second)
	if !stillSamePage(t, govCheck) {
		t.Errorf("the government's round page was reloaded; the stance did not arrive live")
	}
	if got := get(t, govCheck, chromedp.Text(item)); !strings.Contains(got, reason) {
		t.Errorf("the government's live view of the item: %q", got)
	}

	// 8. The opposition drafts a statement on its statements desk, reached
	// from the conversation page. Until it is released only the opposition
	// and the mediation find it; the opposition releases it from the desk,
	// and it is on the public page, for a visitor who is not logged in,
	// and in the Atom feed.
	const title = "The opposition welcomes the Astana ceasefire mechanism"
	do(t, opp,
		chromedp.Navigate(conversation),
		chromedp.Click("#desk-link"),
		chromedp.WaitVisible("#draft-form"),
	)
	if n := count(t, opp, ".desk-statement"); n != 0 {
		t.Fatalf("the opposition's desk holds %d statements before any draft", n)
	}
	do(t, opp,
		chromedp.SendKeys("#draft-title", title),
		chromedp.SendKeys("#draft-body", "We take part in good faith."),
		chromedp.Click("#draft-form button[type=submit]"),
		chromedp.WaitVisible(`#own .desk-statement[data-state="draft"]`),
	)
	stID := strings.TrimPrefix(get(t, opp, chromedp.Evaluate[string](`document.querySelector("#own .desk-statement").id`)), "s-")
	if got := get(t, opp, chromedp.Text("#s-"+stID)); !strings.Contains(got, title) {
		t.Fatalf("the draft on the desk reads %q", got)
	}
	do(t, med, chromedp.Navigate(base+"/statements/desk"), chromedp.WaitVisible("#others #s-"+stID))
	if n := count(t, med, "#release-"+stID); n != 0 {
		t.Errorf("the mediation is offered the release of the opposition's draft")
	}
	do(t, govCheck, chromedp.Navigate(base+"/statements/desk"), chromedp.WaitVisible("#draft-form"))
	if n := count(t, govCheck, "#s-"+stID); n != 0 {
		t.Errorf("the government's desk shows the opposition's draft")
	}
	anon := newBrowser(t)
	do(t, anon, chromedp.Navigate(base+"/statements"), chromedp.WaitVisible("h1"))
	if n := count(t, anon, "#s-"+stID); n != 0 {
		t.Errorf("the public page shows a draft")
	}
	// The release goes to the public page, where the statement is a plain
	// entry, no longer a desk's.
	do(t, opp,
		chromedp.Click("#s-"+stID+" details.release summary"),
		chromedp.Click("#release-"+stID),
		chromedp.WaitVisible("#s-"+stID+":not(.desk-statement)"),
	)
	if got := get(t, opp, chromedp.Location()); got != base+"/statements#s-"+stID {
		t.Errorf("the release leads to %s", got)
	}
	do(t, anon, chromedp.Reload(), chromedp.WaitVisible("#s-"+stID))
	if got := get(t, anon, chromedp.Text("#s-"+stID)); !strings.Contains(got, title) || !strings.Contains(got, "opposition") {
		t.Errorf("the public statement reads %q", got)
	}
	// A logged-in user finds the same page from the site's navigation, and
	// the desk no longer holds the statement.
	do(t, opp, chromedp.Click("#nav-desk"), chromedp.WaitVisible("#draft-form"))
	if n := count(t, opp, "#s-"+stID); n != 0 {
		t.Errorf("the released statement is still on the desk")
	}
	do(t, opp, chromedp.Click("#nav-statements"), chromedp.WaitVisible("#s-"+stID))
	resp, err := http.Get(base + "/statements.atom")
	if err != nil {
		t.Fatal(err)
	}
	feed, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(feed), title) || !strings.Contains(string(feed), "urn:parley:statement:"+stID) {
		t.Errorf("the Atom feed: %d\n%s", resp.StatusCode, feed)
	}
}
