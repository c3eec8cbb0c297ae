package e2e

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The mediation team's working day (issue 11): each defect's browser test,
// run in English and in Arabic, and at a phone's width where layout is
// concerned.

// workdayLanguages are the languages each test runs in: a left-to-right
// and a right-to-left one.
var workdayLanguages = []string{"en", "ar"}

// setLanguage stores the account's language, as the account page's form
// does, so every later page comes in it.
func setLanguage(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	got := get(t, ctx, chromedp.Evaluate[string](`fetch("/account/language", {method: "POST", body: new URLSearchParams({locale: `+strconvQuote(lang)+`})})
		.then(r => r.text()).then(html => new DOMParser().parseFromString(html, "text/html").documentElement.lang)`,
		chromedp.EvalAwaitPromise))
	if got != lang {
		t.Fatalf("setting the language %s: the page answered in %q", lang, got)
	}
}

// within waits up to d for sel to be visible, failing with what the page
// shows instead.
func within(t *testing.T, ctx context.Context, d time.Duration, sel string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(sel)); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + "\n" + document.body.innerText.slice(0, 1500)`))
		t.Fatalf("%s not shown within %s: %v\n%s", sel, d, err, body)
	}
}

// pollString evaluates expr until it gives a non-empty string, through
// navigations (an evaluation during one fails and is tried again), for up
// to d.
func pollString(t *testing.T, ctx context.Context, d time.Duration, expr string) string {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr)); err == nil && v != "" {
			return v
		}
		<-tick.C
	}
	t.Fatalf("%s gave nothing within %s", expr, d)
	return ""
}

// bothSidesOfTheRound starts the demo (with env, as startDemo takes it),
// logs the mediator and the government's head in, each in a browser of its
// own, and opens the demo round for the mediator: the opening of the
// stories that change the round on one side and look at it from the
// other. round is the round page's address.
func bothSidesOfTheRound(t *testing.T, env ...string) (base string, med, gov context.Context, round string) {
	t.Helper()
	base = startDemo(t, env...)
	med, gov = newBrowser(t), newBrowser(t)
	login(t, med, base, "mediator")
	login(t, gov, base, "gov.head")
	openRound(t, med)
	round = strings.SplitN(get(t, med, chromedp.Location()), "#", 2)[0]
	return base, med, gov, round
}

// inLanguages runs story as a subtest in each of workdayLanguages, with
// every browser of bs set to that language first.
func inLanguages(t *testing.T, bs []context.Context, story func(t *testing.T, lang string)) {
	t.Helper()
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			for _, b := range bs {
				setLanguage(t, b, lang)
			}
			story(t, lang)
		})
	}
}

// phone narrows the browser window to a phone's 390 px, or widens it back
// to a desktop's.
func phone(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	if on {
		do(t, ctx, chromedp.EmulateViewport(390, 844))
	} else {
		do(t, ctx, chromedp.EmulateViewport(1280, 900))
	}
}

// noSideScroll fails when the page is wider than the window.
func noSideScroll(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	w := get(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if w[0] > w[1] {
		// Name the outermost elements that stick out, to say what to fix.
		wide := get(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("body *")).filter(e => {
			const r = e.getBoundingClientRect();
			const p = e.parentElement && e.parentElement.getBoundingClientRect();
			return (r.right > window.innerWidth + 1 || r.left < -1) && p && p.right <= window.innerWidth + 1 && p.left >= -1;
		}).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && e.className.baseVal === undefined ? "." + e.className.split(" ")[0] : ""))`))
		t.Errorf("%s is %d px wide in a %d px window (sticking out: %s)", what, w[0], w[1], strings.Join(wide, ", "))
	}
}

// newText starts a text in the demo round from the mediation's browser and
// leaves it at the editor.
func newText(t *testing.T, ctx context.Context, base, title string) string {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(".round-list"))
	openRound(t, ctx)
	do(t, ctx,
		chromedp.Click("#texts-link"),
		chromedp.WaitVisible("#text-create-form"),
		chromedp.SendKeys("#text-title", title),
		chromedp.Submit("#text-title"),
		chromedp.WaitVisible("#draft-form"),
	)
	return strings.SplitN(get(t, ctx, chromedp.Location()), "#", 2)[0]
}

// TestIssueKeepsUnsavedEdits is defect 1: the mediation types the text and,
// without saving, asks to issue it. Issuing must never send the parties
// something other than what the editor shows: the page previews the
// revision from the typed text and asks for a confirmation; the issue
// button does not look like the save button.
func TestIssueKeepsUnsavedEdits(t *testing.T) {
	base := startDemo(t)
	med := newBrowser(t)
	login(t, med, base, "mediator")
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			textURL := newText(t, med, base, "Ceasefire arrangements "+lang)
			const typed = "1. The parties shall observe the ceasefire [throughout the country]."
			do(t, med, chromedp.SetValue("#draft-source", "# Ceasefire arrangements "+lang+"\n\n"+typed+"\n"))

			// Save and issue are told apart: not the same colours.
			save := `#draft-form button[type=submit]:not([formaction])`
			issue := `#issue-review, #issue-form button[type=submit]`
			look := func(sel string) string {
				return get(t, med, chromedp.Evaluate[string](`(s => s.backgroundColor + "/" + s.color)(getComputedStyle(document.querySelector(`+strconvQuote(sel)+`)))`))
			}
			if a, b := look(save), look(issue); a == b {
				t.Errorf("the save and issue buttons look the same (%s)", a)
			}

			do(t, med, chromedp.Click(issue))
			within(t, med, 15*time.Second, "#issue-preview")
			if got := get(t, med, chromedp.Text("#issue-preview")); !strings.Contains(got, "throughout the country") {
				t.Errorf("the preview does not show the typed text: %q", got)
			}
			phone(t, med, true)
			noSideScroll(t, med, "the issue preview at 390 px")
			phone(t, med, false)

			do(t, med, chromedp.Click("#issue-confirm"))
			within(t, med, 15*time.Second, `#revision-label[data-revision="1"]`)
			if got := get(t, med, chromedp.Text("#para-1")); !strings.Contains(got, "throughout the country") {
				t.Errorf("Rev.1 paragraph 1 reads %q", got)
			}
			if !strings.HasPrefix(get(t, med, chromedp.Location()), textURL) {
				t.Errorf("after issuing, at %s", get(t, med, chromedp.Location()))
			}
		})
	}
}

