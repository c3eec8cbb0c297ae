package ceasefire

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// Incident is one event as the monitors see it: the reports grouped under
// it, its verification state and, once published, its finding for the
// whole process.
type Incident struct {
	ID                string
	ProcessID         string
	Status            string
	Type              string
	OccurredAt        time.Time
	TimePrecision     string
	Lat, Lon          float64
	LocationPrecision string
	Place             string
	Admin1, Admin2    string
	Perpetrator       string
	PerpetratorName   string
	Affected          string
	AffectedName      string
	Killed, Injured   int // best estimates
	Reliability       string
	Attribution       string
	MergedInto        string
	Published         bool
	PublishedAt       time.Time
	CreatedAt         time.Time
	LedgerIndex       int64
	// Filled by Incident (the single fetch), as far as the reader reads
	// them.
	Reports []Report
	History []Step
	Answers []Answer
}

// Step is one change of an incident: a verification step, a merge, a
// split or the publication, with its reason and actor.
type Step struct {
	ID          string
	Action      string // verification, merge, merged, split, split_from, publish
	From, To    string // statuses
	Reason      string
	Reliability string
	Attribution string
	Other       string // the other incident of a merge or a split
	ActorName   string
	ActorOrg    string
	At          time.Time
	LedgerIndex int64
}

// Answer is the accused party's answer to a finding, kept beside it.
type Answer struct {
	ID          string
	IncidentID  string
	OrgID       string
	OrgName     string
	AuthorName  string
	Body        string
	At          time.Time
	LedgerIndex int64
}

// BBox is a bounding box in WGS 84 degrees.
type BBox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// ParseBBox reads "minLon,minLat,maxLon,maxLat".
func ParseBBox(s string) (*BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, errs.Field("bbox", "bbox is minLon,minLat,maxLon,maxLat")
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f != f {
			return nil, errs.Field("bbox", "bbox is minLon,minLat,maxLon,maxLat")
		}
		v[i] = f
	}
	b := BBox{v[0], v[1], v[2], v[3]}
	if b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 || b.MinLon > b.MaxLon || b.MinLat > b.MaxLat {
		return nil, errs.Field("bbox", "bbox is out of range or inverted")
	}
	return &b, nil
}

// Filter selects incidents for the map, the list and the exports.
type Filter struct {
	BBox        *BBox
	From, To    time.Time // occurred_at in [From, To); zero is open
	Types       []string
	Statuses    []string
	Perpetrator string
	Published   bool // only published incidents
	Limit       int  // 0: DefaultLimit; exports pass -1 for all
}

// Check validates the filter's enumerations.
func (f Filter) Check() error {
	for _, t := range f.Types {
		if !oneOf(t, Types) {
			return errs.Field("type", "type must be one of %s", strings.Join(Types, ", "))
		}
	}
	for _, st := range f.Statuses {
		if !oneOf(st, Statuses) {
			return errs.Field("status", "status must be one of %s", strings.Join(Statuses, ", "))
		}
	}
	if f.Limit > MaxLimit || f.Limit < -1 {
		return errs.Field("limit", "limit is at most %d", MaxLimit)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return errs.Field("to", "to is before from")
	}
	return nil
}

// incidentCols are the columns scanIncident reads. The perpetrator's name
// is filled in from orgNames, not joined per row: the map reads
// thousands of rows naming a handful of organisations.
const incidentCols = `i.id, i.process_id, i.status, i.type, i.occurred_at, i.time_precision, i.lat, i.lon, i.location_precision,
	i.place, i.admin1, i.admin2, i.perpetrator, i.affected, i.killed, i.injured, i.reliability, i.attribution, i.merged_into, i.published, i.published_at, i.created_at, i.ledger_idx`

func scanIncident(rows *sql.Rows) (Incident, error) {
	var i Incident
	var at, pub, created int64
	err := rows.Scan(&i.ID, &i.ProcessID, &i.Status, &i.Type, &at, &i.TimePrecision, &i.Lat, &i.Lon, &i.LocationPrecision,
		&i.Place, &i.Admin1, &i.Admin2, &i.Perpetrator, &i.Affected, &i.Killed, &i.Injured,
		&i.Reliability, &i.Attribution, &i.MergedInto, &i.Published, &pub, &created, &i.LedgerIndex)
	i.OccurredAt, i.CreatedAt = store.Time(at), store.Time(created)
	if pub > 0 {
		i.PublishedAt = store.Time(pub)
	}
	return i, err
}

// maxCells bounds the grid squares a map query names; a larger box reads
// by time instead.
const maxCells = 400

