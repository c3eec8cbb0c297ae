package humanitarian

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// Dashboard is what a process's commitments come to: per location, what
// was asked for and what reached people, how long approvals took and what
// stood in the way. It reads the aggregates each step keeps up to date
// (hum_location_items, hum_location_states, hum_obstacles,
// hum_approval_hours), never the convoys one by one.
type Dashboard struct {
	ProcessID string
	// Summary marks the public summary an observer reads: counts and
	// quantities per location, without obstacles or convoys.
	Summary        bool
	PublicSummary  bool // whether the mediation switched the summary on
	GeneratedAt    time.Time
	Convoys        int64
	MedianApproval *time.Duration
	Locations      []LocationFigures
}

// LocationFigures are the dashboard's figures of one location.
type LocationFigures struct {
	ID, Name, Admin1, Admin2, Status string
	Lat, Lon                         float64
	Polygon                          string
	Population                       int64
	ControlledBy, BesiegedBy         string
	Convoys                          int64
	States                           map[string]int64
	Items                            []ItemFigures
	LastDelivery                     time.Time // zero when nothing was delivered
	MedianApproval                   *time.Duration
	Obstacles                        []Obstacle
	Commitments                      []CommitmentFigures
	// Recent are the newest convoys of the location the reader may read
	// (at most RecentConvoys, among the newest RecentWindow).
	Recent []ConvoySummary
}

// DaysSinceLastDelivery is the whole days since the last delivery at now,
// or -1 when nothing was ever delivered.
func (l LocationFigures) DaysSinceLastDelivery(now time.Time) int {
	if l.LastDelivery.IsZero() {
		return -1
	}
	return int(now.Sub(l.LastDelivery) / (24 * time.Hour))
}

// ItemFigures is the funnel of one item at a location: requested →
// approved → loaded → removed → delivered, over all its convoys.
type ItemFigures struct {
	Name, Unit                                      string
	Requested, Approved, Loaded, Removed, Delivered Quantity
}

// Obstacle counts one kind of obstacle by whoever caused it: a party's
// denials or missing answers, holds and removals at a checkpoint (and by
// the organisation holding it, when known).
type Obstacle struct {
	Kind, Org, Checkpoint string
	Count                 int64
}

// CommitmentFigures is a commitment checked against the deliveries.
type CommitmentFigures struct {
	Commitment
	// LongestWait is the longest time the location went without a
	// delivery since the commitment started, the wait still running
	// included.
	LongestWait time.Duration
	// Kept reports whether no wait was longer than the cadence.
	Kept bool
}

// Recent convoys on the dashboard.
const (
	RecentConvoys = 5
	RecentWindow  = 50
)

// Dashboard returns the process's dashboard as the actor may read it: the
// full figures for every organisation of the process but its observers,
// the public summary for the observers while it is on, and not found
// otherwise.
func (s *Service) Dashboard(ctx context.Context, actor access.Actor, processID string) (d Dashboard, err error) {
	defer errs.Wrap(&err, "humanitarian.Dashboard")
	// One read transaction: every figure from one snapshot, every query
	// through a statement prepared once.
	err = s.db.ReadTx(ctx, func(r *store.Reader) error {
		d, err = s.dashboard(ctx, r, actor, processID)
		return err
	})
	return d, err
}

