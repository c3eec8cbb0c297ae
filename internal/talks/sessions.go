package talks

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Format is how a session sits (DESIGN.md glossary).
type Format string

// The session formats.
const (
	// Plenary: every participant in one room.
	Plenary Format = "plenary"
	// Proximity: the parties in separate rooms, the mediation shuttling.
	Proximity Format = "proximity"
	// Bilateral: one party with the mediation.
	Bilateral Format = "bilateral"
	// Direct: two parties face to face; needs their mutual consent.
	Direct Format = "direct"
)

// Formats lists every format.
var Formats = []Format{Plenary, Proximity, Bilateral, Direct}

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return slices.Contains(Formats, f) }

// Session is a sitting of a round.
type Session struct {
	ID, RoundID, Title string
	Format             Format
	StartsAt, EndsAt   time.Time // EndsAt is zero when open-ended
	// Orgs names the parties at the table of a proximity, bilateral or
	// direct session; empty for a plenary.
	Orgs []string
	// LedgerIndex is the index of the "session.scheduled" event.
	LedgerIndex int64
	// Cancelled is when a round administrator cancelled the session (zero
	// while it stands), with the reason given; a cancelled session stays
	// in the round, marked. Edited is when it was last changed.
	Cancelled    time.Time
	CancelReason string
	Edited       time.Time
}

// NewSession is the input of ScheduleSession.
type NewSession struct {
	Title            string
	Format           Format
	StartsAt, EndsAt time.Time
	// Orgs: none for plenary; for proximity, optionally the parties
	// involved; for bilateral exactly one party; for direct exactly two
	// parties, which must both have consented to direct talks.
	Orgs []string
}

// noDirectConsent is the refusal of a direct session or message between two
// parties that have not both consented.
func noDirectConsent() error {
	return errs.New(errs.NoDirectConsent,
		"the two parties have not both consented to direct talks in this round; ask the mediation to arrange a proximity or bilateral session instead")
}

// ScheduleSession adds a session to a round. Only administrators schedule;
// a direct session needs the mutual consent of its two parties (otherwise
// errs.NoDirectConsent). The session's audience is the round's participants.
func (s *Service) ScheduleSession(ctx context.Context, actor access.Actor, roundID string, in NewSession) (ss Session, err error) {
	defer errs.Wrap(&err, "talks.ScheduleSession")
	if err := loggedIn(actor); err != nil {
		return Session{}, err
	}
	if ss.Title, ss.Orgs, err = checkSession(in); err != nil {
		return Session{}, err
	}
	orgs := ss.Orgs
	ss.ID, ss.RoundID, ss.Format, ss.Orgs = store.NewID(), roundID, in.Format, orgs
	// Times are stored in microseconds; return what a later read returns.
	ss.StartsAt = store.Time(store.Stamp(in.StartsAt))
	if !in.EndsAt.IsZero() {
		ss.EndsAt = store.Time(store.Stamp(in.EndsAt))
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if err := s.adminRound(ctx, tx, actor, roundID, "schedule sessions"); err != nil {
			return err
		}
		if err := s.checkSessionOrgs(ctx, tx, roundID, in.Format, orgs); err != nil {
			return err
		}
		aud, err := access.RoundOrgs(ctx, tx, roundID)
		if err != nil {
			return err
		}
		var ends int64
		if !ss.EndsAt.IsZero() {
			ends = store.Stamp(ss.EndsAt)
		}
		ev, err := event(ctx, rec, actor, "session.scheduled", roundID, "session", ss.ID, aud,
			sessionContent(ss.ID, roundID, ss.Title, ss.Format, store.Stamp(ss.StartsAt), ends, orgs))
		if err != nil {
			return err
		}
		ss.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO round_sessions(id, round_id, title, format, starts_at, ends_at, created_at, created_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			ss.ID, roundID, ss.Title, string(ss.Format), store.Stamp(ss.StartsAt), ends, store.Now(), actor.User, ev.Index); err != nil {
			return err
		}
		if err := setSessionOrgs(ctx, tx, ss.ID, orgs); err != nil {
			return err
		}
		return access.Grant(ctx, tx, ss.ID, aud)
	})
	if err != nil {
		return Session{}, err
	}
	if ss.Orgs == nil {
		ss.Orgs = []string{}
	}
	return ss, nil
}

