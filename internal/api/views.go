package api

import (
	"time"

	"parley/internal/auth"
	"parley/internal/talks"
)

// The JSON shapes of the API. They are the API's own types, not the domain
// structs with tags, so that a field added to a domain type is not published
// by accident and the documented shape changes only here.

// OrgJSON is an organisation.
type OrgJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"short_name,omitempty"`
	Kind      string `json:"kind"`
}

func orgJSON(o talks.Org) OrgJSON {
	return OrgJSON{ID: o.ID, Name: o.Name, ShortName: o.ShortName, Kind: string(o.Kind)}
}

// UserJSON is an account as administrators and the user see it.
type UserJSON struct {
	ID          string  `json:"id"`
	Username    string  `json:"username"`
	DisplayName string  `json:"display_name"`
	Org         OrgJSON `json:"org"`
	Role        string  `json:"role"`
	Locale      string  `json:"locale"`
	TOTPEnabled bool    `json:"totp_enabled"`
	Disabled    bool    `json:"disabled"`
	CreatedAt   string  `json:"created_at,omitempty"`
}

func userJSON(u auth.User) UserJSON {
	return UserJSON{
		ID: u.ID, Username: u.Username, DisplayName: u.DisplayName,
		Org:  OrgJSON{ID: u.OrgID, Name: u.OrgName, Kind: string(u.OrgKind)},
		Role: string(u.Role), Locale: u.Locale, TOTPEnabled: u.TOTPEnabled, Disabled: u.Disabled,
		CreatedAt: timeJSON(u.CreatedAt),
	}
}

// MeJSON is GET /api/v1/me (DESIGN.md: username, org {id, name, kind}, role).
type MeJSON struct {
	ID            string  `json:"id"`
	Username      string  `json:"username"`
	DisplayName   string  `json:"display_name"`
	Org           OrgJSON `json:"org"`
	Role          string  `json:"role"`
	Locale        string  `json:"locale"`
	TOTPEnabled   bool    `json:"totp_enabled"`
	MustEnrolTOTP bool    `json:"must_enrol_totp"`
	Admin         bool    `json:"admin"`
}

// ProcessJSON is a peace process.
type ProcessJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

func processJSON(p talks.Process) ProcessJSON {
	return ProcessJSON{ID: p.ID, Name: p.Name, CreatedAt: timeJSON(p.CreatedAt)}
}

// ParticipantJSON is an organisation taking part in a round.
type ParticipantJSON struct {
	Org      OrgJSON `json:"org"`
	Capacity string  `json:"capacity"`
}

// SessionJSON is a sitting of a round.
type SessionJSON struct {
	ID          string   `json:"id"`
	RoundID     string   `json:"round_id"`
	Title       string   `json:"title"`
	Format      string   `json:"format"`
	StartsAt    string   `json:"starts_at"`
	EndsAt      string   `json:"ends_at,omitempty"`
	Orgs        []string `json:"orgs"`
	LedgerIndex int64    `json:"ledger_index"`
	// CancelledAt and CancelReason: the session was called off;
	// EditedAt: when it last changed.
	CancelledAt  string `json:"cancelled_at,omitempty"`
	CancelReason string `json:"cancel_reason,omitempty"`
	EditedAt     string `json:"edited_at,omitempty"`
}

func sessionJSON(s talks.Session) SessionJSON {
	return SessionJSON{
		ID: s.ID, RoundID: s.RoundID, Title: s.Title, Format: string(s.Format),
		StartsAt: timeJSON(s.StartsAt), EndsAt: timeJSON(s.EndsAt),
		Orgs: nonNil(s.Orgs), LedgerIndex: s.LedgerIndex,
		CancelledAt: timeJSON(s.Cancelled), CancelReason: s.CancelReason, EditedAt: timeJSON(s.Edited),
	}
}

// StanceJSON is one party's stance on an agenda item.
type StanceJSON struct {
	Org       OrgJSON `json:"org"`
	Stance    string  `json:"stance"`
	Reason    string  `json:"reason"`
	UpdatedAt string  `json:"updated_at"`
	// Earlier: given before the item's wording last changed.
	Earlier bool `json:"earlier,omitempty"`
}

// AgendaItemJSON is an agenda item with the stances the caller may read.
type AgendaItemJSON struct {
	ID          string       `json:"id"`
	RoundID     string       `json:"round_id"`
	Track       string       `json:"track"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Position    int          `json:"position"`
	Stances     []StanceJSON `json:"stances"`
	LedgerIndex int64        `json:"ledger_index"`
	// WithdrawnAt and WithdrawReason: the item was taken off the agenda
	// (it stays, marked); EditedAt: when its wording last changed.
	WithdrawnAt    string `json:"withdrawn_at,omitempty"`
	WithdrawReason string `json:"withdraw_reason,omitempty"`
	EditedAt       string `json:"edited_at,omitempty"`
}