func (s *Service) dashboard(ctx context.Context, q access.Querier, actor access.Actor, processID string) (d Dashboard, err error) {
	c, err := capacity(ctx, q, actor, processID)
	if err != nil {
		return d, err
	}
	now := s.clock()
	d = Dashboard{ProcessID: processID, GeneratedAt: now}
	full, fullArg := access.ReadableBy(actor, "d.dashboard_id", 2)
	sum, _ := access.ReadableBy(actor, "d.summary_id", 2)
	var readFull, readSum bool
	err = q.QueryRowContext(ctx, `SELECT CASE WHEN `+full+` THEN 1 ELSE 0 END, CASE WHEN d.summary_id <> '' AND `+sum+` THEN 1 ELSE 0 END,
		CASE WHEN d.summary_id <> '' THEN 1 ELSE 0 END FROM hum_processes d WHERE d.process_id = $1`, processID, fullArg).Scan(&readFull, &readSum, &d.PublicSummary)
	if err == sql.ErrNoRows {
		// Nothing recorded yet: an empty dashboard for those who would
		// read it.
		if c.In(access.Observer) {
			return d, errs.NotFoundf("dashboard")
		}
		return d, nil
	}
	if err != nil {
		return d, err
	}
	if !readFull && !readSum {
		return d, errs.NotFoundf("dashboard")
	}
	d.Summary = !readFull
	// Every figure query ANDs this: the dashboard (or its summary) is
	// readable. It names no column of the rows read, so it is evaluated
	// once per query.
	col := "d.dashboard_id"
	if d.Summary {
		col = "d.summary_id"
	}
	readable, _ := access.ReadableBy(actor, col, 2)
	figures := "EXISTS (SELECT 1 FROM hum_processes d WHERE d.process_id = $1 AND " + readable + ")"
	args := []any{processID, fullArg}

	byID := map[string]*LocationFigures{}
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.name, l.admin1, l.admin2, l.status, l.lat, l.lon, l.polygon, l.population,
		l.controlled_by, l.besieged_by, l.convoys, l.last_delivery_at FROM hum_locations l
		WHERE l.process_id = $1 AND `+figures+` ORDER BY l.name, l.id`, args...)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var l LocationFigures
		var last int64
		if err := rows.Scan(&l.ID, &l.Name, &l.Admin1, &l.Admin2, &l.Status, &l.Lat, &l.Lon, &l.Polygon, &l.Population,
			&l.ControlledBy, &l.BesiegedBy, &l.Convoys, &last); err != nil {
			rows.Close()
			return d, err
		}
		if last > 0 {
			l.LastDelivery = store.Time(last)
		}
		l.States = map[string]int64{}
		d.Convoys += l.Convoys
		d.Locations = append(d.Locations, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	for i := range d.Locations {
		byID[d.Locations[i].ID] = &d.Locations[i]
	}

	if err := eachRow(ctx, q, `SELECT li.location_id, li.name, li.unit, li.requested, li.approved, li.loaded, li.removed, li.delivered
		FROM hum_location_items li JOIN hum_locations l ON l.id = li.location_id WHERE l.process_id = $1 AND `+figures+`
		ORDER BY li.location_id, li.name, li.unit`, args, func(sc scanner) error {
		var loc string
		var it ItemFigures
		var r, a, lo, rm, de int64
		if err := sc.Scan(&loc, &it.Name, &it.Unit, &r, &a, &lo, &rm, &de); err != nil {
			return err
		}
		it.Requested, it.Approved, it.Loaded, it.Removed, it.Delivered = Quantity(r), Quantity(a), Quantity(lo), Quantity(rm), Quantity(de)
		if l := byID[loc]; l != nil {
			l.Items = append(l.Items, it)
		}
		return nil
	}); err != nil {
		return d, err
	}
	if err := eachRow(ctx, q, `SELECT ls.location_id, ls.state, ls.n FROM hum_location_states ls JOIN hum_locations l ON l.id = ls.location_id
		WHERE l.process_id = $1 AND ls.n > 0 AND `+figures, args, func(sc scanner) error {
		var loc, state string
		var n int64
		if err := sc.Scan(&loc, &state, &n); err != nil {
			return err
		}
		if l := byID[loc]; l != nil {
			l.States[state] = n
		}
		return nil
	}); err != nil {
		return d, err
	}
	if err := s.commitmentFigures(ctx, q, figures, args, byID, now); err != nil {
		return d, err
	}
	if err := medians(ctx, q, figures, args, &d, byID); err != nil {
		return d, err
	}
	if d.Summary {
		return d, nil
	}
	if err := s.obstacles(ctx, q, figures, args, byID, now); err != nil {
		return d, err
	}
	for i := range d.Locations {
		if d.Locations[i].Recent, err = s.recent(ctx, q, actor, d.Locations[i].ID); err != nil {
			return d, err
		}
	}
	return d, nil
}

type scanner interface{ Scan(...any) error }

func eachRow(ctx context.Context, q access.Querier, query string, args []any, fn func(scanner) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// medians reads how long approvals took, in whole hours counted per
// area, and sets the median of each area and of the process.
func medians(ctx context.Context, q access.Querier, figures string, args []any, d *Dashboard, byID map[string]*LocationFigures) error {
	per := map[string][]hourCount{}
	all := map[int64]int64{}
	if err := eachRow(ctx, q, `SELECT h.location_id, h.hours, h.n FROM hum_approval_hours h JOIN hum_locations l ON l.id = h.location_id
		WHERE l.process_id = $1 AND h.n > 0 AND `+figures+` ORDER BY h.location_id, h.hours`, args, func(sc scanner) error {
		var loc string
		var c hourCount
		if err := sc.Scan(&loc, &c.hours, &c.n); err != nil {
			return err
		}
		per[loc] = append(per[loc], c)
		all[c.hours] += c.n
		return nil
	}); err != nil {
		return err
	}
	for loc, counts := range per {
		if l := byID[loc]; l != nil {
			l.MedianApproval = median(counts)
		}
	}
	var counts []hourCount
	for h, n := range all {
		counts = append(counts, hourCount{h, n})
	}
	slices.SortFunc(counts, func(a, b hourCount) int { return cmp.Compare(a.hours, b.hours) })
	d.MedianApproval = median(counts)
	return nil
}

// hourCount is how many approvals took hours (whole hours).
type hourCount struct{ hours, n int64 }

// median is the median of counts sorted by hours: the middle value, or the
// mean of the two middle ones; nil when there is none.
func median(counts []hourCount) *time.Duration {
	var total int64
	for _, c := range counts {
		total += c.n
	}
	if total == 0 {
		return nil
	}
	at := func(k int64) int64 { // the k-th smallest, from 0
		for _, c := range counts {
			if k < c.n {
				return c.hours
			}
			k -= c.n
		}
		return counts[len(counts)-1].hours
	}
	m := time.Duration(at((total-1)/2)) * time.Hour
	if total%2 == 0 {
		m = (m + time.Duration(at(total/2))*time.Hour) / 2
	}
	return &m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Service) commitmentFigures(ctx context.Context, q access.Querier, figures string, args []any, byID map[string]*LocationFigures, now time.Time) error {
	return eachRow(ctx, q, `SELECT m.id, m.process_id, m.round_id, m.location_id, m.title, m.cadence_days, m.starts_at, m.created_at,
		m.ledger_idx, m.max_gap_us FROM hum_commitments m WHERE m.process_id = $1 AND `+figures+` ORDER BY m.starts_at, m.id`, args,
		func(sc scanner) error {
			var m CommitmentFigures
			var starts, created, gap int64
			if err := sc.Scan(&m.ID, &m.ProcessID, &m.RoundID, &m.LocationID, &m.Title, &m.CadenceDays, &starts, &created,
				&m.LedgerIndex, &gap); err != nil {
				return err
			}
			m.StartsAt, m.CreatedAt = store.Time(starts), store.Time(created)
			l := byID[m.LocationID]
			if l == nil {
				return nil
			}
			m.LongestWait = time.Duration(gap) * time.Microsecond
			since := m.StartsAt
			if l.LastDelivery.After(since) {
				since = l.LastDelivery
			}
			if open := now.Sub(since); open > m.LongestWait {
				m.LongestWait = open
			}
			m.Kept = m.LongestWait <= time.Duration(m.CadenceDays)*24*time.Hour
			l.Commitments = append(l.Commitments, m)
			return nil
		})
}

// obstacles reads the recorded obstacles and adds the approvals still
// awaited past their deadline: no_answer is computed when read.
func (s *Service) obstacles(ctx context.Context, q access.Querier, figures string, args []any, byID map[string]*LocationFigures, now time.Time) error {
	if err := eachRow(ctx, q, `SELECT o.location_id, o.kind, o.org_id, o.checkpoint, o.n FROM hum_obstacles o
		JOIN hum_locations l ON l.id = o.location_id WHERE l.process_id = $1 AND `+figures+` ORDER BY o.location_id, o.kind, o.n DESC`, args,
		func(sc scanner) error {
			var loc string
			var o Obstacle
			if err := sc.Scan(&loc, &o.Kind, &o.Org, &o.Checkpoint, &o.Count); err != nil {
				return err
			}
			if l := byID[loc]; l != nil {
				l.Obstacles = append(l.Obstacles, o)
			}
			return nil
		}); err != nil {
		return err
	}
	return eachRow(ctx, q, `SELECT a.location_id, a.party_org, COUNT(*) FROM hum_approvals a
		WHERE a.process_id = $1 AND a.decision = 'pending' AND a.due < $3 AND `+figures+` GROUP BY a.location_id, a.party_org`,
		append(args, store.Stamp(now)), func(sc scanner) error {
			var loc string
			o := Obstacle{Kind: ObstacleNoAnswer}
			if err := sc.Scan(&loc, &o.Org, &o.Count); err != nil {
				return err
			}
			if l := byID[loc]; l != nil {
				l.Obstacles = append(l.Obstacles, o)
			}
			return nil
		})
}

// recent reads the newest convoys of a location that the actor may read.
func (s *Service) recent(ctx context.Context, q access.Querier, actor access.Actor, locID string) ([]ConvoySummary, error) {
	cond, arg := access.ReadableBy(actor, "c.id", 2)
	var out []ConvoySummary
	err := eachRow(ctx, q, `SELECT c.id, c.state, c.requested_at, c.approval_us, c.delivered_at FROM (SELECT id, state, requested_at,
		approval_us, delivered_at FROM hum_convoys WHERE location_id = $1 ORDER BY requested_at DESC, id DESC LIMIT `+itoa(RecentWindow)+`) c
		WHERE `+cond+` ORDER BY c.requested_at DESC, c.id DESC LIMIT `+itoa(RecentConvoys), []any{locID, arg}, func(sc scanner) error {
		var cs ConvoySummary
		var req int64
		var appr, del sql.NullInt64
		if err := sc.Scan(&cs.ID, &cs.State, &req, &appr, &del); err != nil {
			return err
		}
		cs.LocationID, cs.RequestedAt = locID, store.Time(req)
		if appr.Valid {
			a := time.Duration(appr.Int64) * time.Microsecond
			cs.ApprovalTime = &a
		}
		if del.Valid {
			cs.DeliveredAt = store.Time(del.Int64)
		}
		out = append(out, cs)
		return nil
	})
	return out, err
}