// Incidents lists the incidents of a process that actor reads and f
// selects, newest first: the map's query. Merged incidents are left out
// (their reports are in the incident they were merged into).
func (s *Service) Incidents(ctx context.Context, actor access.Actor, processID string, f Filter) (out []Incident, err error) {
	defer errs.Wrap(&err, "ceasefire.Incidents")
	if err := f.Check(); err != nil {
		return nil, err
	}
	c, err := capacity(ctx, s.db.R, actor, processID)
	if err != nil {
		return nil, err
	}
	err = s.eachIncident(ctx, c, f, func(i Incident) error {
		out = append(out, i)
		return nil
	})
	return out, err
}

// eachIncident runs fn on every incident f selects in the process of c
// (the actor's capacity in it, which the caller has read) that c's actor
// reads.
func (s *Service) eachIncident(ctx context.Context, c access.Capacity, f Filter, fn func(Incident) error) error {
	query, args := s.mapQuery(c, f)
	names, err := orgNames(ctx, s.db.R)
	if err != nil {
		return err
	}
	rows, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		i, err := scanIncident(rows)
		if err != nil {
			return err
		}
		i.PerpetratorName, i.AffectedName = nameOf(names, i.Perpetrator), nameOf(names, i.Affected)
		if err := fn(i); err != nil {
			return err
		}
	}
	return rows.Err()
}

// mapQuery is eachIncident's query and its arguments.
func (s *Service) mapQuery(c access.Capacity, f Filter) (string, []any) {
	// By the rule of incidents' audience: the mechanism reads the whole
	// process and an observer its published incidents without a probe of
	// the audience table per row; a party's own reports are still probed.
	args := []any{c.Scope}
	cond, condArgs := access.ReadableByRule(c, incidentRule, "i.process_id", "i.id", 2)
	args = append(args, condArgs...)
	ph := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var w strings.Builder
	w.WriteString(" WHERE i.process_id = $1 AND i.merged_into = ''")
	if b := f.BBox; b != nil {
		if cells := cellsIn(*b, maxCells); cells != nil {
			w.WriteString(" AND i.cell IN (")
			for k, c := range cells {
				if k > 0 {
					w.WriteString(", ")
				}
				w.WriteString(strconv.FormatInt(c, 10)) // integers computed here, not input
			}
			w.WriteString(")")
		}
		w.WriteString(" AND i.lon >= " + ph(b.MinLon) + " AND i.lon <= " + ph(b.MaxLon) +
			" AND i.lat >= " + ph(b.MinLat) + " AND i.lat <= " + ph(b.MaxLat))
	}
	if !f.From.IsZero() {
		w.WriteString(" AND i.occurred_at >= " + ph(store.Stamp(f.From)))
	}
	if !f.To.IsZero() {
		w.WriteString(" AND i.occurred_at < " + ph(store.Stamp(f.To)))
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		w.WriteString(" AND " + col + " IN (")
		for k, v := range vals {
			if k > 0 {
				w.WriteString(", ")
			}
			w.WriteString(ph(v))
		}
		w.WriteString(")")
	}
	in("i.type", f.Types)
	in("i.status", f.Statuses)
	if f.Perpetrator != "" {
		w.WriteString(" AND i.perpetrator = " + ph(f.Perpetrator))
	}
	if f.Published {
		w.WriteString(" AND i.published = " + ph(true))
	}
	// The audience last: SQLite checks the terms an index does not answer
	// in the order they are written, and the check costs a probe of the
	// audience table per row, so it runs only for the rows every cheaper
	// filter (the box, the type, the status) let through.
	w.WriteString(" AND " + cond)
	const order = " ORDER BY i.occurred_at DESC, i.id"
	limit := f.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	query := "SELECT " + incidentCols + " FROM ceasefire_incidents i" + w.String() + order
	if limit > 0 {
		// The newest matching ids come from the grid-square index alone
		// (it holds every column the filters and the audience check
		// need); only those rows are read from the table.
		// On SQLite the index holds the row's rowid too: the rows are
		// then read by it, one seek each instead of the id's index and
		// the table.
		key := "i.id"
		if s.db.Dialect == store.SQLite {
			key = "i.rowid"
		}
		query = "SELECT " + incidentCols + " FROM ceasefire_incidents i WHERE " + key + " IN (SELECT " + key + " FROM ceasefire_incidents i" +
			w.String() + order + " LIMIT " + strconv.Itoa(limit) + ")" + order
	}
	return query, args
}

