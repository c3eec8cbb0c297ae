// Package talks holds the talks model: organisations, processes, rounds and
// who takes part in them, the sessions of a round and their formats, the
// agenda with each party's stance, and each party's consent to direct talks.
//
// Every write runs through the ledger (one transaction that checks the rules,
// changes the tables, records the audience and appends an event), and every
// read of round content filters by the audience in SQL through
// access.ReadableBy. docs/talks.md describes the rules and the audiences.
package talks

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Service is the talks model over one database.
type Service struct {
	db  *store.DB
	led *ledger.Ledger

	mu         sync.RWMutex
	joins      []JoinHook
	pastShares []PastShareHook
}

// JoinHook widens, inside AddParticipant's transaction, what another
// package wrote in a round to an organisation that joins it: a party that
// joins after the negotiating text was issued reads the text like the
// parties that were there. It is given the participant as it takes part:
// a hook decides by p.Capacity, the capacity recorded in the round, never
// by the organisation's kind (issue 10: one capability answer).
type JoinHook func(ctx context.Context, tx *sql.Tx, roundID string, p Participant) error

// OnJoin registers h to run whenever an organisation joins a round. The
// app registers the packages that keep content per round (text, bargain)
// when it wires them.
func (s *Service) OnJoin(h JoinHook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.joins = append(s.joins, h)
}

func (s *Service) joinHooks() []JoinHook {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.joins
}

// New returns the talks service. Writes go through led so that each one
// appends its event in the same transaction.
func New(db *store.DB, led *ledger.Ledger) *Service {
	return &Service{db: db, led: led}
}

// Limits of the free-text fields, in characters.
const (
	MaxName        = 200  // organisation, process, round, session and agenda item names
	MaxShortName   = 40   // an organisation's short name
	MaxLocation    = 200  // where a round sits
	MaxDescription = 4000 // an agenda item's description
	MaxReason      = 2000 // the reason given with a stance
)

// event appends one event of the talks model. Content is the canonical JSON
// of what changed: encoding/json writes map keys sorted, so the same change
// always hashes the same.
func event(ctx context.Context, rec *ledger.Recorder, actor access.Actor, typ, round, objType, objID string, aud access.Audience, content map[string]any) (ledger.Event, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return ledger.Event{}, fmt.Errorf("%s content: %w", typ, err)
	}
	return rec.Append(ctx, ledger.Event{
		Type: typ, Actor: actor, Round: round,
		ObjectType: objType, ObjectID: objID,
		Audience: aud, Content: b,
	})
}

// stamp is the form times take in event content.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// text validates a free-text field: valid UTF-8, between min and max
// characters once surrounding space is trimmed, and free of control
// characters (except newlines and tabs when multiline). It returns the
// trimmed value.
func text(field, v string, min, max int, multiline bool) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", errs.Field(field, "%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(v)
	switch {
	case n < min && min == 1:
		return "", errs.Field(field, "%s is required", field)
	case n < min:
		return "", errs.Field(field, "%s needs at least %d characters", field, min)
	case n > max:
		return "", errs.Field(field, "%s is longer than %d characters", field, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return "", errs.Field(field, "%s contains a control character", field)
		}
	}
	return v, nil
}

var trackPattern = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// The standard tracks of an agenda (DESIGN.md glossary); any other track
// matching [a-z0-9-]{1,40} is a custom one.
const (
	TrackCeasefire    = "ceasefire"
	TrackHumanitarian = "humanitarian"
	TrackDetainees    = "detainees"
	TrackPolitical    = "political"
)

// Tracks lists the standard tracks in display order.
var Tracks = []string{TrackCeasefire, TrackHumanitarian, TrackDetainees, TrackPolitical}

// ValidTrack reports whether t is a standard or well-formed custom track.
func ValidTrack(t string) bool { return trackPattern.MatchString(t) }