// TestRelayShownOnce is defect 3: on the mediation's conversation page a
// relay that is the latest message appeared twice, the live stream
// replaying an event the page already held. The mediation relays through
// its page (the relay is then the latest message on it), a later message
// arrives live (so the stream has delivered everything before it), and
// the relay is on the page once.
func TestRelayShownOnce(t *testing.T) {
	base := startDemo(t)
	oppAPI := chanLogin(t, base, "opp.head")
	medAPI := chanLogin(t, base, "mediator")
	govOrg := chanLogin(t, base, "gov.head").org
	med := newBrowser(t)
	login(t, med, base, "mediator")
	openConversation(t, med)
	roundID := path.Base(strings.TrimSuffix(get(t, med, chromedp.Location()), "/conversation"))
	send := func(body string) string {
		var m apiMessage
		if status := oppAPI.json("POST", "/api/v1/rounds/"+roundID+"/messages", map[string]any{"to": []string{"mediation"}, "body": body}, &m); status != http.StatusCreated {
			t.Fatalf("the opposition's message: %d", status)
		}
		return m.ID
	}
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			orig := send("Our list of detainees is ready (" + lang + ").")
			do(t, med, chromedp.Reload(), chromedp.WaitVisible("#m-"+orig))
			relayTo := "#relay-" + orig + "-to-" + govOrg
			do(t, med,
				chromedp.Click("#m-"+orig+" details.relay summary"),
				chromedp.WaitVisible(relayTo),
				chromedp.Click(relayTo),
				chromedp.Click("#relay-form-"+orig+" button[type=submit]"),
				chromedp.WaitVisible("#m-"+orig),
			)
			// The relay is written once the form's request is done: poll.
			var relay string
			for deadline := time.Now().Add(15 * time.Second); relay == "" && time.Now().Before(deadline); {
				for _, m := range medAPI.messages(roundID) {
					if m.RelayedFrom == orig {
						relay = m.ID
					}
				}
				if relay == "" {
					<-time.After(100 * time.Millisecond)
				}
			}
			if relay == "" {
				t.Fatal("the relay is not in the mediation's list")
			}
			within(t, med, 15*time.Second, "#m-"+relay)
			later := send("And a later note (" + lang + ").")
			within(t, med, 20*time.Second, "#m-"+later)
			if n := count(t, med, `[id="m-`+relay+`"]`); n != 1 {
				t.Errorf("the relay is shown %d times on the mediation's page", n)
			}
			if n := count(t, med, `[id="m-`+later+`"]`); n != 1 {
				t.Errorf("the later message is shown %d times", n)
			}
		})
	}
}

// splitWords lists the words (runs of letters) that the page shows broken
// over two lines, with the element holding them. Identifiers, hashes and
// code are meant to wrap anywhere and are left out.
const splitWords = `(() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const word = /\p{L}[\p{L}\p{M}]{1,23}/gu;
  for (let n = walk.nextNode(); n && out.length < 8; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("code, pre, .hash, .ident, script, style, [hidden]") || !el.getClientRects().length) continue;
    for (const m of n.data.matchAll(word)) {
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      const tops = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top)));
      if (tops.size > 1) out.push(m[0] + " in <" + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ")[0] : "") + ">");
    }
  }
  return out;
})()`

// TestNoWordSplitOnPhone is defect 8: on a phone, words were broken letter
// by letter ("S a v e"), because the whole page could wrap anywhere. The
// main pages, for the mediation and a party, at 390 px, in English and
// Arabic, show no word broken over two lines and no sideways scroll.
func TestNoWordSplitOnPhone(t *testing.T) {
	base := startDemo(t)
	textID := issuedText(t, base)
	for _, user := range []string{"mediator", "opp.head"} {
		b := newBrowser(t)
		login(t, b, base, user)
		openRound(t, b)
		round := strings.SplitN(get(t, b, chromedp.Location()), "#", 2)[0]
		pages := []string{"/", round, round + "/conversation", round + "/texts", round + "/record", "/statements", "/statements/desk", "/account",
			"/texts/" + textID, "/texts/" + textID + "/revisions/1/parallel"}
		phone(t, b, true)
		for _, lang := range workdayLanguages {
			setLanguage(t, b, lang)
			for _, p := range pages {
				u := p
				if strings.HasPrefix(p, "/") {
					u = base + p
				}
				do(t, b, chromedp.Navigate(u), chromedp.WaitVisible("#main"))
				if split := get(t, b, chromedp.Evaluate[[]string](splitWords)); len(split) > 0 {
					t.Errorf("%s, %s, %s at 390 px: words broken over two lines: %s", user, lang, strings.TrimPrefix(u, base), strings.Join(split, "; "))
				}
				noSideScroll(t, b, user+" "+lang+" "+strings.TrimPrefix(u, base))
			}
		}
	}
}

