package web

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/i18n"
	"parley/internal/router"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// TestTemplatesNamedExist fails when a handler renders a page or fragment
// that is not in pageNames/fragmentNames (and so not checked by New), and
// checks that New parsed every one of those.
func TestTemplatesNamedExist(t *testing.T) {
	f := newFixture(t)
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	type call struct {
		fn, arg string
		pos     token.Position
	}
	var calls []call
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[id.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "renderPage" && sel.Sel.Name != "renderFragment") || len(n.Args) < 4 {
					return true
				}
				c := call{fn: sel.Sel.Name, pos: fset.Position(n.Pos())}
				switch a := n.Args[3].(type) {
				case *ast.Ident:
					c.arg = a.Name
				case *ast.BasicLit:
					c.arg = a.Value
				}
				calls = append(calls, c)
			}
			return true
		})
	}
	if len(calls) == 0 {
		t.Fatal("found no render calls; the test no longer sees the handlers")
	}
	for _, c := range calls {
		name, ok := consts[c.arg]
		if !ok {
			if c.arg == "name" { // the helpers themselves pass their parameter on
				continue
			}
			t.Errorf("%s: %s names %s, not a template constant", c.pos, c.fn, c.arg)
			continue
		}
		list, parsed := pageNames, f.web.pages[name] != nil
		if c.fn == "renderFragment" {
			list, parsed = fragmentNames, f.web.fragments.Lookup(name) != nil
		}
		if !slices.Contains(list, name) {
			t.Errorf("%s: %s(%q) is not listed, so New does not check it", c.pos, c.fn, name)
		}
		if !parsed {
			t.Errorf("%s: template %q was not parsed", c.pos, name)
		}
	}
	// Every page file is one New knows of: no orphan templates.
	pages, _ := filepath.Glob("templates/pages/*.html")
	for _, p := range pages {
		if name := strings.TrimSuffix(filepath.Base(p), ".html"); !slices.Contains(pageNames, name) {
			t.Errorf("templates/pages/%s.html is not in pageNames", name)
		}
	}
}