// lockRound reports whether the round exists and, on PostgreSQL, locks its row
// until the transaction ends. Every write scoped to a round takes this lock
// first, so that an audience computed from the participants cannot miss a
// participant added concurrently, and agenda positions cannot collide. On
// SQLite the write transaction (BEGIN IMMEDIATE) already serialises writers.
func (s *Service) lockRound(ctx context.Context, tx *sql.Tx, roundID string) (bool, error) {
	if !store.ValidID(roundID) {
		return false, nil
	}
	q := "SELECT 1 FROM rounds WHERE id = $1"
	if s.db.Dialect == store.Postgres {
		q += " FOR UPDATE"
	}
	var one int
	err := tx.QueryRowContext(ctx, q, roundID).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// roundAs locks the round (see lockRound) and returns the capacity in which
// the actor takes part in it. A round that does not exist, or that the
// actor's organisation takes no part in, answers as missing; the operator
// (System, which belongs to no organisation) passes with an empty capacity
// that still Administers.
func (s *Service) roundAs(ctx context.Context, tx *sql.Tx, actor access.Actor, roundID string) (access.Capacity, error) {
	if ok, err := s.lockRound(ctx, tx, roundID); err != nil || !ok {
		return access.Capacity{}, cmp.Or(err, error(errs.NotFoundf("round")))
	}
	c, err := access.RoundCapacity(ctx, tx, actor, roundID)
	if err != nil {
		return c, err
	}
	if !c.Participates() && !actor.System {
		return c, errs.NotFoundf("round")
	}
	return c, nil
}

// adminRound checks that the actor administers the round (Capacity.Administers:
// a head of a host or mediation organisation taking part in it, or the
// operator). A round outside the actor's audience answers as missing; a
// participant that does not administer it is forbidden.
func (s *Service) adminRound(ctx context.Context, tx *sql.Tx, actor access.Actor, roundID, what string) error {
	c, err := s.roundAs(ctx, tx, actor, roundID)
	if err != nil {
		return err
	}
	if !c.Administers() {
		return errs.New(errs.Forbidden, "only the heads of the host and mediation taking part in this round %s", what)
	}
	return nil
}

// loggedIn refuses the anonymous actor; the operator passes.
func loggedIn(actor access.Actor) error {
	if actor.Anonymous() && !actor.System {
		return errs.New(errs.Unauthorized, "log in first")
	}
	return nil
}

// requireOperator refuses everyone but the operator: creating
// organisations and adding a participant without the parties' acceptance
// are the operator's acts (docs/security.md, the authority table).
func requireOperator(actor access.Actor, what string) error {
	if err := loggedIn(actor); err != nil {
		return err
	}
	if !actor.System {
		return errs.New(errs.Forbidden, "only the operator of the installation may %s", what)
	}
	return nil
}

// requireAdmin refuses actors who do not administer (DESIGN.md: the host and
// mediation leads, and the operator).
func requireAdmin(actor access.Actor, what string) error {
	if !actor.IsAdmin() {
		if actor.Anonymous() {
			return errs.New(errs.Unauthorized, "log in first")
		}
		return errs.New(errs.Forbidden, "only the host and mediation leads %s", what)
	}
	return nil
}

// stanceID is the audience item id of a party's stance on an agenda item.
// Stances have no id of their own (one row per item and party), so the id is
// derived; it cannot collide with the random hex ids of other items.
func stanceID(itemID, orgID string) string { return "stance:" + itemID + ":" + orgID }

// stanceIDSQL is stanceID computed in SQL over the agenda_stances alias st.
const stanceIDSQL = "('stance:' || st.item_id || ':' || st.org_id)"

// consentID is the audience item id of a party's consent to direct talks
// with one counterpart in one round.
func consentID(roundID, orgID, counterpartID string) string {
	return "consent:" + roundID + ":" + orgID + ":" + counterpartID
}

// consentIDSQL is consentID computed in SQL over the consents alias c.
const consentIDSQL = "('consent:' || c.round_id || ':' || c.org_id || ':' || c.counterpart_id)"
