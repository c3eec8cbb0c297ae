package e2e

import (
	"context"
	"net/http"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The mediation's working inbox and the notifications of every page
// (issue 11, items 4 and 5), in English and Arabic, and at a phone's width.

// badge is the navigation's notification count on the page open in b.
func badge(t *testing.T, b context.Context) int {
	t.Helper()
	n, _ := strconv.Atoi(get(t, b, chromedp.Evaluate[string](`document.querySelector("#nav-notifications").dataset.unseen`)))
	return n
}

// badgeRises waits until the badge on the page open in b counts more than
// before, without the page being reloaded.
func badgeRises(t *testing.T, b context.Context, before int, what string) {
	t.Helper()
	pollString(t, b, 20*time.Second, `(() => {
		const n = document.querySelector("#nav-notifications");
		const shown = n.querySelector(".nav-badge");
		return +n.dataset.unseen > `+strconv.Itoa(before)+` && shown.getClientRects().length > 0 && +shown.textContent === +n.dataset.unseen ? "risen" : "";
	})()`)
	if !stillSamePage(t, b) {
		t.Errorf("%s: the page was reloaded; the badge did not rise live", what)
	}
}

// releaseStatement has the mediation (med) write and release a statement
// of the round, which concerns every party's readers.
func releaseStatement(t *testing.T, med *chanClient, round, title string) (st struct{ ID string }) {
	t.Helper()
	if status := med.json("POST", "/api/v1/statements", map[string]any{"title": title, "body": "The round closes.", "round": round}, &st); status != http.StatusCreated {
		t.Fatalf("statement: %d", status)
	}
	if status, b := med.call("POST", "/api/v1/statements/"+st.ID+"/release", nil); status >= 300 {
		t.Fatalf("release: %d %s", status, b)
	}
	return st
}

// TestNotificationsOnEveryPage is item 5: the badge was live only on the
// round and conversation pages, and a released statement told only its
// author and the mediation. On the text page, with a draft being typed,
// the mediation's badge rises when a party records a position, the page
// says it changed, and what was typed stays. On the public statements
// page the government's badge rises when the mediation releases a
// statement of the round, and its list tells of it with a link.
func TestNotificationsOnEveryPage(t *testing.T) {
	base := startDemo(t)
	med, gov := newBrowser(t), newBrowser(t)
	login(t, med, base, "mediator")
	login(t, gov, base, "gov.head")
	medAPI, govAPI := chanLogin(t, base, "mediator"), chanLogin(t, base, "gov.head")
	var rounds struct{ Rounds []struct{ ID string } }
	if status := medAPI.json("GET", "/api/v1/rounds", nil, &rounds); status != http.StatusOK || len(rounds.Rounds) == 0 {
		t.Fatalf("rounds: %d", status)
	}
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			setLanguage(t, gov, lang)
			textID := issuedText(t, base)
			do(t, med, chromedp.Navigate(base+"/texts/"+textID+"#draft"), chromedp.WaitVisible("#draft-source"))
			if n := count(t, med, "#live-notice:not([hidden])"); n != 0 {
				t.Errorf("the text page says it changed before anything did")
			}
			markPage(t, med)
			typed := "\n\n3. Typed and not saved (" + lang + ")."
			do(t, med, chromedp.SendKeys("#draft-source", typed))
			before := badge(t, med)
			if status, b := govAPI.call("PUT", "/api/v1/texts/"+textID+"/revisions/1/paragraphs/1/position",
				map[string]any{"alternative": "B", "stance": "accept"}); status >= 300 {
				t.Fatalf("position: %d %s", status, b)
			}
			badgeRises(t, med, before, "the text page")
			waitLive(t, med, "#live-notice", 15*time.Second)
			shot(t, med, "text-notice-"+lang)
			if v := get(t, med, chromedp.Value("#draft-source")); !strings.Contains(v, strings.TrimSpace(typed)) {
				t.Errorf("what was typed is lost: the draft is %q", v)
			}
			// A released statement concerns every party, not only its author
			// and the mediation.
			do(t, gov, chromedp.Navigate(base+"/statements"), chromedp.WaitVisible("#nav-notifications"))
			markPage(t, gov)
			before = badge(t, gov)
			st := releaseStatement(t, medAPI, rounds.Rounds[0].ID, "Closing communiqué "+lang)
			badgeRises(t, gov, before, "the public statements page")
			do(t, gov, chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible("#notifications"))
			pollString(t, gov, 10*time.Second, `document.querySelector("#nav-notifications").dataset.unseen === "0" ? "seen" : ""`)
			if n := count(t, gov, "#nav-notifications .nav-badge"); n != 1 || get(t, gov, chromedp.Evaluate[int](`document.querySelector("#nav-notifications .nav-badge").getClientRects().length`)) != 0 {
				t.Error("with nothing unseen, the badge still shows")
			}
			for _, width := range []int{1280, 390} {
				phone(t, gov, width == 390)
				do(t, gov, chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible("#main h1"))
				if n := count(t, gov, `#notifications li[data-type="statement.released"] a[href="/statements/`+st.ID+`"]`); n != 1 {
					t.Errorf("at %d px the government's list links %d times to the released statement", width, n)
				}
				noSideScroll(t, gov, "the notifications")
				shot(t, gov, "notifications-"+lang+"-"+strconv.Itoa(width))
			}
			phone(t, gov, false)
		})
	}
}

