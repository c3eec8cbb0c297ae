package e2e

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"parley/internal/detainees/match"
	"parley/internal/detainees/synth"
)

// shot saves a screenshot of the visible part of the page in ctx as name.png in the folder
// named by PARLEY_E2E_SHOTS, when it is set: for looking at the pages.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PARLEY_E2E_SHOTS")
	if dir == "" {
		return
	}
	b := get(t, ctx, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// detaineeFiles writes the two sides' lists: the government's held list in
// the canonical columns, and the opposition's sought list with headers of
// its own (two the mapping step knows, one it does not).
func detaineeFiles(t *testing.T, d synth.Data) (gov, opp string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, recs []match.Record, rename map[string]string) string {
		var b bytes.Buffer
		if err := match.WriteCSV(&b, recs); err != nil {
			t.Fatal(err)
		}
		head, rest, _ := strings.Cut(b.String(), "\n")
		cols := strings.Split(head, ",")
		for i, c := range cols {
			if r, ok := rename[c]; ok {
				cols[i] = r
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(cols, ",")+"\n"+rest), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("government.csv", d.A, nil),
		write("opposition.csv", d.B, map[string]string{"name_latin": "Full name", "sex": "Gender", "mother_name": "Mère"})
}

// uploadList submits a list from the process's detainee page open in ctx,
// maps the header not mapped yet onto column when there is one, imports
// it and returns the list's URL.
func uploadList(t *testing.T, ctx context.Context, kind, name, file, header, column string) string {
	t.Helper()
	do(t, ctx,
		chromedp.Click(`#det-upload-form input[value="`+kind+`"]`),
		chromedp.SendKeys("#det-upload-name", name),
		chromedp.SetUploadFiles("#det-upload-file", []string{file}),
		chromedp.Click("#det-upload-form button[type=submit]"),
		chromedp.WaitVisible("#det-mapping-form"),
	)
	if header != "" {
		// The report lists the unmapped column; once mapped, every row is
		// valid.
		do(t, ctx, chromedp.WaitVisible("#det-report-bad"))
		shot(t, ctx, "detainees-mapping")
		do(t, ctx,
			chromedp.SetValue(`select[data-header="`+header+`"]`, column),
			chromedp.Click("#det-check-again"),
			chromedp.WaitVisible("#det-report-ok"),
		)
	}
	do(t, ctx,
		chromedp.WaitVisible("#det-report-ok"),
		chromedp.Click("#det-import"),
		chromedp.WaitVisible("#det-records"),
	)
	return get(t, ctx, chromedp.Location())
}

// pending reads the review queue's count of undecided pairs.
func pending(t *testing.T, ctx context.Context) int {
	t.Helper()
	a := get(t, ctx, chromedp.AttributeValue("#det-pending", "data-pending"))
	n, err := strconv.Atoi(a.Value)
	if err != nil {
		t.Fatalf("pending %q", a.Value)
	}
	return n
}

// TestDetaineesStory is the detainee track's story (issue 14): the
// government and the opposition upload their lists (the opposition's
// through the column mapping); the ICRC settles uncertain matches in the
// review queue with the keyboard; the mediation records an exchange of 10
// people; the ICRC verifies 8 releases; the dashboard shows 8 of 10; and
// the opposition reads only the agreed names of the government's list.
func TestDetaineesStory(t *testing.T) {
	base := startDemo(t)
	data := synth.Generate(synth.Options{N: 300, Seed: 4})
	govFile, oppFile := detaineeFiles(t, data)

	gov := newBrowser(t)
	login(t, gov, base, "gov.head")
	openRound(t, gov)
	do(t, gov, chromedp.Click("#detainees-link"), chromedp.WaitVisible("#det-upload-form"))
	process := get(t, gov, chromedp.Location())
	shot(t, gov, "detainees-process")
	govList := uploadList(t, gov, "held", "Held by the government", govFile, "", "")
	shot(t, gov, "detainees-list")

	opp := newBrowser(t)
	login(t, opp, base, "opp.head")
	do(t, opp, chromedp.Navigate(process), chromedp.WaitVisible("#det-upload-form"))
	uploadList(t, opp, "sought", "Sought by the opposition", oppFile, "Mère", "mother_name")

	med := newBrowser(t)
	login(t, med, base, "mediator")
	do(t, med, chromedp.Navigate(process), chromedp.Click("#det-run-matching"), chromedp.WaitVisible("#det-pending"))

	// The ICRC reviews the uncertain pairs with the keyboard: Y when the
	// generator made both records of one person, N otherwise.
	truth := map[[2]string]bool{}
	for _, p := range data.Truth {
		truth[[2]string{p.A, p.B}], truth[[2]string{p.B, p.A}] = true, true
	}
	icrc := newBrowser(t)
	login(t, icrc, base, "icrc")
	do(t, icrc, chromedp.Navigate(process+"/review"), chromedp.WaitVisible("#det-pending"))
	before := pending(t, icrc)
	if before == 0 {
		t.Fatal("the matching sends no pair to review (on the synthetic lists of 300 records, seed 4, it sent one)")
	}
	shot(t, icrc, "detainees-review")
	reviewed := min(before, 6)
	for i := range reviewed {
		ids := get(t, icrc, chromedp.Evaluate[[]string](`Array.from(document.activeElement.closest(".det-pair").querySelectorAll("thead th")).slice(1).map(th => th.textContent.split("·").pop().trim())`))
		if len(ids) != 2 {
			t.Fatalf("the pair in focus: %v", ids)
		}
		key := "n"
		if truth[[2]string{ids[0], ids[1]}] {
			key = "y"
		}
		do(t, icrc, chromedp.KeyEvent(key))
		deadline := time.Now().Add(10 * time.Second)
		for pending(t, icrc) != before-i-1 {
			if time.Now().After(deadline) {
				t.Fatalf("after %d decisions the queue still has %d pending", i+1, pending(t, icrc))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if got := len(get(t, icrc, chromedp.Nodes(".det-pair.decided", chromedp.AtLeast(0)))); got != reviewed {
		t.Errorf("%d pairs show a decision, want %d", got, reviewed)
	}

	// The mediation runs the matching again (the decisions win) and
	// records an exchange of the first 10 people of the government's list.
	do(t, med,
		chromedp.Navigate(process),
		chromedp.Click("#det-run-matching"),
		chromedp.WaitVisible("#det-pending"),
		chromedp.Navigate(process),
		chromedp.WaitVisible("#det-exchange-form"),
		chromedp.SendKeys("#det-ex-title", "First release of detainees"),
	)
	// Ten people: the first records of the list that no earlier ticked
	// record is matched with (a person entered twice is ticked once).
	// It returns their record ids in the government's file.
	ticked := get(t, med, chromedp.Evaluate[[]string](`(() => {
		const used = new Set(); const out = [];
		for (const c of document.querySelectorAll('#det-exchange-form input[name=person]')) {
			const ids = c.value.split(" ");
			if (out.length === 10 || ids.some(id => used.has(id))) { continue; }
			ids.forEach(id => used.add(id)); c.checked = true;
			out.push(c.closest("label").querySelector(".hint").textContent.split("·")[0].trim());
		}
		return out; })()`))
	if len(ticked) != 10 {
		t.Fatalf("%d people ticked", len(ticked))
	}
	agreed := map[string]bool{}
	for _, id := range ticked {
		agreed[id] = true
	}
	shot(t, med, "detainees-exchange-form")
	do(t, med, chromedp.Click("#det-exchange-submit"))
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(get(t, med, chromedp.Location()), "/detainees/exchanges/") {
		if time.Now().After(deadline) {
			t.Fatalf("the exchange is refused: %s", get(t, med, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".form-error, .field-error")).map(e => e.textContent).join(" | ")`)))
		}
		time.Sleep(100 * time.Millisecond)
	}
	do(t, med, chromedp.WaitVisible("#det-people"))
	exchange := get(t, med, chromedp.Location())
	if n := len(get(t, med, chromedp.Nodes(".det-person", chromedp.AtLeast(0)))); n != 10 {
		t.Fatalf("the exchange lists %d people", n)
	}

	// The ICRC verifies eight releases, each with its place.
	do(t, icrc, chromedp.Navigate(exchange), chromedp.WaitVisible("#det-people"))
	for i := 1; i <= 8; i++ {
		sel := fmt.Sprintf("#person-%d", i)
		do(t, icrc,
			chromedp.SendKeys(sel+" input[name=place]", "Abu al-Zuhur crossing"),
			chromedp.Click(sel+" button.det-confirm-release"),
			chromedp.WaitVisible(sel+".released"),
		)
	}
	shot(t, icrc, "detainees-exchange")
	if n := len(get(t, icrc, chromedp.Nodes(".det-person.released", chromedp.AtLeast(0)))); n != 8 {
		t.Errorf("%d releases verified, want 8", n)
	}

	// The dashboard shows 8 of 10.
	do(t, med, chromedp.Navigate(process+"/dashboard"), chromedp.WaitVisible("#det-total"))
	shot(t, med, "detainees-dashboard")
	v := get(t, med, chromedp.AttributeValue("#det-total", "data-verified"))
	p := get(t, med, chromedp.AttributeValue("#det-total", "data-promised"))
	if v.Value != "8" || p.Value != "10" {
		t.Errorf("dashboard: %s of %s verified, want 8 of 10", v.Value, p.Value)
	}
	if txt := get(t, med, chromedp.Text("#det-total")); !strings.Contains(txt, "8") || !strings.Contains(txt, "10") {
		t.Errorf("dashboard text %q", txt)
	}

	// The opposition reads the ten agreed names of the government's list,
	// and no other name of it; the list itself is not found.
	do(t, opp, chromedp.Navigate(exchange), chromedp.WaitVisible("#det-people"))
	seen := get(t, opp, chromedp.Text("#det-people"))
	do(t, opp, chromedp.Navigate(process+"/dashboard"), chromedp.WaitVisible("#det-total"))
	seen += get(t, opp, chromedp.Text("#main"))
	do(t, opp, chromedp.Navigate(process), chromedp.WaitVisible("#det-lists"))
	seen += get(t, opp, chromedp.Text("#main"))
	// A name the opposition's own list holds, or one of the ten agreed,
	// may stand in its pages for that reason.
	oppNames := map[string]bool{}
	for _, r := range data.B {
		oppNames[r.NameAr], oppNames[r.NameLatin] = true, true
	}
	nameOf := func(r match.Record) string { return cmp.Or(r.NameLatin, r.NameAr) }
	for _, r := range data.A {
		if agreed[r.ID] {
			oppNames[nameOf(r)] = true
		}
	}
	for _, r := range data.A {
		name := nameOf(r)
		if name == "" {
			continue
		}
		switch {
		case agreed[r.ID] && !strings.Contains(seen, name):
			t.Errorf("the opposition does not read %q, agreed for release", name)
		case !agreed[r.ID] && !oppNames[name] && strings.Contains(seen, name):
			t.Errorf("the opposition reads %q of the government's list, not agreed", name)
		}
	}
	do(t, opp, chromedp.Navigate(govList), chromedp.WaitVisible("#main"))
	if n := len(get(t, opp, chromedp.Nodes("#det-records", chromedp.AtLeast(0)))); n != 0 {
		t.Error("the opposition opens the government's list")
	}
}
