// Package humanitarian is parley's humanitarian access (issue 13,
// docs/humanitarian.md): besieged and hard-to-reach locations, the convoys
// requested for them and every step each one takes from request to
// delivery, the round's commitments ("access to Madaya every 14 days") and
// the dashboard that checks the commitments against what reached people.
//
// Every write is one ledger transaction; every read ANDs access.ReadableBy
// into its SQL. A convoy and its steps are read by the requesting agency,
// the mediation, the parties named in its approvals and the party that
// controls its destination. Locations, commitments and the dashboard's
// figures are read by every organisation taking part in the process except
// the observers, who read the dashboard's public summary once the mediation
// switches it on.
package humanitarian

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// CodeInvalidTransition is the code of a step the convoy's state does not
// allow; the message names the current state.
const CodeInvalidTransition = "invalid_transition"

func init() {
	errs.Register(CodeInvalidTransition, 409)
}

// Service is humanitarian access over one database.
type Service struct {
	db  *store.DB
	led *ledger.Ledger
	now func() time.Time
}

// New returns the service. Writes go through led.
func New(db *store.DB, led *ledger.Ledger) *Service {
	return &Service{db: db, led: led, now: time.Now}
}

// SetClock replaces the clock that stamps steps and decides deadlines: the
// demo writes a history that spans weeks, and tests move time on.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Location statuses (OCHA's definitions).
const (
	Besieged    = "besieged"
	HardToReach = "hard_to_reach"
	Accessible  = "accessible"
)

// Statuses lists the location statuses.
var Statuses = []string{Besieged, HardToReach, Accessible}

// Units is the fixed list of units an item is counted in.
var Units = []string{"t", "kg", "l", "kit", "carton", "box", "pallet", "dose", "person", "household"}

// Convoy states. A convoy starts requested; the approvals move it to
// approved, partially_approved or denied; then dispatched, held at a
// checkpoint (and released), and finally delivered, partially_delivered or
// turned_back.
const (
	StateRequested          = "requested"
	StateApproved           = "approved"
	StatePartiallyApproved  = "partially_approved"
	StateDenied             = "denied"
	StateDispatched         = "dispatched"
	StateHeld               = "held"
	StateDelivered          = "delivered"
	StatePartiallyDelivered = "partially_delivered"
	StateTurnedBack         = "turned_back"
)

// States lists the convoy states in the order a convoy goes through them.
var States = []string{StateRequested, StateApproved, StatePartiallyApproved, StateDenied, StateDispatched,
	StateHeld, StateDelivered, StatePartiallyDelivered, StateTurnedBack}

// Step kinds.
const (
	StepRequest    = "request"
	StepApproval   = "approval"
	StepDispatched = "dispatched"
	StepCheckpoint = "checkpoint"
	// The final steps share their names with the states they lead to.
	StepDelivered          = StateDelivered
	StepPartiallyDelivered = StatePartiallyDelivered
	StepTurnedBack         = StateTurnedBack
)

// StepKinds lists the steps a caller records (the request is the convoy's
// creation).
var StepKinds = []string{StepApproval, StepDispatched, StepCheckpoint, StepDelivered, StepPartiallyDelivered, StepTurnedBack}

// Approval decisions; Pending and NoAnswer are never given, they are what
// an approval is before its party answers, before and after its deadline.
const (
	Approved          = "approved"
	PartiallyApproved = "partially_approved"
	Denied            = "denied"
	Pending           = "pending"
	NoAnswer          = "no_answer"
)

// Decisions lists the decisions a party gives.
var Decisions = []string{Approved, PartiallyApproved, Denied}

// Checkpoint outcomes.
const (
	Passed       = "passed"
	Held         = "held"
	ItemsRemoved = "items_removed"
)

// Outcomes lists the checkpoint outcomes.
var Outcomes = []string{Passed, Held, ItemsRemoved}

// Obstacle kinds on the dashboard: a denial or a missing answer by a party,
// a hold or a removal at a checkpoint.
const (
	ObstacleDenied   = "denied"
	ObstacleNoAnswer = "no_answer"
	ObstacleHeld     = "held"
	ObstacleRemoved  = "items_removed"
)

// Limits of the inputs.
const (
	MaxName     = 200
	MaxReason   = 2000
	MaxItems    = 50
	MaxRoute    = 30
	MaxPolygon  = 200_000 // bytes of GeoJSON
	MaxQuantity = 1e9     // of any unit
)

// Quantity is an amount of an item's unit. It is stored in thousandths of
// the unit, so that sums and comparisons are exact; JSON carries it as a
// number.
type Quantity int64

// Float is the quantity in its unit.
func (q Quantity) Float() float64 { return float64(q) / 1000 }

// MarshalJSON writes the quantity as a number of its unit.
func (q Quantity) MarshalJSON() ([]byte, error) { return json.Marshal(q.Float()) }

// UnmarshalJSON reads a number of the unit, as MarshalJSON writes it.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*q = Quantity(math.Round(f * 1000))
	return nil
}

// String is the quantity as the pages and exports write it.
func (q Quantity) String() string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", q.Float()), "0"), ".")
}

// ParseQuantity checks a quantity given for field: a finite number, not
// negative, at most MaxQuantity, kept to three decimals.
func ParseQuantity(field string, v float64) (Quantity, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errs.Field(field, "%s must be a number", field)
	}
	if v < 0 {
		return 0, errs.Field(field, "%s must not be negative", field)
	}
	if v > MaxQuantity {
		return 0, errs.Field(field, "%s is larger than %g", field, float64(MaxQuantity))
	}
	return Quantity(math.Round(v * 1000)), nil
}

