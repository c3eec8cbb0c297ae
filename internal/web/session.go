package web

import (
	"context"
	"net"
	"net/http"
	"strings"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/errs"
	"parley/internal/i18n"
)

// The session cookie. Over HTTPS, and on loopback addresses (which browsers
// treat as secure contexts and accept Secure cookies from over plain HTTP),
// the cookie is Secure with the __Host- prefix: bound to this host, path /,
// no Domain, unsettable by a sibling subdomain or a network attacker. Plain
// HTTP to any other host cannot carry a Secure cookie, so for development
// there the cookie drops the prefix and the Secure flag (docs/web.md).
const (
	cookieSecure   = "__Host-parley_session"
	cookieInsecure = "parley_session"
)

// secureRequest reports whether the session cookie of r is Secure (and
// __Host- prefixed).
func (w *Web) secureRequest(r *http.Request) bool {
	if w.secure || r.TLS != nil {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (w *Web) cookieName(r *http.Request) string {
	if w.secureRequest(r) {
		return cookieSecure
	}
	return cookieInsecure
}

// setSession gives the browser its session token. The cookie has no expiry
// (it ends with the browser); the server enforces the idle and absolute
// timeouts. SameSite=Lax, not Strict: a link to a round page from a mail or a
// chat must open the page, not the login form, and CSRF is stopped anyway by
// http.CrossOriginProtection on every POST (no GET changes anything).
func (w *Web) setSession(rw http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(rw, &http.Cookie{
		Name: w.cookieName(r), Value: token, Path: "/",
		HttpOnly: true, Secure: w.secureRequest(r), SameSite: http.SameSiteLaxMode,
	})
}

func (w *Web) clearSession(rw http.ResponseWriter, r *http.Request) {
	http.SetCookie(rw, &http.Cookie{
		Name: w.cookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: w.secureRequest(r), SameSite: http.SameSiteLaxMode,
	})
}

// viewer is who is looking at a page: the authenticated session, its token
// (to keep it alive across a password change) and the chosen language.
type viewer struct {
	Session auth.Session
	Token   string
	L       *i18n.Localizer
}

// Actor is the viewer's actor for domain calls.
func (v *viewer) Actor() access.Actor { return v.Session.Actor }

type viewerKey struct{}

func viewerFrom(ctx context.Context) *viewer {
	v, _ := ctx.Value(viewerKey{}).(*viewer)
	return v
}

// authenticate reads the session cookie. It returns nil when there is none
// or it is no longer valid.
func (w *Web) authenticate(r *http.Request) (*viewer, error) {
	c, err := r.Cookie(w.cookieName(r))
	if err != nil || c.Value == "" {
		return nil, nil
	}
	s, err := w.auth.Authenticate(r.Context(), c.Value, auth.Web)
	if err != nil {
		if errs.Code(err) == errs.Unauthorized {
			return nil, nil
		}
		return nil, err
	}
	return &viewer{Session: s, Token: c.Value, L: w.cat.Localizer(w.cat.Choose(s.User.Locale, r.Header.Get("Accept-Language")))}, nil
}

// localizer returns the language of the request: the viewer's if there is
// one, else the browser's.
func (w *Web) localizer(r *http.Request) *i18n.Localizer {
	if v := viewerFrom(r.Context()); v != nil {
		return v.L
	}
	return w.cat.Localizer(w.cat.Choose("", r.Header.Get("Accept-Language")))
}

// page returns the common page data for a request.
func (w *Web) page(r *http.Request, v *viewer) page {
	p := page{L: w.localizer(r), Path: r.URL.Path, ReadOnly: w.ledger.ReadOnly() != nil}
	if v != nil && !v.Session.MFAPending {
		u := v.Session.User
		p.User = &u
		p.Admin = v.Actor().IsAdmin()
		p.Members = manages(v)
		p.Enrolling = u.MustEnrolTOTP
		p.Notices = w.unseen(r, v)
		p.Names = w.loadNames(r, v.Actor(), map[string][]string{})
	}
	return p
}

// handler is a page handler for a logged-in viewer.
type handler func(rw http.ResponseWriter, r *http.Request, v *viewer)

// gate is what a route lets through.
type gate int

const (
	gateUser      gate = iota // fully logged in, second factor enrolled if required
	gateEnrolling             // fully logged in, even before the required second factor
	gateAdmin                 // a host or mediation lead
	gatePending               // password passed, second factor awaited
)

// user wraps a page for logged-in users. Without a session the visitor goes
// to the login page; a session waiting for its second factor goes to the
// code page; a user who must enrol a second factor goes to the account page.
func (w *Web) user(h handler) http.HandlerFunc { return w.guard(gateUser, h) }

// withService serves h when the service it needs is configured, and
// answers 404 as for an unknown page otherwise: the app wires every
// service, tests build the pages with some only. A handler behind it uses
// its service without asking again.
func (w *Web) withService(configured bool, h handler) handler {
	if configured {
		return h
	}
	return func(rw http.ResponseWriter, r *http.Request, _ *viewer) { w.notFound(rw, r) }
}

// enrolling wraps the account page and the enrolment routes, which a user
// who must still enrol a second factor may reach.
func (w *Web) enrolling(h handler) http.HandlerFunc { return w.guard(gateEnrolling, h) }

// admin wraps administration: anyone else gets the 404 page, as if the
// route did not exist.
func (w *Web) admin(h handler) http.HandlerFunc { return w.guard(gateAdmin, h) }

// pending wraps the second-factor page.
func (w *Web) pending(h handler) http.HandlerFunc { return w.guard(gatePending, h) }

func (w *Web) guard(g gate, h handler) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		v, err := w.authenticate(r)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		if v != nil {
			ctx := context.WithValue(r.Context(), viewerKey{}, v)
			if !v.Session.MFAPending {
				ctx = access.WithActor(ctx, v.Actor())
			}
			r = r.WithContext(ctx)
		}
		switch {
		case v == nil:
			w.toLogin(rw, r)
		case g == gatePending:
			if !v.Session.MFAPending {
				redirect(rw, r, "/")
				return
			}
			h(rw, r, v)
		case v.Session.MFAPending:
			redirect(rw, r, "/login/otp")
		case v.Session.User.MustEnrolTOTP && g != gateEnrolling:
			redirect(rw, r, "/account")
		case g == gateAdmin && !v.Actor().IsAdmin():
			w.notFound(rw, r)
		default:
			h(rw, r, v)
		}
	}
}

// toLogin sends a visitor without a valid session to the login page,
// remembering the page asked for when it was a plain GET of a local path.
func (w *Web) toLogin(rw http.ResponseWriter, r *http.Request) {
	to := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" && localPath(r.URL.Path) {
		to += "?next=" + urlQueryEscape(r.URL.Path)
	}
	redirect(rw, r, to)
}
