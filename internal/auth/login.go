package auth

import (
	"context"
	"strings"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// LoginInput is one login attempt. Remote is the client address (as
// r.RemoteAddr or the trusted proxy's forwarded address); it keys the
// per-address throttle and is logged.
type LoginInput struct {
	Username, Password, OTP, Remote string
	Kind                            SessionKind
}

// LoginResult is a successful login: the token to set as cookie or return
// as bearer token, and the user. With MFAPending the token only opens the
// second-factor step (see Session).
type LoginResult struct {
	Token      string
	User       User
	MFAPending bool
	// FailedAttempts is how many logins to the account failed since its
	// previous login: the user is told, so that guessing does not go
	// unnoticed.
	FailedAttempts int
}

// Login checks a username and password (and second factor) and opens a
// session of in.Kind.
//
// Unknown users, wrong passwords, disabled accounts and wrong codes all give
// code "invalid_credentials"; the password is hashed in every case (against
// a dummy hash for unknown users), so the paths cost the same. Throttled
// attempts give "too_many_requests" before anything is looked up, the same
// for existing and unknown names.
//
// Web: a user with TOTP who gave no OTP gets a session with MFAPending; the
// page then calls CompleteSecondFactor. API: the OTP must come with the
// password, else "otp_required". A recovery code is accepted wherever an OTP
// is.
func (s *Service) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	if in.Kind != Web && in.Kind != API {
		return LoginResult{}, errs.Field("kind", "unknown session kind %q", in.Kind)
	}
	name := strings.ToLower(strings.TrimSpace(in.Username))
	if len(name) > 256 {
		name = name[:256]
	}
	ev := SecurityEvent{Username: name, Remote: in.Remote}
	// The attempt is reserved (counted as a failure in advance) before the
	// password is compared: parallel guesses get no more tries than
	// guesses one after the other.
	a, err := s.try(ctx, name, in.Remote, string(in.Kind), "")
	if err != nil {
		return LoginResult{}, err
	}
	u, hash, err := loadUser(ctx, s.db.R, "u.username = $1", name)
	found := err == nil
	if err != nil && errs.Code(err) != errs.NotFound {
		s.thr.settle(ctx, a, withdrawn)
		return LoginResult{}, err
	}
	if !found {
		hash = s.dummy
	}
	ok, stale := s.verify(ctx, hash, in.Password)
	fail := func(detail string) (LoginResult, error) {
		s.thr.settle(ctx, a, failed)
		ev.Kind, ev.UserID, ev.Detail = EventLoginFailed, u.ID, string(in.Kind)+": "+detail
		s.RecordSecurityEvent(ctx, ev)
		return LoginResult{}, invalidCredentials()
	}
	switch {
	case !found:
		return fail("unknown user")
	case !ok:
		return fail("wrong password")
	case u.Disabled:
		return fail("account disabled")
	}
	ev.UserID = u.ID
	if u.TOTPEnabled {
		if in.OTP == "" {
			// The password is right, but the login is not complete: the
			// attempt is not counted and forgives nothing.
			s.thr.settle(ctx, a, withdrawn)
			if in.Kind == API {
				return LoginResult{}, errs.New(CodeOTPRequired, "this account needs its authenticator code")
			}
			failedBefore := s.failedSinceLastLogin(ctx, u.ID)
			token, _, err := s.createSession(ctx, u.ID, Web, true)
			if err != nil {
				return LoginResult{}, err
			}
			ev.Kind, ev.Detail = EventLoginOK, "web: password ok, second factor pending"
			s.RecordSecurityEvent(ctx, ev)
			return LoginResult{Token: token, User: u, MFAPending: true, FailedAttempts: failedBefore}, nil
		}
		ok, err := s.checkSecondFactor(ctx, u, in.OTP, in.Remote)
		if err != nil {
			s.thr.settle(ctx, a, withdrawn)
			return LoginResult{}, err
		}
		if !ok {
			return fail("wrong second factor")
		}
	}
	if in.Kind == API && u.MustEnrolTOTP {
		s.thr.settle(ctx, a, withdrawn)
		return LoginResult{}, errs.New(CodeTOTPEnrolmentRequired,
			"your organisation requires a second factor: enrol one on the account page first")
	}
	s.thr.settle(ctx, a, succeeded)
	if stale {
		s.rehash(ctx, u.ID, in.Password)
	}
	failedBefore := s.failedSinceLastLogin(ctx, u.ID)
	token, _, err := s.createSession(ctx, u.ID, in.Kind, false)
	if err != nil {
		return LoginResult{}, err
	}
	ev.Kind, ev.Detail = EventLoginOK, string(in.Kind)
	s.RecordSecurityEvent(ctx, ev)
	return LoginResult{Token: token, User: u, FailedAttempts: failedBefore}, nil
}

// pendingDetail matches the detail of a login_ok event that does not start a
// complete session: a password accepted while the second factor is pending.
const pendingDetail = "%pending"

// failedSinceLastLogin counts the failed logins to the user's account since
// its last complete login, from the security log.
func (s *Service) failedSinceLastLogin(ctx context.Context, userID string) int {
	return s.countFailed(ctx, userID, 0)
}

