package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"image"
	"image/draw"
	"image/png"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// TOTP parameters (RFC 6238): what every authenticator app supports.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	// totpSkew accepts the step before and after the current one, for
	// clocks that drift and codes typed at the end of their window.
	totpSkew = 1
	// RecoveryCodes is how many recovery codes ConfirmTOTP issues.
	RecoveryCodes = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPEnrolment is what the enrolment page shows: the secret (for typing in
// by hand), the otpauth:// URL and the same URL as a QR code PNG.
type TOTPEnrolment struct {
	Secret, URL string
	QRPNG       []byte
}

// BeginTOTP starts enrolling a second factor for the actor. Nothing is
// stored until ConfirmTOTP proves the authenticator has the secret; the page
// carries the secret to that call.
func (s *Service) BeginTOTP(ctx context.Context, actor access.Actor) (TOTPEnrolment, error) {
	if actor.Anonymous() || actor.System {
		return TOTPEnrolment{}, unauthorized()
	}
	u, err := s.User(ctx, actor.User)
	if err != nil {
		return TOTPEnrolment{}, unauthorized()
	}
	if u.TOTPEnabled {
		return TOTPEnrolment{}, errs.New(errs.Conflict, "a second factor is already enrolled; disable it first")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.opt.Issuer, AccountName: u.Username,
		Period: totpPeriod, SecretSize: 20, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	qr, err := qrPNG(key)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), QRPNG: qr}, nil
}

// qrPNG draws key's otpauth:// URL as a QR code, 256 pixels square plus the
// white quiet zone scanners need around it, and encodes it as PNG.
// otp.Key.Image draws the code (no other QR library is needed).
func qrPNG(key *otp.Key) ([]byte, error) {
	const size, margin = 256, 24
	code, err := key.Image(size, size)
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, size+2*margin, size+2*margin))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(margin, margin, margin+size, margin+size), code, code.Bounds().Min, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// totpStep returns the step of code for secret within the skew around now,
// or 0 when it matches none. Every candidate is compared in constant time.
func totpStep(secret, code string, now time.Time) int64 {
	cur := now.Unix() / totpPeriod
	var found int64
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && found == 0 {
			found = step
		}
	}
	return found
}

func isTOTPCode(code string) bool {
	if len(code) != totpDigits.Length() {
		return false
	}
	_, err := strconv.Atoi(code)
	return err == nil
}

// ConfirmTOTP checks a code from the authenticator against secret (from
// BeginTOTP), enables the second factor and returns RecoveryCodes fresh
// single-use recovery codes. They are shown once: only salted hashes are
// stored. Confirming again replaces older recovery codes. Every other
// session and token of the user ends (the one of keepToken, enrolling,
// stays): those opened with the password alone must now pass the factor.
func (s *Service) ConfirmTOTP(ctx context.Context, actor access.Actor, secret, code, keepToken string) ([]string, error) {
	if actor.Anonymous() || actor.System {
		return nil, unauthorized()
	}
	secret = strings.ToUpper(strings.TrimSpace(secret))
	if raw, err := b32.DecodeString(secret); err != nil || len(raw) < 16 {
		return nil, errs.Field("secret", "the enrolment secret is malformed; start again")
	}
	code = strings.TrimSpace(code)
	step := int64(0)
	if isTOTPCode(code) {
		step = totpStep(secret, code, s.now())
	}
	if step == 0 {
		return nil, &errs.Error{Code: errs.Invalid, Field: "code", Message: "that code does not match; check the authenticator's clock and try the next code"}
	}
	codes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	var u User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, _, err = loadUser(ctx, tx, "u.id = $1", actor.User); err != nil {
			return err
		}
		if u.TOTPEnabled {
			return errs.New(errs.Conflict, "a second factor is already enrolled")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3 WHERE id = $4",
			s.sealSecret(u.ID, secret), true, step, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", u.ID); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, "INSERT INTO recovery_codes(user_id, code_hash) VALUES ($1, $2)",
				u.ID, hashRecoveryCode(c)); err != nil {
				return err
			}
		}
		return revokeSessions(ctx, tx, u.ID, keepHash(keepToken))
	})
	if err != nil {
		return nil, err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventTOTPEnabled, UserID: u.ID, Username: u.Username, Detail: "other sessions revoked"})
	return codes, nil
}

