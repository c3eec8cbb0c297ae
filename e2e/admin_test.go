package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Administration on the web (issue 11, item 12) and the round page's
// overview (item 13), within the authority rules of docs/security.md: an
// organisation's heads administer its members on the members page; the
// round's administrators change its sessions and agenda on the round's
// administration tab; the round page opens with what awaits the viewer.

// userID finds a demo account's id through the API, as its organisation's
// head lists it.
func userID(t *testing.T, head *chanClient, username string) string {
	t.Helper()
	var users struct {
		Users []struct{ ID, Username string }
	}
	if status := head.json("GET", "/api/v1/users", nil, &users); status != http.StatusOK {
		t.Fatalf("users: %d", status)
	}
	for _, u := range users.Users {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("%s is not among %s's members", username, head.user)
	return ""
}

// attr reads an attribute of the element sel.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[string](`(document.querySelector(`+strconvQuote(sel)+`) || {getAttribute: () => "(absent)"}).getAttribute(`+strconvQuote(name)+`) || ""`))
}

// postForm posts a form from the browser's page, with its cookie, and
// returns the status of the answer (redirects not followed).
func postForm(t *testing.T, ctx context.Context, path string, values map[string]string) int {
	t.Helper()
	var fields []string
	for k, v := range values {
		fields = append(fields, strconvQuote(k)+": "+strconvQuote(v))
	}
	return int(get(t, ctx, chromedp.Evaluate[float64](`fetch(`+strconvQuote(path)+`, {method: "POST", redirect: "manual",
		body: new URLSearchParams({`+strings.Join(fields, ", ")+`})}).then(r => r.type === "opaqueredirect" ? 303 : r.status)`,
		chromedp.EvalAwaitPromise)))
}

// forgetDone removes the confirmation of the last form from the page, so
// that waiting for the next one waits for the next page, not the old one.
func forgetDone() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#admin-done, #members-done").forEach(e => e.remove())`)
}

// adminSubmit opens the entry li of the administration tab, sets its field
// to value, sends its form and waits for the tab to say done.
func adminSubmit(li, field, value, form, done string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(li + " summary"),
		chromedp.WaitVisible(field),
		chromedp.SetValue(field, value),
		forgetDone(),
		chromedp.Click(form + ` button[type=submit]`),
		chromedp.WaitVisible(`#admin-done[data-done="` + done + `"]`),
	}
}

// TestMembersPage: a head changes a member's role and disables it on the
// members page, and enables it again; the head of another organisation
// reaches none of it for an account not its own (404), and a member who
// is not a head has no members page. Before, only the installation's
// host and mediation heads had an administration page, and disabling,
// enabling, roles and second factors were not on the web at all.
func TestMembersPage(t *testing.T) {
	base := startDemo(t)
	gov, opp, member := newBrowser(t), newBrowser(t), newBrowser(t)
	login(t, gov, base, "gov.head")
	login(t, opp, base, "opp.head")
	login(t, member, base, "gov.member")
	id := userID(t, chanLogin(t, base, "gov.head"), "gov.member")
	li := "#member-" + id
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, gov, lang)
			do(t, gov, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#nav-members"), chromedp.Click("#nav-members"), chromedp.WaitVisible(li))
			// A role it does not have yet, in each language's run.
			role := "adviser"
			if attr(t, gov, li, "data-role") == role {
				role = "clerk"
			}
			do(t, gov,
				chromedp.Click(li+" summary"),
				chromedp.WaitVisible("#role-"+id),
				chromedp.SetValue("#role-"+id, role),
				forgetDone(),
				chromedp.Click("#role-submit-"+id),
				chromedp.WaitVisible(`#members-done[data-done="role"]`),
			)
			if got := attr(t, gov, li, "data-role"); got != role {
				t.Errorf("after the change the role reads %q, want %s", got, role)
			}
			do(t, gov, chromedp.Click(li+" summary"), chromedp.WaitVisible("#disable-"+id), forgetDone(), chromedp.Click("#disable-"+id),
				chromedp.WaitVisible(`#members-done[data-done="disabled"]`))
			if got := attr(t, gov, li, "data-state"); got != "disabled" {
				t.Errorf("after disabling the state reads %q", got)
			}
			// The member's session ended with the account.
			do(t, member, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#login-username"))

			// The opposition's head: its own members only, and 404 for
			// every act on the government's member.
			do(t, opp, chromedp.Navigate(base+"/members"), chromedp.WaitVisible("#members"))
			if n := count(t, opp, li); n != 0 {
				t.Error("the opposition's head sees the government's member")
			}
			for _, act := range []string{"enable", "disable", "role", "password", "totp/reset", "sessions/end"} {
				if status := postForm(t, opp, "/members/"+id+"/"+act, map[string]string{"role": "head", "password": "a password chosen elsewhere"}); status != http.StatusNotFound {
					t.Errorf("the opposition's head posting %s on the government's member: %d, want 404", act, status)
				}
			}

			phone(t, gov, true)
			do(t, gov, chromedp.Navigate(base+"/members"), chromedp.WaitVisible(li), chromedp.Click(li+" summary"), chromedp.WaitVisible("#enable-"+id))
			noSideScroll(t, gov, "the members page")
			shot(t, gov, "gov.head-"+lang+"-phone-members-open")
			do(t, gov, forgetDone(), chromedp.Click("#enable-"+id), chromedp.WaitVisible(`#members-done[data-done="enabled"]`))
			if got := attr(t, gov, li, "data-state"); got != "active" {
				t.Errorf("after enabling the state reads %q", got)
			}
			phone(t, gov, false)
			login(t, member, base, "gov.member")
			// A member who is not a head has no members page.
			do(t, member, chromedp.Navigate(base+"/members"), chromedp.WaitVisible("#main"))
			if s := attr(t, member, "[data-status]", "data-status"); s != "404" {
				t.Errorf("gov.member's members page answers %q, want the 404 page", s)
			}
			if n := count(t, member, "#nav-members"); n != 0 {
				t.Error("gov.member's navigation offers the members page")
			}
		})
	}
}

