package humanitarian

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Location is a besieged or hard-to-reach area of a process.
type Location struct {
	ID, ProcessID, Name, Admin1, Admin2 string
	Lat, Lon                            float64
	// Polygon is the area's outline as a GeoJSON geometry, empty when none
	// was given.
	Polygon          string
	Population       int64
	PopulationSource string
	PopulationDate   string // YYYY-MM-DD
	// ControlledBy and BesiegedBy are organisation ids, empty when none.
	ControlledBy, BesiegedBy string
	Status                   string
	CreatedAt                time.Time
	LedgerIndex              int64
	// History is the status changes, oldest first (Location only).
	History []StatusChange
}

// StatusChange is one entry of a location's status history.
type StatusChange struct {
	Status, Reason, ByOrg string
	At                    time.Time
	LedgerIndex           int64
}

// NewLocation is the input of CreateLocation.
type NewLocation struct {
	Name, Admin1, Admin2     string
	Lat, Lon                 float64
	Polygon                  json.RawMessage
	Population               int64
	PopulationSource         string
	PopulationDate           string
	ControlledBy, BesiegedBy string
	Status                   string
}

func (in *NewLocation) validate() error {
	var err error
	if in.Name, err = text("name", in.Name, 1, MaxName); err != nil {
		return err
	}
	if in.Admin1, err = text("admin1", in.Admin1, 1, MaxName); err != nil {
		return err
	}
	if in.Admin2, err = text("admin2", in.Admin2, 0, MaxName); err != nil {
		return err
	}
	if math.IsNaN(in.Lat) || in.Lat < -90 || in.Lat > 90 {
		return errs.Field("lat", "lat must be between -90 and 90")
	}
	if math.IsNaN(in.Lon) || in.Lon < -180 || in.Lon > 180 {
		return errs.Field("lon", "lon must be between -180 and 180")
	}
	if len(in.Polygon) > 0 && string(in.Polygon) != "null" {
		if len(in.Polygon) > MaxPolygon {
			return errs.Field("polygon", "polygon is larger than %d bytes", MaxPolygon)
		}
		var g struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		}
		if json.Unmarshal(in.Polygon, &g) != nil || (g.Type != "Polygon" && g.Type != "MultiPolygon") || len(g.Coordinates) < 2 || g.Coordinates[0] != '[' {
			return errs.Field("polygon", "polygon must be a GeoJSON Polygon or MultiPolygon geometry")
		}
	} else {
		in.Polygon = nil
	}
	if in.Population < 0 || in.Population > 100_000_000 {
		return errs.Field("population", "population must be between 0 and 100000000")
	}
	if in.PopulationSource, err = text("population_source", in.PopulationSource, 0, MaxName); err != nil {
		return err
	}
	if in.PopulationDate != "" {
		if _, err := time.Parse(time.DateOnly, in.PopulationDate); err != nil {
			return errs.Field("population_date", "population_date must be a date (YYYY-MM-DD)")
		}
	}
	if in.Status == "" {
		in.Status = Besieged
	}
	return oneOf("status", in.Status, Statuses)
}

// CreateLocation records a location. An agency or the mediation of the
// process records it; controlled_by and besieged_by name parties of the
// process.
func (s *Service) CreateLocation(ctx context.Context, actor access.Actor, processID string, in NewLocation) (l Location, err error) {
	defer errs.Wrap(&err, "humanitarian.CreateLocation")
	if err := in.validate(); err != nil {
		return l, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := capacity(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !c.In(access.Agency, access.Mediation) {
			return errs.New(errs.Forbidden, "only an agency or the mediation records locations")
		}
		for field, org := range map[string]string{"controlled_by": in.ControlledBy, "besieged_by": in.BesiegedBy} {
			if org != "" {
				if err := orgInProcess(ctx, tx, processID, field, org, access.Party); err != nil {
					return err
				}
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM hum_locations WHERE process_id = $1 AND name = $2", processID, in.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &errs.Error{Code: errs.Conflict, Field: "name", Message: "the process already has a location with this name"}
		}
		at := s.clock()
		_, aud, err := dashboardItem(ctx, tx, rec, actor, processID, at)
		if err != nil {
			return err
		}
		l = Location{ID: store.NewID(), ProcessID: processID, Name: in.Name, Admin1: in.Admin1, Admin2: in.Admin2,
			Lat: in.Lat, Lon: in.Lon, Polygon: string(in.Polygon), Population: in.Population,
			PopulationSource: in.PopulationSource, PopulationDate: in.PopulationDate,
			ControlledBy: in.ControlledBy, BesiegedBy: in.BesiegedBy, Status: in.Status, CreatedAt: at}
		ev, err := event(ctx, rec, actor, at, "location.created", "location", l.ID, aud, locationContent(l))
		if err != nil {
			return err
		}
		l.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO hum_locations(id, process_id, name, admin1, admin2, lat, lon, polygon,
			population, population_source, population_date, controlled_by, besieged_by, status, created_at, created_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			l.ID, processID, l.Name, l.Admin1, l.Admin2, l.Lat, l.Lon, l.Polygon, l.Population, l.PopulationSource,
			l.PopulationDate, l.ControlledBy, l.BesiegedBy, l.Status, store.Stamp(at), actor.User, ev.Index); err != nil {
			return err
		}
		if err := rec.Grant(l.ID, aud); err != nil {
			return err
		}
		return s.insertStatus(ctx, tx, rec, actor, l.ID, l.Status, "", at, ev.Index, aud)
	})
	return l, err
}

// locationContent is the content of a location's location.created event,
// rebuilt from its row (with the status it was created with) by parley
// verify (itemkinds.go).
func locationContent(l Location) map[string]any {
	return map[string]any{
		"process_id": l.ProcessID, "name": l.Name, "admin1": l.Admin1, "admin2": l.Admin2, "lat": l.Lat, "lon": l.Lon,
		"polygon": l.Polygon, "population": l.Population, "population_source": l.PopulationSource,
		"population_date": l.PopulationDate, "controlled_by": l.ControlledBy, "besieged_by": l.BesiegedBy, "status": l.Status,
	}
}

// statusContent is the content of a location.status event, rebuilt from
// the status change's row and the one before it by parley verify
// (itemkinds.go).
func statusContent(status, previous, reason string) map[string]any {
	return map[string]any{"status": status, "previous": previous, "reason": reason}
}

func (s *Service) insertStatus(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, locID, status, reason string, at time.Time, idx int64, aud access.Audience) error {
	id := store.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO hum_location_status(id, location_id, status, reason, at, by_user, by_org, ledger_idx)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, locID, status, reason, store.Stamp(at), actor.User, actor.Org, idx); err != nil {
		return err
	}
	return rec.Grant(id, aud)
}

