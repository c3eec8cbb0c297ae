// Package ceasefire is the ceasefire monitoring mechanism's working tool:
// reports of violations filed by parties, monitors, guarantors and the
// mediation; incidents that group the reports of one event; verification by
// the monitors with reasons, source reliability and attribution; evidence
// files with their SHA-256 in the ledger; answers of the accused; the map
// query, statistics, exports and a bulk import.
//
// Reports belong to a process, not a round: a ceasefire spans rounds.
// Audiences (docs/ceasefire.md):
//   - a report and its evidence: the monitors, the mediation and the
//     guarantors of the process, and the reporting organisation;
//   - an incident, its history and the answers: the same, and the
//     reporters of its reports; once published, every organisation of the
//     process (widened when one joins a round of it);
//   - zones: every organisation of the process.
//
// Every write is one ledger transaction; every read ANDs access.ReadableBy
// into its SQL.
package ceasefire

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Error codes of the package.
const (
	// BadTransition: a verification step the states do not allow.
	BadTransition = "bad_transition"
	// NotVerified: publishing an incident that has no finding yet.
	NotVerified = "not_verified"
	// InvalidImport: a CSV import with bad rows; nothing was written.
	InvalidImport = "invalid_import"
	// EvidenceTooLarge and EvidenceType refuse an evidence file.
	EvidenceTooLarge = "evidence_too_large"
	EvidenceType     = "evidence_type"
)

func init() {
	errs.Register(BadTransition, http.StatusConflict)
	errs.Register(NotVerified, http.StatusConflict)
	errs.Register(InvalidImport, http.StatusBadRequest)
	errs.Register(EvidenceTooLarge, http.StatusRequestEntityTooLarge)
	errs.Register(EvidenceType, http.StatusUnsupportedMediaType)
}

// The report's enumerations.
var (
	Types              = []string{"shelling", "air_strike", "armed_clash", "sniper_fire", "attack_on_civilians", "arrest_abduction", "aid_obstruction", "other"}
	TimePrecisions     = []string{"exact", "day", "week"}
	LocationPrecisions = []string{"exact", "near", "town", "admin2", "admin1"}
	Knowledges         = []string{"seen", "heard", "reported"}
	Platforms          = []string{"patrol", "fixed_camera", "drone", "witness", "other"}
	Reliabilities      = []string{"A", "B", "C", "D", "E", "F"}
	Attributions       = []string{"confirmed", "disputed"}
)

// The perpetrator or the affected when no organisation is named.
const (
	Unknown   = "unknown"
	Civilians = "civilians"
)

// Limits and defaults.
const (
	MaxNarrative      = 10000 // characters
	MaxName           = 200   // place and area names
	MaxReason         = 2000
	MaxAnswer         = 4000
	DefaultDistance   = 1000.0 // metres, for duplicates
	DefaultWindow     = 2 * time.Hour
	DefaultSimilarity = 0.2
	DefaultLimit      = 1000 // incidents a map query returns
	MaxLimit          = 10000
	MaxEvidence       = 100 << 20 // bytes
	MaxImport         = 32 << 20  // bytes of CSV
)

// The verification states.
const (
	Reported           = "reported"
	UnderReview        = "under_review"
	ConfirmedViolation = "confirmed_violation"
	NotAViolation      = "not_a_violation"
	Unverifiable       = "unverifiable"
	Duplicate          = "duplicate"
)

// Statuses lists the verification states in their order.
var Statuses = []string{Reported, UnderReview, ConfirmedViolation, NotAViolation, Unverifiable, Duplicate}

// transitions are the verification steps allowed from each state. A
// finding may be reopened for review, with a reason like every step.
var transitions = map[string][]string{
	Reported:           {UnderReview, Duplicate},
	UnderReview:        {ConfirmedViolation, NotAViolation, Unverifiable, Duplicate},
	ConfirmedViolation: {UnderReview},
	NotAViolation:      {UnderReview},
	Unverifiable:       {UnderReview},
	Duplicate:          {UnderReview},
}

// findings are the states a published incident may be in.
var findings = []string{ConfirmedViolation, NotAViolation, Unverifiable}

// Service is ceasefire monitoring over one database.
type Service struct {
	db    *store.DB
	led   *ledger.Ledger
	files *channel.FileStore
	now   func() time.Time

	intake intake
}

// New returns the service; evidence files are sealed into files.
func New(db *store.DB, led *ledger.Ledger, files *channel.FileStore) *Service {
	return &Service{db: db, led: led, files: files, now: time.Now}
}

// SetClock replaces the clock that decides what "in the future" is (tests
// and the demo's back-dated reports).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Estimate is a casualty count: low ≤ best ≤ high.
type Estimate struct {
	Low  int `json:"low"`
	Best int `json:"best"`
	High int `json:"high"`
}

// event appends one ceasefire event whose content is the canonical JSON of
// v (encoding/json sorts map keys and keeps struct order).
func event(ctx context.Context, rec *ledger.Recorder, actor access.Actor, typ, objType, objID string, aud access.Audience, v any) (ledger.Event, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return ledger.Event{}, fmt.Errorf("%s content: %w", typ, err)
	}
	return rec.Append(ctx, ledger.Event{Type: typ, Actor: actor, ObjectType: objType, ObjectID: objID, Audience: aud, Content: b})
}