// issuedText has the mediation issue Rev.1 of a text in the demo round,
// through the API, with the opposition's amendment of paragraph 2 and the
// government's acceptance of paragraph 1's Option A, and returns its id.
func issuedText(t *testing.T, base string) string {
	t.Helper()
	med, opp, gov := chanLogin(t, base, "mediator"), chanLogin(t, base, "opp.head"), chanLogin(t, base, "gov.head")
	var rounds struct{ Rounds []struct{ ID string } }
	if status := med.json("GET", "/api/v1/rounds", nil, &rounds); status != http.StatusOK || len(rounds.Rounds) == 0 {
		t.Fatalf("rounds: %d", status)
	}
	var tx struct{ ID string }
	if status := med.json("POST", "/api/v1/rounds/"+rounds.Rounds[0].ID+"/texts", map[string]any{"source": rev1Source}, &tx); status != http.StatusCreated {
		t.Fatalf("create the text: %d", status)
	}
	if status, b := med.call("POST", "/api/v1/texts/"+tx.ID+"/issue", nil); status >= 300 {
		t.Fatalf("issue: %d %s", status, b)
	}
	for _, c := range []struct {
		who  *chanClient
		p    string
		body map[string]any
	}{
		{gov, "1", map[string]any{"alternative": "A", "stance": "accept"}},
		{opp, "2", map[string]any{"stance": "amend", "wording": amendment}},
	} {
		if status, b := c.who.call("PUT", "/api/v1/texts/"+tx.ID+"/revisions/1/paragraphs/"+c.p+"/position", c.body); status >= 300 {
			t.Fatalf("position on %s: %d %s", c.p, status, b)
		}
	}
	return tx.ID
}

// TestPositionsCarryOverUnchangedParagraphs is defect 2: a revision that
// changed one paragraph reset every stance. Rev.2 changes only paragraph
// 2; the government's acceptance of paragraph 1 (Option A) carries over,
// marked as carried, on its page and on the mediation's desk; the
// opposition sees its amendment of the earlier wording of paragraph 2
// beside the new wording.
func TestPositionsCarryOverUnchangedParagraphs(t *testing.T) {
	base := startDemo(t)
	med, gov, opp := newBrowser(t), newBrowser(t), newBrowser(t)
	login(t, med, base, "mediator")
	login(t, gov, base, "gov.head")
	login(t, opp, base, "opp.head")
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			for _, b := range []context.Context{med, gov, opp} {
				setLanguage(t, b, lang)
			}
			textURL := base + "/texts/" + issuedText(t, base)
			do(t, med, chromedp.Navigate(textURL+"#draft"), chromedp.WaitVisible("#draft-source"))
			src := get(t, med, chromedp.Value("#draft-source"))
			changed := strings.Replace(src, "[within 24 hours]", "within 72 hours", 1)
			if changed == src {
				t.Fatalf("the draft does not hold paragraph 2's bracket:\n%s", src)
			}
			do(t, med, chromedp.SetValue("#draft-source", changed), chromedp.Click("#issue-review"))
			within(t, med, 15*time.Second, "#issue-confirm")
			do(t, med, chromedp.Click("#issue-confirm"))
			within(t, med, 15*time.Second, `#revision-label[data-revision="2"]`)

			do(t, gov, chromedp.Navigate(textURL), chromedp.WaitVisible(`#revision-label[data-revision="2"]`))
			if n := count(t, gov, `#para-1 .mine .stance-value-accept`); n != 1 {
				t.Errorf("the government's acceptance of paragraph 1 is not on Rev.2 (%d)", n)
			}
			if n := count(t, gov, `#para-1 .mine .carried[data-carried="1"]`); n != 1 {
				t.Errorf("the government's stance on paragraph 1 is not marked as carried from Rev.1 (%d)", n)
			}
			if n := count(t, gov, `#para-2 .mine li`); n != 0 {
				t.Errorf("the changed paragraph 2 holds %d positions of the government", n)
			}

			do(t, opp, chromedp.Navigate(textURL), chromedp.WaitVisible(`#revision-label[data-revision="2"]`))
			within(t, opp, 5*time.Second, "#earlier-2")
			if got := get(t, opp, chromedp.Text("#earlier-2")); !strings.Contains(got, "24 hours") || !strings.Contains(got, amendment) {
				t.Errorf("the opposition's earlier position beside paragraph 2 reads %q", got)
			}
			if n := count(t, opp, `#para-2 .mine li`); n != 0 {
				t.Errorf("the changed paragraph 2 holds %d positions of the opposition", n)
			}

			do(t, med, chromedp.Navigate(textURL+"/revisions/2#desk"), chromedp.WaitVisible("#desk-grid"))
			if n := count(t, med, `#desk-grid tr[data-paragraph="1"][data-option="A"] .carried`); n != 1 {
				t.Errorf("the desk does not show the carried acceptance of 1 A (%d)", n)
			}
			if n := count(t, med, `#desk-grid tr[data-paragraph="2"] .earlier-stance[data-earlier="amend"]`); n != 1 {
				t.Errorf("the desk does not show the earlier amendment beside paragraph 2 (%d)", n)
			}
			phone(t, opp, true)
			noSideScroll(t, opp, "the text page at 390 px")
			phone(t, opp, false)
		})
	}
}

