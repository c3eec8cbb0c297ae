package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// NewUser is the input of AddUser.
type NewUser struct {
	Username, DisplayName, OrgID string
	Role                         access.Role
	Password, Locale             string
}

// Locales are the accepted values of User.Locale; "" follows the browser.
var Locales = []string{"", "en", "ar", "ru", "tr"}

var usernameRE = regexp.MustCompile(`^[a-z0-9._-]{2,64}$`)

// MaxDisplayName bounds User.DisplayName, in characters.
const MaxDisplayName = 200

// userColumns selects a User plus its password hash (scanUser); the policy
// join gives MustEnrolTOTP.
const (
	userColumnList = `u.id, u.username, u.display_name, u.org_id, o.name, o.kind, u.role,
	u.disabled, u.locale, u.totp_enabled, COALESCE(p.require_totp, FALSE), u.created_at, u.password_hash`
	userFrom    = ` FROM users u JOIN orgs o ON o.id = u.org_id LEFT JOIN org_kind_policy p ON p.kind = o.kind `
	userColumns = `SELECT ` + userColumnList + userFrom
)

func scanUser(row interface{ Scan(...any) error }) (User, string, error) {
	var u User
	var required bool
	var created int64
	var hash string
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.OrgID, &u.OrgName, &u.OrgKind, &u.Role,
		&u.Disabled, &u.Locale, &u.TOTPEnabled, &required, &created, &hash)
	u.CreatedAt = store.Time(created)
	u.MustEnrolTOTP = required && !u.TOTPEnabled
	return u, hash, err
}

// loadUser reads one user by a condition on u; sql.ErrNoRows becomes
// not_found.
func loadUser(ctx context.Context, q access.Querier, cond string, arg any) (User, string, error) {
	u, hash, err := scanUser(q.QueryRowContext(ctx, userColumns+"WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", errs.NotFoundf("user")
	}
	return u, hash, err
}

// User returns the user with id, for the session layer; it applies no access
// rule, so it is not for answering other users' requests.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	u, _, err := loadUser(ctx, s.db.Cached(), "u.id = $1", id)
	return u, err
}

// UserByUsername returns a user: the operator finds anyone, other users
// only users of their own organisation; anyone else is not found.
func (s *Service) UserByUsername(ctx context.Context, actor access.Actor, username string) (User, error) {
	if actor.Anonymous() {
		return User{}, unauthorized()
	}
	u, _, err := loadUser(ctx, s.db.R, "u.username = $1", strings.ToLower(username))
	if err != nil {
		return User{}, err
	}
	if !actor.System && u.OrgID != actor.Org {
		return User{}, errs.NotFoundf("user")
	}
	return u, nil
}

// ListUsers returns every user for the operator, and the users of their own
// organisation for everyone else, ordered by username: a host or mediation
// head no more lists another organisation's accounts than anyone else.
func (s *Service) ListUsers(ctx context.Context, actor access.Actor) ([]User, error) {
	if actor.Anonymous() {
		return nil, unauthorized()
	}
	q, args := userColumns+"ORDER BY u.username", []any(nil)
	if !actor.System {
		q, args = userColumns+"WHERE u.org_id = $1 ORDER BY u.username", []any{actor.Org}
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// userAudience is the audience of events about a user: the user's own
// organisation, whose heads administer its members. An act of the operator
// on the organisation is therefore read by the organisation concerned, and
// by no other.
func userAudience(orgID string) access.Audience { return access.Of(orgID) }

// policyAudience is the audience of installation-wide settings (the
// second-factor policy): every host and mediation organisation.
func policyAudience(ctx context.Context, tx *sql.Tx) (access.Audience, error) {
	var aud []string
	rows, err := tx.QueryContext(ctx, "SELECT id FROM orgs WHERE kind IN ('host', 'mediation')")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		aud = append(aud, id)
	}
	return access.Of(aud...), rows.Err()
}

// userEventContent is the ledger content of user events: who and what,
// never a password, hash or secret.
type userEventContent struct {
	User        string `json:"user"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name,omitempty"`
	Org         string `json:"org"`
	Role        string `json:"role,omitempty"`
	Change      string `json:"change"`
}

// appendUserEvent appends the ledger event of a change to u.
func appendUserEvent(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, typ string, u User, change string) error {
	aud := userAudience(u.OrgID)
	content, err := json.Marshal(userEventContent{User: u.ID, Username: u.Username, DisplayName: u.DisplayName,
		Org: u.OrgID, Role: string(u.Role), Change: change})
	if err != nil {
		return err
	}
	_, err = rec.Append(ctx, ledger.Event{Type: typ, Actor: actor, ObjectType: "user", ObjectID: u.ID,
		Audience: aud, Content: content})
	return err
}

// AddUser creates an account in an organisation. Only the organisation's
// own heads may, and the operator (access.System), who creates each
// organisation's first head (Actor.Manages). It validates the username ([a-z0-9._-]{2,64}), the role, the organisation,
// the locale and the password policy.
func (s *Service) AddUser(ctx context.Context, actor access.Actor, in NewUser) (User, error) {
	if !actor.Manages(in.OrgID) {
		return User{}, s.deny(ctx, actor, "adding a user to another organisation")
	}
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	switch {
	case !usernameRE.MatchString(in.Username):
		return User{}, errs.Field("username", "a username is 2 to 64 characters of a-z, 0-9, '.', '_' and '-'")
	case len([]rune(in.DisplayName)) > MaxDisplayName:
		return User{}, errs.Field("display_name", "a display name is at most %d characters", MaxDisplayName)
	case !in.Role.Valid():
		return User{}, errs.Field("role", "unknown role %q", in.Role)
	case !slices.Contains(Locales, in.Locale):
		return User{}, errs.Field("locale", "unknown language %q", in.Locale)
	case !store.ValidID(in.OrgID):
		return User{}, errs.Field("org", "no such organisation")
	}
	if err := checkPasswordFor(in.Username, in.Password); err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	id := store.NewID()
	now := store.Stamp(s.now())
	var u User
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		var exists int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs WHERE id = $1", in.OrgID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return errs.Field("org", "no such organisation")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users(id, username, display_name, org_id, role, password_hash,
			password_changed_at, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, in.Username, in.DisplayName, in.OrgID, string(in.Role), hash, now, in.Locale, now)
		if store.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.Conflict, Field: "username", Message: "that username is taken"}
		}
		if err != nil {
			return err
		}
		if u, _, err = loadUser(ctx, tx, "u.id = $1", id); err != nil {
			return err
		}
		return appendUserEvent(ctx, tx, rec, actor, "user.add", u, "added")
	})
	if err != nil {
		return User{}, err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventUserAdded, UserID: u.ID, Username: u.Username,
		Detail: "by " + actor.Username + ", role " + string(u.Role) + ", org " + u.OrgName})
	return u, nil
}

