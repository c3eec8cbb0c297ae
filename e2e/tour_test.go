package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestScreenshotTour opens the main pages as each role and writes a PNG of
// each, so that a reviewer can look at them without running the server:
// every role on a desktop in English, and the mediation and a party on a
// 390 px phone in Arabic. With PARLEY_TOUR_DIR set the PNGs are kept there
// (scripts/screenshot-tour does that); otherwise they go to a temporary
// folder. Each page must answer 200 and fit its window's width.
func TestScreenshotTour(t *testing.T) {
	dir := os.Getenv("PARLEY_TOUR_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := startDemo(t, "PARLEY_DEMO_WORKDAY=on")
	med := chanLogin(t, base, "mediator")
	var rounds struct{ Rounds []struct{ ID string } }
	var texts struct{ Texts []struct{ ID string } }
	if med.json("GET", "/api/v1/rounds", nil, &rounds) != http.StatusOK || len(rounds.Rounds) == 0 ||
		med.json("GET", "/api/v1/rounds/"+rounds.Rounds[0].ID+"/texts", nil, &texts) != http.StatusOK || len(texts.Texts) == 0 {
		t.Fatal("the demo round has no text")
	}
	textID := texts.Texts[0].ID
	type visit struct {
		user, lang string
		phone      bool
	}
	visits := []visit{
		{"mediator", "en", false}, {"gov.head", "en", false}, {"opp.head", "en", false}, {"chair", "en", false},
		{"guarantor.ru", "en", false}, {"observer.us", "en", false},
		{"mediator", "ar", true}, {"opp.head", "ar", true},
	}
	n := 0
	for _, v := range visits {
		b := newBrowser(t)
		login(t, b, base, v.user)
		setLanguage(t, b, v.lang)
		openRound(t, b)
		round := strings.TrimPrefix(strings.SplitN(get(t, b, chromedp.Location()), "#", 2)[0], base)
		pages := []struct{ name, path string }{
			{"rounds", "/"}, {"round", round}, {"conversation", round + "/conversation"}, {"texts", round + "/texts"},
			{"text", "/texts/" + textID}, {"analysis", round + "/bargain"}, {"record", round + "/record"},
			{"statements", "/statements"}, {"desk", "/statements/desk"}, {"account", "/account"},
			{"round-admin", round + "/admin"}, {"members", "/members"},
		}
		phone(t, b, v.phone)
		for _, p := range pages {
			status := get(t, b, chromedp.Evaluate[int](`fetch(`+strconvQuote(p.path)+`).then(r => r.status)`, chromedp.EvalAwaitPromise))
			if status == http.StatusNotFound {
				continue // not this role's page (the text, the analysis)
			}
			if status != http.StatusOK {
				t.Errorf("%s %s: %d", v.user, p.path, status)
				continue
			}
			do(t, b, chromedp.Navigate(base+p.path), chromedp.WaitVisible("#main"))
			noSideScroll(t, b, v.user+" "+v.lang+" "+p.name)
			png := get(t, b, chromedp.FullScreenshot(100))
			width := "desktop"
			if v.phone {
				width = "phone"
			}
			name := strings.Join([]string{v.user, v.lang, width, p.name}, "-") + ".png"
			if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	t.Logf("%d screenshots in %s", n, dir)
}