func nullQuantity(n sql.NullInt64) *Quantity {
	if !n.Valid {
		return nil
	}
	q := Quantity(n.Int64)
	return &q
}

// text validates a free-text field: valid UTF-8, no control characters
// but new lines and tabs, trimmed, between min and max characters.
func text(field, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", errs.Field(field, "%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		return "", errs.Field(field, "%s is required", field)
	}
	if n > max {
		return "", errs.Field(field, "%s is longer than %d characters", field, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return "", errs.Field(field, "%s contains a control character", field)
		}
	}
	return v, nil
}

func oneOf(field, v string, allowed []string) error {
	if !slices.Contains(allowed, v) {
		return errs.Field(field, "%s must be one of %s", field, strings.Join(allowed, ", "))
	}
	return nil
}

// event appends one event; its content is canonical JSON (encoding/json
// sorts map keys). Convoy events name the convoy as their object.
func event(ctx context.Context, rec *ledger.Recorder, actor access.Actor, at time.Time, typ, objType, objID string, aud access.Audience, content map[string]any) (ledger.Event, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return ledger.Event{}, fmt.Errorf("%s content: %w", typ, err)
	}
	return rec.Append(ctx, ledger.Event{
		Type: typ, Actor: actor, At: at,
		ObjectType: objType, ObjectID: objID,
		Audience: aud, Content: b,
	})
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// clock is the service's clock, truncated as the ledger truncates event
// times.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// figuresAudience is who reads a process's locations, commitments and the
// dashboard's figures: every organisation taking part in the process but
// its observers.
func figuresAudience(ctx context.Context, q access.Querier, processID string) (access.Audience, error) {
	return access.ProcessOrgs(ctx, q, processID, access.Host, access.Mediation, access.Party, access.Guarantor, access.Monitor, access.Agency)
}

// capacity reads the actor's capacity in the process; a process it takes
// no part in, or that does not exist, is not found.
func capacity(ctx context.Context, q access.Querier, actor access.Actor, processID string) (access.Capacity, error) {
	if actor.Anonymous() {
		return access.Capacity{}, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(processID) {
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

// dashboardItem returns the audience item of the process's dashboard,
// creating it (with the figures' audience) on the process's first write,
// with its event (humanitarian.dashboard_created), in the write's
// transaction.
func dashboardItem(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, processID string, at time.Time) (string, access.Audience, error) {
	aud, err := figuresAudience(ctx, tx, processID)
	if err != nil {
		return "", nil, err
	}
	var id string
	err = tx.QueryRowContext(ctx, "SELECT dashboard_id FROM hum_processes WHERE process_id = $1", processID).Scan(&id)
	if err == nil {
		return id, aud, nil
	}
	if err != sql.ErrNoRows {
		return "", nil, err
	}
	id = store.NewID()
	ev, err := event(ctx, rec, actor, at, "humanitarian.dashboard_created", DashboardObject, id, aud, dashboardContent(processID))
	if err != nil {
		return "", nil, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO hum_processes(process_id, dashboard_id, updated_at, dashboard_idx) VALUES ($1, $2, $3, $4)",
		processID, id, store.Stamp(at), ev.Index); err != nil {
		return "", nil, err
	}
	return id, aud, rec.Grant(id, aud)
}

// DashboardObject is the object-type of the events that made a dashboard's
// audience item (its id is the object-id). The public summary's switches
// are about the "dashboard" object (the same id): their audience, every
// organisation of the process, is wider than the dashboard's.
const DashboardObject = "humanitarian_dashboard"

// dashboardContent is the content of the event that made a dashboard,
// rebuilt from its row by parley verify (itemkinds.go).
func dashboardContent(processID string) map[string]any {
	return map[string]any{"process_id": processID}
}

// RecordDashboards gives each dashboard made by an earlier version, which
// made it without an event, its event: humanitarian.dashboard_recorded,
// with the audience its rows have now, one transaction each. The server
// runs it at start; it returns how many it recorded. A dashboard that has
// an event about it already is left as it is (verify reports its missing
// index), so that clearing the column cannot have a widened audience
// recorded.
func (s *Service) RecordDashboards(ctx context.Context) (n int, err error) {
	defer errs.Wrap(&err, "humanitarian.RecordDashboards")
	const legacy = `SELECT p.process_id, p.dashboard_id FROM hum_processes p WHERE p.dashboard_idx IS NULL
		AND NOT EXISTS (SELECT 1 FROM events e WHERE e.object_type = '` + DashboardObject + `' AND e.object_id = p.dashboard_id)`
	rows, err := s.db.R.QueryContext(ctx, legacy)
	if err != nil {
		return 0, err
	}
	var todo [][2]string
	for rows.Next() {
		var p, d string
		if err := rows.Scan(&p, &d); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, [2]string{p, d})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, t := range todo {
		err := s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			aud, err := access.AudienceOf(ctx, tx, t[1])
			if err != nil {
				return err
			}
			ev, err := event(ctx, rec, access.System, s.clock(), "humanitarian.dashboard_recorded", DashboardObject, t[1], aud, dashboardContent(t[0]))
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "UPDATE hum_processes SET dashboard_idx = $1 WHERE process_id = $2 AND dashboard_idx IS NULL", ev.Index, t[0])
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// orgInProcess checks that org takes part in the process in one of kinds,
// for the organisation ids an input names (field).
func orgInProcess(ctx context.Context, q access.Querier, processID, field, org string, kinds ...access.OrgKind) error {
	orgs, err := access.ProcessOrgs(ctx, q, processID, kinds...)
	if err != nil {
		return err
	}
	if !slices.Contains(orgs, org) {
		return errs.Field(field, "%s is not an organisation of this process that may be named here", field)
	}
	return nil
}
