package bargain

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Service keeps each round's negotiation domain, the parties' confidential
// profiles, the mediation's draft package and the analysis computed from
// them (docs/bargain.md "Storage and confidentiality").
//
// Who reads what:
//   - the domain: the round's mediation and parties;
//   - a profile: its party, and the mediation only while the party shares it;
//   - the draft package and the analysis: the round's mediation.
//
// Every read that returns content filters by access.ReadableBy in SQL. The
// one place profiles are read without it is the analysis itself, which runs
// inside the transaction that changed one of its inputs, as the system: it
// reads every valid profile of the round and stores only utilities of
// packages (normalised per party), never weights or ratings.
type Service struct {
	db  *store.DB
	led *ledger.Ledger
	// opt bounds each analysis, which runs in the request that changed one
	// of its inputs (refresh), so the bounds are tighter than the command
	// line's.
	opt Options
	now func() time.Time
	log *slog.Logger
	// analysed, when set (tests), runs in refresh between computing an
	// analysis and storing it.
	analysed func()
}

// New returns the package-analysis service over db. Writes go through led.
func New(db *store.DB, led *ledger.Ledger) *Service {
	return &Service{db: db, led: led, now: time.Now, log: slog.Default(),
		opt: Options{MemoryLimit: 64 << 20, MaxFrontier: 50_000, MaxSearchNodes: 20_000_000}}
}

// Limits on stored documents.
const (
	// MaxIssues bounds a round's domain: elicitation pages show one row
	// per issue.
	MaxIssues = 40
	// MaxOptions bounds one issue's options in a round's domain.
	MaxOptions = 200
	// MaxStoredFrontier bounds the frontier points kept with an analysis;
	// beyond it the list is cut (FrontierTruncated) after the draft has
	// been compared with the whole frontier.
	MaxStoredFrontier = 5000
	// MaxQuestions is how many package comparisons a party is asked.
	MaxQuestions = 3
)

// RoundDomain is a round's negotiation domain.
type RoundDomain struct {
	ID, RoundID string
	// Version counts the saves; profiles are checked against the latest.
	Version int
	Domain  Domain
	// Agenda links issues to the round's agenda items: issue name → item id.
	Agenda      map[string]string
	UpdatedAt   time.Time
	UpdatedBy   string
	LedgerIndex int64
}

type domainDoc struct {
	Domain Domain            `json:"domain"`
	Agenda map[string]string `json:"agenda,omitempty"`
}

// Answer is a party's answer to one "which of these two packages do you
// prefer" question.
type Answer struct {
	A, B Bid
	// Prefer is "a", "b" or "" (no answer).
	Prefer string
}

// StoredProfile is a party's profile as stored for a round.
type StoredProfile struct {
	ID, RoundID, OrgID, OrgName string
	Profile                     Profile
	// Shared: the party lets the mediation read this profile (its weights
	// and ratings). The analysis never needs it.
	Shared  bool
	Answers []Answer
	// Stale is set when the profile does not fit the round's current
	// domain (the mediation changed it since); it is then left out of the
	// analysis until the party saves it again.
	Stale       bool
	UpdatedAt   time.Time
	UpdatedBy   string
	LedgerIndex int64
}

// ProfileInput is what SetProfile stores.
type ProfileInput struct {
	Profile Profile
	Shared  bool
	Answers []Answer
}

// event appends one event of the analysis. Content holds ids and hashes
// only: the ledger's copy of an event must never carry a weight or a rating.
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

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// asErr turns a computation error into the platform's error type, keeping
// the offending path as the field.
func asErr(err error) error {
	var be *Error
	if errors.As(err, &be) {
		return &errs.Error{Code: be.Code, Field: be.Path, Message: be.Error()}
	}
	return err
}

// enterRound checks that the round exists and actor's organisation takes
// part in it; otherwise the round is not found, whoever asks.
func enterRound(ctx context.Context, q access.Querier, actor access.Actor, roundID string) error {
	if actor.Anonymous() {
		return errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(roundID) {
		return errs.NotFoundf("round")
	}
	c, err := access.RoundCapacity(ctx, q, actor, roundID)
	if err != nil {
		return err
	}
	if !c.Participates() {
		return errs.NotFoundf("round")
	}
	return nil
}

// requireCapacity refuses an actor whose organisation does not take part in
// the round as kind.
func requireCapacity(ctx context.Context, q access.Querier, actor access.Actor, roundID string, kind access.OrgKind, what string) error {
	c, err := access.RoundCapacity(ctx, q, actor, roundID)
	if err != nil {
		return err
	}
	if !c.In(kind) {
		return errs.New(errs.Forbidden, "only the %s of this round %s", kind, what)
	}
	return nil
}

// lockRound serialises writes to one round's analysis on PostgreSQL (SQLite
// has a single writer already), so that two profiles saved at once both
// enter the analysis stored last.
func (s *Service) lockRound(ctx context.Context, tx *sql.Tx, roundID string) error {
	if s.db.Dialect != store.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT id FROM rounds WHERE id = $1 FOR UPDATE", roundID)
	return err
}
