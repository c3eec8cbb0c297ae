package humanitarian

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
)

// ItemKinds describes the humanitarian track's items for parley verify
// (ledger.ItemKind). Every event's content is rebuilt from the rows with
// the function the write path built it with:
//
//   - locations: their audience against the location's events (its
//     creation, each status change) and every organisation but an
//     observer joining a round of the process after them (Joined); their
//     content against the creating event, with the status they were
//     created with (the first entry of their history), and their current
//     status against the last entry of their history;
//   - a location's status changes: their audience as the location's; the
//     first against the location's creating event, each later one
//     (status, reason and the status before it) against its
//     location.status event;
//   - commitments: their audience against their event and the same joins;
//     their content (round, location, title, cadence, start);
//   - convoys: their audience against the convoy's events and a mediation
//     organisation joining after them; their request (process,
//     destination, items, route, approvals, from hum_convoys,
//     hum_convoy_items, hum_convoy_route and hum_approvals) against
//     convoy.requested (requestContent); and the figures the steps keep
//     (state, checkpoints passed, each item's approved, loaded, removed
//     and delivered quantities, each approval's decision) against a replay
//     of the steps (Convoy.apply);
//   - convoy steps: their audience as the convoy's; the request step
//     against convoy.requested, with its own items; every other step
//     against its event (stepContent), the states it moved the convoy
//     from and to rebuilt by replaying the convoy's steps before it;
//   - the dashboard's audience item: against the event that made it
//     (humanitarian.dashboard_created, or humanitarian.dashboard_recorded
//     for a dashboard an earlier version made without one, recorded at
//     start by RecordDashboards) and every organisation but an observer
//     joining after it; content: its process;
//   - the public summary's audience item (while it is on): against the
//     humanitarian.summary events of its dashboard (the one that switched
//     it on among them) and any organisation joining after it.
//
// Everything is stored in clear, so content needs no key; it is checked
// when the content is (content true).
func ItemKinds(content bool) []ledger.ItemKind {
	// Joined: the figures to all but an observer, convoys to a mediation,
	// the summary to everyone.
	figures, mediation := "o.kind <> '"+string(access.Observer)+"'", "o.kind = '"+string(access.Mediation)+"'"
	kinds := []ledger.ItemKind{
		{Name: "location", ObjectType: "location",
			Items:  "SELECT id, id AS object_id, ledger_idx AS idx FROM hum_locations",
			Grants: ledger.JoinGrants("SELECT id, ledger_idx AS idx, process_id FROM hum_locations", "process", figures)},
		{Name: "location status", ObjectType: "location",
			Items: "SELECT id, location_id AS object_id, ledger_idx AS idx FROM hum_location_status",
			Grants: ledger.JoinGrants(`SELECT h.id, h.ledger_idx AS idx, l.process_id FROM hum_location_status h
				JOIN hum_locations l ON l.id = h.location_id`, "process", figures)},
		{Name: "commitment", ObjectType: "commitment",
			Items:  "SELECT id, id AS object_id, ledger_idx AS idx FROM hum_commitments",
			Grants: ledger.JoinGrants("SELECT id, ledger_idx AS idx, process_id FROM hum_commitments", "process", figures)},
		{Name: "convoy", ObjectType: "convoy",
			Items:  "SELECT id, id AS object_id, ledger_idx AS idx FROM hum_convoys",
			Grants: ledger.JoinGrants("SELECT id, ledger_idx AS idx, process_id FROM hum_convoys", "process", mediation)},
		{Name: "convoy step", ObjectType: "convoy",
			Items: "SELECT id, convoy_id AS object_id, ledger_idx AS idx FROM hum_steps",
			Grants: ledger.JoinGrants(`SELECT st.id, st.ledger_idx AS idx, c.process_id FROM hum_steps st
				JOIN hum_convoys c ON c.id = st.convoy_id`, "process", mediation)},
		// A dashboard without its event's index (one an earlier version
		// made, before the server recorded it at start) is reported.
		{Name: "dashboard", ObjectType: DashboardObject,
			Items:  "SELECT dashboard_id AS id, dashboard_id AS object_id, COALESCE(dashboard_idx, -1) AS idx FROM hum_processes",
			Grants: ledger.JoinGrants("SELECT dashboard_id AS id, dashboard_idx AS idx, process_id FROM hum_processes", "process", figures)},
		{Name: "public summary", ObjectType: "dashboard",
			Items: "SELECT summary_id AS id, dashboard_id AS object_id, COALESCE(summary_idx, -1) AS idx FROM hum_processes WHERE summary_id <> ''",
			Grants: ledger.JoinGrants("SELECT summary_id AS id, summary_idx AS idx, process_id FROM hum_processes WHERE summary_id <> ''",
				"process", "")},
	}
	if content {
		kinds[0].Contents = locationContents
		kinds[1].Contents = statusContents
		kinds[2].Contents = commitmentContents
		kinds[3].Contents = convoyContents(false)
		kinds[4].Contents = convoyContents(true)
		kinds[5].Contents = ledger.RowContents("SELECT dashboard_id, process_id FROM hum_processes", func(r ledger.Scanner) (string, any, error) {
			var id, p string
			err := r.Scan(&id, &p)
			return id, dashboardContent(p), err
		})
		kinds[6].Contents = ledger.RowContents("SELECT summary_id FROM hum_processes WHERE summary_id <> ''", func(r ledger.Scanner) (string, any, error) {
			var id string
			err := r.Scan(&id)
			return id, summaryContent(true), err
		})
	}
	return kinds
}