// FailedSinceLastLogin is, for the account page, how many logins to the
// actor's account failed since its previous complete login (the one before
// the session's own).
func (s *Service) FailedSinceLastLogin(ctx context.Context, actor access.Actor) int {
	if actor.Anonymous() || actor.System {
		return 0
	}
	return s.countFailed(ctx, actor.User, 1)
}

// countFailed counts login_failed events of the user after its complete
// login number skip, counting back from the latest (0 the latest).
func (s *Service) countFailed(ctx context.Context, userID string, skip int) int {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM security_events e WHERE e.user_id = $1 AND e.kind = $2
		AND e.at > COALESCE((SELECT o.at FROM security_events o WHERE o.user_id = $1 AND o.kind = $3 AND o.detail NOT LIKE $4
			ORDER BY o.at DESC LIMIT 1 OFFSET $5), 0)`,
		userID, EventLoginFailed, EventLoginOK, pendingDetail, skip).Scan(&n)
	if err != nil {
		s.log.Error("auth: counting failed logins", "err", err)
	}
	return n
}

// rehash replaces a hash made with weaker parameters than the current ones,
// at the one moment the password is known. Failure only costs the upgrade.
func (s *Service) rehash(ctx context.Context, userID, password string) {
	h, err := s.hash(ctx, password)
	if err == nil {
		_, err = s.db.W.ExecContext(ctx, "UPDATE users SET password_hash = $1 WHERE id = $2", h, userID)
	}
	if err != nil {
		s.log.Error("auth: upgrading password hash", "err", err)
	}
}

// CompleteSecondFactor finishes a web login that is waiting for its second
// factor: code is a TOTP code or a recovery code. On success the session of
// token becomes a full session (same token; it was issued by the server a
// moment ago, so there is nothing to fixate). Wrong codes count as failed
// logins; when they lock the account the pending session is ended.
func (s *Service) CompleteSecondFactor(ctx context.Context, token, code, remote string) error {
	if !wellFormed(token) {
		return unauthorized()
	}
	h := tokenHash(token)
	r, err := s.loadSession(ctx, h)
	now := store.Stamp(s.now())
	if err != nil || !r.pending || r.kind != Web || now >= r.expires {
		return unauthorized()
	}
	u, err := s.User(ctx, r.userID)
	if err != nil || u.Disabled {
		return unauthorized()
	}
	ev := SecurityEvent{UserID: u.ID, Username: u.Username, Remote: remote}
	a, err := s.try(ctx, u.Username, remote, "second factor", u.ID)
	if err != nil {
		return err
	}
	ok, err := s.checkSecondFactor(ctx, u, code, remote)
	if err != nil {
		s.thr.settle(ctx, a, withdrawn)
		return err
	}
	if !ok {
		if s.thr.settle(ctx, a, failed) <= 0 {
			if _, err := s.db.W.ExecContext(ctx, "DELETE FROM auth_sessions WHERE token_hash = $1", h); err != nil {
				s.log.Error("auth: ending pending session", "err", err)
			}
		}
		ev.Kind, ev.Detail = EventLoginFailed, "web: wrong second factor"
		s.RecordSecurityEvent(ctx, ev)
		return invalidCredentials()
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE auth_sessions SET mfa_pending = $1, last_seen_at = $2, expires_at = $3
		WHERE token_hash = $4 AND mfa_pending = $5`, false, now, store.Stamp(s.now().Add(s.opt.AbsoluteTimeout)), h, true)
	if err != nil {
		s.thr.settle(ctx, a, withdrawn)
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		s.thr.settle(ctx, a, withdrawn)
		return unauthorized()
	}
	s.thr.settle(ctx, a, succeeded)
	ev.Kind, ev.Detail = EventLoginOK, "web: second factor ok"
	s.RecordSecurityEvent(ctx, ev)
	return nil
}

// VerifyPassword re-authenticates the actor before a sensitive act (adopting
// text, for instance): the password, plus a TOTP or recovery code when the
// user has enrolled one ("otp_required" when it is missing). Failures count
// towards the login throttle.
func (s *Service) VerifyPassword(ctx context.Context, actor access.Actor, password, otp string) error {
	if actor.Anonymous() || actor.System {
		return unauthorized()
	}
	u, hash, err := loadUser(ctx, s.db.R, "u.id = $1", actor.User)
	if err != nil || u.Disabled {
		return unauthorized()
	}
	if ok, err := s.recheck(ctx, u, hash, password, "wrong password"); err != nil {
		return err
	} else if !ok {
		return invalidCredentials()
	}
	if u.TOTPEnabled {
		if otp == "" {
			return errs.New(CodeOTPRequired, "enter your authenticator code as well")
		}
		a, err := s.try(ctx, u.Username, "", "re-authentication", u.ID)
		if err != nil {
			return err
		}
		ok, err := s.checkSecondFactor(ctx, u, otp, "")
		if err != nil {
			s.thr.settle(ctx, a, withdrawn)
			return err
		}
		if !ok {
			s.thr.settle(ctx, a, failed)
			s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventReauthFailed, UserID: u.ID, Username: u.Username, Detail: "wrong second factor"})
			return invalidCredentials()
		}
		s.thr.settle(ctx, a, withdrawn)
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventReauthOK, UserID: u.ID, Username: u.Username})
	return nil
}