// recoveryAlphabet is lower-case RFC 4648 base32: it has no 0, 1, 8 or 9,
// so o, l, b and g cannot be misread as digits.
var recoveryAlphabet = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newRecoveryCode returns "xxxxx-xxxxx": 50 random bits, easy to type.
func newRecoveryCode() string {
	b := make([]byte, 7)
	rand.Read(b)
	s := recoveryAlphabet.EncodeToString(b)[:10]
	return s[:5] + "-" + s[5:]
}

// normRecoveryCode accepts a recovery code as typed: any case, with or
// without the dash and spaces.
func normRecoveryCode(c string) string {
	c = strings.ToLower(c)
	return strings.NewReplacer("-", "", " ", "").Replace(c)
}

// hashRecoveryCode returns "salt$sha256(salt||code)" in hex. Recovery codes
// have 50 bits of entropy, under ASVS's 112 for unsalted hashes, so each is
// salted with 64 random bits.
func hashRecoveryCode(code string) string {
	salt := make([]byte, 8)
	rand.Read(salt)
	return saltedHash(salt, normRecoveryCode(code))
}

func saltedHash(salt []byte, code string) string {
	h := sha256.Sum256(append(append([]byte{}, salt...), code...))
	return hex.EncodeToString(salt) + "$" + hex.EncodeToString(h[:])
}

// checkSecondFactor verifies and consumes a TOTP code or a recovery code of
// u. A TOTP code is accepted only for a step after the last one used, and the
// step is advanced in the same statement, so a code (or an older one) works
// once even under concurrent attempts. A recovery code is marked used the
// same way.
func (s *Service) checkSecondFactor(ctx context.Context, u User, code, remote string) (bool, error) {
	code = strings.TrimSpace(code)
	if !u.TOTPEnabled || code == "" || len(code) > 64 {
		return false, nil
	}
	if isTOTPCode(code) {
		var stored string
		var last int64
		if err := s.db.R.QueryRowContext(ctx, "SELECT totp_secret, totp_last_step FROM users WHERE id = $1", u.ID).
			Scan(&stored, &last); err != nil {
			return false, err
		}
		secret, err := s.openSecret(u.ID, stored)
		if err != nil {
			return false, err
		}
		step := totpStep(secret, code, s.now())
		if step == 0 || step <= last {
			return false, nil
		}
		res, err := s.db.W.ExecContext(ctx, "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1", step, u.ID)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	norm := normRecoveryCode(code)
	rows, err := s.db.R.QueryContext(ctx, "SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at = 0", u.ID)
	if err != nil {
		return false, err
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return false, err
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	match := ""
	for _, h := range hashes {
		saltHex, _, ok := strings.Cut(h, "$")
		salt, err := hex.DecodeString(saltHex)
		if !ok || err != nil {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(saltedHash(salt, norm)), []byte(h)) == 1 {
			match = h
		}
	}
	if match == "" {
		return false, nil
	}
	res, err := s.db.W.ExecContext(ctx, "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at = 0",
		store.Stamp(s.now()), u.ID, match)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventRecoveryCodeUsed, UserID: u.ID, Username: u.Username, Remote: remote,
		Detail: strconv.Itoa(len(hashes)-1) + " recovery codes left"})
	return true, nil
}

// clearTOTP removes the second factor and the recovery codes of userID.
func clearTOTP(ctx context.Context, tx *sql.Tx, userID string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = '', totp_enabled = $1 WHERE id = $2", false, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", userID)
	return err
}

