package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"parley/internal/auth"
	"parley/internal/errs"
)

// loginPage is the data of the login page.
type loginPage struct {
	page
	Form *form
	Next string
}

// loginShow shows the login form; a logged-in visitor goes home.
func (w *Web) loginShow(rw http.ResponseWriter, r *http.Request) {
	if v, _ := w.authenticate(r); v != nil && !v.Session.MFAPending {
		redirect(rw, r, "/")
		return
	}
	w.renderPage(rw, r, http.StatusOK, pageLogin, loginPage{
		page: w.page(r, nil), Form: &form{ID: "login"}, Next: safeNext(r.URL.Query().Get("next")),
	})
}

// loginSubmit checks the username and password. The same message answers an
// unknown user and a wrong password (auth makes the timing similar too).
func (w *Web) loginSubmit(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	f := newForm("login", r)
	l := w.localizer(r)
	next := safeNext(r.PostForm.Get("next"))
	username, password := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	if username == "" {
		f.Errors["username"] = l.T("error.required")
	}
	if password == "" {
		f.Errors["password"] = l.T("error.required")
	}
	if !f.HasErrors() {
		res, err := w.auth.Login(r.Context(), auth.LoginInput{
			Username: username, Password: password, Remote: remoteAddr(r), Kind: auth.Web,
		})
		if err == nil {
			w.setSession(rw, r, res.Token)
			if res.MFAPending {
				to := "/login/otp"
				if next != "/" {
					to += "?next=" + urlQueryEscape(next)
				}
				redirect(rw, r, to)
				return
			}
			if res.FailedAttempts > 0 && next == "/" {
				// Someone tried the account: the account page says so.
				next = "/account#failed-attempts"
			}
			redirect(rw, r, next)
			return
		}
		if !f.fail(l, err) {
			w.fail(rw, r, err)
			return
		}
	}
	f.Values.Del("password") // never echo a password back into the page
	w.renderPage(rw, r, f.status(), pageLogin, loginPage{page: w.page(r, nil), Form: f, Next: next})
}

// otpPage is the data of the second-factor page.
type otpPage struct {
	page
	Form     *form
	Next     string
	Username string
}

// otpShow asks a session that passed the password for its second factor.
func (w *Web) otpShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.renderPage(rw, r, http.StatusOK, pageLoginOTP, otpPage{
		page: w.page(r, v), Form: &form{ID: "otp"}, Next: safeNext(r.URL.Query().Get("next")),
		Username: v.Session.User.Username,
	})
}

// otpSubmit checks a TOTP code or a recovery code.
func (w *Web) otpSubmit(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	f := newForm("otp", r)
	next := safeNext(r.PostForm.Get("next"))
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		f.Errors["code"] = v.L.T("error.required")
	} else {
		err := w.auth.CompleteSecondFactor(r.Context(), v.Token, code, remoteAddr(r))
		if err == nil {
			redirect(rw, r, next)
			return
		}
		if errs.Code(err) == errs.Unauthorized {
			// The pending session ran out: start again from the password.
			w.clearSession(rw, r)
			redirect(rw, r, "/login")
			return
		}
		if !f.fail(v.L, err, "code") {
			w.fail(rw, r, err)
			return
		}
	}
	w.renderPage(rw, r, f.status(), pageLoginOTP, otpPage{page: w.page(r, v), Form: f, Next: next, Username: v.Session.User.Username})
}

// logout ends the session on the server and in the browser.
func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(w.cookieName(r)); err == nil && c.Value != "" {
		if err := w.auth.Logout(r.Context(), c.Value); err != nil {
			w.log.Error("web: logout", "err", err)
		}
	}
	w.clearSession(rw, r)
	redirect(rw, r, "/login")
}

// remoteAddr is the client address for throttling and security events.
// The app's middleware is responsible for any trusted proxy header.
func remoteAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// safeNext keeps a post-login destination only when it is a path on this
// site, so that the login form cannot be made to redirect elsewhere.
func safeNext(next string) string {
	if next == "" || !localPath(next) {
		return "/"
	}
	return next
}

// localPath reports whether p is an absolute path on this site: it starts
// with one slash and not two, and holds no backslash and no control
// character anywhere. Browsers read "/\host" as another host, and drop tabs
// and newlines before reading, so "/\t/evil.example" would become
// "//evil.example".
func localPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return false
	}
	return !strings.ContainsFunc(p, func(r rune) bool { return r == '\\' || unicode.IsControl(r) })
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
