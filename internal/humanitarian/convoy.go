package humanitarian

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Item is one line of a convoy: what was asked for and what became of it.
// A quantity that no step has set yet is nil.
type Item struct {
	Name, Unit string
	Requested  Quantity
	Approved   *Quantity // the least any party that answered approved
	Loaded     *Quantity
	Removed    Quantity // at checkpoints, in total
	Delivered  *Quantity
}

// Approval is one party's approval a convoy needs. Decision is pending
// until the party answers, and no_answer once its deadline passed without
// an answer: computed when read, never stored, and final (a late answer is
// refused).
type Approval struct {
	Party     string
	Due       time.Time
	Decision  string
	DecidedAt time.Time
	Reason    string
}

// StepItem is an item quantity a step names: approved, loaded, removed or
// delivered, by the step.
type StepItem struct {
	Name     string   `json:"name"`
	Quantity Quantity `json:"quantity"`
	Reason   string   `json:"reason,omitempty"`
}

// Step is one recorded step of a convoy, request included.
type Step struct {
	ID, Step string
	// Outcome is the decision of an approval or the outcome of a
	// checkpoint.
	Outcome    string
	Checkpoint string
	// ByOrg is who held or removed items at a checkpoint, when known.
	ByOrg       string
	Reason      string
	Items       []StepItem
	At          time.Time
	ActorUser   string
	ActorOrg    string
	LedgerIndex int64
}

// Convoy is a convoy request and what became of it.
type Convoy struct {
	ID, ProcessID, LocationID, LocationName string
	Agency                                  string // the requesting agency's organisation id
	State                                   string
	Route                                   []string
	Passed                                  int // checkpoints of the route passed
	Items                                   []Item
	Approvals                               []Approval
	Steps                                   []Step
	RequestedAt                             time.Time
	// ApprovalTime is how long the approvals took, from the request to
	// the last answer; nil while some are awaited.
	ApprovalTime *time.Duration
	DeliveredAt  time.Time // zero until something was delivered
	LedgerIndex  int64
}

// NewItem is one line of a convoy request.
type NewItem struct {
	Name      string
	Unit      string
	Requested float64
}

// NewApproval is one approval a convoy request names.
type NewApproval struct {
	Party string
	Due   time.Time
}

// NewConvoy is the input of RequestConvoy.
type NewConvoy struct {
	Destination string // a location id
	Items       []NewItem
	Route       []string
	Approvals   []NewApproval
}

func (in *NewConvoy) validate() ([]Quantity, error) {
	if len(in.Items) == 0 || len(in.Items) > MaxItems {
		return nil, errs.Field("items", "a convoy carries between 1 and %d items", MaxItems)
	}
	qs := make([]Quantity, len(in.Items))
	seen := map[string]bool{}
	for i := range in.Items {
		it := &in.Items[i]
		var err error
		if it.Name, err = text(fmt.Sprintf("items[%d].name", i), it.Name, 1, MaxName); err != nil {
			return nil, err
		}
		if seen[it.Name] {
			return nil, errs.Field(fmt.Sprintf("items[%d].name", i), "the item %q is listed twice", it.Name)
		}
		seen[it.Name] = true
		if err := oneOf(fmt.Sprintf("items[%d].unit", i), it.Unit, Units); err != nil {
			return nil, err
		}
		f := fmt.Sprintf("items[%d].requested", i)
		if qs[i], err = ParseQuantity(f, it.Requested); err != nil {
			return nil, err
		}
		if qs[i] == 0 {
			return nil, errs.Field(f, "%s must be more than zero", f)
		}
	}
	if in.Route == nil {
		// No route is an empty one, in the event as in the rows.
		in.Route = []string{}
	}
	if len(in.Route) > MaxRoute {
		return nil, errs.Field("route", "a route has at most %d checkpoints", MaxRoute)
	}
	for i := range in.Route {
		var err error
		if in.Route[i], err = text(fmt.Sprintf("route[%d]", i), in.Route[i], 1, MaxName); err != nil {
			return nil, err
		}
	}
	if len(in.Approvals) == 0 || len(in.Approvals) > 10 {
		return nil, errs.Field("approvals", "a convoy needs between 1 and 10 approvals")
	}
	parties := map[string]bool{}
	for i, a := range in.Approvals {
		if parties[a.Party] {
			return nil, errs.Field(fmt.Sprintf("approvals[%d].party", i), "the party is named twice")
		}
		parties[a.Party] = true
		if a.Due.IsZero() {
			return nil, errs.Field(fmt.Sprintf("approvals[%d].due", i), "an approval needs a deadline")
		}
	}
	return qs, nil
}