// checkSession validates a session's fields before anything is read:
// the title, the format, the times and the organisations at the table. It
// returns the trimmed title and the organisations, sorted.
func checkSession(in NewSession) (title string, orgs []string, err error) {
	if title, err = text("title", in.Title, 1, MaxName, false); err != nil {
		return "", nil, err
	}
	if !in.Format.Valid() {
		return "", nil, errs.Field("format", "format must be one of plenary, proximity, bilateral, direct")
	}
	if in.StartsAt.IsZero() {
		return "", nil, errs.Field("starts_at", "starts_at is required")
	}
	if !in.EndsAt.IsZero() && !in.EndsAt.After(in.StartsAt) {
		return "", nil, errs.Field("ends_at", "ends_at must be after starts_at")
	}
	orgs = slices.Clone(in.Orgs)
	slices.Sort(orgs)
	if len(slices.Compact(orgs)) != len(orgs) {
		return "", nil, errs.Field("orgs", "an organisation is named twice")
	}
	switch in.Format {
	case Plenary:
		if len(orgs) != 0 {
			return "", nil, errs.Field("orgs", "a plenary session includes every participant; name no organisations")
		}
	case Bilateral:
		if len(orgs) != 1 {
			return "", nil, errs.Field("orgs", "a bilateral session names exactly one party")
		}
	case Direct:
		if len(orgs) != 2 {
			return "", nil, errs.Field("orgs", "a direct session names exactly two parties")
		}
	}
	return title, orgs, nil
}

// checkSessionOrgs checks, inside the write, that every organisation at
// the table is a party of the round, and that the two parties of a direct
// session have both consented to direct talks.
func (s *Service) checkSessionOrgs(ctx context.Context, tx *sql.Tx, roundID string, format Format, orgs []string) error {
	for _, o := range orgs {
		c, err := access.CapacityOf(ctx, tx, roundID, o)
		if err != nil {
			return err
		}
		if c != access.Party {
			return errs.Field("orgs", "every organisation named must be a party taking part in this round")
		}
	}
	if format != Direct {
		return nil
	}
	ok, err := s.MutualConsent(ctx, tx, roundID, orgs[0], orgs[1])
	if err != nil {
		return err
	}
	if !ok {
		return noDirectConsent()
	}
	return nil
}

// setSessionOrgs writes the organisations at a session's table, in place
// of those it had.
func setSessionOrgs(ctx context.Context, tx *sql.Tx, sessionID string, orgs []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM session_orgs WHERE session_id = $1", sessionID); err != nil {
		return err
	}
	for _, o := range orgs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO session_orgs(session_id, org_id) VALUES ($1, $2)", sessionID, o); err != nil {
			return err
		}
	}
	return nil
}

// sessionsIn lists the sessions of a round that actor may read, by start.
func sessionsIn(ctx context.Context, q access.Querier, actor access.Actor, roundID string) ([]Session, error) {
	cond, arg := access.ReadableBy(actor, "s.id", 2)
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.round_id, s.title, s.format, s.starts_at, s.ends_at, s.ledger_idx,
		s.cancelled_at, s.cancel_reason, s.edited_at
		FROM round_sessions s WHERE s.round_id = $1 AND `+cond+` ORDER BY s.starts_at, s.id`, roundID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	index := map[string]int{}
	for rows.Next() {
		var ss Session
		var format string
		var starts, ends, cancelled, edited int64
		if err := rows.Scan(&ss.ID, &ss.RoundID, &ss.Title, &format, &starts, &ends, &ss.LedgerIndex,
			&cancelled, &ss.CancelReason, &edited); err != nil {
			return nil, err
		}
		ss.Cancelled, ss.Edited = optTime(cancelled), optTime(edited)
		ss.Format, ss.StartsAt, ss.Orgs = Format(format), store.Time(starts), []string{}
		if ends != 0 {
			ss.EndsAt = store.Time(ends)
		}
		index[ss.ID] = len(out)
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	rows, err = q.QueryContext(ctx, `SELECT so.session_id, so.org_id FROM session_orgs so JOIN round_sessions s ON s.id = so.session_id
		WHERE s.round_id = $1 AND `+cond+` ORDER BY so.org_id`, roundID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sid, org string
		if err := rows.Scan(&sid, &org); err != nil {
			return nil, err
		}
		if i, ok := index[sid]; ok {
			out[i].Orgs = append(out[i].Orgs, org)
		}
	}
	return out, rows.Err()
}