// SetLocationStatus changes a location's status, with the reason, and
// keeps the change in its history. An agency or the mediation of the
// process changes it.
func (s *Service) SetLocationStatus(ctx context.Context, actor access.Actor, locationID, status, reason string) (l Location, err error) {
	defer errs.Wrap(&err, "humanitarian.SetLocationStatus")
	if err := oneOf("status", status, Statuses); err != nil {
		return l, err
	}
	if reason, err = text("reason", reason, 0, MaxReason); err != nil {
		return l, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		cur, err := s.location(ctx, tx, actor, locationID)
		if err != nil {
			return err
		}
		c, err := capacity(ctx, tx, actor, cur.ProcessID)
		if err != nil {
			return err
		}
		if !c.In(access.Agency, access.Mediation) {
			return errs.New(errs.Forbidden, "only an agency or the mediation changes a location's status")
		}
		if cur.Status == status {
			return &errs.Error{Code: errs.Conflict, Field: "status", Message: "the location is already " + status}
		}
		aud, err := access.AudienceOf(ctx, tx, cur.ID)
		if err != nil {
			return err
		}
		at := s.clock()
		ev, err := event(ctx, rec, actor, at, "location.status", "location", cur.ID, aud, statusContent(status, cur.Status, reason))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE hum_locations SET status = $1 WHERE id = $2", status, cur.ID); err != nil {
			return err
		}
		return s.insertStatus(ctx, tx, rec, actor, cur.ID, status, reason, at, ev.Index, aud)
	})
	if err != nil {
		return l, err
	}
	return s.Location(ctx, actor, locationID)
}

const locationColumns = `l.id, l.process_id, l.name, l.admin1, l.admin2, l.lat, l.lon, l.polygon, l.population,
	l.population_source, l.population_date, l.controlled_by, l.besieged_by, l.status, l.created_at, l.ledger_idx`

func scanLocation(sc interface{ Scan(...any) error }) (Location, error) {
	var l Location
	var at int64
	err := sc.Scan(&l.ID, &l.ProcessID, &l.Name, &l.Admin1, &l.Admin2, &l.Lat, &l.Lon, &l.Polygon, &l.Population,
		&l.PopulationSource, &l.PopulationDate, &l.ControlledBy, &l.BesiegedBy, &l.Status, &at, &l.LedgerIndex)
	l.CreatedAt = store.Time(at)
	return l, err
}

// location reads one location the actor may read.
func (s *Service) location(ctx context.Context, q access.Querier, actor access.Actor, id string) (Location, error) {
	if actor.Anonymous() {
		return Location{}, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(id) {
		return Location{}, errs.NotFoundf("location")
	}
	cond, arg := access.ReadableBy(actor, "l.id", 2)
	l, err := scanLocation(q.QueryRowContext(ctx, "SELECT "+locationColumns+" FROM hum_locations l WHERE l.id = $1 AND "+cond, id, arg))
	if err == sql.ErrNoRows {
		return l, errs.NotFoundf("location")
	}
	return l, err
}

// Location returns one location with its status history.
func (s *Service) Location(ctx context.Context, actor access.Actor, id string) (l Location, err error) {
	defer errs.Wrap(&err, "humanitarian.Location")
	l, err = s.location(ctx, s.db.R, actor, id)
	if err != nil {
		return l, err
	}
	cond, arg := access.ReadableBy(actor, "h.id", 2)
	rows, err := s.db.R.QueryContext(ctx, `SELECT h.status, h.reason, h.by_org, h.at, h.ledger_idx FROM hum_location_status h
		WHERE h.location_id = $1 AND `+cond+` ORDER BY h.at, h.ledger_idx`, id, arg)
	if err != nil {
		return l, err
	}
	defer rows.Close()
	for rows.Next() {
		var h StatusChange
		var at int64
		if err := rows.Scan(&h.Status, &h.Reason, &h.ByOrg, &at, &h.LedgerIndex); err != nil {
			return l, err
		}
		h.At = store.Time(at)
		l.History = append(l.History, h)
	}
	return l, rows.Err()
}

// Locations lists the process's locations the actor may read, by name:
// none for an observer.
func (s *Service) Locations(ctx context.Context, actor access.Actor, processID string) (ls []Location, err error) {
	defer errs.Wrap(&err, "humanitarian.Locations")
	if _, err := capacity(ctx, s.db.R, actor, processID); err != nil {
		return nil, err
	}
	cond, arg := access.ReadableBy(actor, "l.id", 2)
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+locationColumns+" FROM hum_locations l WHERE l.process_id = $1 AND "+cond+" ORDER BY l.name, l.id", processID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, rows.Err()
}
