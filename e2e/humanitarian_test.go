package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// openHumanitarian opens humanitarian access from the demo round's page,
// as a user finds it: the link in the round's table of contents.
func openHumanitarian(t *testing.T, ctx context.Context) string {
	t.Helper()
	openRound(t, ctx)
	do(t, ctx,
		chromedp.Click("#humanitarian-link"),
		chromedp.WaitVisible("#convoys"),
	)
	return get(t, ctx, chromedp.Location())
}

// choose selects the option of a select element by its visible text.
func choose(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	js := `(function(){const s=document.querySelector(` + jsString(sel) + `);for(const o of s.options){if(o.text.trim()===` + jsString(text) +
		`){s.value=o.value;return true}}return false})()`
	if !get(t, ctx, chromedp.Evaluate[bool](js)) {
		t.Fatalf("no option %q in %s", text, sel)
	}
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// madayaRow reads the dashboard's figures of one item at Madaya, as
// the page shows them: requested, approved, loaded, removed, delivered and
// the gap.
func madayaRow(t *testing.T, ctx context.Context, dashboard, item string) []string {
	t.Helper()
	do(t, ctx, chromedp.Navigate(dashboard), chromedp.WaitVisible(".hum-location"))
	js := `(function(){for(const s of document.querySelectorAll('.hum-location')){if(!s.querySelector('h2').textContent.includes('Madaya'))continue;
		for(const r of s.querySelectorAll('.hum-funnel-table tbody tr')){if(r.querySelector('th').textContent.trim()===` + jsString(item) + `){
		return Array.from(r.querySelectorAll('td.num')).map(c=>c.textContent.trim())}}}return []})()`
	row := get(t, ctx, chromedp.Evaluate[[]string](js))
	if len(row) != 6 {
		t.Fatalf("the dashboard has no figures of %s at Madaya: %v", item, row)
	}
	return row
}

// status returns the status an error page shows, or "" for a page that is
// not an error.
func status(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#main"))
	return get(t, ctx, chromedp.Evaluate[string](`(function(){const e=document.querySelector('.error-page');return e?e.dataset.status:''})()`))
}

// TestHumanitarianConvoyStory is issue 13's story: OCHA requests a convoy
// to Madaya, held by the opposition; the government approves it in part;
// a checkpoint removes medical items; the convoy delivers the rest; the
// dashboard shows the gap per item; the opposition sees the same facts;
// the Russian guarantor sees the dashboard's figures and not the convoy;
// the observer sees nothing.
func TestHumanitarianConvoyStory(t *testing.T) {
	base := startDemo(t)

	opp := newBrowser(t)
	login(t, opp, base, "opp.head")
	hum := openHumanitarian(t, opp)
	dashboard := strings.TrimSuffix(hum, "/") + "/dashboard"
	kitsBefore := madayaRow(t, opp, dashboard, "medical kits")

	ocha := newBrowser(t)
	login(t, ocha, base, "ocha")
	openHumanitarian(t, ocha)
	choose(t, ocha, "#req-destination", "Madaya")
	do(t, ocha,
		chromedp.SetValue("#item-0-name", "food parcels"),
		chromedp.SetValue("#item-0-requested", "1000"),
		chromedp.SetValue("#item-1-name", "medical kits"),
		chromedp.SetValue("#item-1-requested", "200"),
		chromedp.SetValue("#req-route", "Checkpoint Alpha"),
	)
	choose(t, ocha, "#item-0-unit", "carton")
	choose(t, ocha, "#item-1-unit", "kit")
	choose(t, ocha, "#approval-0-party", "Government of the Syrian Arab Republic delegation")
	do(t, ocha, chromedp.Click("#req-submit"), chromedp.WaitVisible("#timeline"))
	convoy, _, _ := strings.Cut(get(t, ocha, chromedp.Location()), "?")
	if got := get(t, ocha, chromedp.Text("#convoy-state")); got != "Awaiting approval" {
		t.Fatalf("after the request the convoy is %q", got)
	}

	gov := newBrowser(t)
	login(t, gov, base, "gov.head")
	do(t, gov,
		chromedp.Navigate(convoy),
		chromedp.WaitVisible("#step-approval"),
		chromedp.SetValue("#approval-decision", "partially_approved"),
		chromedp.SetValue("#approve-1", "120"),
		chromedp.SetValue("#approval-reason", "Surgical items need a separate authorisation."),
		chromedp.Click("#step-approval button[type=submit]"),
		chromedp.WaitVisible("#hum-notice"),
	)
	if got := get(t, gov, chromedp.Text("#convoy-state")); got != "Partially approved" {
		t.Fatalf("after the approval the convoy is %q", got)
	}

	do(t, ocha,
		chromedp.Navigate(convoy),
		chromedp.WaitVisible("#step-dispatched"),
		chromedp.Click("#step-dispatched button[type=submit]"),
		// Each step's page is the next one only once its own form is
		// gone: the arrival form (turned back) is offered from dispatch on.
		chromedp.WaitNotPresent("#step-dispatched"),
		chromedp.WaitVisible("#step-checkpoint"),
		chromedp.SetValue("#cp-outcome", "items_removed"),
		chromedp.SetValue("#remove-1", "50"),
		chromedp.SetValue("#cp-removed-reason", "not on the checkpoint's list"),
	)
	choose(t, ocha, "#cp-by", "Government of the Syrian Arab Republic delegation")
	do(t, ocha,
		chromedp.Click("#step-checkpoint button[type=submit]"),
		chromedp.WaitNotPresent("#step-checkpoint"),
		chromedp.WaitVisible("#step-arrival"),
		chromedp.Click("#step-arrival button[type=submit]"),
		chromedp.WaitNotPresent("#step-arrival"),
	)
	if got := get(t, ocha, chromedp.Text("#convoy-state")); got != "Delivered" {
		t.Fatalf("at the end the convoy is %q", got)
	}
	facts := func(ctx context.Context) string {
		return get(t, ctx, chromedp.Text("#hum-items")) + "\n" + get(t, ctx, chromedp.Text(".hum-timeline"))
	}
	seen := facts(ocha)
	for _, want := range []string{"medical kits", "Items removed", "not on the checkpoint's list", "Surgical items need a separate authorisation."} {
		if !strings.Contains(seen, want) {
			t.Errorf("the convoy page lacks %q:\n%s", want, seen)
		}
	}

	// The dashboard: 200 kits asked for, 120 approved and loaded, 50
	// removed, 70 delivered, 130 short.
	kitsAfter := madayaRow(t, opp, dashboard, "medical kits")
	want := []float64{200, 120, 120, 50, 70, 130}
	for i := range want {
		if d := number(t, kitsAfter[i]) - number(t, kitsBefore[i]); d != want[i] {
			t.Errorf("medical kits at Madaya, column %d: %s → %s, a change of %g, want %g", i, kitsBefore[i], kitsAfter[i], d, want[i])
		}
	}
	// The opposition, which holds Madaya, reads the same convoy.
	do(t, opp, chromedp.Navigate(convoy), chromedp.WaitVisible("#timeline"))
	if got := facts(opp); got != seen {
		t.Errorf("the opposition sees\n%s\nOCHA sees\n%s", got, seen)
	}

	ru := newBrowser(t)
	login(t, ru, base, "guarantor.ru")
	if got := madayaRow(t, ru, dashboard, "medical kits"); strings.Join(got, " ") != strings.Join(kitsAfter, " ") {
		t.Errorf("the guarantor's dashboard shows %v, the opposition's %v", got, kitsAfter)
	}
	if got := status(t, ru, convoy); got != "404" {
		t.Errorf("the guarantor opens the convoy page: status %q", got)
	}

	us := newBrowser(t)
	login(t, us, base, "observer.us")
	openHumanitarian(t, us)
	if n := get(t, us, chromedp.Evaluate[int](`document.querySelectorAll('#hum-locations tr, #hum-convoys tr').length`)); n != 0 {
		t.Errorf("the observer sees %d rows of areas or convoys", n)
	}
	for _, u := range []string{dashboard, convoy} {
		if got := status(t, us, u); got != "404" {
			t.Errorf("the observer opens %s: status %q", u, got)
		}
	}
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("not a number: %q", s)
		}
		f = f*10 + float64(r-'0')
	}
	return f
}