// createdColumns are the columns of a location row l that its creating
// event hashes (but its status), for scanCreated.
const createdColumns = `l.id, l.process_id, l.name, l.admin1, l.admin2, l.lat, l.lon, l.polygon, l.population,
	l.population_source, l.population_date, l.controlled_by, l.besieged_by`

// scanCreated reads createdColumns and then more.
func scanCreated(r ledger.Scanner, more ...any) (Location, error) {
	var l Location
	err := r.Scan(append([]any{&l.ID, &l.ProcessID, &l.Name, &l.Admin1, &l.Admin2, &l.Lat, &l.Lon, &l.Polygon, &l.Population,
		&l.PopulationSource, &l.PopulationDate, &l.ControlledBy, &l.BesiegedBy}, more...)...)
	return l, err
}

// locationContents rebuilds each location's location.created content,
// with the status of the first entry of its history, and checks that its
// current status is its last entry's.
var locationContents = ledger.RowContents(`SELECT `+createdColumns+`, l.status,
	COALESCE((SELECT h.status FROM hum_location_status h WHERE h.location_id = l.id AND h.ledger_idx = l.ledger_idx), ''),
	COALESCE((SELECT h.status FROM hum_location_status h WHERE h.location_id = l.id ORDER BY h.ledger_idx DESC LIMIT 1), '')
	FROM hum_locations l`, func(r ledger.Scanner) (string, any, error) {
	var current, last string
	var created string
	l, err := scanCreated(r, &current, &created, &last)
	if err != nil {
		return l.ID, nil, err
	}
	if current != last {
		return l.ID, nil, ledger.BadContent(fmt.Errorf("its status %q is not that of its last status change (%q)", current, last))
	}
	l.Status = created
	return l.ID, locationContent(l), nil
})

// statusContents rebuilds the content of each status change's event: the
// location's location.created for the status it was created with, else
// location.status with the status of the change before it.
var statusContents = ledger.RowContents(`SELECT `+createdColumns+`, h.id, h.status, h.reason, h.ledger_idx,
	COALESCE((SELECT p.status FROM hum_location_status p WHERE p.location_id = h.location_id AND p.ledger_idx < h.ledger_idx
		ORDER BY p.ledger_idx DESC LIMIT 1), ''), l.ledger_idx
	FROM hum_location_status h JOIN hum_locations l ON l.id = h.location_id`, func(r ledger.Scanner) (string, any, error) {
	var id, status, reason, previous string
	var idx, created int64
	l, err := scanCreated(r, &id, &status, &reason, &idx, &previous, &created)
	if err != nil || idx != created {
		return id, statusContent(status, previous, reason), err
	}
	l.Status = status
	return id, locationContent(l), nil
})

// commitmentContents rebuilds each commitment's commitment.created content.
var commitmentContents = ledger.RowContents("SELECT id, round_id, location_id, title, cadence_days, starts_at FROM hum_commitments",
	func(r ledger.Scanner) (string, any, error) {
		var m Commitment
		var starts int64
		err := r.Scan(&m.ID, &m.RoundID, &m.LocationID, &m.Title, &m.CadenceDays, &starts)
		m.StartsAt = store.Time(starts)
		return m.ID, commitmentContent(m), err
	})

