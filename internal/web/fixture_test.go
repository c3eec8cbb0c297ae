package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/router"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// testPassword is the password of every fixture account.
const testPassword = "correct horse battery"

// cheapHash keeps argon2id fast in tests; the production parameters are
// the auth package's to test.
var cheapHash = &auth.HashParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

// fixture is the talkstest world with one account per organisation, served
// by the web pages alone over a real listener on 127.0.0.1.
type fixture struct {
	*talkstest.Fixture
	auth *auth.Service
	web  *Web
	srv  *httptest.Server
	logs *bytes.Buffer
	// users maps a username to its organisation.
	users map[string]talks.Org
	// sessions caches one login per user: the login throttle (per client
	// address, and every test client is 127.0.0.1) would otherwise refuse
	// a test that opens many pages as many users.
	sessions map[string]*http.Cookie
	item     talks.AgendaItem // the political item of the round
	item2    talks.AgendaItem // the humanitarian item of the round
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, storetest.SQLite(t))
}

func newFixtureOn(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	tf := talkstest.New(t, db)
	f := &fixture{Fixture: tf, logs: logs, users: map[string]talks.Org{}, sessions: map[string]*http.Cookie{},
		auth: auth.New(db, tf.Ledger, log, auth.Options{HashParams: cheapHash})}
	for _, u := range []struct {
		name string
		org  talks.Org
		role access.Role
	}{
		{"chair", tf.Host, access.Head},
		{"mediator", tf.Mediation, access.Head},
		{"gov.head", tf.Gov, access.Head},
		{"opp.head", tf.Opp, access.Head},
		{"opp.member", tf.Opp, access.Member},
		{"guarantor.ru", tf.Guarantor, access.Head},
		{"observer.us", tf.Observer, access.Head},
		{"outsider.head", tf.Outsider, access.Head},
	} {
		if _, err := f.auth.AddUser(ctx, access.System, auth.NewUser{
			Username: u.name, DisplayName: strings.ToUpper(u.name), OrgID: u.org.ID, Role: u.role, Password: testPassword,
		}); err != nil {
			t.Fatalf("AddUser(%s): %v", u.name, err)
		}
		f.users[u.name] = u.org
	}
	var err error
	if f.item, err = tf.Talks.AddAgendaItem(ctx, access.System, tf.Round.ID, talks.NewAgendaItem{
		Track: talks.TrackPolitical, Title: "Political transition", Description: "A new constitution and elections.",
	}); err != nil {
		t.Fatal(err)
	}
	if f.item2, err = tf.Talks.AddAgendaItem(ctx, access.System, tf.Round.ID, talks.NewAgendaItem{
		Track: talks.TrackHumanitarian, Title: "Aid convoys",
	}); err != nil {
		t.Fatal(err)
	}
	f.web, f.srv = f.serve(t, Deps{Log: log})
	return f
}

// serve builds the pages from d, with the fixture's accounts and talks,
// and serves them on a new listener closed at the end of the test.
func (f *fixture) serve(t *testing.T, d Deps) (*Web, *httptest.Server) {
	t.Helper()
	d.Auth, d.Talks = f.auth, f.Talks
	w, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	mux := router.New()
	w.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return w, srv
}

// browser is a minimal client: it keeps the session cookie itself (Go's
// cookie jar would not send a Secure cookie to http://127.0.0.1, which real
// browsers do) and never follows redirects, so tests see each answer.
type browser struct {
	t      *testing.T
	f      *fixture
	lang   string
	cookie *http.Cookie
	htmx   bool
}

// answer is one response.
type answer struct {
	status   int
	body     string
	header   http.Header
	location string
}

func (f *fixture) browser(t *testing.T, lang string) *browser {
	return &browser{t: t, f: f, lang: lang}
}

// loggedIn returns a browser logged in as username, reusing the user's
// session when the fixture has one.
func (f *fixture) loggedIn(t *testing.T, username, lang string) *browser {
	t.Helper()
	b := f.browser(t, lang)
	if c, ok := f.sessions[username]; ok {
		b.cookie = c
		return b
	}
	p := b.post("/login", url.Values{"username": {username}, "password": {testPassword}})
	if p.status != http.StatusSeeOther || p.location != "/" {
		t.Fatalf("login %s: %d to %q\n%s", username, p.status, p.location, p.body)
	}
	f.sessions[username] = b.cookie
	return b
}

func (b *browser) do(method, path string, form url.Values) answer {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.f.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	if b.htmx {
		req.Header.Set("HX-Request", "true")
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	buf, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range res.Cookies() {
		if c.Name == cookieSecure || c.Name == cookieInsecure {
			if c.MaxAge < 0 {
				b.cookie = nil
			} else {
				b.cookie = c
			}
		}
	}
	return answer{status: res.StatusCode, body: string(buf), header: res.Header, location: res.Header.Get("Location")}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	return b.do("GET", path, nil)
}

func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	return b.do("POST", path, form)
}

// leakedKey finds a message id shown instead of its text: a catalogue key
// missing from the catalogue.
var leakedKey = regexp.MustCompile(`>[^<]*\b((?:nav|footer|common|login|otp|rounds?|session|agenda|stance|consent|format|track|kind|role|admin|security|account|password|totp|error|statements)\.[a-z_.0-9]+)\b`)

// checkPage runs the checks every rendered page must pass: no message id in
// place of text, no inline script or style (the CSP forbids them), and a
// label for every visible form control.
func checkPage(t *testing.T, p answer) {
	t.Helper()
	if m := leakedKey.FindStringSubmatch(p.body); m != nil {
		t.Errorf("page shows the message id %q instead of its text", m[1])
	}
	if regexp.MustCompile(`(?i)\sstyle\s*=`).MatchString(p.body) {
		t.Error("page has an inline style attribute")
	}
	for _, m := range regexp.MustCompile(`(?is)<script([^>]*)>`).FindAllStringSubmatch(p.body, -1) {
		if !strings.Contains(m[1], "src=") {
			t.Error("page has an inline script")
		}
	}
	if regexp.MustCompile(`(?i)\son[a-z]+\s*=`).MatchString(p.body) {
		t.Error("page has an inline event handler")
	}
	controls := regexp.MustCompile(`(?s)<(input|select|textarea)\b([^>]*)>`)
	for _, m := range controls.FindAllStringSubmatch(p.body, -1) {
		attrs := m[2]
		if strings.Contains(attrs, `type="hidden"`) || regexp.MustCompile(`\shidden[\s>]|\shidden$`).MatchString(attrs) {
			continue
		}
		id := regexp.MustCompile(`\sid="([^"]+)"`).FindStringSubmatch(attrs)
		if id == nil {
			t.Errorf("a <%s> has no id, so no label: %s", m[1], attrs)
			continue
		}
		if !strings.Contains(p.body, `<label for="`+id[1]+`"`) {
			t.Errorf("<%s id=%q> has no <label for>", m[1], id[1])
		}
	}
}