// TestGuarantorsToldTheTruth is defect 6: a guarantor was told that no
// negotiating text had been issued while Rev.1 existed. The guarantor is
// told who reads the round's texts; the chair (the round's administrator)
// shares the text with the guarantors from its page, and the guarantor
// then reads it.
func TestGuarantorsToldTheTruth(t *testing.T) {
	base := startDemo(t)
	gua, chair := newBrowser(t), newBrowser(t)
	login(t, gua, base, "guarantor.ru")
	login(t, chair, base, "chair")
	openRound(t, gua)
	texts := strings.SplitN(get(t, gua, chromedp.Location()), "#", 2)[0] + "/texts"
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, gua, lang)
			setLanguage(t, chair, lang)
			id := issuedText(t, base)
			do(t, gua, chromedp.Navigate(texts), chromedp.WaitVisible("#main h1"))
			if n := count(t, gua, "#text-"+id); n != 0 {
				t.Fatalf("the guarantor lists the text before it is shared")
			}
			within(t, gua, 5*time.Second, "#texts-not-shared")

			do(t, chair, chromedp.Navigate(base+"/texts/"+id), chromedp.WaitVisible("#guarantors-form"),
				chromedp.Click("#guarantors-share"))
			within(t, chair, 10*time.Second, "#guarantors-shared")

			do(t, gua, chromedp.Reload(), chromedp.WaitVisible("#text-"+id))
			do(t, gua, chromedp.Click("#text-"+id+" a"))
			within(t, gua, 10*time.Second, `#revision-label[data-revision="1"]`)
			if n := count(t, gua, "#position-form-1, #desk, .stances.mine"); n != 0 {
				t.Errorf("the guarantor sees %d position forms, desks or positions", n)
			}
		})
	}
}

// TestPositionControl is defect 11: the position form did not show the
// party's current stance, showed the amendment field for every stance and
// never said "saved". The control starts from the current stance, shows
// the proposed wording only with "amend", and confirms the save.
func TestPositionControl(t *testing.T) {
	base := startDemo(t)
	opp := newBrowser(t)
	login(t, opp, base, "opp.head")
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, opp, lang)
			textURL := base + "/texts/" + issuedText(t, base) // the opposition amends paragraph 2
			shown := func(sel string) bool {
				return get(t, opp, chromedp.Evaluate[bool](`(e => !!e && e.getClientRects().length > 0)(document.querySelector(`+strconvQuote(sel)+`))`))
			}
			for _, width := range []int{1280, 390} {
				phone(t, opp, width == 390)
				do(t, opp, chromedp.Navigate(textURL), chromedp.WaitVisible("#position-form-2"))
				if !get(t, opp, chromedp.Evaluate[bool](`document.querySelector("#stance-2-amend").checked`)) {
					t.Errorf("at %d px the control of paragraph 2 does not start from the opposition's amendment", width)
				}
				if got := get(t, opp, chromedp.Value("#wording-2")); got != amendment {
					t.Errorf("at %d px the proposed wording reads %q", width, got)
				}
				if shown("#wording-1") {
					t.Errorf("at %d px paragraph 1 shows the amendment field with no stance chosen", width)
				}
				noSideScroll(t, opp, "the text page")
			}
			phone(t, opp, false)
			do(t, opp, chromedp.Click("#stance-1-amend"))
			if !shown("#wording-1") {
				t.Error("choosing amend does not show the wording field")
			}
			do(t, opp, chromedp.Click("#stance-1-reserve"))
			if shown("#wording-1") {
				t.Error("the wording field stays with reserve")
			}
			do(t, opp, chromedp.Click("#position-form-1 button[type=submit]"))
			within(t, opp, 10*time.Second, "#saved-1")
			if !get(t, opp, chromedp.Evaluate[bool](`document.querySelector("#stance-1-reserve").checked`)) {
				t.Error("after saving, paragraph 1's control does not show the stance saved")
			}
			if n := count(t, opp, ".saved"); n != 1 {
				t.Errorf("%d saved confirmations on the page", n)
			}
		})
	}
}

// TestAnalysisExplained is defect 15: the package analysis named the Nash
// and Kalai–Smorodinsky solutions without saying what they are, numbered
// the frontier from 0, and drew the solutions' markers the same size, so
// that one hid another on the same package. Each solution now has a
// sentence, the rows start at 1 and each marker has its own size.
func TestAnalysisExplained(t *testing.T) {
	base := startDemo(t)
	med := newBrowser(t)
	login(t, med, base, "mediator")
	openRound(t, med)
	page := get(t, med, chromedp.Location()) + "/bargain"
	do(t, med,
		chromedp.Navigate(page), chromedp.WaitVisible("#bargain-domain-form"),
		chromedp.SendKeys("#domain-name", "astana"),
		chromedp.SendKeys("#issue\\.0\\.name", "Ceasefire scope"),
		chromedp.SetValue("#issue\\.0\\.values", "nationwide\nexcluding listed groups\nlocal"),
		chromedp.SendKeys("#issue\\.1\\.name", "Monitoring"),
		chromedp.SetValue("#issue\\.1\\.values", "joint group\nguarantors\nUN"),
		chromedp.Click("#bargain-domain-form button[type=submit]"),
		chromedp.WaitVisible("#bargain-notice"),
	)
	for _, p := range []struct {
		user   string
		w0, w1 string
		r      [6]string
	}{
		{"gov.head", "70", "30", [6]string{"20", "100", "60", "100", "70", "0"}},
		{"opp.head", "35", "65", [6]string{"100", "30", "0", "0", "40", "100"}},
	} {
		b := newBrowser(t)
		login(t, b, base, p.user)
		do(t, b, chromedp.Navigate(page), chromedp.WaitVisible("#bargain-profile-form"))
		enterProfile(t, b, p.w0, p.w1, p.r)
	}
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			for _, width := range []int{1280, 390} {
				phone(t, med, width == 390)
				do(t, med, chromedp.Navigate(page), chromedp.WaitVisible("#point-nash"))
				for _, sel := range []string{"#explain-nash", "#explain-kalai"} {
					if n := count(t, med, sel); n != 1 {
						t.Fatalf("%s: %d explanations", sel, n)
					}
					if got := get(t, med, chromedp.Text(sel)); len([]rune(got)) < 40 {
						t.Errorf("%s explains in %q", sel, got)
					}
				}
				if got := get(t, med, chromedp.Text("#bargain-frontier tbody tr:first-child td")); got != "1" {
					t.Errorf("the frontier's first row is numbered %q", got)
				}
				// Every chart draws each solution at its own size.
				same := get(t, med, chromedp.Evaluate[int](`Array.from(document.querySelectorAll(".bargain-chart svg")).filter(svg => {
					const rs = Array.from(svg.querySelectorAll("circle[class^=mark-]")).map(c => c.getAttribute("r"));
					return new Set(rs).size !== rs.length;
				}).length`))
				if same != 0 {
					t.Errorf("%d charts draw two solutions at the same size", same)
				}
				noSideScroll(t, med, "the analysis")
			}
			phone(t, med, false)
		})
	}
}

