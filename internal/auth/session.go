package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"parley/internal/access"
	"parley/internal/store"
)

// tokenBytes is the entropy of a session token: 256 bits, twice ASVS's 128.
const tokenBytes = 32

// newToken returns a fresh random token, base64url without padding.
func newToken() string {
	b := make([]byte, tokenBytes)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what is stored of a token: its SHA-256. A database leak then
// yields no usable session; a fast hash suffices because tokens are random.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// wellFormed reports whether token has the shape newToken gives, so garbage
// is refused without touching the database.
func wellFormed(token string) bool {
	b, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(b) == tokenBytes
}

// createSession stores a new session for userID and returns its token.
func (s *Service) createSession(ctx context.Context, userID string, kind SessionKind, pending bool) (string, time.Time, error) {
	now := s.now()
	ttl := s.opt.AbsoluteTimeout
	switch {
	case pending:
		ttl = PendingTTL
	case kind == API:
		ttl = s.opt.TokenTTL
	}
	token := newToken()
	exp := now.Add(ttl)
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO auth_sessions(token_hash, user_id, kind, mfa_pending, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tokenHash(token), userID, string(kind), pending, store.Stamp(now), store.Stamp(now), store.Stamp(exp))
	if err != nil {
		return "", time.Time{}, err
	}
	s.maybePurge(ctx)
	return token, exp, nil
}

type sessionRow struct {
	userID                     string
	kind                       SessionKind
	pending                    bool
	created, lastSeen, expires int64
}

func (s *Service) loadSession(ctx context.Context, h []byte) (sessionRow, error) {
	var r sessionRow
	err := s.db.Cached().QueryRowContext(ctx, `SELECT user_id, kind, mfa_pending, created_at, last_seen_at, expires_at
		FROM auth_sessions WHERE token_hash = $1`, h).Scan(&r.userID, &r.kind, &r.pending, &r.created, &r.lastSeen, &r.expires)
	return r, err
}

// sessionUserQuery reads a session and its user in one query: every
// authenticated request runs it, and on PostgreSQL each query is a round
// trip.
const sessionUserQuery = `SELECT s.kind, s.mfa_pending, s.created_at, s.last_seen_at, s.expires_at, ` +
	userColumnList + userFrom + `JOIN auth_sessions s ON s.user_id = u.id WHERE s.token_hash = $1`

// Authenticate returns the session of token if it is of kind, not expired
// (idle or absolute) and its user is not disabled. Anything else answers
// code "unauthorized", the same for every cause. It refreshes the session's
// last use at most once a minute.
//
// A session with MFAPending is returned without error but carries the
// anonymous Actor: callers must check MFAPending and treat the request as
// not logged in, except for the second-factor page.
func (s *Service) Authenticate(ctx context.Context, token string, kind SessionKind) (Session, error) {
	if !wellFormed(token) {
		return Session{}, unauthorized()
	}
	h := tokenHash(token)
	var r sessionRow
	row := s.db.Cached().QueryRowContext(ctx, sessionUserQuery, h)
	u, _, err := scanUser(prefixScanner{row, []any{&r.kind, &r.pending, &r.created, &r.lastSeen, &r.expires}})
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, unauthorized()
	}
	if err != nil {
		return Session{}, err
	}
	r.userID = u.ID
	if r.kind != kind {
		return Session{}, unauthorized()
	}
	now := s.now()
	nowUS := store.Stamp(now)
	if nowUS >= r.expires || !r.pending && nowUS-r.lastSeen >= s.opt.IdleTimeout.Microseconds() {
		res, err := s.db.W.ExecContext(ctx, "DELETE FROM auth_sessions WHERE token_hash = $1", h)
		if err != nil {
			s.log.Error("auth: deleting expired session", "err", err)
		} else if n, _ := res.RowsAffected(); n == 1 {
			why := "idle"
			if nowUS >= r.expires {
				why = "absolute"
			}
			s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventSessionExpired, UserID: r.userID, Detail: string(r.kind) + ": " + why})
		}
		return Session{}, unauthorized()
	}
	if u.Disabled {
		return Session{}, unauthorized()
	}
	if nowUS-r.lastSeen >= touchEvery.Microseconds() {
		if _, err := s.db.W.ExecContext(ctx, "UPDATE auth_sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1",
			nowUS, h); err != nil {
			s.log.Error("auth: refreshing session", "err", err)
		}
	}
	sess := Session{User: u, Kind: r.kind, MFAPending: r.pending, CreatedAt: store.Time(r.created), ExpiresAt: store.Time(r.expires)}
	if !r.pending {
		sess.Actor = u.Actor()
	}
	return sess, nil
}

// Logout ends the session of token. Unknown tokens are not an error: logging
// out twice is harmless.
func (s *Service) Logout(ctx context.Context, token string) error {
	if !wellFormed(token) {
		return nil
	}
	h := tokenHash(token)
	r, err := s.loadSession(ctx, h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.db.W.ExecContext(ctx, "DELETE FROM auth_sessions WHERE token_hash = $1", h); err != nil {
		return err
	}
	ev := SecurityEvent{Kind: EventLogout, UserID: r.userID, Detail: string(r.kind)}
	if u, err := s.User(ctx, r.userID); err == nil {
		ev.Username = u.Username
	}
	s.RecordSecurityEvent(ctx, ev)
	return nil
}

// RevokeSessions ends every session and token of a user: the heads of the
// user's organisation (and access.System), and the user themself ("log out
// everywhere").
func (s *Service) RevokeSessions(ctx context.Context, actor access.Actor, userID string) error {
	if actor.Anonymous() && !actor.System {
		return s.deny(ctx, actor, "revoking sessions")
	}
	if actor.User == userID {
		_, err := s.db.W.ExecContext(ctx, "DELETE FROM auth_sessions WHERE user_id = $1", userID)
		return err
	}
	// A head ending a member's sessions acts on the member: a ledger
	// event read by the organisation, and another organisation's member
	// is not found.
	u, err := s.adminChange(ctx, actor, "revoking sessions", userID, func(tx *sql.Tx, u User) (string, string, error) {
		return "user.sessions_ended", "sessions ended", revokeSessions(ctx, tx, u.ID, nil)
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventSessionsEnded, UserID: u.ID, Username: u.Username,
		Detail: "by " + actor.Username})
	return nil
}

// PurgeExpired deletes sessions past their absolute expiry or idle for longer
// than the idle timeout, and returns how many. Logins call it at most hourly;
// a server may also call it on a timer.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := store.Stamp(s.now())
	res, err := s.db.W.ExecContext(ctx,
		"DELETE FROM auth_sessions WHERE expires_at <= $1 OR (mfa_pending = $2 AND last_seen_at <= $3)",
		now, false, now-s.opt.IdleTimeout.Microseconds())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *Service) maybePurge(ctx context.Context) {
	s.purgeMu.Lock()
	due := s.now().Sub(s.lastPurge) >= time.Hour
	if due {
		s.lastPurge = s.now()
	}
	s.purgeMu.Unlock()
	if due {
		if _, err := s.PurgeExpired(ctx); err != nil {
			s.log.Error("auth: purging expired sessions", "err", err)
		}
	}
}

// prefixScanner scans a row whose first columns go to pre and the rest to
// the destinations Scan is given.
type prefixScanner struct {
	row *sql.Row
	pre []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.row.Scan(append(p.pre, dest...)...)
}