// DisableTOTP removes the actor's own second factor after checking the
// password, and ends every other session and token of the user (the one of
// keepToken, making the change, stays): a session opened by someone who
// stole the password must not outlive the change. If the organisation kind
// requires a second factor, the user must enrol again (User.MustEnrolTOTP).
func (s *Service) DisableTOTP(ctx context.Context, actor access.Actor, password, keepToken string) error {
	if actor.Anonymous() || actor.System {
		return unauthorized()
	}
	u, hash, err := loadUser(ctx, s.db.R, "u.id = $1", actor.User)
	if err != nil {
		return unauthorized()
	}
	if ok, err := s.recheck(ctx, u, hash, password, "disabling second factor: wrong password"); err != nil {
		return err
	} else if !ok {
		e := errs.New(CodeInvalidCredentials, "the password is wrong")
		e.Field = "password"
		return e
	}
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := clearTOTP(ctx, tx, u.ID); err != nil {
			return err
		}
		return revokeSessions(ctx, tx, u.ID, keepHash(keepToken))
	}); err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventTOTPDisabled, UserID: u.ID, Username: u.Username, Detail: "by the user; other sessions revoked"})
	return nil
}

// ResetTOTP removes a user's second factor for a head of the user's
// organisation (or access.System), for a lost authenticator, and ends the
// user's sessions.
func (s *Service) ResetTOTP(ctx context.Context, actor access.Actor, userID string) error {
	if !actor.System && actor.Role != access.Head {
		return s.deny(ctx, actor, "resetting a second factor")
	}
	// A ledger event like every other act on a member, read by the
	// member's organisation.
	u, err := s.adminChange(ctx, actor, "resetting a second factor", userID, func(tx *sql.Tx, u User) (string, string, error) {
		if err := clearTOTP(ctx, tx, u.ID); err != nil {
			return "", "", err
		}
		return "user.totp_reset", "second factor reset", revokeSessions(ctx, tx, u.ID, nil)
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventTOTPDisabled, UserID: u.ID, Username: u.Username,
		Detail: "reset by " + actor.Username + "; all sessions revoked"})
	return nil
}

// SetTOTPRequired sets whether users of organisations of kind must enrol a
// second factor (the operator only). It is a ledger event readable by the host
// and mediation organisations.
func (s *Service) SetTOTPRequired(ctx context.Context, actor access.Actor, kind access.OrgKind, required bool) error {
	// The policy binds every organisation of the kind: it is the
	// operator's (parley org policy), not one organisation's heads'.
	if !actor.System {
		return s.deny(ctx, actor, "changing the second-factor policy")
	}
	if !kind.Valid() {
		return errs.Field("kind", "unknown organisation kind %q", kind)
	}
	err := s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_kind_policy(kind, require_totp) VALUES ($1, $2)
			ON CONFLICT (kind) DO UPDATE SET require_totp = excluded.require_totp`, string(kind), required); err != nil {
			return err
		}
		aud, err := policyAudience(ctx, tx)
		if err != nil || len(aud) == 0 {
			// No host or mediation yet (first setup): nobody could read
			// the event, and the security log still records the change.
			return err
		}
		content := []byte(`{"kind":"` + string(kind) + `","require_totp":` + strconv.FormatBool(required) + `}`)
		_, err = rec.Append(ctx, ledger.Event{Type: "auth.totp_policy", Actor: actor, ObjectType: "org_kind_policy",
			ObjectID: string(kind), Audience: aud, Content: content})
		return err
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventTOTPPolicy, UserID: actor.User, Username: actor.Username,
		Detail: string(kind) + " require_totp=" + strconv.FormatBool(required)})
	return nil
}

// TOTPRequired reports whether organisations of kind must use a second
// factor.
func (s *Service) TOTPRequired(ctx context.Context, kind access.OrgKind) (bool, error) {
	var req bool
	err := s.db.R.QueryRowContext(ctx, "SELECT require_totp FROM org_kind_policy WHERE kind = $1", string(kind)).Scan(&req)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return req, err
}