// TestRoundAdministration: the mediator, an administrator of the round,
// edits a session and cancels it, edits an agenda item and withdraws it,
// on the round's administration tab; the parties see each change on the
// round page: the session marked cancelled with its reason, the item
// withdrawn with no stance form, and the stances given before the edit
// marked as given on the earlier wording. Before, sessions and agenda
// items could be neither edited nor cancelled anywhere.
func TestRoundAdministration(t *testing.T) {
	_, med, gov, round := bothSidesOfTheRound(t)
	inLanguages(t, []context.Context{med, gov}, func(t *testing.T, lang string) {
		do(t, med, chromedp.Navigate(round), chromedp.WaitVisible("#admin-tab"), chromedp.Click("#admin-tab"), chromedp.WaitVisible("#session-form"))
		if !strings.HasSuffix(get(t, med, chromedp.Location()), "/admin") {
			t.Errorf("the administration tab is at %s", get(t, med, chromedp.Location()))
		}
		// The i-th standing session and agenda item.
		sid := strings.TrimPrefix(pollString(t, med, 5*time.Second, `(document.querySelectorAll('#sessions li.session[data-state="standing"]')[0] || {}).id || ""`), "session-")
		iid := strings.TrimPrefix(pollString(t, med, 5*time.Second, `(document.querySelectorAll('#agenda li.agenda-item[data-state="standing"]')[0] || {}).id || ""`), "item-")
		title := "Revised session " + lang
		do(t, med, adminSubmit("#session-"+sid, "#session-"+sid+"-title", title, "#session-edit-"+sid, "edited")...)
		if got := get(t, med, chromedp.Text("#session-"+sid+" .session-title")); got != title {
			t.Errorf("the edited session reads %q", got)
		}
		itemTitle := "Revised item " + lang
		do(t, med, adminSubmit("#item-"+iid, "#item-"+iid+"-title", itemTitle, "#agenda-edit-"+iid, "edited")...)
		// The government sees the change, and its earlier stance
		// marked as given on the earlier wording.
		do(t, gov, chromedp.Navigate(round), chromedp.WaitVisible("#agenda-item-"+iid))
		if got := get(t, gov, chromedp.Text("#agenda-item-"+iid+" .agenda-title")); !strings.Contains(got, itemTitle) {
			t.Errorf("the government reads the item as %q", got)
		}
		if n := count(t, gov, "#agenda-item-"+iid+" .stance-earlier"); n < 1 {
			t.Error("no stance is marked as given on the earlier wording")
		}
		if got := get(t, gov, chromedp.Text("#session-"+sid)); !strings.Contains(got, title) {
			t.Errorf("the government reads the session as %q", got)
		}

		reason := "The hall is closed " + lang
		do(t, med, chromedp.Navigate(round+"/admin"), chromedp.WaitVisible("#session-"+sid))
		do(t, med, adminSubmit("#session-"+sid, "#cancel-"+sid+"-reason", reason, "#session-cancel-"+sid, "cancelled")...)
		do(t, med, adminSubmit("#item-"+iid, "#withdraw-"+iid+"-reason", "Moved to the next round", "#agenda-withdraw-"+iid, "withdrawn")...)
		if s := attr(t, med, "#session-"+sid, "data-state"); s != "cancelled" {
			t.Errorf("the session's state on the tab is %q", s)
		}
		do(t, gov, chromedp.Navigate(round), chromedp.WaitVisible("#agenda-item-"+iid))
		if s := attr(t, gov, "#session-"+sid, "data-state"); s != "cancelled" {
			t.Errorf("the government reads the session as %q", s)
		}
		if got := get(t, gov, chromedp.Text("#session-"+sid)); !strings.Contains(got, reason) {
			t.Errorf("the cancelled session does not give its reason: %q", got)
		}
		if s := attr(t, gov, "#agenda-item-"+iid, "data-state"); s != "withdrawn" {
			t.Errorf("the government reads the item as %q", s)
		}
		if n := count(t, gov, "#agenda-item-"+iid+" .stance-form"); n != 0 {
			t.Error("a withdrawn item still offers a stance form")
		}
		shot(t, gov, "gov.head-"+lang+"-desktop-round-after-changes")
		// The round page carries no administration form; the
		// government has no administration tab at all.
		if n := count(t, gov, ".admin, #admin-tab"); n != 0 {
			t.Errorf("the government's round page shows %d administration controls", n)
		}
		do(t, gov, chromedp.Navigate(round+"/admin"), chromedp.WaitVisible("#main"))
		if s := attr(t, gov, "[data-status]", "data-status"); s != "404" {
			t.Errorf("the government's administration tab answers %q, want the 404 page", s)
		}
		phone(t, med, true)
		do(t, med, chromedp.Navigate(round+"/admin"), chromedp.WaitVisible("#session-form"))
		noSideScroll(t, med, "the administration tab")
		do(t, med, chromedp.Click("#agenda li.agenda-item[data-state=standing] summary"))
		noSideScroll(t, med, "the administration tab with an item's forms open")
		shot(t, med, "mediator-"+lang+"-phone-round-admin-open")
		phone(t, med, false)
	})
}

