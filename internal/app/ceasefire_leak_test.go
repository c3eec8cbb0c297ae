package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/app"
	"parley/internal/store/storetest"
)

// TestCeasefireLeaks checks the ceasefire's items against every demo
// subject on every path that returns them: the incident list (the map,
// and the map page's data), the single fetches, the three exports, the
// statistics and the live updates (JSON and stream, the API's and the
// map page's), and the public summary page. An item appears exactly for the
// organisations in its audience.
func TestCeasefireLeaks(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { ceasefireLeaks(t, app.Config{DataDir: t.TempDir()}) })
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		t.Run("postgres", func(t *testing.T) {
			ceasefireLeaks(t, app.Config{DataDir: t.TempDir(), DB: storetest.PostgresDSN(t, dsn)})
		})
	} else if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set; CI must run the PostgreSQL suite", storetest.EnvPostgres)
	}
}

func ceasefireLeaks(t *testing.T, cfg app.Config) {
	w := newWorld(t, cfg)
	s := w.seedCeasefire()
	mechanism := []string{"mediator", "opp.head", "guarantor.ru", "monitor"}
	everyone := subjects[1:]
	items := []struct {
		name, id string
		readers  []string
		paths    []string // where the item must appear for its readers
	}{
		{"the opposition's incident", s.inc1, mechanism, []string{"list", "csv", "geojson", "hxl", "mapdata"}},
		{"the opposition's report", s.report, mechanism, []string{"incident"}},
		{"its evidence", s.evidence, mechanism, []string{"incident"}},
		{"its source's grade", s.grade, mechanism, []string{"incident"}},
		{"the published incident", s.published, everyone, []string{"list", "csv", "geojson", "hxl", "updates", "mapdata", "mapupdates"}},
		{"the incident against the opposition", s.answerable, mechanism, []string{"list", "csv"}},
	}
	p := "/api/v1/processes/" + w.process + "/ceasefire"
	paths := map[string]string{
		"list": p + "/incidents?limit=10000", "csv": p + "/incidents/export?format=csv", "geojson": p + "/incidents/export?format=geojson",
		"hxl": p + "/incidents/export?format=hxl", "updates": p + "/events?after=-1", "stats": p + "/statistics",
		"mapdata": "/processes/" + w.process + "/ceasefire/data", "mapupdates": "/processes/" + w.process + "/ceasefire/events?after=-1",
		"summary": "/processes/" + w.process + "/ceasefire/summary",
	}
	for _, subject := range everyone {
		got := map[string]string{}
		for name, path := range paths {
			status, body := w.do("GET", path, subject, nil)
			if status != http.StatusOK {
				t.Fatalf("%s %s: %d", subject, path, status)
			}
			got[name] = string(body)
		}
		// The single fetch of each incident the subject may read.
		for _, inc := range []string{s.inc1, s.published, s.answerable} {
			_, body := w.do("GET", "/api/v1/ceasefire/incidents/"+inc, subject, nil)
			got["incident"] += string(body)
		}
		got["stream"] = w.streamUpdates(subject, p+"/events")
		for _, it := range items {
			reads := slices.Contains(it.readers, subject)
			for name, body := range got {
				has := strings.Contains(body, it.id)
				if has && !reads {
					t.Errorf("%s reads %s through %s", subject, it.name, name)
				}
				if !has && reads && slices.Contains(it.paths, name) {
					t.Errorf("%s misses %s in %s", subject, it.name, name)
				}
			}
		}
		// The statistics count what the list shows, no more.
		var list struct{ Incidents []json.RawMessage }
		json.Unmarshal([]byte(got["list"]), &list)
		var st struct {
			ByType []struct{ All int } `json:"by_type"`
		}
		json.Unmarshal([]byte(got["stats"]), &st)
		total := 0
		for _, c := range st.ByType {
			total += c.All
		}
		if total != len(list.Incidents) {
			t.Errorf("%s: the statistics count %d incidents, the list shows %d", subject, total, len(list.Incidents))
		}
		for _, sec := range ceasefireSecrets {
			if strings.Contains(got["summary"], sec.text) {
				t.Errorf("%s: the public summary page shows %q", subject, sec.text)
			}
		}
		if !strings.Contains(got["updates"], s.published) || !strings.Contains(got["stream"], s.published) {
			t.Errorf("%s: the live updates lack the published incident", subject)
		}
	}
	// The public summary page, without a login: counts only while on, 404
	// when off.
	status, body := w.do("GET", "/processes/"+w.process+"/ceasefire/summary", "", nil)
	if status != http.StatusOK || !strings.Contains(string(body), "cf-summary-types") || strings.Contains(string(body), s.published) {
		t.Errorf("the public summary page: %d, holds the incident's id: %v", status, strings.Contains(string(body), s.published))
	}
	for _, sec := range ceasefireSecrets {
		if strings.Contains(string(body), sec.text) {
			t.Errorf("the public summary page shows %q", sec.text)
		}
	}
	if err := w.a.Ceasefire.SetPublicSummary(context.Background(), w.user["mediator"].Actor(), w.process, false); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/processes/" + w.process + "/ceasefire/summary", p + "/summary"} {
		for _, subject := range subjects {
			if status, _ := w.do("GET", path, subject, nil); status != http.StatusNotFound {
				t.Errorf("%s as %q with the summary off: %d, want 404", path, subject, status)
			}
		}
	}
	// The answer of the opposition, to an unpublished incident: its
	// readers read it beside the finding, nobody else.
	for _, subject := range everyone {
		_, body := w.do("GET", "/api/v1/ceasefire/incidents/"+s.answerable, subject, nil)
		if has, reads := strings.Contains(string(body), "Cfsecret answer charlie"), slices.Contains(mechanism, subject); has != reads {
			t.Errorf("%s reads the opposition's answer: %v, want %v", subject, has, reads)
		}
	}
}

// streamUpdates opens the live stream of updates as subject and returns
// what it sent until the seeded events have come (an event whose index
// is the ledger's last), or a deadline.
func (w *world) streamUpdates(subject, path string) string {
	w.t.Helper()
	req, _ := http.NewRequest("GET", w.srv.URL+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+w.token[subject])
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.t.Fatalf("%s: stream %d", subject, resp.StatusCode)
	}
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	// The seeded events arrive in the stream's first read; an empty line
	// after a data line ends an event, and the first batch ends when the
	// published incident's publication has been sent or nothing more comes.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && sc.Scan() {
		line := sc.Text()
		b.WriteString(line + "\n")
		if strings.Contains(line, "ceasefire.public_summary") {
			break // the last event the seed wrote
		}
	}
	return b.String()
}