// TestStatementsDeskEditDelete is defect 14: drafts could not be corrected
// or withdrawn, and a released statement had no round and no page of its
// own. The opposition drafts two statements about the round, edits one and
// deletes the other; released, the edited one has its permanent page with
// the round, which a visitor who is not logged in opens.
func TestStatementsDeskEditDelete(t *testing.T) {
	base := startDemo(t)
	opp, anon := newBrowser(t), newBrowser(t)
	login(t, opp, base, "opp.head")
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, opp, lang)
			draft := func(title string) string {
				t.Helper()
				do(t, opp, chromedp.Navigate(base+"/statements/desk"), chromedp.WaitVisible("#draft-form"))
				do(t, opp,
					chromedp.SendKeys("#draft-title", title),
					chromedp.SendKeys("#draft-body", "Text of "+title),
					chromedp.SetValue("#draft-round", get(t, opp, chromedp.Evaluate[string](`document.querySelector("#draft-round option:nth-child(2)").value`))),
					chromedp.Click("#draft-form button[type=submit]"),
				)
				// The desk comes back at the new draft: /statements/desk#s-ID.
				id := strings.TrimPrefix(pollString(t, opp, 10*time.Second, `location.hash.startsWith("#s-") ? location.hash : ""`), "#s-")
				if id == "" {
					t.Fatalf("the draft %q is not on the desk", title)
				}
				return id
			}
			keep, drop := draft("Keep "+lang), draft("Drop "+lang)
			// The desk names the round in the reader's language (the demo
			// names it in four, docs/localized.md).
			if got, want := get(t, opp, chromedp.Text("#s-"+keep+" .statement-round")), map[string]string{"en": "Astana, round 1", "ar": "أستانا، الجولة الأولى"}[lang]; got != want {
				t.Errorf("the draft names the round %q, want %q", got, want)
			}
			do(t, opp,
				chromedp.Click("#s-"+keep+" details.edit summary"),
				chromedp.WaitVisible("#edit-"+keep+"-title"),
				chromedp.SetValue("#edit-"+keep+"-title", "Kept and edited "+lang),
				chromedp.Click("#edit-"+keep),
			)
			// The desk comes back with the draft as edited.
			pollString(t, opp, 10*time.Second, `(e => e && e.textContent === `+strconvQuote("Kept and edited "+lang)+` ? "yes" : "")(document.querySelector("#s-`+keep+` h3"))`)
			do(t, opp, chromedp.Click("#s-"+drop+" details.edit summary"), chromedp.WaitVisible("#delete-"+drop), chromedp.Click("#delete-"+drop))
			pollString(t, opp, 10*time.Second, `document.querySelector("#own") && !document.querySelector("#s-`+drop+`") ? "gone" : ""`)
			do(t, opp, chromedp.Click("#s-"+keep+" details.release summary"), chromedp.WaitVisible("#release-"+keep), chromedp.Click("#release-"+keep))
			within(t, opp, 10*time.Second, "#s-"+keep+" .statement-link")
			if got := get(t, opp, chromedp.Text("#s-"+keep+" .statement-round")); got != "Astana, round 1" {
				t.Errorf("the public list names the round %q", got)
			}

			do(t, anon, chromedp.Navigate(base+"/statements/"+keep), chromedp.WaitVisible("#permalink"))
			if got := get(t, anon, chromedp.Text("#statement-round")); !strings.Contains(got, "Astana, round 1") {
				t.Errorf("the statement's page gives the round as %q", got)
			}
			// No --base-url in the harness: the link is root-relative,
			// never built from the request's Host header.
			if got := get(t, anon, chromedp.Text("#permalink")); got != "/statements/"+keep {
				t.Errorf("the permanent link reads %q", got)
			}
			phone(t, anon, true)
			noSideScroll(t, anon, "the statement's page")
			phone(t, anon, false)
		})
	}
}