// storedConvoy is a convoy as its rows hold it, with its steps.
type storedConvoy struct {
	cv      Convoy // State, Passed, the items' figures and the approvals' decisions as stored
	request []byte // the content hash of convoy.requested, for a convoy without a route
	steps   []storedStep
}

type storedStep struct {
	st  Step
	err error // the step's items do not parse
}

// convoyContents rebuilds the content of each convoy's (steps false) or
// each step's (steps true) event from the rows, replaying each convoy's
// steps with Convoy.apply.
func convoyContents(steps bool) func(context.Context, access.Querier, func(string, []byte, error) error) error {
	return func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
		convoys, err := loadConvoys(ctx, q)
		if err != nil {
			return err
		}
		for _, sc := range convoys {
			if err := sc.check(steps, each); err != nil {
				return err
			}
		}
		return nil
	}
}

// check replays the convoy's steps from its request and calls each for the
// convoy or for each of its steps.
func (sc *storedConvoy) check(steps bool, each func(string, []byte, error) error) error {
	stored := sc.cv
	r := Convoy{ID: stored.ID, ProcessID: stored.ProcessID, LocationID: stored.LocationID, Route: stored.Route}
	for _, it := range stored.Items {
		r.Items = append(r.Items, Item{Name: it.Name, Unit: it.Unit, Requested: it.Requested})
	}
	for _, a := range stored.Approvals {
		r.Approvals = append(r.Approvals, Approval{Party: a.Party, Due: a.Due, Decision: Pending})
	}
	request, err := sc.requestBytes(r)
	if err != nil {
		return err
	}
	broken := false
	for k, s := range sc.steps {
		var content []byte
		cerr := s.err
		switch {
		case cerr != nil:
		case s.st.Step == StepRequest && k == 0:
			// The request step holds the requested quantities again.
			c := r
			c.Items = nil
			for i, it := range s.st.Items {
				unit := ""
				if i < len(r.Items) {
					unit = r.Items[i].Unit
				}
				c.Items = append(c.Items, Item{Name: it.Name, Unit: unit, Requested: it.Quantity})
			}
			content, cerr = sc.requestBytes(c)
			r.State = StateRequested
		case k == 0:
			cerr = fmt.Errorf("the convoy's first step is %s, not its request", s.st.Step)
		default:
			from := r.State
			if cerr = r.apply(s.st); cerr == nil {
				content, cerr = json.Marshal(stepContent(s.st, from, r.State))
			}
		}
		if cerr != nil {
			broken = true
		}
		if steps {
			if err := each(s.st.ID, content, cerr); err != nil {
				return err
			}
		}
	}
	if steps {
		return nil
	}
	if len(sc.steps) == 0 {
		return each(stored.ID, nil, ledger.BadContent(fmt.Errorf("it has no steps, not even its request")))
	}
	if !broken {
		if err := sameFigures(stored, r); err != nil {
			return each(stored.ID, nil, ledger.BadContent(err))
		}
	}
	return each(stored.ID, request, nil)
}

// requestBytes encodes requestContent(cv). A convoy without a route was
// requested with an empty route or (before RequestConvoy made no route an
// empty one) with none, which encode differently: the one its event
// hashed is taken.
func (sc *storedConvoy) requestBytes(cv Convoy) ([]byte, error) {
	b, err := json.Marshal(requestContent(cv))
	if err != nil || len(cv.Route) > 0 || sc.request == nil {
		return b, err
	}
	if sum := sha256.Sum256(b); bytes.Equal(sum[:], sc.request) {
		return b, nil
	}
	cv.Route = nil
	old, err := json.Marshal(requestContent(cv))
	if sum := sha256.Sum256(old); err == nil && bytes.Equal(sum[:], sc.request) {
		return old, nil
	}
	return b, nil
}