// Incident reads one incident with its reports, their evidence, its
// history and the answers, as far as actor reads them.
func (s *Service) Incident(ctx context.Context, actor access.Actor, id string) (inc Incident, err error) {
	defer errs.Wrap(&err, "ceasefire.Incident(%s)", id)
	if !store.ValidID(id) || actor.Anonymous() {
		return inc, errs.NotFoundf("incident")
	}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		inc, err = s.incident(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if inc.Reports, err = s.reports(ctx, tx, actor, "r.incident_id = $2", id); err != nil {
			return err
		}
		if inc.History, err = s.history(ctx, tx, actor, id); err != nil {
			return err
		}
		inc.Answers, err = s.answers(ctx, tx, actor, id)
		return err
	})
	return inc, err
}

// incident reads the incident row alone, for a reader of it.
func (s *Service) incident(ctx context.Context, q access.Querier, actor access.Actor, id string) (Incident, error) {
	if !store.ValidID(id) {
		return Incident{}, errs.NotFoundf("incident")
	}
	cond, arg := access.ReadableBy(actor, "i.id", 2)
	rows, err := q.QueryContext(ctx, "SELECT "+incidentCols+" FROM ceasefire_incidents i WHERE i.id = $1 AND "+cond, id, arg)
	if err != nil {
		return Incident{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Incident{}, err
		}
		return Incident{}, errs.NotFoundf("incident")
	}
	inc, err := scanIncident(rows)
	if err != nil {
		return inc, err
	}
	rows.Close()
	names, err := orgNames(ctx, q)
	inc.PerpetratorName, inc.AffectedName = nameOf(names, inc.Perpetrator), nameOf(names, inc.Affected)
	return inc, err
}

// orgNames reads the names of the organisations, by id.
func orgNames(ctx context.Context, q access.Querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name FROM orgs")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// nameOf is the name of organisation id, or id itself ("unknown").
func nameOf(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

func (s *Service) history(ctx context.Context, tx *sql.Tx, actor access.Actor, id string) ([]Step, error) {
	cond, arg := access.ReadableBy(actor, "h.incident_id", 2)
	rows, err := tx.QueryContext(ctx, `SELECT h.id, h.action, h.from_status, h.to_status, h.reason, h.reliability, h.attribution, h.other,
		h.actor_name, `+orgName("h.actor_org")+`, h.at, h.ledger_idx FROM ceasefire_history h
		WHERE h.incident_id = $1 AND `+cond+` ORDER BY h.at, h.ledger_idx`, id, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		var at int64
		if err := rows.Scan(&st.ID, &st.Action, &st.From, &st.To, &st.Reason, &st.Reliability, &st.Attribution, &st.Other,
			&st.ActorName, &st.ActorOrg, &at, &st.LedgerIndex); err != nil {
			return nil, err
		}
		st.At = store.Time(at)
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *Service) answers(ctx context.Context, tx *sql.Tx, actor access.Actor, id string) ([]Answer, error) {
	cond, arg := access.ReadableBy(actor, "a.incident_id", 2)
	rows, err := tx.QueryContext(ctx, "SELECT "+answerCols+`
		FROM ceasefire_answers a WHERE a.incident_id = $1 AND `+cond+` ORDER BY a.at, a.id`, id, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		a, err := scanAnswer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

var answerCols = "a.id, a.incident_id, a.org_id, " + orgName("a.org_id") + ", a.author_name, a.body, a.at, a.ledger_idx"

func scanAnswer(rows *sql.Rows) (Answer, error) {
	var a Answer
	var at int64
	err := rows.Scan(&a.ID, &a.IncidentID, &a.OrgID, &a.OrgName, &a.AuthorName, &a.Body, &at, &a.LedgerIndex)
	a.At = store.Time(at)
	return a, err
}

// AnswersFor reads the answers to the given incidents that actor reads,
// keyed by incident: the map and the exports show them beside each
// finding.
func (s *Service) AnswersFor(ctx context.Context, actor access.Actor, ids []string) (map[string][]Answer, error) {
	out := map[string][]Answer{}
	if len(ids) == 0 || actor.Anonymous() {
		return out, nil
	}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		cond, arg := access.ReadableBy(actor, "a.incident_id", 1)
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			args := []any{arg}
			ph := make([]string, len(chunk))
			for k, id := range chunk {
				args = append(args, id)
				ph[k] = "$" + strconv.Itoa(len(args))
			}
			rows, err := tx.QueryContext(ctx, "SELECT "+answerCols+`
				FROM ceasefire_answers a WHERE `+cond+` AND a.incident_id IN (`+strings.Join(ph, ", ")+`) ORDER BY a.at, a.id`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				a, err := scanAnswer(rows)
				if err != nil {
					rows.Close()
					return err
				}
				out[a.IncidentID] = append(out[a.IncidentID], a)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