// TestRecordInWords is defect 9: the record listed raw event types, hex
// ids and base64 hashes, and its signature line made the page 1,450 px
// wide. Each event is now a sentence naming who acted, linked to its item;
// the proof material is one click away, and the page fits the window.
func TestRecordInWords(t *testing.T) {
	base := startDemo(t)
	issuedText(t, base) // events of the text, the parties' positions
	med := newBrowser(t)
	login(t, med, base, "mediator")
	openRound(t, med)
	record := strings.SplitN(get(t, med, chromedp.Location()), "#", 2)[0] + "/record"
	rawType := regexp.MustCompile(`\b[a-z]+\.[a-z_]+\b`)
	// The mediation as the record names it in each language (the demo
	// names it in four, docs/localized.md).
	mediation := map[string]string{"en": "UN", "ar": "فريق الوساطة"}
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			for _, width := range []int{1280, 390} {
				phone(t, med, width == 390)
				do(t, med, chromedp.Navigate(record), chromedp.WaitVisible("#record-list"))
				list := get(t, med, chromedp.Text("#record-list"))
				if m := rawType.FindString(list); m != "" {
					t.Errorf("at %d px the record shows the raw event type %q", width, m)
				}
				if n := count(t, med, `#record-list li[data-type="text.issued"] .record-words a[href$="/texts"]`); n != 1 {
					t.Errorf("at %d px the issue of Rev.1 is not one line linked to the text (%d)", width, n)
				}
				if got := get(t, med, chromedp.Text(`#record-list li[data-type="text.issued"] .record-words`)); !strings.Contains(got, mediation[lang]) {
					t.Errorf("the issue of Rev.1 does not name the mediation: %q", got)
				}
				if shown := get(t, med, chromedp.Evaluate[bool](`document.querySelector("#record-proof-material .vkey").checkVisibility()`)); shown {
					t.Errorf("at %d px the proof material is shown before it is asked for", width)
				}
				do(t, med, chromedp.Click("#record-proof-material summary"))
				noSideScroll(t, med, "the record with its proof material open")
			}
			phone(t, med, false)
			do(t, med, chromedp.Click(`#record-list li[data-type="text.issued"] .record-proof`), chromedp.WaitVisible("#event-words"))
			if !strings.Contains(get(t, med, chromedp.Text("#event-words")), mediation[lang]) {
				t.Errorf("the event's page does not say what happened")
			}
			do(t, med, chromedp.Click("#event-proof-material summary"), chromedp.WaitVisible("#event-record pre"))
			phone(t, med, true)
			noSideScroll(t, med, "the event's proof at 390 px")
			phone(t, med, false)
		})
	}
}

// TestDraftingPreviewAndExports is defect 10: drafting was a bare markup
// box. The editor shows a live preview, rendered as the parties will read
// it (and the markup's error as one types it); an issued revision exports
// to Word, which pandoc opens; and the print view opens in the browser.
func TestDraftingPreviewAndExports(t *testing.T) {
	base := startDemo(t)
	med := newBrowser(t)
	login(t, med, base, "mediator")
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			textURL := base + "/texts/" + issuedText(t, base)
			for _, width := range []int{1280, 390} {
				phone(t, med, width == 390)
				do(t, med, chromedp.Navigate(textURL+"#draft"), chromedp.WaitVisible("#draft-source"))
				get(t, med, chromedp.Evaluate[bool](`document.querySelector("#draft-source").value = ""; true`))
				do(t, med, chromedp.SendKeys("#draft-source", "# Live preview\n\n1. Convoys pass [within 48 hours]."))
				// The preview first shows the saved draft, then what was typed.
				pollString(t, med, 10*time.Second, `(e => e && e.textContent.includes("Live preview") ? "yes" : "")(document.querySelector("#draft-preview .negotiating-text"))`)
				if got := get(t, med, chromedp.Text("#draft-preview .bracket.contentious")); got != "[within 48 hours]" {
					t.Errorf("at %d px the preview's bracket reads %q", width, got)
				}
				do(t, med, chromedp.SendKeys("#draft-source", "\n2. An open [bracket."))
				within(t, med, 10*time.Second, "#draft-preview-error")
				if got := get(t, med, chromedp.Text("#draft-preview-error")); !strings.Contains(got, "4:") {
					t.Errorf("the preview's error does not say where: %q", got)
				}
				noSideScroll(t, med, "the editor with its preview")
			}
			phone(t, med, false)

			// Word: fetched through the page's link, opened by pandoc.
			do(t, med, chromedp.Navigate(textURL), chromedp.WaitVisible("#export-docx"))
			b64 := get(t, med, chromedp.Evaluate[string](`fetch(document.querySelector("#export-docx").href).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status)).then(b => { let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, chromedp.EvalAwaitPromise))
			docx, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "rev1.docx")
			if err := os.WriteFile(f, docx, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("pandoc", "-f", "docx", "-t", "plain", "--wrap=none", f).CombinedOutput()
			if err != nil {
				t.Fatalf("pandoc cannot open the Word export: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "[within 24 hours]") || !strings.Contains(string(out), "Ceasefire arrangements") {
				t.Errorf("pandoc reads:\n%s", out)
			}

			// The print view opens in the browser.
			do(t, med, chromedp.Click("#export-html"), chromedp.WaitVisible("body .footer"))
			if got := get(t, med, chromedp.Text("body")); !strings.Contains(got, "SHA-256") || !strings.Contains(got, "[within 24 hours]") {
				t.Errorf("the print view reads %q", got)
			}
			do(t, med, chromedp.Navigate(textURL)) // back from the print view, whose policy allows no script
		})
	}
}

// TestDemoShowsTheProduct is defect 16: the demo was an empty shell. The
// round in progress has conversation threads with a relay, a text at
// Rev.2 with brackets and positions (some carried over), a package
// analysis of both parties' profiles, and a released statement about the
// round; every page fits a phone.
func TestDemoShowsTheProduct(t *testing.T) {
	base, med, gov, round := bothSidesOfTheRound(t, "PARLEY_DEMO_WORKDAY=on")
	inLanguages(t, []context.Context{med, gov}, func(t *testing.T, lang string) {
		for _, width := range []int{1280, 390} {
			phone(t, med, width == 390)
			do(t, med, chromedp.Navigate(round+"/conversation"), chromedp.WaitVisible("#compose-form"))
			if n := count(t, med, "#list-relayed li.message"); n < 1 {
				t.Errorf("the mediation's conversation shows %d relays", n)
			}
			if n := count(t, med, "li.message"); n < 5 {
				t.Errorf("the mediation's conversation shows %d messages", n)
			}
			noSideScroll(t, med, "the conversation")
			do(t, med, chromedp.Navigate(round+"/texts"), chromedp.WaitVisible(".round-card a"), chromedp.Click(".round-card a"))
			within(t, med, 10*time.Second, `#revision-label[data-revision="2"]`)
			if n := count(t, med, "#text .bracket"); n < 2 {
				t.Errorf("Rev.2 shows %d brackets", n)
			}
			if n := count(t, med, "#desk-grid .carried"); n < 4 {
				t.Errorf("the desk shows %d carried positions", n)
			}
			noSideScroll(t, med, "the text and its desk")
			do(t, med, chromedp.Navigate(round+"/bargain"), chromedp.WaitVisible("#point-nash"))
			if n := count(t, med, "#bargain-frontier tbody tr"); n < 3 {
				t.Errorf("the analysis shows %d frontier packages", n)
			}
			noSideScroll(t, med, "the analysis")
		}
		phone(t, med, false)
		do(t, gov, chromedp.Navigate(base+"/statements"), chromedp.WaitVisible(".statement-round"))
		if got := get(t, gov, chromedp.Text(".statement .statement-round")); got != "Astana, round 1" {
			t.Errorf("the released statement names the round %q", got)
		}
		do(t, gov, chromedp.Navigate(round+"/conversation"), chromedp.WaitVisible("#compose-form"))
		if n := count(t, gov, "#list-relayed li.message"); n != 1 {
			t.Errorf("the government receives %d relays", n)
		}
	})
}

