package auth

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/store"
)

// SecurityEvent is one entry of the security log.
type SecurityEvent struct {
	ID       string
	At       time.Time
	Kind     string // one of the Event* constants, or a caller's own snake_case kind
	UserID   string
	Username string
	Remote   string
	Detail   string
}

// Security event kinds recorded by this package. Callers (web, API) record
// EventAccessDenied for the denials they decide themselves.
const (
	EventLoginOK          = "login_ok"
	EventLoginFailed      = "login_failed"
	EventLoginThrottled   = "login_throttled"
	EventLogout           = "logout"
	EventPasswordChanged  = "password_changed"
	EventPasswordReset    = "password_reset"
	EventUserAdded        = "user_added"
	EventUserDisabled     = "user_disabled"
	EventUserEnabled      = "user_enabled"
	EventSessionsEnded    = "sessions_ended"
	EventRoleChange       = "role_change"
	EventTOTPEnabled      = "totp_enabled"
	EventTOTPDisabled     = "totp_disabled"
	EventTOTPPolicy       = "totp_policy"
	EventRecoveryCodeUsed = "recovery_code_used"
	EventReauthOK         = "reauth_ok"
	EventReauthFailed     = "reauth_failed"
	EventAccessDenied     = "access_denied"
	EventSessionExpired   = "session_expired"
)

// warnKinds are logged at Warn: failures and denials an operator may need to
// look at. Everything else is Info.
var warnKinds = map[string]bool{
	EventLoginFailed: true, EventLoginThrottled: true, EventReauthFailed: true,
	EventAccessDenied: true, EventUserDisabled: true, EventRecoveryCodeUsed: true,
}

// clip bounds attacker-chosen text (a typed username, a client address) before
// it is stored or logged.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// RecordSecurityEvent stores ev in security_events and logs it with slog
// (Warn for failures and denials). It never fails the caller: a storage error
// is logged and the event still reaches the log. It must never be given a
// password, token, secret or code in Detail.
func (s *Service) RecordSecurityEvent(ctx context.Context, ev SecurityEvent) {
	if ev.ID == "" {
		ev.ID = store.NewID()
	}
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	ev.Username = clip(ev.Username, 64)
	ev.Remote = clip(ev.Remote, 64)
	ev.Detail = clip(ev.Detail, 500)
	level := slog.LevelInfo
	if warnKinds[ev.Kind] {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "security event", "kind", ev.Kind, "user_id", ev.UserID,
		"username", ev.Username, "remote", ev.Remote, "detail", ev.Detail)
	// The event outlives a cancelled request: a client hanging up must not
	// erase the record of its failed login.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := s.db.W.ExecContext(wctx,
		"INSERT INTO security_events(id, at, kind, user_id, username, remote, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		ev.ID, store.Stamp(ev.At), ev.Kind, ev.UserID, ev.Username, ev.Remote, ev.Detail)
	if err != nil {
		s.log.Error("auth: storing security event", "kind", ev.Kind, "err", err)
	}
}

// SecurityEvents returns the latest limit security events, newest first
// (limit <= 0 means 100; at most 1000). The operator reads the whole log;
// an organisation's heads read the events of their own organisation's
// accounts and nothing else (not the failed logins of names that match no
// account, which are the operator's).
func (s *Service) SecurityEvents(ctx context.Context, actor access.Actor, limit int) ([]SecurityEvent, error) {
	if !actor.System && (actor.Anonymous() || actor.Role != access.Head) {
		return nil, s.deny(ctx, actor, "reading the security log")
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q, args := "SELECT e.id, e.at, e.kind, e.user_id, e.username, e.remote, e.detail FROM security_events e", []any{limit}
	if !actor.System {
		q += " WHERE e.user_id IN (SELECT u.id FROM users u WHERE u.org_id = $2)"
		args = append(args, actor.Org)
	}
	rows, err := s.db.R.QueryContext(ctx, q+" ORDER BY e.at DESC, e.id LIMIT $1", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SecurityEvent
	for rows.Next() {
		var ev SecurityEvent
		var at int64
		if err := rows.Scan(&ev.ID, &at, &ev.Kind, &ev.UserID, &ev.Username, &ev.Remote, &ev.Detail); err != nil {
			return nil, err
		}
		ev.At = store.Time(at)
		out = append(out, ev)
	}
	return out, rows.Err()
}