// composeInView reports whether the compose box's text field is wholly in
// the window, at the page's current scroll.
const composeInView = `(() => {
	const r = document.querySelector("#compose-body").getBoundingClientRect();
	return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight ? "yes" : "no";
})()`

// TestWorkingInbox is item 4: the mediation's conversation had no unread
// state, and the compose box sat at the bottom of a long page. Each thread
// in the column counts the messages its reader has not opened; the count
// rises live when the party sends and falls when the thread is opened; a
// thread open leaves the other threads' messages out when they arrive
// live, and counts them; the compose box stays in view beside or below the
// thread, at the top and the end of the page, on a desktop and on a phone
// (without sideways scroll); and the keys move between messages and
// threads, as the page's help says.
func TestWorkingInbox(t *testing.T) {
	base := startDemo(t, "PARLEY_DEMO_WORKDAY=on")
	med := newBrowser(t)
	login(t, med, base, "mediator")
	openConversation(t, med)
	conv := strings.SplitN(get(t, med, chromedp.Location()), "?", 2)[0]
	roundID := path.Base(strings.TrimSuffix(conv, "/conversation"))
	opp, gov := chanLogin(t, base, "opp.head"), chanLogin(t, base, "gov.head")
	unread := func(t *testing.T, org string) int {
		t.Helper()
		n, _ := strconv.Atoi(get(t, med, chromedp.Evaluate[string](`document.querySelector("#inbox-`+org+`").dataset.unread`)))
		return n
	}
	send := func(t *testing.T, c *chanClient, body string) string {
		t.Helper()
		var m apiMessage
		if status := c.json("POST", "/api/v1/rounds/"+roundID+"/messages", map[string]any{"to": []string{"mediation"}, "body": body}, &m); status != http.StatusCreated {
			t.Fatalf("%s's message: %d", c.user, status)
		}
		return m.ID
	}
	rises := func(t *testing.T, org string, before int) {
		t.Helper()
		pollString(t, med, 20*time.Second, `+document.querySelector("#inbox-`+org+`").dataset.unread > `+strconv.Itoa(before)+` ? "risen" : ""`)
	}
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			phone(t, med, false)
			do(t, med, chromedp.Navigate(conv), chromedp.WaitVisible("#inbox"))
			markPage(t, med)
			before := unread(t, opp.org)
			first := send(t, opp, "A new proposal on the exchange ("+lang+").")
			rises(t, opp.org, before)
			within(t, med, 15*time.Second, "#m-"+first)
			if !stillSamePage(t, med) {
				t.Error("the page was reloaded; the count did not rise live")
			}
			do(t, med, chromedp.Click("#inbox-"+opp.org), chromedp.WaitVisible(`#inbox-`+opp.org+`[aria-current="page"]`))
			if n := unread(t, opp.org); n != 0 {
				t.Errorf("after opening the opposition's thread, %d are unread", n)
			}
			if n := count(t, med, "#inbox-"+opp.org+" .count.unread"); n != 0 {
				t.Errorf("the opened thread still shows an unread count")
			}
			// In the opposition's thread: the government's message is
			// counted in its own thread, not shown in this one; the
			// opposition's next message is shown and read.
			markPage(t, med)
			govBefore := unread(t, gov.org)
			other := send(t, gov, "The government's reply ("+lang+").")
			rises(t, gov.org, govBefore)
			next := send(t, opp, "And a detail ("+lang+").")
			within(t, med, 15*time.Second, "#m-"+next)
			if n := count(t, med, "#m-"+other); n != 0 {
				t.Error("the government's message is shown in the opposition's thread")
			}
			if !stillSamePage(t, med) {
				t.Error("the thread was reloaded")
			}
			do(t, med, chromedp.Reload(), chromedp.WaitVisible("#inbox"))
			if n := unread(t, opp.org); n != 0 {
				t.Errorf("the message seen live in the open thread counts as unread (%d)", n)
			}
			// The keys, as the help says.
			help := get(t, med, chromedp.Text("#conversation-keys"))
			for _, k := range []string{"j", "k", "↓", "↑", "[", "]"} {
				if !strings.Contains(help, k) {
					t.Errorf("the help %q does not name the key %s", help, k)
				}
			}
			if n := count(t, med, `li.message[aria-keyshortcuts]`); n == 0 || n != count(t, med, "li.message") {
				t.Errorf("%d messages of %d carry their keys", n, count(t, med, "li.message"))
			}
			get(t, med, chromedp.Evaluate[bool](`document.activeElement.blur(); true`))
			do(t, med, chromedp.KeyEvent("j"))
			a := get(t, med, chromedp.Evaluate[string](`document.activeElement.id`))
			do(t, med, chromedp.KeyEvent(kb.ArrowDown))
			b := get(t, med, chromedp.Evaluate[string](`document.activeElement.id`))
			if !strings.HasPrefix(a, "m-") || !strings.HasPrefix(b, "m-") || a == b {
				t.Errorf("j then ↓ moved focus to %q, then %q", a, b)
			}
			from := get(t, med, chromedp.Location())
			do(t, med, chromedp.KeyEvent("]"))
			to := pollString(t, med, 10*time.Second, `location.href !== `+strconvQuote(from)+` && document.querySelector('a.thread-link[aria-current="page"]') ? location.href : ""`)
			if !strings.Contains(to, "?with=") {
				t.Errorf("] went to %s", to)
			}
			// The compose box is at hand: in view at the top of the page and
			// at its end, on a desktop and on a phone.
			for _, width := range []int{1280, 390} {
				phone(t, med, width == 390)
				do(t, med, chromedp.Navigate(conv), chromedp.WaitVisible("#inbox"))
				noSideScroll(t, med, "the conversation")
				if sw := get(t, med, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); width == 390 && sw > 390 {
					t.Errorf("at 390 px the page is %d px wide", sw)
				}
				for _, at := range []string{"0", "document.documentElement.scrollHeight / 2", "document.documentElement.scrollHeight"} {
					get(t, med, chromedp.Evaluate[bool](`window.scrollTo(0, `+at+`); true`))
					if get(t, med, chromedp.Evaluate[string](composeInView)) != "yes" {
						t.Errorf("at %d px, scrolled to %s, the compose box is out of view", width, at)
					}
				}
				get(t, med, chromedp.Evaluate[bool](`window.scrollTo(0, 0); true`))
				shot(t, med, "inbox-"+lang+"-"+strconv.Itoa(width))
			}
			phone(t, med, false)
		})
	}
	// A party's page has no threads column; its compose box is at hand
	// the same way.
	party := newBrowser(t)
	login(t, party, base, "opp.head")
	for _, lang := range workdayLanguages {
		setLanguage(t, party, lang)
		for _, width := range []int{1280, 390} {
			phone(t, party, width == 390)
			do(t, party, chromedp.Navigate(conv), chromedp.WaitVisible("#compose-form"))
			noSideScroll(t, party, "the party's conversation")
			for _, at := range []string{"0", "document.documentElement.scrollHeight / 2", "document.documentElement.scrollHeight"} {
				get(t, party, chromedp.Evaluate[bool](`window.scrollTo(0, `+at+`); true`))
				if get(t, party, chromedp.Evaluate[string](composeInView)) != "yes" {
					t.Errorf("%s at %d px, scrolled to %s, the party's compose box is out of view", lang, width, at)
				}
			}
			get(t, party, chromedp.Evaluate[bool](`window.scrollTo(0, 0); true`))
			shot(t, party, "party-conversation-"+lang+"-"+strconv.Itoa(width))
		}
	}
}
