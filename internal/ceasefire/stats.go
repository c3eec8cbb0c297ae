package ceasefire

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Count is a number of incidents under a key, and how many of them are
// confirmed violations.
type Count struct {
	Key, Name      string
	All, Confirmed int
}

// Stats are the statistics page's figures over the incidents the reader
// reads.
type Stats struct {
	Days          []Count // per day (Key 2006-01-02), in order
	ByPerpetrator []Count
	ByZone        []Count
	ByType        []Count
	// Turnaround: hours from a report to the first finding.
	Decided               int
	MedianHours, P90Hours float64
	// Split counts before and after At (zero: no split asked).
	At                    time.Time
	Before, After         Count
	BeforeDays, AfterDays int
}

// Statistics computes the figures over the incidents of the process that
// actor reads, optionally split at a date (the ceasefire's start).
func (s *Service) Statistics(ctx context.Context, actor access.Actor, processID string, split time.Time) (st Stats, err error) {
	defer errs.Wrap(&err, "ceasefire.Statistics")
	c, err := capacity(ctx, s.db.R, actor, processID)
	if err != nil {
		return st, err
	}
	zones, err := s.Zones(ctx, actor, processID)
	if err != nil {
		return st, err
	}
	days, perp, zone, typ := map[string]*Count{}, map[string]*Count{}, map[string]*Count{}, map[string]*Count{}
	bump := func(m map[string]*Count, key, name string, confirmed bool) {
		c := m[key]
		if c == nil {
			c = &Count{Key: key, Name: name}
			m[key] = c
		}
		c.All++
		if confirmed {
			c.Confirmed++
		}
	}
	var turn []float64
	var first, last time.Time
	st.At = split
	err = s.eachIncident(ctx, c, Filter{Limit: -1}, func(i Incident) error {
		ok := i.Status == ConfirmedViolation
		bump(days, i.OccurredAt.Format("2006-01-02"), "", ok)
		bump(perp, i.Perpetrator, i.PerpetratorName, ok)
		bump(typ, i.Type, i.Type, ok)
		for _, z := range zones {
			if z.Contains(i.Lat, i.Lon) {
				bump(zone, z.ID, z.Name, ok)
			}
		}
		if first.IsZero() || i.OccurredAt.Before(first) {
			first = i.OccurredAt
		}
		if i.OccurredAt.After(last) {
			last = i.OccurredAt
		}
		if !split.IsZero() {
			c := &st.After
			if i.OccurredAt.Before(split) {
				c = &st.Before
			}
			c.All++
			if ok {
				c.Confirmed++
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	turn, err = s.turnaround(ctx, c)
	if err != nil {
		return st, err
	}
	st.Decided = len(turn)
	if len(turn) > 0 {
		slices.Sort(turn)
		st.MedianHours = turn[len(turn)/2]
		st.P90Hours = turn[min(len(turn)-1, len(turn)*9/10)]
	}
	if !split.IsZero() && !first.IsZero() {
		st.BeforeDays = max(0, int(split.Sub(first).Hours()/24)+1)
		st.AfterDays = max(0, int(last.Sub(split).Hours()/24)+1)
	}
	st.Days = sorted(days, func(a, b Count) bool { return a.Key < b.Key })
	byAll := func(a, b Count) bool { return a.All > b.All || a.All == b.All && a.Key < b.Key }
	st.ByPerpetrator, st.ByZone, st.ByType = sorted(perp, byAll), sorted(zone, byAll), sorted(typ, byAll)
	return st, nil
}

func sorted(m map[string]*Count, less func(a, b Count) bool) []Count {
	out := make([]Count, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// turnaround is the hours from creation to the first finding of each
// decided incident the actor reads.
func (s *Service) turnaround(ctx context.Context, c access.Capacity) ([]float64, error) {
	cond, args := access.ReadableByRule(c, incidentRule, "i.process_id", "i.id", 2)
	rows, err := s.db.R.QueryContext(ctx, `SELECT i.decided_at - i.created_at FROM ceasefire_incidents i
		WHERE i.process_id = $1 AND i.merged_into = '' AND i.decided_at > 0 AND `+cond, append([]any{c.Scope}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []float64
	for rows.Next() {
		var us int64
		if err := rows.Scan(&us); err != nil {
			return nil, err
		}
		out = append(out, float64(us)/3.6e9)
	}
	return out, rows.Err()
}

// Summary is the public summary of a process: counts of published
// incidents by day, area and type, with no narrative and no evidence.
type Summary struct {
	Days, Areas, Types []Count
}

// SetPublicSummary switches the public summary of a process on or off.
// The mediation switches it.
func (s *Service) SetPublicSummary(ctx context.Context, actor access.Actor, processID string, on bool) (err error) {
	defer errs.Wrap(&err, "ceasefire.SetPublicSummary")
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := capacity(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !c.Mediates() {
			return errs.New(errs.Forbidden, "the mediation switches the public summary")
		}
		var item string
		err = tx.QueryRowContext(ctx, "SELECT item_id FROM ceasefire_settings WHERE process_id = $1", processID).Scan(&item)
		switch {
		case err == sql.ErrNoRows:
			item = store.NewID()
			if _, err := tx.ExecContext(ctx, "INSERT INTO ceasefire_settings(process_id, item_id, public_summary) VALUES ($1, $2, $3)", processID, item, on); err != nil {
				return err
			}
			// The summary is public while the switch is on; the query
			// checks the switch, as a statement's its embargo.
			if err := access.Grant(ctx, tx, item, access.Of(access.Public)); err != nil {
				return err
			}
			if err := summaryCreated(ctx, rec, actor, processID, item); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.ExecContext(ctx, "UPDATE ceasefire_settings SET public_summary = $1 WHERE process_id = $2", on, processID); err != nil {
				return err
			}
			// A switch made before the item's creation was recorded gets
			// its record now (parley verify checks it from then on).
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM events WHERE object_type = $1 AND object_id = $2",
				summaryObject, item).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if err := summaryCreated(ctx, rec, actor, processID, item); err != nil {
					return err
				}
			}
		}
		aud, err := access.ProcessOrgs(ctx, tx, processID)
		if err != nil {
			return err
		}
		_, err = event(ctx, rec, actor, "ceasefire.public_summary", "process", processID, aud, summarySwitchContent(processID, on))
		return err
	})
}

// summaryObject is the object type of the public summary's audience item
// (ceasefire_settings.item_id).
const summaryObject = "ceasefire_summary"

// summaryCreated records the public summary's audience item, public, in
// the ledger: the event that gives it its audience.
func summaryCreated(ctx context.Context, rec *ledger.Recorder, actor access.Actor, processID, item string) error {
	_, err := event(ctx, rec, actor, "ceasefire.public_summary_item", summaryObject, item, access.Of(access.Public),
		map[string]any{"process": processID, "item": item})
	return err
}

// summarySwitchContent is the content of a ceasefire.public_summary event:
// whether the process's public summary is on.
func summarySwitchContent(processID string, on bool) map[string]any {
	return map[string]any{"process": processID, "on": on}
}

// PublicSummary reads the public summary of a process, for anyone, while
// the mediation has it switched on; otherwise it is not found.
func (s *Service) PublicSummary(ctx context.Context, actor access.Actor, processID string) (sum Summary, on bool, err error) {
	defer errs.Wrap(&err, "ceasefire.PublicSummary")
	if !store.ValidID(processID) {
		return sum, false, errs.NotFoundf("summary")
	}
	cond, arg := access.ReadableBy(actor, "st.item_id", 2)
	rows, err := s.db.R.QueryContext(ctx, `SELECT i.occurred_at, i.admin1, i.type FROM ceasefire_incidents i
		JOIN ceasefire_settings st ON st.process_id = i.process_id
		WHERE i.process_id = $1 AND st.public_summary = $3 AND `+cond+` AND i.published = $3 AND i.merged_into = ''`, processID, arg, true)
	if err != nil {
		return sum, false, err
	}
	defer rows.Close()
	days, areas, types := map[string]*Count{}, map[string]*Count{}, map[string]*Count{}
	for rows.Next() {
		var at int64
		var area, typ string
		if err := rows.Scan(&at, &area, &typ); err != nil {
			return sum, false, err
		}
		for _, kv := range [][2]any{{days, store.Time(at).Format("2006-01-02")}, {areas, area}, {types, typ}} {
			m, k := kv[0].(map[string]*Count), kv[1].(string)
			if m[k] == nil {
				m[k] = &Count{Key: k, Name: k}
			}
			m[k].All++
		}
	}
	if err := rows.Err(); err != nil {
		return sum, false, err
	}
	on, err = s.PublicSummaryOn(ctx, processID)
	if err != nil {
		return sum, false, err
	}
	if !on {
		return sum, false, errs.NotFoundf("summary")
	}
	sum.Days = sorted(days, func(a, b Count) bool { return a.Key < b.Key })
	byAll := func(a, b Count) bool { return a.All > b.All || a.All == b.All && a.Key < b.Key }
	sum.Areas, sum.Types = sorted(areas, byAll), sorted(types, byAll)
	return sum, true, nil
}

// PublicSummaryOn reports whether the process's public summary is on.
func (s *Service) PublicSummaryOn(ctx context.Context, processID string) (bool, error) {
	var on bool
	err := s.db.R.QueryRowContext(ctx, "SELECT public_summary FROM ceasefire_settings WHERE process_id = $1", processID).Scan(&on)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return on, err
}

// Joined is the package's talks.JoinHook: an organisation joining a round
// of a process reads the published incidents of the process, with their
// history and answers, and its zones; a monitor, mediation or guarantor
// also reads every report and incident, as if it had been there when they
// were filed.
func (s *Service) Joined(ctx context.Context, tx *sql.Tx, roundID string, p talks.Participant) error {
	const process = "(SELECT process_id FROM rounds WHERE id = $1)"
	queries := []string{
		"SELECT id FROM ceasefire_incidents WHERE process_id = " + process + " AND published",
		"SELECT id FROM ceasefire_zones WHERE process_id = " + process,
	}
	if slices.Contains(mechanismKinds, p.Capacity) {
		queries = append(queries,
			"SELECT id FROM ceasefire_incidents WHERE process_id = "+process,
			"SELECT id FROM ceasefire_reports WHERE process_id = "+process)
	}
	for _, q := range queries {
		if err := access.WidenAll(ctx, tx, p.Org.ID, q, roundID); err != nil {
			return err
		}
	}
	return nil
}