// capacity reads the actor's capacity in the process; an unknown process
// and one the actor takes no part in are both not found.
func capacity(ctx context.Context, q access.Querier, actor access.Actor, processID string) (access.Capacity, error) {
	if !store.ValidID(processID) || actor.Anonymous() {
		return access.Capacity{}, errs.NotFoundf("process")
	}
	c, err := access.ProcessCapacity(ctx, q, actor, processID)
	if err != nil {
		return c, err
	}
	if !c.Participates() {
		return c, errs.NotFoundf("process")
	}
	return c, nil
}

// mechanismKinds are the capacities in which organisations read every
// report and incident of their process: the monitors, the mediation and
// the guarantors. reporterKinds are those that file reports.
var (
	mechanismKinds = []access.OrgKind{access.Monitor, access.Mediation, access.Guarantor}
	reporterKinds  = []access.OrgKind{access.Party, access.Monitor, access.Guarantor, access.Mediation}
)

// incidentRule is the audience of incidents as a rule (incidentAudience,
// Joined): the mechanism reads every incident of its process, a reporter
// its own, every organisation of the process the published ones. The map
// reads by it (access.ReadableByRule) instead of probing the audience
// table for every row.
var incidentRule = access.ProcessRule{Readers: mechanismKinds, Authors: reporterKinds, Published: "i.published", Reporter: "i.reporter"}

// mechanism is the audience every report has: the monitors, the mediation
// and the guarantors of the process.
func mechanism(ctx context.Context, q access.Querier, processID string) (access.Audience, error) {
	return access.ProcessOrgs(ctx, q, processID, mechanismKinds...)
}

// incidentAudience is who reads an incident now: the mechanism, the
// reporters of its reports, and every organisation of the process once it
// is published.
func incidentAudience(ctx context.Context, tx *sql.Tx, processID, incidentID string, published bool) (access.Audience, error) {
	aud, err := mechanism(ctx, tx, processID)
	if err != nil {
		return nil, err
	}
	if published {
		all, err := access.ProcessOrgs(ctx, tx, processID)
		if err != nil {
			return nil, err
		}
		aud = append(aud, all...)
	}
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT org_id FROM ceasefire_reports WHERE incident_id = $1", incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		aud = append(aud, o)
	}
	return aud.Normalize(), rows.Err()
}

// readTx runs fn in a read-only transaction: one snapshot per answer.
func (s *Service) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.db.Dialect == store.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.R.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// Cell is the 0.25-degree grid square of a point, the key of the map
// query's index.
func Cell(lat, lon float64) int64 {
	return cellOf(latRow(lat), lonCol(lon))
}

const cellsPerDegree = 4

func latRow(lat float64) int64 { return int64(math.Floor((lat + 90) * cellsPerDegree)) }
func lonCol(lon float64) int64 { return int64(math.Floor((lon + 180) * cellsPerDegree)) }
func cellOf(row, col int64) int64 {
	return row*(360*cellsPerDegree+1) + col
}

// cellsIn lists the grid squares a bounding box covers, or nil when there
// are more than max of them (the query then leaves the squares out).
func cellsIn(b BBox, max int) []int64 {
	r0, r1 := latRow(b.MinLat), latRow(b.MaxLat)
	c0, c1 := lonCol(b.MinLon), lonCol(b.MaxLon)
	if (r1-r0+1)*(c1-c0+1) > int64(max) {
		return nil
	}
	var out []int64
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			out = append(out, cellOf(r, c))
		}
	}
	return out
}

func oneOf(v string, set []string) bool { return slices.Contains(set, v) }

// Allowed says what the actor may do in a process's ceasefire monitoring,
// for the pages to offer only that.
type Allowed struct {
	Report  bool // file reports and evidence
	Monitor bool // verify, merge, split, publish, review duplicates
	Zones   bool // import zones
	Summary bool // switch the public summary
}

// OrgRef names an organisation of the process.
type OrgRef struct {
	ID, Name string
	Kind     access.OrgKind
}

// Participation reads what actor may do in the process and the
// organisations taking part in it; a process the actor takes no part in
// is not found.
func (s *Service) Participation(ctx context.Context, actor access.Actor, processID string) (Allowed, []OrgRef, error) {
	c, err := capacity(ctx, s.db.R, actor, processID)
	if err != nil {
		return Allowed{}, nil, err
	}
	al := Allowed{Report: mayReport(c) == nil, Monitor: c.In(access.Monitor), Zones: c.In(access.Mediation, access.Monitor), Summary: c.Mediates()}
	ids, err := access.ProcessOrgs(ctx, s.db.R, processID)
	if err != nil {
		return al, nil, err
	}
	var orgs []OrgRef
	for _, id := range ids {
		var o OrgRef
		if err := s.db.R.QueryRowContext(ctx, "SELECT id, name, kind FROM orgs WHERE id = $1", id).Scan(&o.ID, &o.Name, &o.Kind); err != nil {
			return al, nil, err
		}
		orgs = append(orgs, o)
	}
	slices.SortFunc(orgs, func(a, b OrgRef) int { return strings.Compare(a.Name, b.Name) })
	return al, orgs, nil
}
