package web

import (
	"net/http"
	"strings"
	"time"

	"parley/internal/errs"
)

// pendingTOTP is a second factor being enrolled: begun, not yet confirmed.
type pendingTOTP struct {
	Secret  string
	png     []byte
	expires time.Time
}

// totpEnrolmentTTL bounds how long an unconfirmed enrolment waits.
const totpEnrolmentTTL = 10 * time.Minute

// pendingEnrolment returns the user's unexpired enrolment, or nil.
func (w *Web) pendingEnrolment(userID string) *pendingTOTP {
	w.totpMu.Lock()
	defer w.totpMu.Unlock()
	p, ok := w.totp[userID]
	if !ok || !w.now().Before(p.expires) {
		delete(w.totp, userID)
		return nil
	}
	return &p
}

// totpBegin starts enrolling a second factor. The secret is kept here, on
// the server, keyed by user: the page shows it as a QR code served by
// totpImage and as text, and it never travels in a URL or a form.
func (w *Web) totpBegin(rw http.ResponseWriter, r *http.Request, v *viewer) {
	e, err := w.auth.BeginTOTP(r.Context(), v.Actor())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	now := w.now()
	w.totpMu.Lock()
	for id, p := range w.totp {
		if !now.Before(p.expires) {
			delete(w.totp, id)
		}
	}
	w.totp[v.Session.User.ID] = pendingTOTP{Secret: e.Secret, png: e.QRPNG, expires: now.Add(totpEnrolmentTTL)}
	w.totpMu.Unlock()
	redirect(rw, r, "/account#totp")
}

// totpImage serves the QR code of the pending enrolment.
func (w *Web) totpImage(rw http.ResponseWriter, r *http.Request, v *viewer) {
	p := w.pendingEnrolment(v.Session.User.ID)
	if p == nil {
		w.notFound(rw, r)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "no-store")
	rw.Write(p.png)
}

// totpConfirm finishes the enrolment with a code from the authenticator and
// shows the recovery codes, once.
func (w *Web) totpConfirm(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	f := newForm("totp", r)
	p := w.pendingEnrolment(v.Session.User.ID)
	code := strings.TrimSpace(r.PostForm.Get("code"))
	switch {
	case p == nil:
		f.Errors[""] = v.L.T("error.totp_expired")
	case code == "":
		f.Errors["code"] = v.L.T("error.required")
	default:
		recovery, err := w.auth.ConfirmTOTP(r.Context(), v.Actor(), p.Secret, code, v.Token)
		if err == nil {
			w.totpMu.Lock()
			delete(w.totp, v.Session.User.ID)
			w.totpMu.Unlock()
			// The page reads the account again so that it shows the
			// factor enrolled (and lets an enrolling user go on).
			if s, err := w.auth.Authenticate(r.Context(), v.Token, v.Session.Kind); err == nil {
				v.Session = s
			}
			w.accountPage(rw, r, v, http.StatusOK, nil, recovery)
			return
		}
		if !f.fail(v.L, err, "code") {
			w.fail(rw, r, err)
			return
		}
	}
	w.accountPage(rw, r, v, f.status(), f, nil)
}

// totpDisable removes the second factor after checking the password.
func (w *Web) totpDisable(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f, ok := w.accountForm(rw, r, "totp_disable")
	if !ok {
		return
	}
	var err error
	if pw := r.PostForm.Get("password"); pw == "" {
		f.Errors["password"] = v.L.T("error.required")
	} else {
		err = w.auth.DisableTOTP(r.Context(), v.Actor(), pw, v.Token)
	}
	w.accountDone(rw, r, v, f, err, "totp_disabled", "password")
}