// TestCatalogueCoversPages checks that every message id the templates and
// handlers use, and every value family the pages translate (tracks,
// formats, kinds, roles, ...), exists in the English catalogue; the i18n
// package's own test then holds every other language to English.
func TestCatalogueCoversPages(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	l := cat.Localizer("en")
	var used []string
	static := regexp.MustCompile(`L\.T\(?\s*"([a-z0-9_.]+)"`)
	for _, glob := range []string{"*.go", "templates/*.html", "templates/pages/*.html"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range static.FindAllStringSubmatch(string(b), -1) {
				used = append(used, m[1])
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d message ids; the pattern no longer matches the templates", len(used))
	}
	family := func(prefix string, values ...string) {
		for _, v := range values {
			used = append(used, prefix+"."+v)
		}
	}
	for _, f := range talks.Formats {
		family("format", string(f))
	}
	family("track", talks.Tracks...)
	for _, k := range access.OrgKinds {
		family("kind", string(k))
	}
	for _, r := range access.Roles {
		family("role", string(r))
	}
	family("consent.state", "yes", "no", "unset")
	family("admin.done", "process", "round", "org", "user")
	family("account.done", "password", "language", "totp_disabled")
	family("error.title", "400", "403", "404", "409", "413", "429", "500", "other")
	family("error", "not_found", "internal", "forbidden", "conflict", "too_many_requests", "invalid",
		"invalid_credentials", "otp_required", "weak_password", "no_direct_consent")
	family("security", "login_ok", "login_failed", "login_throttled", "logout", "password_changed",
		"password_reset", "user_added", "user_disabled", "role_change", "totp_enabled", "totp_disabled",
		"totp_policy", "recovery_code_used", "reauth_ok", "reauth_failed", "access_denied", "session_expired")
	for _, id := range used {
		if !l.Has(id) {
			t.Errorf("message %q is used but not in the catalogue", id)
		}
	}
}

func TestLoginAndCookie(t *testing.T) {
	f := newFixture(t)

	t.Run("wrong password and unknown user answer alike", func(t *testing.T) {
		var bodies []string
		for _, u := range []string{"opp.head", "nobody.here"} {
			b := f.browser(t, "en")
			p := b.post("/login", url.Values{"username": {u}, "password": {"wrong password 123"}})
			if p.status != http.StatusUnauthorized {
				t.Fatalf("%s: status %d, want 401", u, p.status)
			}
			if b.cookie != nil {
				t.Errorf("%s: a failed login set a session cookie", u)
			}
			if strings.Contains(p.body, "wrong password 123") {
				t.Error("the page echoes the password")
			}
			bodies = append(bodies, strings.ReplaceAll(p.body, u, ""))
			checkPage(t, p)
		}
		if bodies[0] != bodies[1] {
			t.Error("unknown user and wrong password give different pages")
		}
	})

	t.Run("login sets a __Host- cookie on loopback", func(t *testing.T) {
		b := f.browser(t, "en")
		p := b.post("/login", url.Values{"username": {"opp.head"}, "password": {testPassword}, "next": {"/account"}})
		if p.status != http.StatusSeeOther || p.location != "/account" {
			t.Fatalf("status %d to %q", p.status, p.location)
		}
		c := b.cookie
		if c == nil || c.Name != cookieSecure || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
			t.Fatalf("cookie = %+v", c)
		}
		if p := b.get("/"); p.status != http.StatusOK || !strings.Contains(p.body, f.Round.Name) {
			t.Fatalf("home: %d\n%s", p.status, p.body)
		}
		if p := b.post("/logout", url.Values{}); p.status != http.StatusSeeOther || b.cookie != nil {
			t.Fatalf("logout: %d, cookie %v", p.status, b.cookie)
		}
		b.cookie = c // the old token no longer works
		if p := b.get("/"); p.status != http.StatusSeeOther || p.location != "/login" {
			t.Fatalf("after logout: %d to %q", p.status, p.location)
		}
	})

	t.Run("no open redirect after login", func(t *testing.T) {
		for _, next := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`, "/\t/evil.example", "/\n/evil.example", `/a\b`, "/\x00"} {
			b := f.browser(t, "en")
			p := b.post("/login", url.Values{"username": {"opp.head"}, "password": {testPassword}, "next": {next}})
			if p.location != "/" {
				t.Errorf("next=%q redirects to %q", next, p.location)
			}
		}
	})

	t.Run("anonymous visitors go to login", func(t *testing.T) {
		b := f.browser(t, "en")
		for _, path := range []string{"/", "/rounds/" + f.Round.ID, "/admin", "/account"} {
			p := b.get(path)
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
				t.Errorf("GET %s: %d to %q", path, p.status, p.location)
			}
		}
		if p := b.post("/rounds/"+f.Round.ID+"/consent", url.Values{"counterpart": {f.Gov.ID}, "direct": {"yes"}}); p.status != http.StatusSeeOther {
			t.Errorf("anonymous POST: %d", p.status)
		}
	})
}

func TestCookieName(t *testing.T) {
	tests := []struct {
		host       string
		secureDeps bool
		want       string
		secure     bool
	}{
		{"127.0.0.1:8080", false, cookieSecure, true},
		{"localhost:8080", false, cookieSecure, true},
		{"[::1]:8080", false, cookieSecure, true},
		{"parley.example", false, cookieInsecure, false},
		{"10.0.0.5:8080", false, cookieInsecure, false},
		{"parley.example", true, cookieSecure, true},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			w := &Web{secure: tt.secureDeps}
			r := httptest.NewRequest("POST", "http://"+tt.host+"/login", nil)
			rec := httptest.NewRecorder()
			w.setSession(rec, r, "token")
			c := rec.Result().Cookies()[0]
			if c.Name != tt.want || c.Secure != tt.secure || !c.HttpOnly {
				t.Errorf("cookie = %s secure=%v httponly=%v", c.Name, c.Secure, c.HttpOnly)
			}
		})
	}
}

// TestRoundPageLanguages is the promise of issue 2: the round page shows the
// opposition's refusal of the political item with its reason, and the
// consent state (government yes, opposition no), in all four languages.
func TestRoundPageLanguages(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		roundPageLanguages(t, newFixtureOn(t, db))
	})
}

func roundPageLanguages(t *testing.T, f *fixture) {
	ctx := context.Background()
	const reason = "Political questions belong to a later round."
	opp, gov := talksActor(f, "opp.head"), talksActor(f, "gov.head")
	if _, err := f.Talks.SetStance(ctx, opp, f.item.ID, "refuse", reason); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Talks.SetStance(ctx, gov, f.item.ID, "accept", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Talks.SetConsent(ctx, gov, f.Round.ID, f.Opp.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Talks.SetConsent(ctx, opp, f.Round.ID, f.Gov.ID, false); err != nil {
		t.Fatal(err)
	}
	cat, _ := i18n.Load()
	for _, lang := range i18n.Languages {
		t.Run(lang.Tag, func(t *testing.T) {
			l := cat.Localizer(lang.Tag)
			b := f.loggedIn(t, "mediator", lang.Tag)
			// The administration is its own page, linked from the round's
			// tabs, and the round page carries none of its forms.
			admin := b.get("/rounds/" + f.Round.ID + "/admin")
			if admin.status != http.StatusOK {
				t.Fatalf("administration tab: status %d", admin.status)
			}
			checkPage(t, admin)
			for _, s := range []string{`class="admin"`, `id="session-form"`, `id="agenda-form"`, `id="agenda-edit-` + f.item.ID + `"`, `id="agenda-withdraw-` + f.item.ID + `"`} {
				if !strings.Contains(admin.body, s) {
					t.Errorf("the %s administration tab lacks %q", lang.Tag, s)
				}
			}
			p := b.get("/rounds/" + f.Round.ID)
			if strings.Contains(p.body, `class="admin"`) || !strings.Contains(p.body, `href="/rounds/`+f.Round.ID+`/admin" id="admin-tab"`) {
				t.Errorf("the %s round page has administration forms, or no tab to them", lang.Tag)
			}
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			checkPage(t, p)
			body := html.UnescapeString(p.body)
			want := []string{
				`<html lang="` + lang.Tag + `" dir="` + lang.Dir + `">`,
				`id="agenda-item-` + f.item.ID + `"`,
				`class="stance stance-` + f.Opp.ID + `" data-stance="refuse"`,
				`class="stance stance-` + f.Gov.ID + `" data-stance="accept"`,
				reason,
				l.T("stance.refuse"), l.T("agenda.refused"), l.T("track.political"),
				`class="consent-line consent-` + f.Gov.ID + `" data-consent="yes" data-counterpart="` + f.Opp.ID + `"`,
				`class="consent-line consent-` + f.Opp.ID + `" data-consent="no" data-counterpart="` + f.Gov.ID + `"`,
				l.T("consent.line", "Party", isolate(f.Gov.Name), "Counterpart", isolate(f.Opp.Name)) + ` — <strong class="consent-state">` + l.T("consent.state.yes"),
				l.T("consent.line", "Party", isolate(f.Opp.Name), "Counterpart", isolate(f.Gov.Name)) + ` — <strong class="consent-state">` + l.T("consent.state.no"),
				l.T("kind.mediation"),
			}
			for _, s := range want {
				if !strings.Contains(body, s) {
					t.Errorf("the %s round page lacks %q", lang.Tag, s)
				}
			}
		})
	}
}

func isolate(s string) string { return "\u2068" + s + "\u2069" }

// talksActor is the actor of a fixture user, for writing test data
// directly through the talks service.
func talksActor(f *fixture, username string) access.Actor {
	u, err := f.auth.UserByUsername(context.Background(), access.System, username)
	if err != nil {
		panic(err)
	}
	return u.Actor()
}

func TestStanceForm(t *testing.T) {
	f := newFixture(t)
	path := "/rounds/" + f.Round.ID + "/agenda/" + f.item.ID + "/stance"

	t.Run("plain form POST redirects to the item", func(t *testing.T) {
		b := f.loggedIn(t, "opp.head", "en")
		page := b.get("/rounds/" + f.Round.ID)
		if !strings.Contains(page.body, `action="`+path+`"`) {
			t.Fatal("a party sees no stance form")
		}
		p := b.post(path, url.Values{"stance": {"refuse"}, "reason": {"Not in this round."}})
		if p.status != http.StatusSeeOther || p.location != "/rounds/"+f.Round.ID+"#agenda-item-"+f.item.ID {
			t.Fatalf("status %d to %q\n%s", p.status, p.location, p.body)
		}
		page = b.get("/rounds/" + f.Round.ID)
		if !strings.Contains(page.body, `stance-`+f.Opp.ID+`" data-stance="refuse"`) || !strings.Contains(page.body, "Not in this round.") {
			t.Error("the refusal is not shown after the redirect")
		}
	})

	t.Run("htmx gets the item fragment", func(t *testing.T) {
		b := f.loggedIn(t, "opp.member", "ru")
		b.htmx = true
		p := b.post(path, url.Values{"stance": {"accept"}, "reason": {""}})
		if p.status != http.StatusOK {
			t.Fatalf("status %d\n%s", p.status, p.body)
		}
		if !strings.HasPrefix(strings.TrimSpace(p.body), `<li class="agenda-item" id="agenda-item-`+f.item.ID+`"`) {
			t.Errorf("not the item fragment:\n%s", p.body)
		}
		if strings.Contains(p.body, "<html") {
			t.Error("the fragment is a whole page")
		}
		if !strings.Contains(p.body, `stance-`+f.Opp.ID+`" data-stance="accept"`) {
			t.Error("the fragment does not show the new stance")
		}
	})

	t.Run("a refusal needs a reason", func(t *testing.T) {
		for _, htmx := range []bool{false, true} {
			b := f.loggedIn(t, "opp.head", "tr")
			b.htmx = htmx
			p := b.post(path, url.Values{"stance": {"refuse"}, "reason": {"  "}})
			if p.status != http.StatusBadRequest {
				t.Fatalf("htmx=%v: status %d", htmx, p.status)
			}
			cat, _ := i18n.Load()
			if !strings.Contains(html.UnescapeString(p.body), cat.Localizer("tr").T("error.refuse_reason")) {
				t.Errorf("htmx=%v: no localized message next to the field", htmx)
			}
		}
	})

	t.Run("non-parties see no control and cannot set a stance", func(t *testing.T) {
		for _, u := range []string{"observer.us", "mediator", "guarantor.ru"} {
			b := f.loggedIn(t, u, "en")
			page := b.get("/rounds/" + f.Round.ID)
			if strings.Contains(page.body, "stance-form") || strings.Contains(page.body, "consent-form") {
				t.Errorf("%s sees a party's controls", u)
			}
			p := b.post(path, url.Values{"stance": {"accept"}})
			if p.status != http.StatusForbidden && p.status != http.StatusNotFound {
				t.Errorf("%s set a stance: %d", u, p.status)
			}
		}
	})
}