// sameFigures compares the figures the steps keep in the convoy's rows
// with those of the replay.
func sameFigures(stored, replay Convoy) error {
	if stored.State != replay.State || stored.Passed != replay.Passed {
		return fmt.Errorf("its state %s with %d checkpoints passed does not follow from its steps (%s, %d)",
			stored.State, stored.Passed, replay.State, replay.Passed)
	}
	q := func(p *Quantity) string {
		if p == nil {
			return "none"
		}
		return p.String()
	}
	for i, it := range stored.Items {
		r := replay.Items[i]
		if q(it.Approved) != q(r.Approved) || q(it.Loaded) != q(r.Loaded) || it.Removed != r.Removed || q(it.Delivered) != q(r.Delivered) {
			return fmt.Errorf("the figures of its item %q (approved %s, loaded %s, removed %s, delivered %s) do not follow from its steps (%s, %s, %s, %s)",
				it.Name, q(it.Approved), q(it.Loaded), it.Removed, q(it.Delivered), q(r.Approved), q(r.Loaded), r.Removed, q(r.Delivered))
		}
	}
	for i, a := range stored.Approvals {
		if a.Decision != replay.Approvals[i].Decision {
			return fmt.Errorf("the decision of %s, %s, does not follow from its steps (%s)", a.Party, a.Decision, replay.Approvals[i].Decision)
		}
	}
	return nil
}

// loadConvoys reads every convoy with its items, route, approvals and
// steps, by id.
func loadConvoys(ctx context.Context, q access.Querier) ([]*storedConvoy, error) {
	var out []*storedConvoy
	byID := map[string]*storedConvoy{}
	err := eachRow(ctx, q, "SELECT id, process_id, location_id, state, passed FROM hum_convoys ORDER BY id", nil, func(r scanner) error {
		sc := &storedConvoy{}
		if err := r.Scan(&sc.cv.ID, &sc.cv.ProcessID, &sc.cv.LocationID, &sc.cv.State, &sc.cv.Passed); err != nil {
			return err
		}
		sc.cv.Route = []string{}
		out = append(out, sc)
		byID[sc.cv.ID] = sc
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Every row below belongs to a convoy read above: the tables'
	// foreign keys say so, and a row that does not is skipped.
	of := func(r scanner, dest ...any) (*storedConvoy, error) {
		var id string
		if err := r.Scan(append([]any{&id}, dest...)...); err != nil {
			return nil, err
		}
		return byID[id], nil
	}
	err = eachRow(ctx, q, "SELECT convoy_id, name, unit, requested, approved, loaded, removed, delivered FROM hum_convoy_items ORDER BY convoy_id, pos", nil, func(r scanner) error {
		var it Item
		var req, rem int64
		var appr, load, del sql.NullInt64
		sc, err := of(r, &it.Name, &it.Unit, &req, &appr, &load, &rem, &del)
		if sc != nil {
			it.Requested, it.Removed = Quantity(req), Quantity(rem)
			it.Approved, it.Loaded, it.Delivered = nullQuantity(appr), nullQuantity(load), nullQuantity(del)
			sc.cv.Items = append(sc.cv.Items, it)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, "SELECT convoy_id, name FROM hum_convoy_route ORDER BY convoy_id, pos", nil, func(r scanner) error {
		var name string
		sc, err := of(r, &name)
		if sc != nil {
			sc.cv.Route = append(sc.cv.Route, name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, "SELECT convoy_id, party_org, due, decision FROM hum_approvals ORDER BY convoy_id, pos", nil, func(r scanner) error {
		var a Approval
		var due int64
		sc, err := of(r, &a.Party, &due, &a.Decision)
		if sc != nil {
			a.Due = store.Time(due)
			sc.cv.Approvals = append(sc.cv.Approvals, a)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT convoy_id, id, step, outcome, checkpoint, by_org, reason, items, actor_org, ledger_idx
		FROM hum_steps ORDER BY convoy_id, seq`, nil, func(r scanner) error {
		var s storedStep
		var items string
		sc, err := of(r, &s.st.ID, &s.st.Step, &s.st.Outcome, &s.st.Checkpoint, &s.st.ByOrg, &s.st.Reason, &items, &s.st.ActorOrg, &s.st.LedgerIndex)
		if sc != nil && err == nil {
			if jerr := json.Unmarshal([]byte(items), &s.st.Items); jerr != nil {
				s.err = fmt.Errorf("its items do not parse: %v", jerr)
			}
			sc.steps = append(sc.steps, s)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// The request's hash, for the convoys without a route.
	err = eachRow(ctx, q, `SELECT c.id, e.content_hash FROM hum_convoys c JOIN events e ON e.idx = c.ledger_idx
		WHERE NOT EXISTS (SELECT 1 FROM hum_convoy_route r WHERE r.convoy_id = c.id)`, nil, func(r scanner) error {
		var h []byte
		sc, err := of(r, &h)
		if sc != nil {
			sc.request = h
		}
		return err
	})
	return out, err
}
