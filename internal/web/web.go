// Package web serves parley's HTML pages: login with the second factor, the
// list of rounds, the round page (sessions, agenda and stances, participants,
// consent to direct talks), administration for the host and mediation leads,
// and the account page.
//
// The handlers are thin: they decode and validate a form, call the auth or
// talks service with the actor of the session, and render a template or
// redirect. Every page works without JavaScript (a form POST answered with a
// redirect); htmx, vendored under static/, swaps fragments in place where that
// is natural. Every user-facing string comes from internal/i18n. docs/web.md
// describes the routes, the session cookie and the templates.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"parley/internal/auth"
	"parley/internal/bargain"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/detainees"
	"parley/internal/humanitarian"
	"parley/internal/i18n"
	"parley/internal/ledger"
	"parley/internal/localized"
	"parley/internal/notify"
	"parley/internal/router"
	"parley/internal/talks"
	"parley/internal/text"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Deps are what the web pages need from the rest of parley.
type Deps struct {
	Auth  *auth.Service
	Talks *talks.Service
	Log   *slog.Logger
	// Channel serves the conversation, relay and statement pages.
	Channel *channel.Service
	// Text serves the negotiating text's pages (text_*.go).
	Text *text.Service
	// Ledger serves the record pages (record_*.go).
	Ledger *ledger.Ledger
	// Bargain serves the package-analysis pages (bargain_*.go).
	Bargain *bargain.Service
	// Detainees serves the detainee track's pages (detainees_*.go).
	Detainees *detainees.Service
	// Ceasefire is the ceasefire monitoring mechanism; MapTiles its map
	// background (empty: a plain background, usable offline).
	Ceasefire *ceasefire.Service
	MapTiles  string
	// Humanitarian serves the humanitarian access pages (humanitarian_*.go).
	Humanitarian *humanitarian.Service
	// Notify counts and lists the viewer's notifications (notifications.go).
	Notify *notify.Service
	// Localized holds the names of items in other languages (names*.go).
	Localized *localized.Service
	// Secure: parley is served over HTTPS (directly or behind a TLS
	// proxy), so the session cookie is always Secure and __Host- prefixed.
	Secure bool
	// BaseURL is the address users reach parley at; absolute links are
	// built from it, never from the Host header (base_url.go).
	BaseURL string
}

// Web is the set of HTML handlers.
type Web struct {
	auth  *auth.Service
	talks *talks.Service
	log   *slog.Logger
	// channel: the conversation pages (conversation_*.go, statements_*.go).
	channel   *channel.Service
	text      *text.Service
	ledger    *ledger.Ledger // the record pages (record_*.go)
	bargain   *bargain.Service
	ceasefire *ceasefire.Service
	mapTiles  string
	notify    *notify.Service
	localized *localized.Service
	secure    bool
	baseURL   string
	cat       *i18n.Catalogue

	// detainees: the detainee track's pages (detainees_*.go).
	detainees *detainees.Service

	// humanitarian: the humanitarian access pages (humanitarian_*.go).
	humanitarian *humanitarian.Service

	pages     map[string]*template.Template // page name → layout + partials + page
	fragments *template.Template            // layout + partials, for htmx fragments
	assets    map[string]string             // static file → its URL with a content hash

	// totp holds enrolments begun and not yet confirmed, by user id. The
	// secret stays on the server (never in a URL or a form) for a few
	// minutes; see docs/web.md on running several nodes.
	totpMu sync.Mutex
	totp   map[string]pendingTOTP
	now    func() time.Time
}

// New parses every template and checks that each page and fragment a
// handler names exists, so that a missing template fails at start (and in
// the tests), not as a 500 on some later request.
func New(d Deps) (*Web, error) {
	if d.Auth == nil || d.Talks == nil {
		return nil, errors.New("web.New: Auth and Talks are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("web.New: %w", err)
	}
	w := &Web{
		auth: d.Auth, talks: d.Talks, log: d.Log, channel: d.Channel, text: d.Text, ledger: d.Ledger, bargain: d.Bargain, notify: d.Notify, detainees: d.Detainees, secure: d.Secure, baseURL: strings.TrimRight(d.BaseURL, "/"), cat: cat,
		ceasefire: d.Ceasefire, mapTiles: d.MapTiles,
		pages: map[string]*template.Template{},
		totp:  map[string]pendingTOTP{},
		now:   time.Now,
	}
	w.humanitarian = d.Humanitarian
	w.localized = d.Localized
	if err := w.hashAssets(); err != nil {
		return nil, fmt.Errorf("web.New: %w", err)
	}
	if err := w.parseTemplates(); err != nil {
		return nil, fmt.Errorf("web.New: %w", err)
	}
	return w, nil
}

// parseTemplates builds one template set per page: the shared layout and
// partials, plus the page's own file defining "title" and "content".
func (w *Web) parseTemplates() error {
	base, err := template.New("").Funcs(w.funcs()).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return err
	}
	w.fragments = base
	for _, name := range fragmentNames {
		if base.Lookup(name) == nil {
			return fmt.Errorf("fragment template %q is missing", name)
		}
	}
	for _, name := range pageNames {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		file := "templates/pages/" + name + ".html"
		if _, err := fs.Stat(templateFiles, file); err != nil {
			return fmt.Errorf("page template %q is missing: %w", name, err)
		}
		if t, err = t.ParseFS(templateFiles, file); err != nil {
			return err
		}
		for _, part := range []string{"title", "content"} {
			if t.Lookup(part) == nil {
				return fmt.Errorf("page template %q defines no %q", name, part)
			}
		}
		w.pages[name] = t
	}
	return nil
}

