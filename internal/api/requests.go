package api

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Input limits, counted in characters (runes). They are generous for real
// use and small enough that nothing stored can be used to exhaust memory.
// Where the domain defines a limit, the API uses the domain's constant.
const (
	maxName        = talks.MaxName
	maxShortName   = talks.MaxShortName
	maxLocation    = talks.MaxLocation
	maxText        = talks.MaxDescription
	maxReason      = talks.MaxReason
	maxUsername    = 64
	maxPassword    = auth.MaxPasswordLen
	minPassword    = auth.MinPasswordLen
	maxLoginSecret = 1024 // a login attempt is checked, not stored
	maxList        = 100
)

// Stances and locales as the domain names them.
var (
	stances = []string{talks.Accept, talks.Refuse}
)

// checkText reports an errs.Field error when s is not a valid piece of text
// for field: valid UTF-8, between min and max characters, and, for one-line
// values (names, titles), free of control characters.
func checkText(field, s string, min, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return errs.Field(field, "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return errs.Field(field, "is required")
		}
		return errs.Field(field, "must be at least %d characters", min)
	}
	if n > max {
		return errs.Field(field, "must be at most %d characters", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return errs.Field(field, "must not contain control characters")
		}
	}
	return nil
}

// checkRequiredText is checkText for a required field that must hold more
// than white space.
func checkRequiredText(field, s string, max int, multiline bool) error {
	if strings.TrimSpace(s) == "" {
		return errs.Field(field, "is required")
	}
	return checkText(field, s, 1, max, multiline)
}

// checkID refuses a reference to an object that cannot be an id at all.
// (Path ids are not checked here: a malformed path id is answered with 404
// like an unknown one.)
func checkID(field, id string) error {
	if id == "" {
		return errs.Field(field, "is required")
	}
	if !store.ValidID(id) {
		return errs.Field(field, "is not a valid id")
	}
	return nil
}

func checkIDs(field string, ids []string, required bool) error {
	if required && len(ids) == 0 {
		return errs.Field(field, "is required")
	}
	if len(ids) > maxList {
		return errs.Field(field, "must list at most %d entries", maxList)
	}
	for _, id := range ids {
		if !store.ValidID(id) {
			return errs.Field(field, "holds an id that is not valid")
		}
	}
	return nil
}

func checkEnum(field, v string, allowed []string) error {
	if v == "" {
		return errs.Field(field, "is required")
	}
	if !slices.Contains(allowed, v) {
		return errs.Field(field, "must be one of %s", strings.Join(allowed, ", "))
	}
	return nil
}

// checkDate accepts an empty string (dates of a round are optional) or a
// calendar date.
func checkDate(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return errs.Field(field, "must be a date like 2017-01-23")
	}
	return nil
}

func parseTime(field, s string, required bool) (time.Time, error) {
	if s == "" {
		if required {
			return time.Time{}, errs.Field(field, "is required")
		}
		return time.Time{}, nil
	}
	if len(s) > 64 {
		return time.Time{}, errs.Field(field, "must be an RFC 3339 time like 2017-01-23T10:00:00Z")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		return time.Time{}, errs.Field(field, "must be an RFC 3339 time like 2017-01-23T10:00:00Z")
	}
	return t, nil
}

// LoginRequest is the body of POST /api/v1/auth/login. The password is only
// bounded here: the policy applies when a password is set, not when it is
// tried, and a refusal here must not tell accounts apart.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	OTP      string `json:"otp,omitempty"`
}

// Validate implements request.
func (q *LoginRequest) Validate() error {
	if err := checkRequiredText("username", q.Username, maxUsername, false); err != nil {
		return err
	}
	if q.Password == "" {
		return errs.Field("password", "is required")
	}
	if len(q.Password) > maxLoginSecret {
		return errs.Field("password", "is too long")
	}
	if len(q.OTP) > 32 {
		return errs.Field("otp", "is too long")
	}
	return nil
}

// ProcessRequest is the body of POST /api/v1/processes.
type ProcessRequest struct {
	Name string `json:"name"`
}

// Validate implements request.
func (q *ProcessRequest) Validate() error {
	return checkRequiredText("name", q.Name, maxName, false)
}

// RoundRequest is the body of POST /api/v1/rounds.
type RoundRequest struct {
	ProcessID    string   `json:"process_id"`
	Name         string   `json:"name"`
	Location     string   `json:"location,omitempty"`
	StartsOn     string   `json:"starts_on,omitempty"`
	EndsOn       string   `json:"ends_on,omitempty"`
	Participants []string `json:"participants,omitempty"`
}

// Validate implements request.
func (q *RoundRequest) Validate() error {
	if err := checkID("process_id", q.ProcessID); err != nil {
		return err
	}
	if err := checkRequiredText("name", q.Name, maxName, false); err != nil {
		return err
	}
	if err := checkText("location", q.Location, 0, maxLocation, false); err != nil {
		return err
	}
	if err := checkDate("starts_on", q.StartsOn); err != nil {
		return err
	}
	if err := checkDate("ends_on", q.EndsOn); err != nil {
		return err
	}
	if q.StartsOn != "" && q.EndsOn != "" && q.EndsOn < q.StartsOn {
		return errs.Field("ends_on", "must not be before starts_on")
	}
	return checkIDs("participants", q.Participants, false)
}