// RequestConvoy records an agency's request for a convoy to a location of
// the process. Its audience is the agency, the mediation, the parties named
// in its approvals and the party controlling the destination.
func (s *Service) RequestConvoy(ctx context.Context, actor access.Actor, processID string, in NewConvoy) (cv Convoy, err error) {
	defer errs.Wrap(&err, "humanitarian.RequestConvoy")
	qs, err := in.validate()
	if err != nil {
		return cv, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := capacity(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !c.In(access.Agency) {
			return errs.New(errs.Forbidden, "only an agency requests convoys")
		}
		loc, err := s.location(ctx, tx, actor, in.Destination)
		if err != nil || loc.ProcessID != processID {
			if err == nil || errs.Code(err) == errs.NotFound {
				return errs.Field("destination", "destination is not a location of this process")
			}
			return err
		}
		for i, a := range in.Approvals {
			if err := orgInProcess(ctx, tx, processID, fmt.Sprintf("approvals[%d].party", i), a.Party, access.Party); err != nil {
				return err
			}
		}
		mediation, err := access.ProcessOrgs(ctx, tx, processID, access.Mediation)
		if err != nil {
			return err
		}
		aud := append(slices.Clone(mediation), actor.Org)
		for _, a := range in.Approvals {
			aud = append(aud, a.Party)
		}
		if loc.ControlledBy != "" {
			aud = append(aud, loc.ControlledBy)
		}
		aud = access.Of(aud...)

		at := s.clock()
		cv = Convoy{ID: store.NewID(), ProcessID: processID, LocationID: loc.ID, LocationName: loc.Name, Agency: actor.Org,
			State: StateRequested, Route: in.Route, RequestedAt: at}
		var stepItems []StepItem
		for i, it := range in.Items {
			cv.Items = append(cv.Items, Item{Name: it.Name, Unit: it.Unit, Requested: qs[i]})
			stepItems = append(stepItems, StepItem{Name: it.Name, Quantity: qs[i]})
		}
		for _, a := range in.Approvals {
			cv.Approvals = append(cv.Approvals, Approval{Party: a.Party, Due: a.Due.UTC().Truncate(time.Second), Decision: Pending})
		}
		ev, err := event(ctx, rec, actor, at, "convoy.requested", "convoy", cv.ID, aud, requestContent(cv))
		if err != nil {
			return err
		}
		cv.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO hum_convoys(id, process_id, location_id, agency_org, state, requested_at,
			requested_by, updated_at, ledger_idx) VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8)`,
			cv.ID, processID, loc.ID, actor.Org, StateRequested, store.Stamp(at), actor.User, ev.Index); err != nil {
			return err
		}
		if err := rec.Grant(cv.ID, aud); err != nil {
			return err
		}
		for i, it := range cv.Items {
			if _, err := tx.ExecContext(ctx, "INSERT INTO hum_convoy_items(convoy_id, pos, name, unit, requested) VALUES ($1, $2, $3, $4, $5)",
				cv.ID, i, it.Name, it.Unit, int64(it.Requested)); err != nil {
				return err
			}
			if err := addItemFigures(ctx, tx, loc.ID, it.Name, it.Unit, "requested", it.Requested); err != nil {
				return err
			}
		}
		for i, name := range cv.Route {
			if _, err := tx.ExecContext(ctx, "INSERT INTO hum_convoy_route(convoy_id, pos, name) VALUES ($1, $2, $3)", cv.ID, i, name); err != nil {
				return err
			}
		}
		for i, a := range cv.Approvals {
			if _, err := tx.ExecContext(ctx, "INSERT INTO hum_approvals(convoy_id, party_org, process_id, location_id, pos, due) VALUES ($1, $2, $3, $4, $5, $6)",
				cv.ID, a.Party, processID, loc.ID, i, store.Stamp(a.Due)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE hum_locations SET convoys = convoys + 1 WHERE id = $1", loc.ID); err != nil {
			return err
		}
		if err := moveState(ctx, tx, loc.ID, "", StateRequested); err != nil {
			return err
		}
		st := Step{ID: store.NewID(), Step: StepRequest, Items: stepItems, At: at, ActorUser: actor.User, ActorOrg: actor.Org, LedgerIndex: ev.Index}
		if err := insertStep(ctx, tx, rec, cv.ID, 1, st, aud); err != nil {
			return err
		}
		cv.Steps = []Step{st}
		return nil
	})
	return cv, err
}

// requestContent is the content of a convoy's convoy.requested event: its
// process, destination, items (name, unit, quantity requested), route and
// approvals (party, deadline). parley verify rebuilds it from the convoy's
// rows (itemkinds.go).
func requestContent(cv Convoy) map[string]any {
	items := make([]map[string]any, 0, len(cv.Items))
	for _, it := range cv.Items {
		items = append(items, map[string]any{"name": it.Name, "unit": it.Unit, "requested": it.Requested.Float()})
	}
	approvals := make([]map[string]any, 0, len(cv.Approvals))
	for _, a := range cv.Approvals {
		approvals = append(approvals, map[string]any{"party": a.Party, "due": stamp(a.Due)})
	}
	return map[string]any{"process_id": cv.ProcessID, "destination": cv.LocationID, "items": items, "route": cv.Route, "approvals": approvals}
}

// addItemFigures adds q to one figure (column) of the location's item.
func addItemFigures(ctx context.Context, tx *sql.Tx, locID, name, unit, column string, q Quantity) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO hum_location_items(location_id, name, unit, `+column+`) VALUES ($1, $2, $3, $4)
		ON CONFLICT (location_id, name, unit) DO UPDATE SET `+column+` = hum_location_items.`+column+` + excluded.`+column,
		locID, name, unit, int64(q))
	return err
}