// TestMediationInbox is defect 4: the mediation's messages sat in one flat
// list. Its conversation page now has a column of counterparts with the
// number of messages not yet handled, a thread per counterpart, a mark on
// each original saying to whom it was relayed, a handled toggle, and j/k
// to move between messages.
func TestMediationInbox(t *testing.T) {
	base := startDemo(t, "PARLEY_DEMO_WORKDAY=on")
	med := newBrowser(t)
	login(t, med, base, "mediator")
	openConversation(t, med)
	conv := strings.SplitN(get(t, med, chromedp.Location()), "?", 2)[0]
	opp := chanLogin(t, base, "opp.head").org
	unhandled := func() int {
		t.Helper()
		s := get(t, med, chromedp.Evaluate[string](`document.querySelector("#inbox-`+opp+`").dataset.unhandled`))
		n, _ := strconv.Atoi(s)
		return n
	}
	for i, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, med, lang)
			for _, width := range []int{1280, 390} {
				phone(t, med, width == 390)
				do(t, med, chromedp.Navigate(conv), chromedp.WaitVisible("#inbox"))
				noSideScroll(t, med, "the inbox")
			}
			phone(t, med, false)
			before := unhandled()
			if i == 0 && before != 2 {
				t.Errorf("the opposition's thread has %d messages not handled, want its 2", before)
			}
			do(t, med, chromedp.Click("#inbox-"+opp), chromedp.WaitVisible(`#inbox-`+opp+`[aria-current="page"]`))
			froms := textOfAll(t, med, "li.message .message-from")
			if strings.Contains(froms, "Government") || !strings.Contains(froms, "opposition") {
				t.Errorf("the opposition's thread shows messages from %q", froms)
			}
			if n := count(t, med, "li.message .relayed-mark"); n != 1 {
				t.Errorf("%d messages of the thread carry a relay mark, want the proposal's", n)
			}
			first := get(t, med, chromedp.Evaluate[string](`document.querySelector('li.message[data-handled="no"]').id`))
			do(t, med, chromedp.Click("#handled-"+strings.TrimPrefix(first, "m-")), chromedp.WaitVisible(`#`+first+`[data-handled="yes"]`))
			if got := unhandled(); got != before-1 {
				t.Errorf("after marking one handled, %d are not handled (before %d)", got, before)
			}
			// Keyboard: j moves to the first message, j again to the next.
			get(t, med, chromedp.Evaluate[bool](`document.activeElement.blur(); true`))
			do(t, med, chromedp.KeyEvent("j"))
			a := get(t, med, chromedp.Evaluate[string](`document.activeElement.id`))
			do(t, med, chromedp.KeyEvent("j"))
			b := get(t, med, chromedp.Evaluate[string](`document.activeElement.id`))
			if !strings.HasPrefix(a, "m-") || !strings.HasPrefix(b, "m-") || a == b {
				t.Errorf("j moved focus to %q, then %q", a, b)
			}
		})
	}
}

