package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// apiDo logs in through the API and sends one JSON request, returning the
// status and body.
func apiDo(t *testing.T, base, username, method, path string, body any) (int, string) {
	t.Helper()
	login := strings.NewReader(`{"username":"` + username + `","password":"` + demoPassword + `"}`)
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", login)
	if err != nil {
		t.Fatal(err)
	}
	var l struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&l)
	resp.Body.Close()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+l.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// openCeasefire opens the ceasefire map from the demo round's page and
// returns the process id from its URL.
func openCeasefire(t *testing.T, ctx context.Context) string {
	t.Helper()
	openRound(t, ctx)
	do(t, ctx, chromedp.Click("#ceasefire-link"), chromedp.WaitVisible("#cf-list"))
	loc := get(t, ctx, chromedp.Location())
	_, rest, _ := strings.Cut(loc, "/processes/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// photo writes a small JPEG and returns its path and bytes.
func photo(t *testing.T) (string, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		for y := range 24 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "crater.jpg")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

// TestCeasefireStory is the ceasefire monitoring story: the monitor logs a
// report with a photo, merges the duplicate parley proposes, confirms the
// violation and publishes it; the government sees it on the map and
// answers; the observer sees only published incidents, with the answer;
// the photo's hash is in the ledger.
func TestCeasefireStory(t *testing.T) {
	base := startDemo(t)
	mon := newBrowser(t)
	login(t, mon, base, "monitor")
	process := openCeasefire(t, mon)

	// The government's account of the same event, filed through the API
	// half an hour earlier.
	var gov string
	if status, body := apiDo(t, base, "gov.head", "GET", "/api/v1/me", nil); status == 200 {
		var me struct{ Org struct{ ID string } }
		json.Unmarshal([]byte(body), &me)
		gov = me.Org.ID
	}
	status, body := apiDo(t, base, "opp.head", "POST", "/api/v1/processes/"+process+"/ceasefire/reports", map[string]any{
		"occurred_at": "2017-01-20T09:30:00Z", "lat": 33.6012, "lon": 36.2208, "type": "shelling", "perpetrator": gov, "affected": "civilians",
		"knowledge": "heard", "platform": "witness", "narrative": "Artillery shells hit houses on the eastern edge of Beit Jinn village in the morning.",
	})
	if status != 201 {
		t.Fatalf("the opposition's report: %d %s", status, body)
	}

	// 1. The monitor logs a report with a photo.
	path, jpg := photo(t)
	do(t, mon,
		chromedp.Click("#cf-nav-new"),
		chromedp.WaitVisible("#cf-report-form"),
		chromedp.SetValue("#cf-occurred", "2017-01-20T10:00"),
		chromedp.SetValue("#cf-lat", "33.6035"),
		chromedp.SetValue("#cf-lon", "36.2221"),
		chromedp.SetValue("#cf-place", "Beit Jinn"),
		chromedp.SetValue("#cf-admin1", "Rif Dimashq"),
		chromedp.SetValue("#cf-type-input", "shelling"),
		chromedp.SetValue("#cf-perp", gov),
		chromedp.SetValue("#cf-killed-best", "0"),
		chromedp.SetValue("#cf-injured-low", "2"),
		chromedp.SetValue("#cf-injured-best", "3"),
		chromedp.SetValue("#cf-injured-high", "4"),
		chromedp.SetValue("#cf-knowledge", "seen"),
		chromedp.SetValue("#cf-platform", "patrol"),
		chromedp.SetValue("#cf-narrative", "Patrol saw artillery shells hit houses on the eastern edge of Beit Jinn village this morning."),
		chromedp.SetUploadFiles("#cf-photo", []string{path}),
		chromedp.Click("#cf-report-submit"),
		chromedp.WaitVisible("#cf-incident"),
	)
	sum := sha256.Sum256(jpg)
	want := hex.EncodeToString(sum[:])
	if got := get(t, mon, chromedp.Text(".cf-sha")); got != want {
		t.Fatalf("the page shows SHA-256 %q, want the photo's %s", got, want)
	}

	// 2. The monitor merges the duplicate parley proposes.
	do(t, mon, chromedp.Click("#cf-nav-duplicates"), chromedp.WaitVisible("#main h1"))
	form := get(t, mon, chromedp.Evaluate[string](`(() => {
		for (const f of document.querySelectorAll('.cf-candidate')) {
			if (f.textContent.includes('Beit Jinn village')) { return '#' + f.id; }
		}
		return '';
	})()`))
	if form == "" {
		t.Fatal("parley proposes no duplicate for the Beit Jinn report")
	}
	do(t, mon,
		chromedp.SetValue(form+" input[name=reason]", "One shelling, reported by the patrol and the opposition."),
		chromedp.Click(form+" button[type=submit]"),
		chromedp.WaitVisible("#cf-incident"),
	)
	if n := get(t, mon, chromedp.Evaluate[int](`document.querySelectorAll('.cf-report-card').length`)); n != 2 {
		t.Fatalf("the merged incident shows %d reports, want 2", n)
	}
	incident := get(t, mon, chromedp.Evaluate[string](`document.getElementById('cf-incident').dataset.id`))

	// 3. The monitor confirms the violation and publishes it.
	for _, st := range []string{"under_review", "confirmed_violation"} {
		do(t, mon,
			chromedp.SetValue("#cf-verify-status", st),
			chromedp.SetValue("#cf-verify-reason", "Craters and shell fragments seen by the patrol."),
			chromedp.Click("#cf-verify-submit"),
			chromedp.WaitVisible(".cf-status-"+st),
		)
	}
	do(t, mon, chromedp.Click("#cf-publish-submit"), chromedp.WaitVisible("#cf-published"))

	// 4. The government sees it on the map and answers.
	g := newBrowser(t)
	login(t, g, base, "gov.head")
	openCeasefire(t, g)
	do(t, g, chromedp.WaitVisible(`#cf-map[data-ready]`))
	if n := get(t, g, chromedp.Evaluate[int](`document.querySelectorAll('#cf-map .leaflet-interactive, #cf-map .marker-cluster').length`)); n == 0 {
		t.Error("the government's map shows no marker")
	}
	do(t, g,
		chromedp.Click(`tr[data-id="`+incident+`"] a`),
		chromedp.WaitVisible("#cf-answer-form"),
		chromedp.SetValue("#cf-answer-body", "Our artillery answered fire from Beit Jinn; no houses were targeted."),
		chromedp.Click("#cf-answer-submit"),
		chromedp.WaitVisible(".cf-answer"),
	)

	// 5. The observer sees only published incidents, with the answer.
	us := newBrowser(t)
	login(t, us, base, "observer.us")
	openCeasefire(t, us)
	rows := get(t, us, chromedp.Evaluate[[]string](`[...document.querySelectorAll('tr.cf-incident')].map(r => r.dataset.published)`))
	if len(rows) == 0 {
		t.Fatal("the observer sees no incident")
	}
	for _, p := range rows {
		if p != "true" {
			t.Fatalf("the observer sees an unpublished incident: %v", rows)
		}
	}
	if txt := get(t, us, chromedp.Text(`tr[data-id="`+incident+`"]`)); !strings.Contains(txt, "no houses were targeted") {
		t.Errorf("the observer's row of the incident lacks the answer: %q", txt)
	}
	do(t, us, chromedp.Click(`tr[data-id="`+incident+`"] a`), chromedp.WaitVisible("#cf-answers"))
	if page := get(t, us, chromedp.Text("#main")); strings.Contains(page, "Beit Jinn village") {
		t.Error("the observer reads the reports' narratives")
	}

	// 6. The photo's hash is in the ledger: the evidence event's record
	// carries it as its content hash.
	status, body = apiDo(t, base, "monitor", "GET", "/api/v1/ledger/events?from=0&limit=1000", nil)
	if status != 200 {
		t.Fatalf("ledger events: %d %s", status, body)
	}
	var evs struct {
		Events []struct {
			Type   string
			Record string
		}
	}
	json.Unmarshal([]byte(body), &evs)
	found := false
	for _, e := range evs.Events {
		rec, _ := base64.StdEncoding.DecodeString(e.Record)
		if e.Type == "ceasefire.evidence" && strings.Contains(string(rec), "\ncontent "+want+"\n") {
			found = true
		}
	}
	if !found {
		t.Errorf("no evidence event in the ledger carries the photo's SHA-256 %s", want)
	}
}