// moveState moves one convoy of the location from one state to another in
// the dashboard's counts ("" for none).
func moveState(ctx context.Context, tx *sql.Tx, locID, from, to string) error {
	if from != "" {
		if _, err := tx.ExecContext(ctx, "UPDATE hum_location_states SET n = n - 1 WHERE location_id = $1 AND state = $2", locID, from); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO hum_location_states(location_id, state, n) VALUES ($1, $2, 1)
		ON CONFLICT (location_id, state) DO UPDATE SET n = hum_location_states.n + 1`, locID, to)
	return err
}

// addObstacle counts one obstacle at the location.
func addObstacle(ctx context.Context, tx *sql.Tx, locID, kind, org, checkpoint string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO hum_obstacles(location_id, kind, org_id, checkpoint, n) VALUES ($1, $2, $3, $4, 1)
		ON CONFLICT (location_id, kind, org_id, checkpoint) DO UPDATE SET n = hum_obstacles.n + 1`, locID, kind, org, checkpoint)
	return err
}

func insertStep(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, convoyID string, seq int, st Step, aud access.Audience) error {
	items, err := json.Marshal(st.Items)
	if err != nil {
		return err
	}
	if st.Items == nil {
		items = []byte("[]")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO hum_steps(id, convoy_id, seq, step, outcome, checkpoint, by_org, reason, items, at,
		actor_user, actor_org, ledger_idx) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		st.ID, convoyID, seq, st.Step, st.Outcome, st.Checkpoint, st.ByOrg, st.Reason, string(items), store.Stamp(st.At),
		st.ActorUser, st.ActorOrg, st.LedgerIndex); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE hum_convoys SET steps = $1, updated_at = $2 WHERE id = $3", seq, store.Stamp(st.At), convoyID); err != nil {
		return err
	}
	return rec.Grant(st.ID, aud)
}