func TestConsentForm(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "gov.head", "ar")
	page := b.get("/rounds/" + f.Round.ID)
	if !strings.Contains(page.body, `id="consent-`+f.Opp.ID+`-yes"`) {
		t.Fatal("a party sees no consent form")
	}
	p := b.post("/rounds/"+f.Round.ID+"/consent", url.Values{"counterpart": {f.Opp.ID}, "direct": {"yes"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	b.htmx = true
	p = b.post("/rounds/"+f.Round.ID+"/consent", url.Values{"counterpart": {f.Opp.ID}, "direct": {"no"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, `consent-`+f.Gov.ID+`" data-consent="no"`) {
		t.Fatalf("htmx: %d\n%s", p.status, p.body)
	}
	p = b.post("/rounds/"+f.Round.ID+"/consent", url.Values{"counterpart": {f.Gov.ID}, "direct": {"yes"}})
	if p.status != http.StatusBadRequest {
		t.Errorf("consent with oneself: %d", p.status)
	}
	// An observer learns nothing of consent.
	o := f.loggedIn(t, "observer.us", "en")
	page = o.get("/rounds/" + f.Round.ID)
	if strings.Contains(page.body, "data-consent=") {
		t.Error("an observer sees consent lines")
	}
}

func TestAdministration(t *testing.T) {
	f := newFixture(t)

	t.Run("non-administrators get 404 and no controls", func(t *testing.T) {
		for _, u := range []string{"observer.us", "opp.head", "guarantor.ru"} {
			b := f.loggedIn(t, u, "en")
			if p := b.get("/admin"); p.status != http.StatusNotFound {
				t.Errorf("%s GET /admin: %d", u, p.status)
			}
			for _, path := range []string{"/admin/orgs", "/admin/users", "/admin/processes", "/admin/rounds",
				"/rounds/" + f.Round.ID + "/sessions", "/rounds/" + f.Round.ID + "/agenda"} {
				if p := b.post(path, url.Values{"name": {"X"}}); p.status != http.StatusNotFound {
					t.Errorf("%s POST %s: %d", u, path, p.status)
				}
			}
			page := b.get("/rounds/" + f.Round.ID)
			if strings.Contains(page.body, `class="admin`) || strings.Contains(page.body, `href="/admin"`) {
				t.Errorf("%s sees administration controls", u)
			}
		}
	})

	t.Run("the chair administers", func(t *testing.T) {
		b := f.loggedIn(t, "chair", "en")
		p := b.get("/admin")
		if p.status != http.StatusOK {
			t.Fatalf("GET /admin: %d", p.status)
		}
		checkPage(t, p)
		// The users list of the host's own organisation, and the
		// security events in words, not codes. Another organisation's
		// accounts are not the host's to list or to administer.
		for _, s := range []string{"chair", ">Logged in<"} {
			if !strings.Contains(p.body, s) {
				t.Errorf("admin page lacks %q", s)
			}
		}
		for _, s := range []string{"opp.head", `action="/admin/orgs"`, `<option value="` + f.Gov.ID + `"`} {
			if strings.Contains(p.body, s) {
				t.Errorf("admin page offers %q", s)
			}
		}
		// Creating organisations is the operator's act.
		if p := b.post("/admin/orgs", url.Values{"name": {"ICRC"}, "short_name": {"icrc"}, "kind": {"agency"}}); p.status != http.StatusForbidden {
			t.Fatalf("add org: %d\n%s", p.status, p.body)
		}
		// Inviting into the government's delegation is refused.
		if p := b.post("/admin/users", url.Values{"username": {"planted.head"}, "org": {f.Gov.ID}, "role": {"head"},
			"password": {"a long enough passphrase"}}); p.status != http.StatusForbidden {
			t.Fatalf("invite into another organisation: %d\n%s", p.status, p.body)
		}
		p = b.post("/admin/users", url.Values{"username": {"new.user"}, "display_name": {"New"}, "org": {f.Host.ID},
			"role": {"member"}, "password": {"short"}, "locale": {"tr"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="user-password-error"`) {
			t.Errorf("weak password: %d, no message next to the field", p.status)
		}
		if strings.Contains(p.body, `value="short"`) {
			t.Error("the password is echoed back")
		}
		if !strings.Contains(p.body, `value="new.user"`) {
			t.Error("the form is not refilled")
		}
		p = b.post("/admin/users", url.Values{"username": {"new.user"}, "display_name": {"New"}, "org": {f.Host.ID},
			"role": {"member"}, "password": {"a long enough passphrase"}, "locale": {"tr"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("invite: %d\n%s", p.status, p.body)
		}
		if p := b.post("/admin/processes", url.Values{"name": {"Second process"}}); p.status != http.StatusSeeOther {
			t.Fatalf("add process: %d", p.status)
		}
		p = b.post("/admin/rounds", url.Values{"process": {f.Process.ID}, "name": {"Round 2"}, "location": {"Geneva"},
			"starts_on": {"2017-02-15"}, "ends_on": {"2017-02-16"}, "participants": {f.Gov.ID, f.Opp.ID, f.Mediation.ID}})
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/rounds/") {
			t.Fatalf("create round: %d to %q\n%s", p.status, p.location, p.body)
		}
		round := p.location
		// The organisations named are invited; each accepts, and the
		// parties accept those that come after them.
		roundID := strings.TrimPrefix(round, "/rounds/")
		for _, a := range []struct{ who, org talks.Org }{
			{f.Gov, f.Gov}, {f.Opp, f.Opp}, {f.Gov, f.Opp}, {f.Mediation, f.Mediation}, {f.Gov, f.Mediation}, {f.Opp, f.Mediation},
		} {
			if _, err := f.Talks.AcceptParticipant(context.Background(), talkstest.Head(a.who), roundID, a.org.ID, true); err != nil {
				t.Fatalf("%s accepts %s: %v", a.who.Name, a.org.Name, err)
			}
		}
		if p := b.post(round+"/agenda", url.Values{"track": {"other"}, "custom_track": {"water-supply"}, "title": {"Water"}}); p.status != http.StatusSeeOther {
			t.Fatalf("add agenda item: %d\n%s", p.status, p.body)
		}
		p = b.post(round+"/sessions", url.Values{"title": {"Opening"}, "format": {"plenary"}, "starts_at": {"2017-02-15T10:00"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("schedule: %d\n%s", p.status, p.body)
		}
		p = b.post(round+"/sessions", url.Values{"title": {"Face to face"}, "format": {"direct"},
			"starts_at": {"2017-02-15T15:00"}, "orgs": {f.Gov.ID, f.Opp.ID}})
		if p.status != http.StatusConflict || !strings.Contains(html.UnescapeString(p.body), "proximity or bilateral") {
			t.Errorf("direct session without consent: %d", p.status)
		}
		page := b.get(round)
		checkPage(t, page)
		for _, s := range []string{"water-supply", "Water", "Opening", "Plenary", "Geneva"} {
			if !strings.Contains(page.body, s) {
				t.Errorf("new round page lacks %q", s)
			}
		}
	})
}

func TestErrorPages(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "opp.head", "ru")
	cat, _ := i18n.Load()
	ru := cat.Localizer("ru")
	for _, path := range []string{"/no/such/page", "/rounds/" + strings.Repeat("0", 32), "/rounds/not-an-id"} {
		p := b.get(path)
		if p.status != http.StatusNotFound || !strings.Contains(p.body, html.EscapeString(ru.T("error.title.404"))) {
			t.Errorf("GET %s: %d", path, p.status)
		}
		checkPage(t, p)
	}
	// A round the outsider's organisation does not take part in is a 404,
	// exactly like a missing one.
	o := f.loggedIn(t, "outsider.head", "en")
	missing := o.get("/rounds/" + strings.Repeat("0", 32))
	hidden := o.get("/rounds/" + f.Round.ID)
	if hidden.status != http.StatusNotFound || hidden.body != missing.body {
		t.Errorf("a hidden round answers %d, unlike a missing one", hidden.status)
	}

	// A 500 shows the request id and nothing of the error.
	r := httptest.NewRequest("GET", "/x", nil)
	r = r.WithContext(router.WithRequestID(r.Context(), "req-12345"))
	r.Header.Set("Accept-Language", "tr")
	rec := httptest.NewRecorder()
	f.web.fail(rec, r, errors.New("database on fire"))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "req-12345") || strings.Contains(rec.Body.String(), "fire") {
		t.Errorf("500 page: %d\n%s", rec.Code, rec.Body)
	}
	if !strings.Contains(f.logs.String(), "database on fire") {
		t.Error("the internal error was not logged")
	}
}

func TestPagesRenderInEveryLanguage(t *testing.T) {
	f := newFixture(t)
	for _, lang := range i18n.Languages {
		for _, c := range []struct{ user, path string }{
			{"", "/login"},
			{"chair", "/"},
			{"chair", "/admin"},
			{"chair", "/account"},
			{"chair", "/rounds/" + f.Round.ID},
			{"chair", "/rounds/" + f.Round.ID + "/admin"},
			{"chair", "/members"},
			{"opp.head", "/members"},
			{"opp.head", "/rounds/" + f.Round.ID},
			{"observer.us", "/rounds/" + f.Round.ID},
			{"outsider.head", "/"},
		} {
			t.Run(lang.Tag+c.path+"/"+c.user, func(t *testing.T) {
				b := f.browser(t, lang.Tag)
				if c.user != "" {
					b = f.loggedIn(t, c.user, lang.Tag)
				}
				p := b.get(c.path)
				if p.status != http.StatusOK {
					t.Fatalf("status %d", p.status)
				}
				if !strings.Contains(p.body, `<html lang="`+lang.Tag+`" dir="`+lang.Dir+`">`) {
					t.Error("no lang/dir on <html>")
				}
				if !strings.Contains(p.body, `class="skip-link" href="#main"`) {
					t.Error("no skip link")
				}
				checkPage(t, p)
			})
		}
	}
}

func TestStaticFiles(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "")
	for _, name := range []string{"htmx.min.js", "htmx-ext-sse.min.js", "parley.css"} {
		u, err := f.web.asset(name)
		if err != nil {
			t.Fatal(err)
		}
		p := b.get(u)
		if p.status != http.StatusOK || len(p.body) < 100 || !strings.Contains(p.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d, %d bytes, %q", u, p.status, len(p.body), p.header.Get("Cache-Control"))
		}
	}
	css, _ := os.ReadFile("static/parley.css")
	for _, physical := range []string{"margin-left", "margin-right", "padding-left", "padding-right", "text-align: left", "text-align: right", "float: left", "float: right"} {
		if strings.Contains(string(css), physical) {
			t.Errorf("parley.css uses %q; use the logical property so that RTL mirrors", physical)
		}
	}
}