// hashAssets gives every static file a URL carrying a hash of its content,
// so that the files can be cached for a long time and still change on
// upgrade.
func (w *Web) hashAssets() error {
	w.assets = map[string]string{}
	return fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFiles, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		w.assets[path.Base(p)] = "/" + p + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
}

// asset returns the URL of a static file; a name that is not there panics
// at template execution in tests rather than linking to nothing.
func (w *Web) asset(name string) (string, error) {
	u, ok := w.assets[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

// funcs are the template functions. None holds per-request state: the
// localizer and the viewer travel in the page data.
func (w *Web) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":    w.asset,
		"datetime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" },
		"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		// isolate wraps a name put into a translated sentence in Unicode
		// directional isolates (FSI … PDI), so that a Latin name inside an
		// Arabic sentence, or an Arabic one inside English, keeps its own
		// direction and does not reorder the punctuation around it.
		"isolate": func(s string) string { return "\u2068" + s + "\u2069" },
		"liveNotice": func(l *i18n.Localizer, round, types string) liveNoticeData {
			return liveNoticeData{L: l, Round: round, Types: types}
		},
		"loc":      localName,
		"locText":  localText,
		"locAttrs": localAttrs,
		"roundField": func(id, value, err string, rounds []talks.Round, l *i18n.Localizer) roundFieldData {
			return roundFieldData{ID: id, Value: value, Err: err, Rounds: rounds, L: l}
		},
	}
}

// Register adds the web routes to mux.
func (w *Web) Register(mux *router.Mux) {
	static, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("GET /static/", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		// The URL carries the content hash, so the file can be cached for
		// good; a new version has a new URL.
		rw.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(rw, r)
	}))

	mux.HandleFunc("GET /login", w.loginShow)
	mux.HandleFunc("POST /login", w.loginSubmit)
	mux.HandleFunc("GET /login/otp", w.pending(w.otpShow))
	mux.HandleFunc("POST /login/otp", w.pending(w.otpSubmit))
	mux.HandleFunc("POST /logout", w.logout)

	mux.HandleFunc("GET /{$}", w.user(w.roundList))
	mux.HandleFunc("GET /rounds/{id}", w.user(w.roundShow))
	mux.HandleFunc("POST /rounds/{id}/agenda/{item}/stance", w.user(w.stanceSet))
	mux.HandleFunc("POST /rounds/{id}/consent", w.user(w.consentSet))
	mux.HandleFunc("POST /rounds/{id}/participants/{org}", w.user(w.proposalAnswer))
	mux.HandleFunc("POST /rounds/{id}/past-shares/{org}", w.user(w.pastShare))
	mux.HandleFunc("POST /rounds/{id}/sessions", w.admin(w.sessionAdd))
	mux.HandleFunc("POST /rounds/{id}/agenda", w.admin(w.agendaAdd))

	mux.HandleFunc("GET /admin", w.admin(w.adminShow))
	mux.HandleFunc("POST /admin/processes", w.admin(w.processAdd))
	mux.HandleFunc("POST /admin/rounds", w.admin(w.roundAdd))
	mux.HandleFunc("POST /admin/orgs", w.admin(w.orgAdd))
	mux.HandleFunc("POST /admin/users", w.admin(w.userAdd))

	mux.HandleFunc("GET /account", w.enrolling(w.accountShow))
	mux.HandleFunc("POST /account/password", w.user(w.passwordChange))
	mux.HandleFunc("POST /account/language", w.user(w.languageSet))
	mux.HandleFunc("POST /account/totp", w.enrolling(w.totpBegin))
	mux.HandleFunc("GET /account/totp.png", w.enrolling(w.totpImage))
	mux.HandleFunc("POST /account/totp/confirm", w.enrolling(w.totpConfirm))
	mux.HandleFunc("POST /account/totp/disable", w.user(w.totpDisable))

	w.registerRoundAdmin(mux)
	w.registerMembers(mux)
	w.registerConversation(mux)
	w.registerText(mux)
	w.registerRecord(mux)
	w.registerNotifications(mux)
	w.registerBargain(mux)
	w.registerDetainees(mux)
	w.registerCeasefire(mux)
	w.registerHumanitarian(mux)
	w.registerNames(mux)

	// Anything else is a localized 404 page. The API registers its own
	// /api/v1/ catch-all, which is more specific and wins.
	mux.HandleFunc("/", w.notFound)
}
