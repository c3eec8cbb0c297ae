package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// openBargain opens the package analysis from the demo round's page, as a
// user finds it: the link in the round's table of contents. ready is the
// element the viewer's page shows.
func openBargain(t *testing.T, ctx context.Context, ready string) {
	t.Helper()
	openRound(t, ctx)
	do(t, ctx,
		chromedp.Click("#bargain-link"),
		chromedp.WaitVisible(ready),
	)
}

// enterProfile fills a party's elicitation page, open in ctx: two issues
// of three options each, with the weights and ratings given, and saves it.
func enterProfile(t *testing.T, ctx context.Context, w0, w1 string, ratings [6]string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.SetValue("#w-0", w0),
		chromedp.SetValue("#w-1", w1),
	}
	for i, r := range ratings {
		steps = append(steps, chromedp.SetValue("#rating\\."+string(rune('0'+i/3))+"\\."+string(rune('0'+i%3)), r))
	}
	steps = append(steps,
		chromedp.Click("#bargain-profile-form button[type=submit]"),
		chromedp.WaitVisible("#bargain-notice"),
	)
	do(t, ctx, steps...)
}

// apiGet logs in through the API and fetches path, returning the status
// and body.
func apiGet(t *testing.T, base, username, path string) (int, string) {
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
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+l.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPackageAnalysisStory is the package-analysis story: the mediation sets
// out two issues of the demo round; both parties enter their confidential
// priorities in their browsers; the mediation sees the frontier and the
// Nash package; and neither party reaches the other's profile through the
// pages or the API.
func TestPackageAnalysisStory(t *testing.T) {
	base := startDemo(t)

	med := newBrowser(t)
	login(t, med, base, "mediator")
	openRound(t, med)
	roundURL := get(t, med, chromedp.Location())
	roundPath := strings.TrimPrefix(roundURL, base)
	page := roundURL + "/bargain"
	do(t, med, chromedp.Click("#bargain-link"), chromedp.WaitVisible("#bargain-domain-form"))
	if got := get(t, med, chromedp.Location()); got != page {
		t.Errorf("the round page's link leads to %s, want %s", got, page)
	}
	do(t, med,
		chromedp.SendKeys("#domain-name", "astana"),
		chromedp.SendKeys("#issue\\.0\\.name", "Ceasefire scope"),
		chromedp.SetValue("#issue\\.0\\.values", "nationwide\nexcluding listed groups\nlocal"),
		chromedp.SendKeys("#issue\\.1\\.name", "Monitoring"),
		chromedp.SetValue("#issue\\.1\\.values", "joint group\nguarantors\nUN"),
		chromedp.Click("#bargain-domain-form button[type=submit]"),
		chromedp.WaitVisible("#bargain-notice"),
	)
	if got := get(t, med, chromedp.Text("#bargain-waiting")); got == "" {
		t.Errorf("the analysis does not say it waits for the parties")
	}

	gov := newBrowser(t)
	login(t, gov, base, "gov.head")
	openBargain(t, gov, "#bargain-profile-form")
	enterProfile(t, gov, "70", "30", [6]string{"20", "100", "60", "100", "70", "0"})
	opp := newBrowser(t)
	login(t, opp, base, "opp.head")
	openBargain(t, opp, "#bargain-profile-form")
	enterProfile(t, opp, "35", "65", [6]string{"100", "30", "0", "0", "40", "100"})

	// The mediation sees the frontier and the Nash package.
	do(t, med, chromedp.Navigate(page), chromedp.WaitVisible("#point-nash"))
	nash := get(t, med, chromedp.Text("#point-nash"))
	if !strings.Contains(nash, "Ceasefire scope") || !strings.Contains(nash, "Monitoring") {
		t.Errorf("Nash row: %q", nash)
	}
	if n := len(get(t, med, chromedp.Nodes(".bargain-chart circle.frontier", chromedp.AtLeast(1)))); n < 2 {
		t.Errorf("the chart shows %d frontier packages", n)
	}
	if n := len(get(t, med, chromedp.Nodes("#bargain-frontier tbody tr", chromedp.AtLeast(1)))); n < 2 {
		t.Errorf("the frontier table lists %d packages", n)
	}
	if n := len(get(t, med, chromedp.Nodes("#shared", chromedp.AtLeast(0)))); n != 0 {
		t.Errorf("the mediation sees weights nobody shared")
	}
	// "Propose this package" gives the mediation a text to copy.
	do(t, med, chromedp.Click("#point-nash a"), chromedp.WaitVisible("#proposal-text"))
	if got := get(t, med, chromedp.Value("#proposal-text")); !strings.Contains(got, "Ceasefire scope") {
		t.Errorf("proposal text: %q", got)
	}

	// Each party sees its own entries and not the other's.
	do(t, gov, chromedp.Navigate(page), chromedp.WaitVisible("#bargain-profile-form"))
	if v := get(t, gov, chromedp.Value("#w-0")); v != "70" {
		t.Errorf("the government's weight reads %q", v)
	}
	do(t, opp, chromedp.Navigate(page), chromedp.WaitVisible("#bargain-profile-form"))
	if v := get(t, opp, chromedp.Value("#w-0")); v != "35" {
		t.Errorf("the opposition's weight reads %q (the government's is 70)", v)
	}
	// The analysis page is the mediation's: a party gets the not-found page.
	for _, b := range []context.Context{gov, opp} {
		do(t, b, chromedp.Navigate(page+"?propose=nash"), chromedp.WaitReady("body"))
		if n := len(get(t, b, chromedp.Nodes("#bargain-frontier, #proposal-text, svg", chromedp.AtLeast(0)))); n != 0 {
			t.Errorf("a party sees %d parts of the analysis", n)
		}
	}
	// Through the API, every route a party may call answers its own
	// profile only.
	for _, c := range []struct {
		user   string
		theirs string // the other party's first weight
	}{
		{"gov.head", "35"},
		{"opp.head", "70"},
	} {
		leaks := []string{`"weight":` + c.theirs, `"issueWeights":{"Ceasefire scope":` + c.theirs, `<weight index="1" value="` + c.theirs + `"/>`}
		for _, path := range []string{"/profile", "/profiles", "/profile/geniusweb", "/profile/genius-xml", "/analysis", "/domain", "/domain/geniusweb"} {
			status, b := apiGet(t, base, c.user, "/api/v1"+roundPath+"/bargain"+path)
			for _, leak := range leaks {
				if strings.Contains(b, leak) {
					t.Errorf("%s reaches the other party's profile through %s: %s", c.user, path, leak)
				}
			}
			if path == "/analysis" && status != http.StatusNotFound {
				t.Errorf("%s reads the analysis: %d", c.user, status)
			}
		}
	}
	if status, b := apiGet(t, base, "mediator", "/api/v1"+roundPath+"/bargain/profiles"); status != 200 || strings.Contains(b, "weight") {
		t.Errorf("the mediation reads unshared profiles: %d %s", status, b)
	}
}