// revokeSessions deletes the user's sessions, except the one whose token hash
// is keep (nil keeps none).
func revokeSessions(ctx context.Context, tx *sql.Tx, userID string, keep []byte) error {
	if keep == nil {
		_, err := tx.ExecContext(ctx, "DELETE FROM auth_sessions WHERE user_id = $1", userID)
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM auth_sessions WHERE user_id = $1 AND token_hash <> $2", userID, keep)
	return err
}

// keepHash is the token hash of the session a change keeps, nil for none.
func keepHash(token string) []byte {
	if token == "" {
		return nil
	}
	return tokenHash(token)
}

// adminChange runs fn on the user userID inside one ledger write, after
// checking that actor manages the user's organisation (Actor.Manages). A
// user of another organisation answers as not found: its accounts are not
// the actor's to see. fn returns the ledger event type and change
// description.
func (s *Service) adminChange(ctx context.Context, actor access.Actor, what, userID string,
	fn func(tx *sql.Tx, u User) (typ, change string, err error)) (User, error) {
	if !actor.System && actor.Role != access.Head {
		return User{}, s.deny(ctx, actor, what)
	}
	if !store.ValidID(userID) {
		return User{}, errs.NotFoundf("user")
	}
	var u User
	denied := false
	err := s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		var err error
		if u, _, err = loadUser(ctx, tx, "u.id = $1", userID); err != nil {
			return err
		}
		if !actor.Manages(u.OrgID) {
			denied = true
			return errs.NotFoundf("user")
		}
		typ, change, err := fn(tx, u)
		if err != nil {
			return err
		}
		if u, _, err = loadUser(ctx, tx, "u.id = $1", userID); err != nil {
			return err
		}
		return appendUserEvent(ctx, tx, rec, actor, typ, u, change)
	})
	if denied {
		// Recorded once the write is over: on SQLite the security log
		// waits for the one writer connection the write holds.
		s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventAccessDenied, UserID: actor.User, Username: actor.Username,
			Detail: what + " of another organisation's member"})
	}
	return u, err
}

// SetPassword resets a user's password (the heads of the user's
// organisation, and access.System) and revokes all of that user's sessions
// and tokens.
func (s *Service) SetPassword(ctx context.Context, actor access.Actor, userID, password string) error {
	if !actor.System && actor.Role != access.Head {
		return s.deny(ctx, actor, "resetting a password")
	}
	target, err := s.User(ctx, userID)
	if err != nil || !actor.Manages(target.OrgID) {
		return errs.NotFoundf("user")
	}
	if err := checkPasswordFor(target.Username, password); err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	u, err := s.adminChange(ctx, actor, "resetting a password", userID, func(tx *sql.Tx, u User) (string, string, error) {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
			hash, store.Stamp(s.now()), u.ID); err != nil {
			return "", "", err
		}
		return "user.password_reset", "password reset", revokeSessions(ctx, tx, u.ID, nil)
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventPasswordReset, UserID: u.ID, Username: u.Username,
		Detail: "by " + actor.Username + "; all sessions revoked"})
	return nil
}