const convoyColumns = `c.id, c.process_id, c.location_id, l.name, c.agency_org, c.state, c.passed, c.requested_at,
	c.approval_us, c.delivered_at, c.ledger_idx, c.steps`

func scanConvoy(sc interface{ Scan(...any) error }) (Convoy, int, error) {
	var cv Convoy
	var req int64
	var appr, del sql.NullInt64
	var steps int
	err := sc.Scan(&cv.ID, &cv.ProcessID, &cv.LocationID, &cv.LocationName, &cv.Agency, &cv.State, &cv.Passed, &req,
		&appr, &del, &cv.LedgerIndex, &steps)
	cv.RequestedAt = store.Time(req)
	if appr.Valid {
		d := time.Duration(appr.Int64) * time.Microsecond
		cv.ApprovalTime = &d
	}
	if del.Valid {
		cv.DeliveredAt = store.Time(del.Int64)
	}
	return cv, steps, err
}

// convoy reads one convoy the actor may read, with its items, route and
// approvals (not its steps); steps is the number recorded.
func (s *Service) convoy(ctx context.Context, q access.Querier, actor access.Actor, id string) (Convoy, int, error) {
	if actor.Anonymous() {
		return Convoy{}, 0, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(id) {
		return Convoy{}, 0, errs.NotFoundf("convoy")
	}
	cond, arg := access.ReadableBy(actor, "c.id", 2)
	cv, steps, err := scanConvoy(q.QueryRowContext(ctx, "SELECT "+convoyColumns+
		" FROM hum_convoys c JOIN hum_locations l ON l.id = c.location_id WHERE c.id = $1 AND "+cond, id, arg))
	if err == sql.ErrNoRows {
		return cv, 0, errs.NotFoundf("convoy")
	}
	if err != nil {
		return cv, 0, err
	}
	// The lines, the route and the approvals are the convoy's content,
	// read through its id's audience like the convoy itself.
	through := func(alias string) string {
		c, _ := access.ReadableBy(actor, alias+".convoy_id", 2)
		return c
	}
	rows, err := q.QueryContext(ctx, `SELECT i.name, i.unit, i.requested, i.approved, i.loaded, i.removed, i.delivered
		FROM hum_convoy_items i WHERE i.convoy_id = $1 AND `+through("i")+` ORDER BY i.pos`, idArgs(id, arg)...)
	if err != nil {
		return cv, 0, err
	}
	for rows.Next() {
		var it Item
		var req, rem int64
		var appr, load, del sql.NullInt64
		if err := rows.Scan(&it.Name, &it.Unit, &req, &appr, &load, &rem, &del); err != nil {
			rows.Close()
			return cv, 0, err
		}
		it.Requested, it.Removed = Quantity(req), Quantity(rem)
		it.Approved, it.Loaded, it.Delivered = nullQuantity(appr), nullQuantity(load), nullQuantity(del)
		cv.Items = append(cv.Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cv, 0, err
	}
	rows, err = q.QueryContext(ctx, "SELECT r.name FROM hum_convoy_route r WHERE r.convoy_id = $1 AND "+through("r")+" ORDER BY r.pos", idArgs(id, arg)...)
	if err != nil {
		return cv, 0, err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return cv, 0, err
		}
		cv.Route = append(cv.Route, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cv, 0, err
	}
	rows, err = q.QueryContext(ctx, `SELECT a.party_org, a.due, a.decision, a.decided_at, a.reason FROM hum_approvals a
		WHERE a.convoy_id = $1 AND `+through("a")+` ORDER BY a.pos`, idArgs(id, arg)...)
	if err != nil {
		return cv, 0, err
	}
	defer rows.Close()
	now := s.clock()
	for rows.Next() {
		var a Approval
		var due, dec int64
		if err := rows.Scan(&a.Party, &due, &a.Decision, &dec, &a.Reason); err != nil {
			return cv, 0, err
		}
		a.Due = store.Time(due)
		if dec > 0 {
			a.DecidedAt = store.Time(dec)
		}
		if a.Decision == Pending && now.After(a.Due) {
			a.Decision = NoAnswer
		}
		cv.Approvals = append(cv.Approvals, a)
	}
	return cv, steps, rows.Err()
}

func idArgs(id string, arg any) []any { return []any{id, arg} }

// Convoy returns one convoy with its items, approvals and steps, or not
// found when the actor may not read it.
func (s *Service) Convoy(ctx context.Context, actor access.Actor, id string) (cv Convoy, err error) {
	defer errs.Wrap(&err, "humanitarian.Convoy")
	cv, _, err = s.convoy(ctx, s.db.R, actor, id)
	if err != nil {
		return cv, err
	}
	cond, arg := access.ReadableBy(actor, "st.id", 2)
	rows, err := s.db.R.QueryContext(ctx, `SELECT st.id, st.step, st.outcome, st.checkpoint, st.by_org, st.reason, st.items, st.at,
		st.actor_user, st.actor_org, st.ledger_idx FROM hum_steps st WHERE st.convoy_id = $1 AND `+cond+` ORDER BY st.seq`, id, arg)
	if err != nil {
		return cv, err
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		var items string
		var at int64
		if err := rows.Scan(&st.ID, &st.Step, &st.Outcome, &st.Checkpoint, &st.ByOrg, &st.Reason, &items, &at,
			&st.ActorUser, &st.ActorOrg, &st.LedgerIndex); err != nil {
			return cv, err
		}
		st.At = store.Time(at)
		if err := json.Unmarshal([]byte(items), &st.Items); err != nil {
			return cv, fmt.Errorf("step %s items: %w", st.ID, err)
		}
		cv.Steps = append(cv.Steps, st)
	}
	return cv, rows.Err()
}

// ConvoySummary is one convoy of a list.
type ConvoySummary struct {
	ID, LocationID, LocationName, Agency, State string
	RequestedAt                                 time.Time
	ApprovalTime                                *time.Duration
	DeliveredAt                                 time.Time
}

// MaxList is how many convoys a list returns, newest first.
const MaxList = 200

// Convoys lists the newest convoys of the process the actor may read, at
// most MaxList; location narrows it to one location when not empty.
func (s *Service) Convoys(ctx context.Context, actor access.Actor, processID, location string) (out []ConvoySummary, err error) {
	defer errs.Wrap(&err, "humanitarian.Convoys")
	if _, err := capacity(ctx, s.db.R, actor, processID); err != nil {
		return nil, err
	}
	cond, arg := access.ReadableBy(actor, "c.id", 2)
	q := "SELECT " + convoyColumns + " FROM hum_convoys c JOIN hum_locations l ON l.id = c.location_id WHERE c.process_id = $1 AND " + cond
	args := []any{processID, arg}
	if location != "" {
		q += " AND c.location_id = $3"
		args = append(args, location)
	}
	rows, err := s.db.R.QueryContext(ctx, q+fmt.Sprintf(" ORDER BY c.requested_at DESC, c.id DESC LIMIT %d", MaxList), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		cv, _, err := scanConvoy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ConvoySummary{ID: cv.ID, LocationID: cv.LocationID, LocationName: cv.LocationName, Agency: cv.Agency,
			State: cv.State, RequestedAt: cv.RequestedAt, ApprovalTime: cv.ApprovalTime, DeliveredAt: cv.DeliveredAt})
	}
	return out, rows.Err()
}
