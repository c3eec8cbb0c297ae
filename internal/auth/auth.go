// Package auth holds parley's accounts and their security: users and roles,
// argon2id password hashes, server-side sessions and API bearer tokens, the
// TOTP second factor with recovery codes, login throttling and the security
// event log. docs/security.md describes the choices and their parameters.
//
// Every method that changes a user (add, role, password, disable) runs through
// ledger.Write and appends one event whose audience is the user's
// organisation plus the host and mediation organisations; secrets and hashes
// never enter event content.
package auth

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Error codes added by this package. Login failures of every kind share
// CodeInvalidCredentials so that the answer tells nothing about which part
// was wrong or whether the account exists.
const (
	CodeInvalidCredentials = "invalid_credentials"
	// CodeOTPRequired: the password was right but the account has a second
	// factor and no code was given (API logins and re-authentication).
	CodeOTPRequired = "otp_required"
	// CodeWeakPassword: a new password breaks the password policy.
	CodeWeakPassword = "weak_password"
	// CodeTOTPEnrolmentRequired: the user's organisation kind requires a
	// second factor that the user has not enrolled, and the act (an API
	// login) cannot offer the enrolment page.
	CodeTOTPEnrolmentRequired = "totp_enrolment_required"
)

func init() {
	errs.Register(CodeInvalidCredentials, 401)
	errs.Register(CodeOTPRequired, 401)
	errs.Register(CodeWeakPassword, 400)
	errs.Register(CodeTOTPEnrolmentRequired, 403)
}

// Options configures a Service. The zero value gives production defaults.
type Options struct {
	IdleTimeout     time.Duration // web sessions, default 30m
	AbsoluteTimeout time.Duration // web sessions, default 12h
	TokenTTL        time.Duration // API bearer tokens, absolute, default 24h; idle also applies
	Issuer          string        // TOTP issuer shown in authenticator apps, default "parley"

	// HashParams overrides the argon2id parameters of NEW hashes. It exists
	// for tests only, which run many hashes in parallel on small machines;
	// production leaves it nil and gets DefaultHashParams. Existing hashes
	// are always verified with the parameters written in them.
	HashParams *HashParams
	// Now is the clock; nil means time.Now. Tests inject one to expire
	// sessions and throttles without sleeping.
	Now func() time.Time
	// SecretKey (SecretKeySize bytes) seals TOTP secrets in the database
	// (secret.go). The app derives it from the master key; without it,
	// secrets are stored in clear, which only tests and tools that never
	// enrol a second factor should do.
	SecretKey []byte
}

// The defaults of Options.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultTokenTTL        = 24 * time.Hour
	DefaultIssuer          = "parley"
	// PendingTTL bounds a web session waiting for its second factor: the
	// password alone must not keep a half-open session alive for long.
	PendingTTL = 5 * time.Minute
	// touchEvery throttles the last_seen write of Authenticate, so that
	// reading pages does not turn every request into a database write.
	touchEvery = time.Minute
)

// Service is the account and session service. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	led    *ledger.Ledger
	log    *slog.Logger
	opt    Options
	params HashParams
	now    func() time.Time
	dummy  string // a hash verified for unknown users, so that both paths run argon2
	hashes chan struct{}
	// secrets seals TOTP secrets at rest; nil without Options.SecretKey.
	secrets cipher.AEAD
	thr     *throttle
	// verifies counts argon2 verifications, so a test can check that every
	// login path hashes exactly once.
	verifies atomic.Int64

	purgeMu   sync.Mutex
	lastPurge time.Time

	// streams counts the live streams each session holds open (streams.go).
	streams streams
}

// New returns the service over db. Options left zero take their defaults.
func New(db *store.DB, led *ledger.Ledger, log *slog.Logger, opt Options) *Service {
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = DefaultIdleTimeout
	}
	if opt.AbsoluteTimeout <= 0 {
		opt.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if opt.TokenTTL <= 0 {
		opt.TokenTTL = DefaultTokenTTL
	}
	if opt.Issuer == "" {
		opt.Issuer = DefaultIssuer
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: db, led: led, log: log, opt: opt, params: DefaultHashParams, now: opt.Now}
	var err error
	if s.secrets, err = newSecretAEAD(opt.SecretKey); err != nil {
		panic(err) // a programming error: the app derives the key
	}
	if opt.HashParams != nil {
		s.params = *opt.HashParams
	}
	if s.now == nil {
		s.now = time.Now
	}
	// Each argon2id hash holds MemoryKiB of memory while it runs; bounding
	// how many run at once bounds what a flood of logins can allocate.
	s.hashes = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	s.thr = newThrottle(db, log, s.now)
	pw := make([]byte, 24)
	rand.Read(pw)
	s.dummy = hashPassword(string(pw), s.params)
	return s
}

// SessionKind tells web sessions (cookies) from API bearer tokens. A token of
// one kind is never accepted as the other.
type SessionKind string

// The session kinds.
const (
	Web SessionKind = "web"
	API SessionKind = "api"
)

// User is an account as the rest of parley sees it. It never carries the
// password hash or the TOTP secret.
type User struct {
	ID, Username, DisplayName, OrgID, OrgName string
	OrgKind                                   access.OrgKind
	Role                                      access.Role
	Disabled                                  bool
	Locale                                    string
	TOTPEnabled                               bool
	// MustEnrolTOTP: the user's organisation kind requires a second factor
	// and the user has not enrolled one. The web layer sends such a user
	// to the enrolment page before anything else; API logins are refused
	// with CodeTOTPEnrolmentRequired.
	MustEnrolTOTP bool
	CreatedAt     time.Time
}

// Actor returns the user as the actor of domain methods.
func (u User) Actor() access.Actor {
	return access.Actor{User: u.ID, Username: u.Username, Org: u.OrgID, OrgKind: u.OrgKind, Role: u.Role}
}

// Session is an authenticated session or API token.
//
// A session with MFAPending set has passed the password but not yet the
// second factor: its Actor is the anonymous zero Actor and callers must treat
// it as not logged in, except to show the second-factor page and call
// CompleteSecondFactor. User is filled so that page can greet the user.
type Session struct {
	User       User
	Actor      access.Actor
	Kind       SessionKind
	MFAPending bool
	CreatedAt  time.Time
	// ExpiresAt is the absolute expiry; the idle timeout may end the
	// session earlier.
	ExpiresAt time.Time
}

func forbidden(what string) error {
	return errs.New(errs.Forbidden, "%s is not allowed for this account", what)
}

func unauthorized() error { return errs.New(errs.Unauthorized, "not logged in or session expired") }

func invalidCredentials() error {
	return errs.New(CodeInvalidCredentials, "unknown username or wrong password or code")
}

func tooMany() error {
	return errs.New(errs.TooMany, "too many login attempts; wait a few minutes and try again")
}

// deny records an access_denied security event and returns the forbidden
// error for what.
func (s *Service) deny(ctx context.Context, actor access.Actor, what string) error {
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventAccessDenied, UserID: actor.User, Username: actor.Username, Detail: what})
	return forbidden(what)
}