// ParticipantRequest is the body of POST /api/v1/rounds/{id}/participants.
type ParticipantRequest struct {
	Org string `json:"org"`
}

// Validate implements request.
func (q *ParticipantRequest) Validate() error { return checkID("org", q.Org) }

// SessionRequest is the body of POST /api/v1/rounds/{id}/sessions. Times are
// RFC 3339; orgs names the parties at the table of a bilateral or direct
// session.
type SessionRequest struct {
	Title    string   `json:"title"`
	Format   string   `json:"format"`
	StartsAt string   `json:"starts_at"`
	EndsAt   string   `json:"ends_at,omitempty"`
	Orgs     []string `json:"orgs,omitempty"`

	startsAt, endsAt time.Time
}

// Validate implements request.
func (q *SessionRequest) Validate() error {
	if err := checkRequiredText("title", q.Title, maxName, false); err != nil {
		return err
	}
	if q.Format == "" {
		return errs.Field("format", "is required")
	}
	if !talks.Format(q.Format).Valid() {
		formats := make([]string, len(talks.Formats))
		for i, f := range talks.Formats {
			formats[i] = string(f)
		}
		return errs.Field("format", "must be one of %s", strings.Join(formats, ", "))
	}
	var err error
	if q.startsAt, err = parseTime("starts_at", q.StartsAt, true); err != nil {
		return err
	}
	if q.endsAt, err = parseTime("ends_at", q.EndsAt, false); err != nil {
		return err
	}
	if !q.endsAt.IsZero() && q.endsAt.Before(q.startsAt) {
		return errs.Field("ends_at", "must not be before starts_at")
	}
	return checkIDs("orgs", q.Orgs, false)
}

// AgendaRequest is the body of POST /api/v1/rounds/{id}/agenda. The track is
// one of ceasefire, humanitarian, detainees, political, or a custom one.
type AgendaRequest struct {
	Track       string `json:"track"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// Validate implements request.
func (q *AgendaRequest) Validate() error {
	if q.Track == "" {
		return errs.Field("track", "is required")
	}
	if !talks.ValidTrack(q.Track) {
		return errs.Field("track", "must be one of %s, or a custom track of lower-case letters, digits and '-'", strings.Join(talks.Tracks, ", "))
	}
	if err := checkRequiredText("title", q.Title, maxName, false); err != nil {
		return err
	}
	return checkText("description", q.Description, 0, maxText, true)
}

// StanceRequest is the body of PUT /api/v1/agenda/{id}/stance.
type StanceRequest struct {
	Stance string `json:"stance"`
	Reason string `json:"reason,omitempty"`
}

// Validate implements request.
func (q *StanceRequest) Validate() error {
	if err := checkEnum("stance", q.Stance, stances); err != nil {
		return err
	}
	// A refusal stays visible on the agenda, and its reason is what the
	// other side reads; the domain requires one.
	if q.Stance == talks.Refuse && strings.TrimSpace(q.Reason) == "" {
		return errs.Field("reason", "is required with a refusal")
	}
	return checkText("reason", q.Reason, 0, maxReason, true)
}

// ConsentRequest is the body of PUT /api/v1/rounds/{id}/consent. Direct is
// a pointer so that a missing "direct" is refused rather than read as false.
type ConsentRequest struct {
	Counterpart string `json:"counterpart"`
	Direct      *bool  `json:"direct"`
}

// Validate implements request.
func (q *ConsentRequest) Validate() error {
	if err := checkID("counterpart", q.Counterpart); err != nil {
		return err
	}
	if q.Direct == nil {
		return errs.Field("direct", "is required (true or false)")
	}
	return nil
}

// OrgRequest is the body of POST /api/v1/orgs.
type OrgRequest struct {
	Name      string `json:"name"`
	ShortName string `json:"short_name,omitempty"`
	Kind      string `json:"kind"`
}

// Validate implements request.
func (q *OrgRequest) Validate() error {
	if err := checkRequiredText("name", q.Name, maxName, false); err != nil {
		return err
	}
	if err := checkText("short_name", q.ShortName, 0, maxShortName, false); err != nil {
		return err
	}
	if q.Kind == "" {
		return errs.Field("kind", "is required")
	}
	if !access.OrgKind(q.Kind).Valid() {
		kinds := make([]string, len(access.OrgKinds))
		for i, k := range access.OrgKinds {
			kinds[i] = string(k)
		}
		return errs.Field("kind", "must be one of %s", strings.Join(kinds, ", "))
	}
	return nil
}

// UserRequest is the body of POST /api/v1/users: an invitation with a first
// password that the user changes.
type UserRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name,omitempty"`
	Org         string `json:"org"`
	Role        string `json:"role"`
	Password    string `json:"password"`
	Locale      string `json:"locale,omitempty"`
}