// TestRoundOverview is defect 13 (its first half): the round page opened
// with its full length of sessions, agenda and forms. It now opens, in the
// first screen, with what matters now: the session, what awaits the
// viewer's delegation with a link to where it is done, and the latest
// events in words.
func TestRoundOverview(t *testing.T) {
	base := startDemo(t, "PARLEY_DEMO_WORKDAY=on")
	opp, med := newBrowser(t), newBrowser(t)
	login(t, opp, base, "opp.head")
	login(t, med, base, "mediator")
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			for _, c := range []struct {
				b    context.Context
				who  string
				link string // what awaits it links here
			}{{opp, "opposition", "/texts/"}, {med, "mediation", "/conversation"}} {
				setLanguage(t, c.b, lang)
				for _, width := range []int{1280, 390} {
					phone(t, c.b, width == 390)
					do(t, c.b, chromedp.Navigate(base+"/"), chromedp.WaitVisible(".round-list"))
					openRound(t, c.b)
					if top := get(t, c.b, chromedp.Evaluate[float64](`document.querySelector("#overview").getBoundingClientRect().top`)); top > 700 {
						t.Errorf("%s at %d px: the overview starts %v px down", c.who, width, top)
					}
					if n := count(t, c.b, `#overview-waiting a[href*="`+c.link+`"]`); n != 1 {
						t.Errorf("%s at %d px: %d waiting items link to %s", c.who, width, n, c.link)
					}
					if n := count(t, c.b, "#overview-recent li .record-words"); n < 3 {
						t.Errorf("%s at %d px: %d recent events", c.who, width, n)
					}
					if n := count(t, c.b, "#overview-session a"); n != 1 {
						t.Errorf("%s at %d px: no session in the overview", c.who, width)
					}
					noSideScroll(t, c.b, c.who+"'s round page")
				}
				phone(t, c.b, false)
			}
		})
	}
}

// TestNotifications is defect 5 (without the live refresh): a party was
// not told that a revision was issued. The navigation counts the events
// of other delegations that concern the viewer; the list tells them in
// words, linked to their items; a new one (the opposition's consent)
// counts again. The observer hears of none of the confidential ones.
func TestNotifications(t *testing.T) {
	base := startDemo(t, "PARLEY_DEMO_WORKDAY=on")
	gov, obs := newBrowser(t), newBrowser(t)
	login(t, gov, base, "gov.head")
	login(t, obs, base, "observer.us")
	opp := chanLogin(t, base, "opp.head")
	govOrg := chanLogin(t, base, "gov.head").org
	var rounds struct{ Rounds []struct{ ID string } }
	opp.json("GET", "/api/v1/rounds", nil, &rounds)
	unseen := func(b context.Context) int {
		t.Helper()
		n, _ := strconv.Atoi(get(t, b, chromedp.Evaluate[string](`document.querySelector("#nav-notifications").dataset.unseen`)))
		return n
	}
	for i, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, gov, lang)
			do(t, gov, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#nav-notifications"))
			if i == 0 && unseen(gov) < 3 {
				t.Errorf("the government has %d notifications: two revisions and a relay are new", unseen(gov))
			}
			do(t, gov, chromedp.Click("#nav-notifications"), chromedp.WaitVisible("#main h1"))
			if i == 0 {
				for _, typ := range []string{"text.issued", "message.relayed"} {
					if n := count(t, gov, `#notifications li[data-type="`+typ+`"] .record-words a`); n < 1 {
						t.Errorf("no linked %s notification", typ)
					}
				}
			}
			do(t, gov, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#nav-notifications"))
			if n := unseen(gov); n != 0 {
				t.Errorf("after reading the list, %d are unseen", n)
			}
			// The round page is open; the badge counts the consent live.
			do(t, gov, chromedp.Navigate(base+"/rounds/"+rounds.Rounds[0].ID), chromedp.WaitVisible("#overview"))
			markPage(t, gov)
			if status, b := opp.call("PUT", "/api/v1/rounds/"+rounds.Rounds[0].ID+"/consent", map[string]any{"counterpart": govOrg, "direct": i == 0}); status != http.StatusOK {
				t.Fatalf("consent: %d %s", status, b)
			}
			waitLive(t, gov, `#nav-notifications[data-unseen="1"]`, 15*time.Second)
			if !stillSamePage(t, gov) {
				t.Error("the page was reloaded; the badge did not change live")
			}
			phone(t, gov, true)
			do(t, gov, chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible("#notifications"))
			noSideScroll(t, gov, "the notifications")
			phone(t, gov, false)
		})
	}
	do(t, obs, chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible("#main h1"))
	for _, typ := range []string{"text.issued", "message.relayed", "consent.set"} {
		if n := count(t, obs, `#notifications li[data-type="`+typ+`"]`); n != 0 {
			t.Errorf("the observer is told of %d %s", n, typ)
		}
	}
}

// TestRoundAdminTab is defect 13's second half: the administration forms
// were mixed into the round's content. For the chair they now sit on their
// own tab, a page of its own (/rounds/{id}/admin): the round tab shows no
// administration form, and the administration tab none of the round's
// content (the overview, the stances, the consent).
func TestRoundAdminTab(t *testing.T) {
	base := startDemo(t)
	chair := newBrowser(t)
	login(t, chair, base, "chair")
	openRound(t, chair)
	round := strings.SplitN(get(t, chair, chromedp.Location()), "#", 2)[0]
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, chair, lang)
			for _, width := range []int{1280, 390} {
				phone(t, chair, width == 390)
				do(t, chair, chromedp.Navigate(round), chromedp.WaitVisible("#admin-tab"))
				if n := count(t, chair, ".admin, form[action$='/sessions'], form[action$='/agenda']"); n != 0 {
					t.Errorf("at %d px the round tab shows %d administration forms", width, n)
				}
				do(t, chair, chromedp.Click("#admin-tab"), chromedp.WaitVisible("#session-form"))
				if n := count(t, chair, ".admin"); n < 2 {
					t.Errorf("at %d px the administration tab shows %d forms", width, n)
				}
				if n := count(t, chair, "#overview, .stance, #consent"); n != 0 {
					t.Errorf("at %d px the administration tab repeats %d parts of the round's content", width, n)
				}
				noSideScroll(t, chair, "the administration tab")
			}
			phone(t, chair, false)
		})
	}
}
