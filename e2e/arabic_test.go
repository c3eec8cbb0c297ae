package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestQuotesAndDatesInArabic: on an Arabic page at a phone's 390 px, an
// English reason quoted in a party's stance had its quotation marks
// reversed (the <q> took the English words' direction, and with it put
// the Arabic marks the wrong way round), and the round's dates broke at
// their hyphens. The marks now follow the page (the <q> is right to left,
// the words inside it isolated), and each date stays on one line, on the
// round page and in the rounds list.
func TestQuotesAndDatesInArabic(t *testing.T) {
	base := startDemo(t)
	gov := newBrowser(t)
	login(t, gov, base, "gov.head")
	setLanguage(t, gov, "ar")
	phone(t, gov, true)
	unbroken := func(where string) {
		t.Helper()
		lines := get(t, gov, chromedp.Evaluate[[]int](`[...document.querySelectorAll(".round-meta bdi")].filter(d => /^\d{4}-\d{2}-\d{2}$/.test(d.textContent)).map(d => d.getClientRects().length)`))
		if len(lines) == 0 {
			t.Fatalf("%s shows no date", where)
		}
		for i, n := range lines {
			if n != 1 {
				t.Errorf("%s: date %d takes %d lines", where, i+1, n)
			}
		}
	}
	do(t, gov, chromedp.Navigate(base+"/"), chromedp.WaitVisible(".round-list"))
	unbroken("the rounds list")
	openRound(t, gov)
	unbroken("the round page")
	const reason = "Not before the ceasefire holds, and the lists are exchanged."
	do(t, gov,
		chromedp.Click(`.agenda-item .stance-form label[for$="-refuse"]`),
		chromedp.SetValue(`.agenda-item .stance-form textarea`, reason),
		chromedp.Click(`.agenda-item .stance-form button[type=submit]`),
	)
	got := pollString(t, gov, 10*time.Second, `(() => {
		const q = [...document.querySelectorAll(".stance-reason q")].find(q => q.textContent === `+jsString(reason)+`);
		if (!q) return "";
		q.scrollIntoView({block: "center"});
		return getComputedStyle(q).direction + " " + (q.querySelector("bdi") ? "isolated" : "bare");
	})()`)
	shot(t, gov, "ar-390-stance-reason")
	if got != "rtl isolated" {
		t.Errorf("the quoted English reason on the Arabic page: %s, want an rtl q with its words isolated", got)
	}
}
