package humanitarian

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// StepItemInput is one item quantity of a step: approved, loaded, removed
// or delivered, depending on the step. A nil Quantity is a missing one.
type StepItemInput struct {
	Name     string
	Quantity *float64
	Reason   string
}

// StepInput is the input of RecordStep.
type StepInput struct {
	Step       string
	Decision   string // approval
	Checkpoint string // checkpoint
	Outcome    string // checkpoint
	By         string // checkpoint: the organisation holding it, optional
	Reason     string
	Items      []StepItemInput // approval (approved), dispatched (loaded), delivery (delivered)
	Removed    []StepItemInput // checkpoint with items_removed
}

// quantityField is the name a step's item quantities take in the input.
func quantityField(step string) string {
	switch step {
	case StepApproval:
		return "approved"
	case StepDispatched:
		return "loaded"
	}
	return "delivered"
}

func invalidTransition(cv Convoy, format string, args ...any) error {
	return errs.New(CodeInvalidTransition, "the convoy is %s: %s", cv.State, fmt.Sprintf(format, args...))
}

// RecordStep records one step of a convoy and returns the convoy as it
// stands after it. Who may record it: the approval by a head of a party
// named in the approvals; every other step by the requesting agency. A
// convoy the actor may not read is not found; a step it is not entitled to
// is forbidden; a step the convoy's state does not allow is
// invalid_transition (409), naming the state; a quantity out of bounds is
// invalid, naming the field.
func (s *Service) RecordStep(ctx context.Context, actor access.Actor, convoyID string, in StepInput) (cv Convoy, err error) {
	defer errs.Wrap(&err, "humanitarian.RecordStep")
	if err := oneOf("step", in.Step, StepKinds); err != nil {
		return cv, err
	}
	if in.Reason, err = text("reason", in.Reason, 0, MaxReason); err != nil {
		return cv, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		cur, seq, err := s.convoy(ctx, tx, actor, convoyID)
		if err != nil {
			return err
		}
		c, err := capacity(ctx, tx, actor, cur.ProcessID)
		if err != nil {
			return err
		}
		w := &stepWrite{s: s, tx: tx, rec: rec, actor: actor, cv: cur, at: s.clock(), seq: seq + 1}
		if w.aud, err = access.AudienceOf(ctx, tx, cur.ID); err != nil {
			return err
		}
		switch in.Step {
		case StepApproval:
			err = w.approval(ctx, c, in)
		case StepDispatched:
			err = w.dispatched(ctx, in)
		case StepCheckpoint:
			err = w.checkpoint(ctx, in)
		default:
			err = w.arrival(ctx, in)
		}
		return err
	})
	if err != nil {
		return cv, err
	}
	return s.Convoy(ctx, actor, convoyID)
}

// stepWrite is one step being written.
type stepWrite struct {
	s     *Service
	tx    *sql.Tx
	rec   *ledger.Recorder
	actor access.Actor
	cv    Convoy
	aud   access.Audience
	at    time.Time
	seq   int
}

// byAgency refuses a logistics step by anyone but the requesting agency.
func (w *stepWrite) byAgency(step string) error {
	if w.actor.Org != w.cv.Agency {
		return errs.New(errs.Forbidden, "only the agency that requested the convoy records its %s step", step)
	}
	return nil
}

// quantities reads the item quantities of a step: each names an item of
// the convoy once, and has a quantity no larger than max(i) for that item.
// Items not named get def(i); a nil def means every item must be named.
func (w *stepWrite) quantities(list []StepItemInput, field, qfield string, max func(i int) Quantity, def func(i int) Quantity) ([]Quantity, error) {
	out := make([]Quantity, len(w.cv.Items))
	named := make([]bool, len(w.cv.Items))
	for k, in := range list {
		i := slices.IndexFunc(w.cv.Items, func(it Item) bool { return it.Name == in.Name })
		if i < 0 {
			return nil, errs.Field(fmt.Sprintf("%s[%d].name", field, k), "the convoy carries no item named %q", in.Name)
		}
		if named[i] {
			return nil, errs.Field(fmt.Sprintf("%s[%d].name", field, k), "the item %q is named twice", in.Name)
		}
		named[i] = true
		f := fmt.Sprintf("%s[%d].%s", field, k, qfield)
		if in.Quantity == nil {
			return nil, errs.Field(f, "%s is required", f)
		}
		q, err := ParseQuantity(f, *in.Quantity)
		if err != nil {
			return nil, err
		}
		if m := max(i); q > m {
			return nil, errs.Field(f, "%s (%s) is more than %s %s of %s", f, q, m, w.cv.Items[i].Unit, in.Name)
		}
		out[i] = q
	}
	for i := range out {
		if !named[i] && def != nil {
			out[i] = def(i)
		}
	}
	return out, nil
}