// ChangePassword changes the actor's own password after checking the current
// one, and revokes every other session and token of the user; the session of
// keepToken (the one making the change) stays. A wrong current password
// counts as a failed login for throttling.
func (s *Service) ChangePassword(ctx context.Context, actor access.Actor, current, next string, keepToken string) error {
	if actor.Anonymous() || actor.System {
		return unauthorized()
	}
	u, hash, err := loadUser(ctx, s.db.R, "u.id = $1", actor.User)
	if err != nil {
		return unauthorized()
	}
	if ok, err := s.recheck(ctx, u, hash, current, "password change: wrong current password"); err != nil {
		return err
	} else if !ok {
		e := errs.New(CodeInvalidCredentials, "the current password is wrong")
		e.Field = "current"
		return e
	}
	if err := checkPasswordFor(u.Username, next); err != nil {
		return err
	}
	if current == next {
		return weak("the new password must differ from the current one")
	}
	newHash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	keep := keepHash(keepToken)
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
			newHash, store.Stamp(s.now()), u.ID); err != nil {
			return err
		}
		if err := revokeSessions(ctx, tx, u.ID, keep); err != nil {
			return err
		}
		return appendUserEvent(ctx, tx, rec, actor, "user.password_change", u, "password changed")
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventPasswordChanged, UserID: u.ID, Username: u.Username,
		Detail: "other sessions revoked"})
	return nil
}

// Disable disables an account (the heads of its organisation, and
// access.System) and revokes its sessions and tokens. Heads cannot disable
// themselves, so the last one cannot lock the organisation out by mistake;
// the operator recovers an organisation whose heads are all locked out.
func (s *Service) Disable(ctx context.Context, actor access.Actor, userID string) error {
	if !actor.System && actor.Role != access.Head {
		return s.deny(ctx, actor, "disabling a user")
	}
	if actor.User == userID {
		return errs.New(errs.Conflict, "you cannot disable your own account")
	}
	u, err := s.adminChange(ctx, actor, "disabling a user", userID, func(tx *sql.Tx, u User) (string, string, error) {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled = $1 WHERE id = $2", true, u.ID); err != nil {
			return "", "", err
		}
		return "user.disable", "disabled", revokeSessions(ctx, tx, u.ID, nil)
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventUserDisabled, UserID: u.ID, Username: u.Username,
		Detail: "by " + actor.Username + "; all sessions revoked"})
	return nil
}

// Enable gives a disabled account back its logins (the heads of its
// organisation, and access.System). The user logs in again with the
// password it had, or with one a head resets.
func (s *Service) Enable(ctx context.Context, actor access.Actor, userID string) error {
	u, err := s.adminChange(ctx, actor, "enabling a user", userID, func(tx *sql.Tx, u User) (string, string, error) {
		_, err := tx.ExecContext(ctx, "UPDATE users SET disabled = $1 WHERE id = $2", false, u.ID)
		return "user.enable", "enabled", err
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventUserEnabled, UserID: u.ID, Username: u.Username,
		Detail: "by " + actor.Username})
	return nil
}

// SetRole changes a user's role (the heads of the user's organisation, and
// access.System). Sessions stay: the role is
// read afresh on every Authenticate.
func (s *Service) SetRole(ctx context.Context, actor access.Actor, userID string, role access.Role) error {
	if !role.Valid() {
		return errs.Field("role", "unknown role %q", role)
	}
	var old access.Role
	u, err := s.adminChange(ctx, actor, "changing a role", userID, func(tx *sql.Tx, u User) (string, string, error) {
		old = u.Role
		if _, err := tx.ExecContext(ctx, "UPDATE users SET role = $1 WHERE id = $2", string(role), u.ID); err != nil {
			return "", "", err
		}
		return "user.role", "role " + string(old) + " -> " + string(role), nil
	})
	if err != nil {
		return err
	}
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventRoleChange, UserID: u.ID, Username: u.Username,
		Detail: "by " + actor.Username + ": " + string(old) + " -> " + string(role)})
	return nil
}

// SetLocale sets the actor's own language: "" (follow the browser), "en",
// "ar", "ru" or "tr". It is a personal preference, not a ledger event.
func (s *Service) SetLocale(ctx context.Context, actor access.Actor, locale string) error {
	if actor.Anonymous() || actor.System {
		return unauthorized()
	}
	if !slices.Contains(Locales, locale) {
		return errs.Field("locale", "unknown language %q", locale)
	}
	_, err := s.db.W.ExecContext(ctx, "UPDATE users SET locale = $1 WHERE id = $2", locale, actor.User)
	return err
}
