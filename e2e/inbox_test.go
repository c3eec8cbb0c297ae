package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
		return +n.dataset.unseen > `+strconv.Itoa(before)+` && !shown.hidden && +shown.textContent === +n.dataset.unseen ? "risen" : "";
	})()`)
	if !stillSamePage(t, b) {
		t.Errorf("%s: the page was reloaded; the badge did not rise live", what)
	}
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
			if v := get(t, med, chromedp.Value("#draft-source")); !strings.Contains(v, strings.TrimSpace(typed)) {
				t.Errorf("what was typed is lost: the draft is %q", v)
			}
			// A released statement concerns every party, not only its author
			// and the mediation.
			do(t, gov, chromedp.Navigate(base+"/statements"), chromedp.WaitVisible("#nav-notifications"))
			markPage(t, gov)
			before = badge(t, gov)
			var st struct{ ID string }
			if status := medAPI.json("POST", "/api/v1/statements", map[string]any{"title": "Closing communiqué " + lang, "body": "The round closes.", "round": rounds.Rounds[0].ID}, &st); status != http.StatusCreated {
				t.Fatalf("statement: %d", status)
			}
			if status, b := medAPI.call("POST", "/api/v1/statements/"+st.ID+"/release", nil); status >= 300 {
				t.Fatalf("release: %d %s", status, b)
			}
			badgeRises(t, gov, before, "the public statements page")
			for _, width := range []int{1280, 390} {
				phone(t, gov, width == 390)
				do(t, gov, chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible("#main h1"))
				if n := count(t, gov, `#notifications li[data-type="statement.released"] a[href="/statements/`+st.ID+`"]`); n != 1 {
					t.Errorf("at %d px the government's list links %d times to the released statement", width, n)
				}
				noSideScroll(t, gov, "the notifications")
			}
			phone(t, gov, false)
		})
	}
}