func (w *stepWrite) approval(ctx context.Context, c access.Capacity, in StepInput) error {
	k := slices.IndexFunc(w.cv.Approvals, func(a Approval) bool { return a.Party == w.actor.Org })
	if k < 0 || !c.In(access.Party) || !c.Head() {
		return errs.New(errs.Forbidden, "only the head of a party named in the convoy's approvals answers for it")
	}
	if err := oneOf("decision", in.Decision, Decisions); err != nil {
		return err
	}
	if w.cv.State != StateRequested {
		return invalidTransition(w.cv, "approvals are answered while the convoy is requested")
	}
	switch a := w.cv.Approvals[k]; a.Decision {
	case Pending:
	case NoAnswer:
		return invalidTransition(w.cv, "the deadline of this approval passed on %s without an answer; it stands as no_answer", stamp(a.Due))
	default:
		return invalidTransition(w.cv, "this party already answered (%s)", a.Decision)
	}
	requested := func(i int) Quantity { return w.cv.Items[i].Requested }
	var given []Quantity
	switch in.Decision {
	case Denied:
		if len(in.Items) > 0 {
			return errs.Field("items", "a denial names no quantities")
		}
		given = make([]Quantity, len(w.cv.Items))
	case Approved:
		var err error
		if given, err = w.quantities(in.Items, "items", "approved", requested, requested); err != nil {
			return err
		}
	case PartiallyApproved:
		if len(in.Items) == 0 {
			return errs.Field("items", "a partial approval names the quantities approved")
		}
		var err error
		if given, err = w.quantities(in.Items, "items", "approved", requested, requested); err != nil {
			return err
		}
	}
	var stepItems []StepItem
	for i, it := range w.cv.Items {
		stepItems = append(stepItems, StepItem{Name: it.Name, Quantity: given[i]})
	}
	st := Step{Step: StepApproval, Outcome: in.Decision, Reason: in.Reason, Items: stepItems}
	from, err := w.apply(&st)
	if err != nil {
		return err
	}
	// The convoy carries the least that any party approved (apply).
	for i, it := range w.cv.Items {
		if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoy_items SET approved = $1 WHERE convoy_id = $2 AND pos = $3", int64(*it.Approved), w.cv.ID, i); err != nil {
			return err
		}
	}
	if _, err := w.tx.ExecContext(ctx, "UPDATE hum_approvals SET decision = $1, decided_at = $2, reason = $3 WHERE convoy_id = $4 AND party_org = $5",
		in.Decision, store.Stamp(w.at), in.Reason, w.cv.ID, w.actor.Org); err != nil {
		return err
	}
	next := w.cv.State
	if next == StateDenied {
		if err := addObstacle(ctx, w.tx, w.cv.LocationID, ObstacleDenied, w.actor.Org, ""); err != nil {
			return err
		}
	}
	if next != StateRequested {
		// The approvals are over: the convoy's approval time and its
		// approved quantities enter the dashboard.
		took := store.Stamp(w.at) - store.Stamp(w.cv.RequestedAt)
		if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoys SET approval_us = $1 WHERE id = $2", took, w.cv.ID); err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO hum_approval_hours(location_id, hours, n) VALUES ($1, $2, 1)
			ON CONFLICT (location_id, hours) DO UPDATE SET n = hum_approval_hours.n + 1`, w.cv.LocationID, ApprovalBucket(time.Duration(took)*time.Microsecond)); err != nil {
			return err
		}
		for _, it := range w.cv.Items {
			q := *it.Approved
			if next == StateDenied {
				q = 0
			}
			if err := addItemFigures(ctx, w.tx, w.cv.LocationID, it.Name, it.Unit, "approved", q); err != nil {
				return err
			}
		}
	}
	return w.finish(ctx, from, st)
}

func (w *stepWrite) dispatched(ctx context.Context, in StepInput) error {
	if err := w.byAgency(StepDispatched); err != nil {
		return err
	}
	if w.cv.State != StateApproved && w.cv.State != StatePartiallyApproved {
		return invalidTransition(w.cv, "a convoy is dispatched once its approvals are given")
	}
	approved := func(i int) Quantity { return *w.cv.Items[i].Approved }
	loaded, err := w.quantities(in.Items, "items", "loaded", approved, approved)
	if err != nil {
		return err
	}
	var stepItems []StepItem
	for i, it := range w.cv.Items {
		if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoy_items SET loaded = $1 WHERE convoy_id = $2 AND pos = $3", int64(loaded[i]), w.cv.ID, i); err != nil {
			return err
		}
		if err := addItemFigures(ctx, w.tx, w.cv.LocationID, it.Name, it.Unit, "loaded", loaded[i]); err != nil {
			return err
		}
		stepItems = append(stepItems, StepItem{Name: it.Name, Quantity: loaded[i]})
	}
	st := Step{Step: StepDispatched, Reason: in.Reason, Items: stepItems}
	from, err := w.apply(&st)
	if err != nil {
		return err
	}
	return w.finish(ctx, from, st)
}

func (w *stepWrite) checkpoint(ctx context.Context, in StepInput) error {
	if err := w.byAgency(StepCheckpoint); err != nil {
		return err
	}
	if err := oneOf("outcome", in.Outcome, Outcomes); err != nil {
		return err
	}
	if w.cv.State != StateDispatched && w.cv.State != StateHeld {
		return invalidTransition(w.cv, "checkpoints are crossed by a dispatched convoy")
	}
	if w.cv.Passed >= len(w.cv.Route) {
		return invalidTransition(w.cv, "every checkpoint of its route is passed")
	}
	if next := w.cv.Route[w.cv.Passed]; in.Checkpoint != next {
		return errs.Field("checkpoint", "the next checkpoint on the convoy's route is %q", next)
	}
	if in.By != "" {
		if err := orgInProcess(ctx, w.tx, w.cv.ProcessID, "by", in.By); err != nil {
			return err
		}
	}
	st := Step{Step: StepCheckpoint, Outcome: in.Outcome, Checkpoint: in.Checkpoint, ByOrg: in.By, Reason: in.Reason}
	switch in.Outcome {
	case Held:
		if len(in.Removed) > 0 {
			return errs.Field("removed", "a hold removes nothing; record items_removed")
		}
		if err := addObstacle(ctx, w.tx, w.cv.LocationID, ObstacleHeld, in.By, in.Checkpoint); err != nil {
			return err
		}
	case Passed:
		if len(in.Removed) > 0 {
			return errs.Field("removed", "a convoy that passed lost nothing; record items_removed")
		}
	case ItemsRemoved:
		if len(in.Removed) == 0 {
			return errs.Field("removed", "items_removed names the items and quantities removed")
		}
		left := func(i int) Quantity { return *w.cv.Items[i].Loaded - w.cv.Items[i].Removed }
		removed, err := w.quantities(in.Removed, "removed", "quantity", left, func(int) Quantity { return 0 })
		if err != nil {
			return err
		}
		for k, r := range in.Removed {
			if reason, err := text(fmt.Sprintf("removed[%d].reason", k), r.Reason, 0, MaxReason); err != nil {
				return err
			} else {
				in.Removed[k].Reason = reason
			}
		}
		for i, it := range w.cv.Items {
			if removed[i] == 0 {
				continue
			}
			k := slices.IndexFunc(in.Removed, func(r StepItemInput) bool { return r.Name == it.Name })
			st.Items = append(st.Items, StepItem{Name: it.Name, Quantity: removed[i], Reason: in.Removed[k].Reason})
			if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoy_items SET removed = removed + $1 WHERE convoy_id = $2 AND pos = $3", int64(removed[i]), w.cv.ID, i); err != nil {
				return err
			}
			if err := addItemFigures(ctx, w.tx, w.cv.LocationID, it.Name, it.Unit, "removed", removed[i]); err != nil {
				return err
			}
		}
		if err := addObstacle(ctx, w.tx, w.cv.LocationID, ObstacleRemoved, in.By, in.Checkpoint); err != nil {
			return err
		}
	}
	from, err := w.apply(&st)
	if err != nil {
		return err
	}
	if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoys SET passed = $1 WHERE id = $2", w.cv.Passed, w.cv.ID); err != nil {
		return err
	}
	return w.finish(ctx, from, st)
}

// arrival records the convoy's last step: delivered, partially_delivered
// or turned_back.
func (w *stepWrite) arrival(ctx context.Context, in StepInput) error {
	if err := w.byAgency(in.Step); err != nil {
		return err
	}
	if in.Step == StepTurnedBack {
		if w.cv.State != StateDispatched && w.cv.State != StateHeld {
			return invalidTransition(w.cv, "only a dispatched or held convoy turns back")
		}
		if len(in.Items) > 0 {
			return errs.Field("items", "a convoy that turned back delivered nothing")
		}
	} else {
		if w.cv.State != StateDispatched {
			return invalidTransition(w.cv, "a convoy delivers once dispatched and through its checkpoints")
		}
		if w.cv.Passed < len(w.cv.Route) {
			return invalidTransition(w.cv, "the checkpoint %q is still ahead on its route", w.cv.Route[w.cv.Passed])
		}
	}
	left := func(i int) Quantity { return *w.cv.Items[i].Loaded - w.cv.Items[i].Removed }
	def := left
	if in.Step != StepDelivered {
		def = func(int) Quantity { return 0 }
	}
	delivered, err := w.quantities(in.Items, "items", "delivered", left, def)
	if err != nil {
		return err
	}
	var total Quantity
	var stepItems []StepItem
	for i, it := range w.cv.Items {
		if in.Step == StepDelivered && delivered[i] < left(i) {
			k := slices.IndexFunc(in.Items, func(x StepItemInput) bool { return x.Name == it.Name })
			return errs.Field(fmt.Sprintf("items[%d].delivered", k), "less than arrived was delivered: record partially_delivered")
		}
		total += delivered[i]
		if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoy_items SET delivered = $1 WHERE convoy_id = $2 AND pos = $3", int64(delivered[i]), w.cv.ID, i); err != nil {
			return err
		}
		if err := addItemFigures(ctx, w.tx, w.cv.LocationID, it.Name, it.Unit, "delivered", delivered[i]); err != nil {
			return err
		}
		stepItems = append(stepItems, StepItem{Name: it.Name, Quantity: delivered[i]})
	}
	if in.Step == StepPartiallyDelivered && total == 0 {
		return errs.Field("items", "a partial delivery delivers something; record turned_back otherwise")
	}
	if total > 0 {
		if err := w.delivery(ctx); err != nil {
			return err
		}
	}
	st := Step{Step: in.Step, Reason: in.Reason, Items: stepItems}
	from, err := w.apply(&st)
	if err != nil {
		return err
	}
	return w.finish(ctx, from, st)
}

// delivery records that aid reached the location now: the convoy's
// delivery time, the location's last delivery, and the longest wait each
// commitment on the location has seen.
func (w *stepWrite) delivery(ctx context.Context) error {
	at := store.Stamp(w.at)
	var last int64
	if err := w.tx.QueryRowContext(ctx, "SELECT last_delivery_at FROM hum_locations WHERE id = $1", w.cv.LocationID).Scan(&last); err != nil {
		return err
	}
	rows, err := w.tx.QueryContext(ctx, "SELECT id, starts_at, max_gap_us FROM hum_commitments WHERE location_id = $1 AND starts_at <= $2", w.cv.LocationID, at)
	if err != nil {
		return err
	}
	type gap struct {
		id    string
		value int64
	}
	var gaps []gap
	for rows.Next() {
		var id string
		var starts, max int64
		if err := rows.Scan(&id, &starts, &max); err != nil {
			rows.Close()
			return err
		}
		if g := at - maxInt(starts, last); g > max {
			gaps = append(gaps, gap{id, g})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range gaps {
		if _, err := w.tx.ExecContext(ctx, "UPDATE hum_commitments SET max_gap_us = $1 WHERE id = $2", g.value, g.id); err != nil {
			return err
		}
	}
	if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoys SET delivered_at = $1 WHERE id = $2", at, w.cv.ID); err != nil {
		return err
	}
	_, err = w.tx.ExecContext(ctx, "UPDATE hum_locations SET last_delivery_at = $1 WHERE id = $2 AND last_delivery_at < $1", at, w.cv.LocationID)
	return err
}

func maxInt(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// apply applies the step, by the actor, to the convoy in memory (Convoy.apply)
// and returns the state it was in.
func (w *stepWrite) apply(st *Step) (from string, err error) {
	st.ActorOrg = w.actor.Org
	from = w.cv.State
	return from, w.cv.apply(*st)
}

// finish records the step applied to the convoy from state from: the
// convoy's new state, the step's row, its ledger event (object: the
// convoy) and its audience, the convoy's.
func (w *stepWrite) finish(ctx context.Context, from string, st Step) error {
	next := w.cv.State
	if next != from {
		if _, err := w.tx.ExecContext(ctx, "UPDATE hum_convoys SET state = $1 WHERE id = $2", next, w.cv.ID); err != nil {
			return err
		}
		if err := moveState(ctx, w.tx, w.cv.LocationID, from, next); err != nil {
			return err
		}
	}
	ev, err := event(ctx, w.rec, w.actor, w.at, "convoy."+st.Step, "convoy", w.cv.ID, w.aud, stepContent(st, from, next))
	if err != nil {
		return err
	}
	st.ID, st.At, st.ActorUser, st.ActorOrg, st.LedgerIndex = store.NewID(), w.at, w.actor.User, w.actor.Org, ev.Index
	return insertStep(ctx, w.tx, w.rec, w.cv.ID, w.seq, st, w.aud)
}

// stepContent is the content of the event of a step (but the request)
// that moved the convoy from state from to state to. parley verify
// rebuilds it from the step's row, replaying the convoy's steps for the
// states (itemkinds.go).
func stepContent(st Step, from, to string) map[string]any {
	content := map[string]any{}
	switch st.Step {
	case StepApproval:
		content["decision"] = st.Outcome
	case StepCheckpoint:
		content["checkpoint"], content["outcome"], content["by"] = st.Checkpoint, st.Outcome, st.ByOrg
	}
	items := []map[string]any{}
	for _, it := range st.Items {
		m := map[string]any{"name": it.Name, "quantity": it.Quantity.Float()}
		if it.Reason != "" {
			m["reason"] = it.Reason
		}
		items = append(items, m)
	}
	content["step"], content["items"], content["reason"], content["from"], content["to"] = st.Step, items, st.Reason, from, to
	return content
}

// apply applies a step (but the request) to the convoy as it stood before
// it: an approval's decision (by st.ActorOrg) and the least quantities
// any party approved, the quantities loaded, removed and delivered, the
// checkpoints passed, and the state the step moves the convoy to.
// RecordStep applies the step it records and writes what changed;
// parley verify replays a convoy's steps with it, for the states each
// step's event names and to check the convoy's rows. A step naming an
// item or a party the convoy does not have is an error.
func (cv *Convoy) apply(st Step) error {
	items := make([]*Item, len(st.Items))
	for k, si := range st.Items {
		i := slices.IndexFunc(cv.Items, func(it Item) bool { return it.Name == si.Name })
		if i < 0 {
			return fmt.Errorf("the %s step names an item the convoy does not carry, %q", st.Step, si.Name)
		}
		items[k] = &cv.Items[i]
	}
	switch st.Step {
	case StepApproval:
		k := slices.IndexFunc(cv.Approvals, func(a Approval) bool { return a.Party == st.ActorOrg })
		if k < 0 {
			return fmt.Errorf("an approval by %s, whom the convoy does not ask", st.ActorOrg)
		}
		cv.Approvals[k].Decision = st.Outcome
		for k, it := range items {
			q := st.Items[k].Quantity
			if it.Approved != nil && *it.Approved < q {
				q = *it.Approved
			}
			it.Approved = &q
		}
		switch {
		case st.Outcome == Denied:
			cv.State = StateDenied
		case slices.ContainsFunc(cv.Approvals, func(a Approval) bool { return a.Decision == Pending || a.Decision == NoAnswer }):
			cv.State = StateRequested
		case slices.ContainsFunc(cv.Items, func(it Item) bool { return it.Approved == nil || *it.Approved < it.Requested }):
			cv.State = StatePartiallyApproved
		default:
			cv.State = StateApproved
		}
	case StepDispatched:
		for k, it := range items {
			q := st.Items[k].Quantity
			it.Loaded = &q
		}
		cv.State = StateDispatched
	case StepCheckpoint:
		for k, it := range items {
			it.Removed += st.Items[k].Quantity
		}
		cv.State = StateDispatched
		if st.Outcome == Held {
			cv.State = StateHeld
		} else {
			cv.Passed++
		}
	case StepDelivered, StepPartiallyDelivered, StepTurnedBack:
		for k, it := range items {
			q := st.Items[k].Quantity
			it.Delivered = &q
		}
		cv.State = st.Step
	default:
		return fmt.Errorf("no such step %q", st.Step)
	}
	return nil
}

// ApprovalBucket is the count an approval time d goes into, in hours: the
// whole hour under two days, the six hours under two weeks, the day
// beyond. The medians are as precise as these buckets, and an area keeps
// a few hundred counts however long its approvals take.
func ApprovalBucket(d time.Duration) int64 {
	h := int64(d / time.Hour)
	switch {
	case h < 48:
		return h
	case h < 14*24:
		return h - h%6
	}
	return h - h%24
}

// Can is what an actor may do in a process's humanitarian access, for the
// pages to offer only the forms that would be accepted.
type Can struct {
	Locate  bool // record locations and change their status
	Request bool // request convoys
	Commit  bool // record commitments and switch the public summary
}

// Abilities returns what the actor may do in the process.
func (s *Service) Abilities(ctx context.Context, actor access.Actor, processID string) (Can, error) {
	c, err := capacity(ctx, s.db.R, actor, processID)
	if err != nil {
		return Can{}, err
	}
	return Can{Locate: c.In(access.Agency, access.Mediation), Request: c.In(access.Agency), Commit: c.Mediates()}, nil
}

// NextSteps lists the steps the actor may record on the convoy as it
// stands, by the rules RecordStep applies.
func (s *Service) NextSteps(ctx context.Context, actor access.Actor, cv Convoy) ([]string, error) {
	if cv.State == StateRequested {
		k := slices.IndexFunc(cv.Approvals, func(a Approval) bool { return a.Party == actor.Org && a.Decision == Pending })
		if k < 0 {
			return nil, nil
		}
		c, err := capacity(ctx, s.db.R, actor, cv.ProcessID)
		if err != nil || !c.In(access.Party) || !c.Head() {
			return nil, err
		}
		return []string{StepApproval}, nil
	}
	if actor.Org != cv.Agency {
		return nil, nil
	}
	switch cv.State {
	case StateApproved, StatePartiallyApproved:
		return []string{StepDispatched}, nil
	case StateHeld:
		return []string{StepCheckpoint, StepTurnedBack}, nil
	case StateDispatched:
		if cv.Passed < len(cv.Route) {
			return []string{StepCheckpoint, StepTurnedBack}, nil
		}
		return []string{StepDelivered, StepPartiallyDelivered, StepTurnedBack}, nil
	}
	return nil, nil
}
