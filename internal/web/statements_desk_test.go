package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/i18n"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestStatementsDesk drafts statements through the desk's form, shows who
// finds them before release (the author organisation and the mediation,
// nobody else: not anywhere in the page), refuses bad input without saving
// anything, and releases them: at once to the public page, or scheduled
// until the embargo.
func TestStatementsDesk(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixtureOn(t, db)
		ch := withChannel(t, f)
		ctx := context.Background()
		const desk = "/statements/desk"

		if p := f.browser(t, "en").get(desk); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("anonymous desk: %d to %q", p.status, p.location)
		}
		gov := f.loggedIn(t, "gov.head", "en")
		p := gov.get(desk)
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="draft-form"`) || !strings.Contains(p.body, `action="/statements"`) {
			t.Fatalf("government's desk: %d\n%s", p.status, p.body)
		}
		if !strings.Contains(p.body, `id="nav-desk" aria-current="page"`) {
			t.Error("the navigation does not mark the desk")
		}
		checkPage(t, p)

		// Bad input: the page again, the message next to its field, the
		// text as typed, and nothing saved.
		for _, c := range []struct {
			name  string
			form  url.Values
			field string
			want  string
		}{
			{"no title", url.Values{"title": {" "}, "body": {"Kept body of the untitled draft"}}, "title", "Enter a title"},
			{"empty body", url.Values{"title": {"Kept title of the empty draft"}, "body": {" \r\n "}}, "body", "the text is empty"},
			{"bad embargo", url.Values{"title": {"Kept title, bad embargo"}, "body": {"Kept body, bad embargo"}, "embargo_until": {"next Tuesday"}}, "embargo", "in UTC"},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := gov.post("/statements", c.form)
				if p.status != http.StatusBadRequest {
					t.Fatalf("status %d", p.status)
				}
				errAt := strings.Index(p.body, `id="draft-`+c.field+`-error"`)
				if errAt < 0 || !strings.Contains(p.body[errAt:], c.want) {
					t.Errorf("no message %q next to %s", c.want, c.field)
				}
				if !strings.Contains(p.body, `id="draft-`+c.field+`"`) || !strings.Contains(p.body, `aria-invalid="true"`) {
					t.Errorf("the %s field is not marked invalid", c.field)
				}
				for _, typed := range []string{c.form.Get("title"), c.form.Get("body"), c.form.Get("embargo_until")} {
					if strings.TrimSpace(typed) != "" && !strings.Contains(p.body, typed) {
						t.Errorf("the form lost %q", typed)
					}
				}
				checkPage(t, p)
			})
		}
		if sts, err := ch.StatementDrafts(ctx, talkstest.Head(f.Mediation), 0); err != nil || len(sts) != 0 {
			t.Fatalf("refused drafts were saved: %v %v", sts, err)
		}

		// Two drafts: one to release at once, one under embargo.
		draft := func(form url.Values) string {
			t.Helper()
			p := gov.post("/statements", form)
			id, ok := strings.CutPrefix(p.location, desk+"#s-")
			if p.status != http.StatusSeeOther || !ok {
				t.Fatalf("draft: %d to %q\n%s", p.status, p.location, p.body)
			}
			return id
		}
		now := draft(url.Values{"title": {"Ceasefire holds in the north"}, "body": {"Line one of the draft\r\nLine two"}})
		later := draft(url.Values{"title": {"Embargoed communiqué"}, "body": {"To be read at the closing session"}, "embargo_until": {"2100-01-01T09:30"}})
		if st, err := ch.Statement(ctx, talkstest.Head(f.Gov), now); err != nil || st.Body != "Line one of the draft\nLine two" {
			t.Errorf("the draft reads %q, %v", st.Body, err)
		}
		secrets := []string{"Ceasefire holds in the north", "Line one of the draft", "Embargoed communiqué", "To be read at the closing session"}

		p = gov.get(desk)
		for _, want := range append(secrets, `action="/statements/`+now+`/release"`, `action="/statements/`+later+`/release"`,
			`id="s-`+now+`" data-state="draft"`, "Embargo until \u20682100-01-01 09:30 UTC\u2069", "becomes public at \u20682100-01-01 09:30 UTC\u2069") {
			if !strings.Contains(p.body, want) {
				t.Errorf("the government's desk lacks %q", want)
			}
		}
		checkPage(t, p)

		// The mediation reads both, among others' drafts, and cannot
		// release them.
		med := f.loggedIn(t, "mediator", "en")
		mp := med.get(desk)
		others := mp.body[strings.Index(mp.body, `id="others"`):]
		for _, want := range secrets {
			if !strings.Contains(others, want) {
				t.Errorf("the mediation's desk lacks %q", want)
			}
		}
		if strings.Contains(mp.body, "/release") {
			t.Error("the mediation's desk offers to release another organisation's draft")
		}
		checkPage(t, mp)
		if p := med.post("/statements/"+now+"/release", nil); p.status != http.StatusForbidden || !strings.Contains(p.body, `role="alert"`) {
			t.Errorf("the mediation releases the government's draft: %d", p.status)
		}

		// Nobody else finds them, anywhere in the page.
		for _, who := range []string{"opp.head", "observer.us", "guarantor.ru", "chair", "outsider.head"} {
			b := f.loggedIn(t, who, "en")
			p := b.get(desk)
			if p.status != http.StatusOK {
				t.Errorf("%s's desk: %d", who, p.status)
			}
			for _, s := range append(secrets, now, later) {
				if strings.Contains(p.body, s) {
					t.Errorf("%s's desk holds %q", who, s)
				}
			}
			if strings.Contains(p.body, `id="others"`) {
				t.Errorf("%s's desk has the mediation's section", who)
			}
			if p := b.post("/statements/"+now+"/release", nil); p.status != http.StatusNotFound {
				t.Errorf("%s releases the government's draft: %d", who, p.status)
			}
		}
		anon := f.browser(t, "en")
		if p := anon.get("/statements"); strings.Contains(p.body, "Ceasefire holds") {
			t.Error("a draft is on the public page")
		}

		// Release: at once to the public page; under embargo, scheduled.
		if p := gov.post("/statements/"+now+"/release", nil); p.status != http.StatusSeeOther || p.location != "/statements#s-"+now {
			t.Fatalf("release: %d to %q\n%s", p.status, p.location, p.body)
		}
		if p := anon.get("/statements"); !strings.Contains(p.body, `id="s-`+now+`"`) || !strings.Contains(p.body, "Ceasefire holds in the north") {
			t.Errorf("the released statement is not on the public page")
		}
		if p := gov.post("/statements/"+later+"/release", nil); p.status != http.StatusSeeOther || p.location != desk+"#s-"+later {
			t.Fatalf("release under embargo: %d to %q", p.status, p.location)
		}
		p = gov.get(desk)
		if strings.Contains(p.body, "Ceasefire holds") {
			t.Error("the public statement is still on the desk")
		}
		if !strings.Contains(p.body, `id="s-`+later+`" data-state="scheduled"`) || !strings.Contains(p.body, "scheduled for \u20682100-01-01 09:30 UTC\u2069") ||
			strings.Contains(p.body, `action="/statements/`+later+`/release"`) {
			t.Errorf("the embargoed statement is not shown as scheduled:\n%s", p.body)
		}
		if p := anon.get("/statements"); strings.Contains(p.body, "Embargoed communiqué") {
			t.Error("the embargoed statement is public before its time")
		}
		if p := f.loggedIn(t, "opp.head", "en").get(desk); strings.Contains(p.body, "Embargoed communiqué") {
			t.Error("the opposition reads the scheduled statement")
		}
		if p := gov.post("/statements/"+later+"/release", nil); p.status != http.StatusConflict || !strings.Contains(p.body, `role="alert"`) {
			t.Errorf("second release: %d", p.status)
		}

		// Every language: direction, labels, no message id shown.
		for _, lang := range i18n.Languages {
			for _, who := range []string{"gov.head", "mediator"} {
				p := f.loggedIn(t, who, lang.Tag).get(desk)
				if p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="`+lang.Tag+`" dir="`+lang.Dir+`">`) {
					t.Errorf("%s, %s: %d", who, lang.Tag, p.status)
				}
				checkPage(t, p)
			}
		}
	})
}
