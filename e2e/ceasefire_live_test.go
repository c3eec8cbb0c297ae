package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitData waits, with a deadline, until the map says it draws want
// incidents (its data-ready).
func waitData(t *testing.T, ctx context.Context, want int, within time.Duration) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	sel := `#cf-map[data-ready="` + strconv.Itoa(want) + `"]`
	if err := chromedp.Do(wctx, chromedp.WaitReady(sel)); err != nil {
		got := get(t, ctx, chromedp.Evaluate[string](`document.getElementById('cf-map').dataset.ready`))
		t.Fatalf("the map draws %s incidents, want %d: %v", got, want, err)
	}
}

// TestCeasefireLiveMap: a report filed elsewhere appears on an open map
// without a reload; the monitors import zones on the map page and they
// are drawn; a monitor grades a report's source on the incident page; the
// mediation switches the public summary on, and it is read without a
// login, then off, and it is not found.
func TestCeasefireLiveMap(t *testing.T) {
	base := startDemo(t)
	mon := newBrowser(t)
	login(t, mon, base, "monitor")
	process := openCeasefire(t, mon)
	do(t, mon, chromedp.WaitReady(`#cf-map[data-live="true"]`))
	before, _ := strconv.Atoi(get(t, mon, chromedp.Evaluate[string](`document.getElementById('cf-map').dataset.ready`)))
	markPage(t, mon)

	// 1. The opposition files a report through the API; the monitor's
	// open map shows it.
	status, body := apiDo(t, base, "opp.head", "POST", "/api/v1/processes/"+process+"/ceasefire/reports", map[string]any{
		"occurred_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "lat": 35.93, "lon": 36.63, "type": "sniper_fire", "perpetrator": "unknown",
		"affected": "civilians", "knowledge": "seen", "platform": "witness", "place": "Livetown", "narrative": "A sniper fired at the bakery queue.",
	})
	if status != 201 {
		t.Fatalf("the opposition's report: %d %s", status, body)
	}
	var rep struct {
		ID         string `json:"id"`
		IncidentID string `json:"incident_id"`
	}
	json.Unmarshal([]byte(body), &rep)
	waitData(t, mon, before+1, 20*time.Second)
	if !stillSamePage(t, mon) {
		t.Fatal("the map was reloaded")
	}

	// 2. The monitor imports zones on the page; they are drawn.
	paths := count(t, mon, "#cf-map .leaflet-overlay-pane path")
	zones := filepath.Join(t.TempDir(), "zones.geojson")
	if err := os.WriteFile(zones, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Idlib test zone","kind":"de-escalation"},`+
		`"geometry":{"type":"Polygon","coordinates":[[[36.2,35.6],[37.0,35.6],[37.0,36.2],[36.2,36.2],[36.2,35.6]]]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, mon,
		chromedp.SetUploadFiles("#cf-zones-file", []string{zones}),
		chromedp.Click("#cf-zones-submit"),
	)
	// The page before the post is ready too: wait, through the
	// navigation, for a ready map drawing more paths than before.
	pollString(t, mon, 20*time.Second, fmt.Sprintf(`(function(){const ready=document.querySelector('#cf-map[data-ready]');
		const n=document.querySelectorAll('#cf-map .leaflet-overlay-pane path').length;return ready && n > %d ? String(n) : ''})()`, paths))
	_, zjson := apiDo(t, base, "observer.us", "GET", "/api/v1/processes/"+process+"/ceasefire/zones", nil)
	if !strings.Contains(zjson, "Idlib test zone") {
		t.Errorf("the observer does not read the imported zone: %s", zjson)
	}

	// 3. The monitor grades the new report's source.
	do(t, mon,
		chromedp.Navigate(base+"/ceasefire/incidents/"+rep.IncidentID),
		chromedp.WaitVisible("#report-"+rep.ID),
		chromedp.SetValue("#cf-grade-rel-"+rep.ID, "C"),
		chromedp.SetValue("#cf-grade-reason-"+rep.ID, "A single witness, not known before."),
		chromedp.Click("#report-"+rep.ID+" .cf-grade-form button"),
		chromedp.WaitVisible("#report-"+rep.ID+" .cf-grades"),
	)
	if txt := get(t, mon, chromedp.Text("#cf-grade-"+rep.ID)); !strings.Contains(txt, "C") {
		t.Errorf("the report's grade reads %q", txt)
	}

	// 4. The mediation switches the public summary on; anyone reads it.
	med := newBrowser(t)
	login(t, med, base, "mediator")
	summarySwitch(t, med, base, process, true)
	resp, err := http.Get(base + "/processes/" + process + "/ceasefire/summary")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the public summary while on: %d", resp.StatusCode)
	}
	anon := newBrowser(t)
	do(t, anon, chromedp.Navigate(base+"/processes/"+process+"/ceasefire/summary"), chromedp.WaitVisible("#cf-summary-types"))
	if page := get(t, anon, chromedp.Text("#main")); strings.Contains(page, "bakery") || strings.Contains(page, "Beit Jinn village") {
		t.Error("the public summary shows a narrative")
	}
	summarySwitch(t, med, base, process, false)
	if resp, err = http.Get(base + "/processes/" + process + "/ceasefire/summary"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("the public summary while off: %d, want 404", resp.StatusCode)
	}
}

// summarySwitch sets the public summary's switch on the statistics page.
func summarySwitch(t *testing.T, ctx context.Context, base, process string, on bool) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/processes/"+process+"/ceasefire/statistics"), chromedp.WaitVisible("#cf-summary-form"))
	if get(t, ctx, chromedp.Evaluate[bool](`document.querySelector('#cf-summary-form input[name=enabled]').checked`)) != on {
		do(t, ctx, chromedp.Click("#cf-summary-form input[name=enabled]"))
	}
	do(t, ctx, chromedp.Click("#cf-summary-form button"), chromedp.WaitVisible("#cf-summary-form"))
	// The form is on the page before and after the post: wait for what
	// the switch changes, the summary's link, before going on.
	if on {
		do(t, ctx, chromedp.WaitVisible("#cf-summary-link"))
	} else {
		do(t, ctx, chromedp.WaitNotPresent("#cf-summary-link"))
	}
}
