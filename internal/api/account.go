package api

import (
	"net/http"

	"parley/internal/auth"
	"parley/internal/errs"
)

// LoginJSON is the answer to a successful login.
type LoginJSON struct {
	Token     string   `json:"token"`
	ExpiresAt string   `json:"expires_at,omitempty"`
	User      UserJSON `json:"user"`
	// FailedAttempts is how many logins to the account failed since its
	// previous login.
	FailedAttempts int `json:"failed_attempts"`
}

// login exchanges a username, password and (when enrolled) a TOTP code for an
// API bearer token. Every failure of the credentials themselves is the same
// 401 invalid_credentials from the auth service, so an unknown user and a
// wrong password cannot be told apart.
func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var q LoginRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	res, err := a.auth.Login(r.Context(), auth.LoginInput{
		Username: q.Username, Password: q.Password, OTP: q.OTP,
		Remote: remote(r), Kind: auth.API,
	})
	if err != nil {
		return err
	}
	if res.MFAPending {
		// An API token is never half-open: the code comes with the
		// password or the login fails. Drop the pending token.
		_ = a.auth.Logout(r.Context(), res.Token)
		return errOTPRequired()
	}
	writeJSON(w, http.StatusOK, LoginJSON{Token: res.Token, User: userJSON(res.User), FailedAttempts: res.FailedAttempts})
	return nil
}

// logout revokes the token of the request.
func (a *API) logout(w http.ResponseWriter, r *http.Request, c call) error {
	return noContent(w, a.auth.Logout(r.Context(), c.Token))
}

func (a *API) me(w http.ResponseWriter, r *http.Request, c call) error {
	u := c.User
	writeJSON(w, http.StatusOK, MeJSON{
		ID: u.ID, Username: u.Username, DisplayName: u.DisplayName,
		Org:  OrgJSON{ID: u.OrgID, Name: u.OrgName, Kind: string(u.OrgKind)},
		Role: string(u.Role), Locale: u.Locale, TOTPEnabled: u.TOTPEnabled,
		MustEnrolTOTP: u.MustEnrolTOTP, Admin: c.Actor.IsAdmin(),
	})
	return nil
}

// changePassword changes the caller's password. The auth service revokes
// every other session and token of the user; the token of this request is
// kept, so a script that rotates its own password keeps working.
func (a *API) changePassword(w http.ResponseWriter, r *http.Request, c call) error {
	var q PasswordRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, a.auth.ChangePassword(r.Context(), c.Actor, q.Current, q.New, c.Token))
}

func (a *API) setLocale(w http.ResponseWriter, r *http.Request, c call) error {
	var q LocaleRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, a.auth.SetLocale(r.Context(), c.Actor, q.Locale))
}

func errOTPRequired() error {
	return errs.New(auth.CodeOTPRequired, "this account has a second factor: send the current code in \"otp\"")
}

// TOTPEnrolmentJSON starts a second-factor enrolment: the secret to type into
// an authenticator, or the otpauth:// URL to turn into a QR code.
type TOTPEnrolmentJSON struct {
	Secret string `json:"secret"`
	URL    string `json:"url"`
}

// beginTOTP starts enrolling a second factor. Nothing is stored until the
// confirmation proves the authenticator holds the secret.
func (a *API) beginTOTP(w http.ResponseWriter, r *http.Request, c call) error {
	e, err := a.auth.BeginTOTP(r.Context(), c.Actor)
	return reply(w, http.StatusOK, e, err, func(e auth.TOTPEnrolment) TOTPEnrolmentJSON { return TOTPEnrolmentJSON{Secret: e.Secret, URL: e.URL} })
}

// RecoveryCodesJSON answers a confirmed enrolment. The codes are shown this
// once; only their hashes are stored.
type RecoveryCodesJSON struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func (a *API) confirmTOTP(w http.ResponseWriter, r *http.Request, c call) error {
	var q TOTPConfirmRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	codes, err := a.auth.ConfirmTOTP(r.Context(), c.Actor, q.Secret, q.Code, c.Token)
	return reply(w, http.StatusOK, codes, err, func(codes []string) RecoveryCodesJSON { return RecoveryCodesJSON{RecoveryCodes: nonNil(codes)} })
}

func (a *API) disableTOTP(w http.ResponseWriter, r *http.Request, c call) error {
	var q TOTPDisableRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, a.auth.DisableTOTP(r.Context(), c.Actor, q.Password, c.Token))
}