func agendaItemJSON(it talks.AgendaItem) AgendaItemJSON {
	out := AgendaItemJSON{
		ID: it.ID, RoundID: it.RoundID, Track: it.Track, Title: it.Title,
		Description: it.Description, Position: it.Position,
		Stances: make([]StanceJSON, 0, len(it.Stances)), LedgerIndex: it.LedgerIndex,
		WithdrawnAt: timeJSON(it.Withdrawn), WithdrawReason: it.WithdrawReason, EditedAt: timeJSON(it.Edited),
	}
	for _, st := range it.Stances {
		out.Stances = append(out.Stances, StanceJSON{
			Org:    OrgJSON{ID: st.OrgID, Name: st.OrgName, Kind: "party"},
			Stance: st.Stance, Reason: st.Reason, UpdatedAt: timeJSON(st.UpdatedAt), Earlier: st.Earlier,
		})
	}
	return out
}

// ConsentJSON is a party's consent (or refusal) to direct talks with one
// counterpart in a round.
type ConsentJSON struct {
	Org         OrgJSON `json:"org"`
	Counterpart OrgJSON `json:"counterpart"`
	Direct      bool    `json:"direct"`
	UpdatedAt   string  `json:"updated_at"`
}

func consentJSON(c talks.Consent) ConsentJSON {
	return ConsentJSON{
		Org:         OrgJSON{ID: c.OrgID, Name: c.OrgName, Kind: "party"},
		Counterpart: OrgJSON{ID: c.CounterpartID, Name: c.CounterpartName, Kind: "party"},
		Direct:      c.Direct, UpdatedAt: timeJSON(c.UpdatedAt),
	}
}

// RoundJSON is a round as GET /api/v1/rounds lists it.
type RoundJSON struct {
	ID           string            `json:"id"`
	ProcessID    string            `json:"process_id"`
	ProcessName  string            `json:"process_name"`
	Name         string            `json:"name"`
	Location     string            `json:"location"`
	StartsOn     string            `json:"starts_on"`
	EndsOn       string            `json:"ends_on"`
	LedgerIndex  int64             `json:"ledger_index"`
	Participants []ParticipantJSON `json:"participants"`
}

// RoundDetailJSON is one round (GET /api/v1/rounds/{id}) with everything
// in it the caller may read.
type RoundDetailJSON struct {
	RoundJSON
	Sessions []SessionJSON    `json:"sessions"`
	Agenda   []AgendaItemJSON `json:"agenda"`
	Consents []ConsentJSON    `json:"consents"`
	// Proposals are the participants proposed and waiting for their own
	// head's and the parties' acceptance.
	Proposals []ProposalJSON `json:"proposals"`
	// PastShares are the grants of past material to a later mediation
	// the caller reads.
	PastShares []PastShareJSON `json:"past_shares"`
}

func roundJSON(r talks.Round) RoundJSON {
	out := RoundJSON{
		ID: r.ID, ProcessID: r.ProcessID, ProcessName: r.ProcessName, Name: r.Name,
		Location: r.Location, StartsOn: r.StartsOn, EndsOn: r.EndsOn, LedgerIndex: r.LedgerIndex,
		Participants: make([]ParticipantJSON, 0, len(r.Participants)),
	}
	for _, p := range r.Participants {
		out.Participants = append(out.Participants, ParticipantJSON{Org: orgJSON(p.Org), Capacity: string(p.Capacity)})
	}
	return out
}

func roundDetailJSON(r talks.Round) RoundDetailJSON {
	out := RoundDetailJSON{
		RoundJSON:  roundJSON(r),
		Sessions:   make([]SessionJSON, 0, len(r.Sessions)),
		Agenda:     make([]AgendaItemJSON, 0, len(r.Agenda)),
		Consents:   make([]ConsentJSON, 0, len(r.Consents)),
		Proposals:  make([]ProposalJSON, 0, len(r.Proposals)),
		PastShares: make([]PastShareJSON, 0, len(r.PastShares)),
	}
	for _, p := range r.Proposals {
		out.Proposals = append(out.Proposals, ProposalJSON{Org: p.Org.ID, Consented: p.Consented, Accepted: nonNil(p.Accepted)})
	}
	for _, p := range r.PastShares {
		out.PastShares = append(out.PastShares, PastShareJSON{Org: p.OrgID, With: p.NewcomerID})
	}
	for _, s := range r.Sessions {
		out.Sessions = append(out.Sessions, sessionJSON(s))
	}
	for _, it := range r.Agenda {
		out.Agenda = append(out.Agenda, agendaItemJSON(it))
	}
	for _, c := range r.Consents {
		out.Consents = append(out.Consents, consentJSON(c))
	}
	return out
}

// SecurityEventJSON is one entry of the security event log.
type SecurityEventJSON struct {
	ID       string `json:"id"`
	At       string `json:"at"`
	Kind     string `json:"kind"`
	UserID   string `json:"user_id,omitempty"`
	Username string `json:"username,omitempty"`
	Remote   string `json:"remote,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// timeJSON formats a time as RFC 3339 in UTC, and the zero time as "".
func timeJSON(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