// TestRoundOverviewFirst: the round page opens with its overview, before
// the sessions, the agenda and the table of contents, and for the
// government's head lists what awaits it, each linked: here an agenda
// item whose wording the mediation changed after the government accepted
// it, and the paragraphs of the latest issued revision without its
// position.
func TestRoundOverviewFirst(t *testing.T) {
	base := startDemo(t, "PARLEY_DEMO_WORKDAY=on")
	gov := newBrowser(t)
	login(t, gov, base, "gov.head")
	med := chanLogin(t, base, "mediator")
	var rounds struct {
		Rounds []struct{ ID string }
	}
	med.json("GET", "/api/v1/rounds", nil, &rounds)
	var round struct {
		Agenda []struct{ ID, Track, Title string }
	}
	med.json("GET", "/api/v1/rounds/"+rounds.Rounds[0].ID, nil, &round)
	it := round.Agenda[0]
	if status, b := med.call("PUT", "/api/v1/agenda/"+it.ID, map[string]string{"track": it.Track, "title": it.Title + " (revised)"}); status != http.StatusOK {
		t.Fatalf("editing the item: %d %s", status, b)
	}
	for _, lang := range workdayLanguages {
		t.Run(lang, func(t *testing.T) {
			setLanguage(t, gov, lang)
			for _, width := range []int{1280, 390} {
				phone(t, gov, width == 390)
				do(t, gov, chromedp.Navigate(base+"/rounds/"+rounds.Rounds[0].ID), chromedp.WaitVisible("#overview"))
				order := get(t, gov, chromedp.Evaluate[[]float64](`["#overview", ".toc", "#sessions", "#agenda"].map(s => document.querySelector(s).getBoundingClientRect().top)`))
				for i := 1; i < len(order); i++ {
					if order[0] >= order[i] {
						t.Errorf("at %d px the overview (%v) does not come first: %v", width, order[0], order)
					}
				}
				if n := count(t, gov, `#overview-waiting a[href="#agenda-item-`+it.ID+`"]`); n != 1 {
					t.Errorf("at %d px the changed item is not awaiting the government", width)
				}
				if n := count(t, gov, `#overview-waiting a[href^="/texts/"]`); n < 1 {
					t.Errorf("at %d px no text awaits the government's positions", width)
				}
				noSideScroll(t, gov, "the round page")
			}
			phone(t, gov, false)
		})
	}
}
