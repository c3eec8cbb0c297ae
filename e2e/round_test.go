package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// login logs in through the login page and waits for the rounds list.
func login(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible("#login-username"),
		chromedp.SendKeys("#login-username", username),
		chromedp.SendKeys("#login-password", demoPassword),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(".round-list"),
	)
}

// openRound opens the demo round from the rounds list.
func openRound(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx,
		chromedp.Click(`.round-card a`),
		chromedp.WaitVisible("#agenda"),
	)
}

// TestPartyChangesStanceObserverSeesNoAdmin is the platform story: the head
// of the opposition changes its stance on an agenda item and sees the change;
// the observer sees the round but no administration controls.
func TestPartyChangesStanceObserverSeesNoAdmin(t *testing.T) {
	base := startDemo(t)

	opp := newBrowser(t)
	login(t, opp, base, "opp.head")
	openRound(t, opp)
	title := get(t, opp, chromedp.Text("h1"))
	if title != "Astana, round 1" {
		t.Fatalf("round page title %q", title)
	}
	// The refusal of the political item and the consent state are shown.
	political := get(t, opp, chromedp.Text(".track-political .agenda-item"))
	if !strings.Contains(political, "Geneva") {
		t.Errorf("political item does not show the opposition's reason: %q", political)
	}
	consent := get(t, opp, chromedp.Text("#consent"))
	if !strings.Contains(consent, "Government") || !strings.Contains(consent, "opposition") {
		t.Errorf("consent section: %q", consent)
	}

	// The opposition refuses the detainees item, with a reason.
	const item = ".track-detainees .agenda-item"
	const reason = "Lists must first be exchanged through the mediation."
	do(t, opp,
		chromedp.Click(item+` input[value="refuse"]`),
		chromedp.SendKeys(item+" textarea[name=reason]", reason),
		chromedp.Click(item+" .stance-form button[type=submit]"),
		chromedp.WaitVisible(item+`.refused`),
	)
	got := get(t, opp, chromedp.Text(item))
	if !strings.Contains(got, reason) {
		t.Errorf("after refusing, the item shows %q", got)
	}
	// It survives a reload: the stance is stored, not just drawn.
	do(t, opp, chromedp.Reload(), chromedp.WaitVisible(item+`.refused`))

	obs := newBrowser(t)
	login(t, obs, base, "observer.us")
	openRound(t, obs)
	if n := len(get(t, obs, chromedp.Nodes(".admin, .stance-form, .consent-form", chromedp.AtLeast(0)))); n != 0 {
		t.Errorf("observer sees %d administration or party controls", n)
	}
	// The observer sees the opposition's new refusal too: agenda stances are
	// plenary material.
	if got := get(t, obs, chromedp.Text(item)); !strings.Contains(got, reason) {
		t.Errorf("observer's view of the item: %q", got)
	}
	// Administration is not there for the observer at all.
	do(t, obs, chromedp.Navigate(base+"/admin"), chromedp.WaitReady("body"))
	if n := len(get(t, obs, chromedp.Nodes("form", chromedp.AtLeast(0)))); n > 1 { // the logout form only
		t.Errorf("observer's /admin shows %d forms", n)
	}
}
