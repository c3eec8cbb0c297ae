package web

import (
	"net/http"

	"parley/internal/errs"
	"parley/internal/i18n"
)

// accountPage is the data of the account page.
type accountPage struct {
	page
	forms
	Languages []i18n.Language
	// Locale is the account's language setting, "" for the browser's.
	Locale string
	// Enrolment is the second factor being enrolled, shown with its QR
	// code and secret until confirmed; nil otherwise.
	Enrolment *pendingTOTP
	// RecoveryCodes are shown once, right after enrolment.
	RecoveryCodes []string
	Done          string // what the last form did, for the confirmation line
	// FailedAttempts is how many logins to the account failed since the
	// previous one: the user is told.
	FailedAttempts int
}

// accountShow shows the account page. A user who must enrol a second factor
// lands here and sees only the enrolment.
func (w *Web) accountShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.accountPage(rw, r, v, http.StatusOK, nil, nil)
}

func (w *Web) accountPage(rw http.ResponseWriter, r *http.Request, v *viewer, status int, failed *form, recovery []string) {
	p := accountPage{
		page: w.page(r, v), forms: forms{failed: failed},
		Languages: i18n.Languages, Locale: v.Session.User.Locale,
		Enrolment: w.pendingEnrolment(v.Session.User.ID), RecoveryCodes: recovery,
		FailedAttempts: w.auth.FailedSinceLastLogin(r.Context(), v.Actor()),
	}
	if failed == nil && recovery == nil {
		switch d := r.URL.Query().Get("done"); d {
		case "password", "language", "totp_disabled":
			p.Done = d
		}
	}
	w.renderPage(rw, r, status, pageAccount, p)
}

// accountForm parses an account form; it reports false when it has already
// answered.
func (w *Web) accountForm(rw http.ResponseWriter, r *http.Request, id string) (*form, bool) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return nil, false
	}
	return newForm(id, r), true
}

// accountDone finishes an account form like adminDone does for
// administration. Passwords are never sent back into the page.
func (w *Web) accountDone(rw http.ResponseWriter, r *http.Request, v *viewer, f *form, err error, done string, fields ...string) {
	for _, secret := range []string{"current", "password", "confirm"} {
		f.Values.Del(secret)
	}
	if err == nil && !f.HasErrors() {
		redirect(rw, r, "/account?done="+done)
		return
	}
	if err != nil && !f.fail(v.L, err, fields...) {
		w.fail(rw, r, err)
		return
	}
	w.accountPage(rw, r, v, f.status(), f, nil)
}

// passwordChange changes the viewer's password. Every other session of the
// account ends; this one is kept.
func (w *Web) passwordChange(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.accountForm(rw, r, "password")
	if !ok {
		return
	}
	current, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("password"), r.PostForm.Get("confirm")
	var err error
	switch {
	case current == "":
		f.Errors["current"] = v.L.T("error.required")
	case next == "":
		f.Errors["password"] = v.L.T("error.required")
	case next != confirm:
		f.Errors["confirm"] = v.L.T("error.password_mismatch")
	default:
		err = w.auth.ChangePassword(r.Context(), v.Actor(), current, next, v.Token)
	}
	w.accountDone(rw, r, v, f, err, "password", "current", "password", "confirm")
}

// languageSet stores the account's language; "" follows the browser.
func (w *Web) languageSet(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.accountForm(rw, r, "language")
	if !ok {
		return
	}
	locale := r.PostForm.Get("locale")
	var err error
	if locale != "" && !i18n.Supported(locale) {
		f.Errors["locale"] = v.L.T("error.invalid.locale")
	} else {
		err = w.auth.SetLocale(r.Context(), v.Actor(), locale)
	}
	w.accountDone(rw, r, v, f, err, "language", "locale")
}