// Validate implements request.
func (q *UserRequest) Validate() error {
	if err := checkUsername(q.Username); err != nil {
		return err
	}
	if err := checkText("display_name", q.DisplayName, 0, maxName, false); err != nil {
		return err
	}
	if err := checkID("org", q.Org); err != nil {
		return err
	}
	if err := checkRole(q.Role); err != nil {
		return err
	}
	if err := checkPassword("password", q.Password); err != nil {
		return err
	}
	return checkLocale(q.Locale)
}

// checkRole requires one of the roles.
func checkRole(role string) error {
	if role == "" {
		return errs.Field("role", "is required")
	}
	if !access.Role(role).Valid() {
		roles := make([]string, len(access.Roles))
		for i, r := range access.Roles {
			roles[i] = string(r)
		}
		return errs.Field("role", "must be one of %s", strings.Join(roles, ", "))
	}
	return nil
}

// checkUsername applies the auth service's form of usernames (gov.head,
// guarantor.ru): 2 to 64 lower-case letters, digits, '.', '-' and '_'.
func checkUsername(s string) error {
	if s == "" {
		return errs.Field("username", "is required")
	}
	if !usernameRE.MatchString(s) {
		return errs.Field("username", "must be 2 to 64 lower-case letters, digits, '.', '-' and '_'")
	}
	return nil
}

var usernameRE = regexp.MustCompile(`^[a-z0-9._-]{2,64}$`)

// checkPassword bounds a new password's length at the edge; the auth
// service applies the rest of the policy (the common-password list).
func checkPassword(field, pw string) error {
	if !utf8.ValidString(pw) {
		return errs.Field(field, "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(pw)
	if n < minPassword || n > maxPassword {
		return errs.Field(field, "must be %d to %d characters", minPassword, maxPassword)
	}
	return nil
}

// PasswordRequest is the body of PUT /api/v1/me/password.
type PasswordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// Validate implements request.
func (q *PasswordRequest) Validate() error {
	if q.Current == "" {
		return errs.Field("current", "is required")
	}
	if len(q.Current) > maxLoginSecret {
		return errs.Field("current", "is too long")
	}
	return checkPassword("new", q.New)
}

// LocaleRequest is the body of PUT /api/v1/me/locale.
type LocaleRequest struct {
	Locale string `json:"locale"`
}

// Validate implements request.
func (q *LocaleRequest) Validate() error { return checkLocale(q.Locale) }

// checkLocale accepts the auth service's locales; "" means "follow the
// browser's Accept-Language".
func checkLocale(l string) error {
	if !slices.Contains(auth.Locales, l) {
		return errs.Field("locale", "must be one of en, ar, ru, tr, or empty to follow the browser")
	}
	return nil
}

// TOTPConfirmRequest is the body of POST /api/v1/me/totp/confirm: the
// secret from POST /api/v1/me/totp and a code the authenticator shows.
type TOTPConfirmRequest struct {
	Secret string `json:"secret"`
	Code   string `json:"code"`
}

// Validate implements request.
func (q *TOTPConfirmRequest) Validate() error {
	if q.Secret == "" {
		return errs.Field("secret", "is required")
	}
	if len(q.Secret) > 128 {
		return errs.Field("secret", "is too long")
	}
	if q.Code == "" {
		return errs.Field("code", "is required")
	}
	if len(q.Code) > 32 {
		return errs.Field("code", "is too long")
	}
	return nil
}

// TOTPDisableRequest is the body of POST /api/v1/me/totp/disable: the
// password, asked again because removing a factor weakens the account.
type TOTPDisableRequest struct {
	Password string `json:"password"`
}

// Validate implements request.
func (q *TOTPDisableRequest) Validate() error {
	if q.Password == "" {
		return errs.Field("password", "is required")
	}
	if len(q.Password) > maxLoginSecret {
		return errs.Field("password", "is too long")
	}
	return nil
}

// WitnessRequest is the body of POST /api/v1/ledger/witnesses: a display
// name and a c2sp.org/tlog-cosignature verifier key.
type WitnessRequest struct {
	Name string `json:"name"`
	VKey string `json:"vkey"`
}

// Validate implements request.
func (q *WitnessRequest) Validate() error {
	if err := checkRequiredText("name", q.Name, ledger.MaxWitnessName, false); err != nil {
		return err
	}
	if q.VKey == "" {
		return errs.Field("vkey", "is required")
	}
	return checkText("vkey", q.VKey, 1, 512, false)
}

// CosignatureRequest is the body of POST /api/v1/ledger/cosignatures: the
// checkpoint (its text, or the note as served) and one or more cosignature
// lines.
type CosignatureRequest struct {
	Checkpoint  string `json:"checkpoint"`
	Cosignature string `json:"cosignature"`
}

// Validate implements request.
func (q *CosignatureRequest) Validate() error {
	if err := checkText("checkpoint", q.Checkpoint, 1, 64<<10, true); err != nil {
		return err
	}
	return checkText("cosignature", q.Cosignature, 1, 16<<10, true)
}
