package humanitarian

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"io"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// ExportRow is one item line of a convoy in an export: what was targeted
// for the location and what reached it.
type ExportRow struct {
	ConvoyID, Location, Admin1, Agency, Item, Unit, State string
	Requested                                             Quantity
	Delivered                                             Quantity
	// Approved is when the convoy's approvals were over; zero while
	// awaited.
	Approved time.Time
}

// HXL is the Humanitarian Exchange Language hashtag of each column of an
// export, in order: the row under the headers of a CSV export.
var HXL = []string{"#loc+dest", "#adm1+name", "#org+impl", "#item+name", "#item+unit", "#targeted", "#reached", "#date+approved", "#status", "#activity+id"}

// ExportHeaders are the column headers of an export, in order.
var ExportHeaders = []string{"destination", "admin1", "agency", "item", "unit", "requested", "delivered", "approved", "status", "convoy"}

// Cells is the row as the export writes it, in the order of HXL.
func (r ExportRow) Cells() []string {
	approved := ""
	if !r.Approved.IsZero() {
		approved = r.Approved.UTC().Format(time.DateOnly)
	}
	return []string{r.Location, r.Admin1, r.Agency, r.Item, r.Unit, r.Requested.String(), r.Delivered.String(), approved, r.State, r.ConvoyID}
}

// ExportConvoys calls fn with every item line of the process's convoys
// that the actor may read, oldest convoy first: none for an organisation
// that reads no convoy.
func (s *Service) ExportConvoys(ctx context.Context, actor access.Actor, processID string, fn func(ExportRow) error) (err error) {
	defer errs.Wrap(&err, "humanitarian.ExportConvoys")
	if _, err := capacity(ctx, s.db.R, actor, processID); err != nil {
		return err
	}
	cond, arg := access.ReadableBy(actor, "c.id", 2)
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, l.name, l.admin1, o.name, i.name, i.unit, i.requested, COALESCE(i.delivered, 0),
		c.requested_at, c.approval_us, c.state FROM hum_convoys c JOIN hum_locations l ON l.id = c.location_id
		JOIN orgs o ON o.id = c.agency_org JOIN hum_convoy_items i ON i.convoy_id = c.id
		WHERE c.process_id = $1 AND `+cond+` ORDER BY c.requested_at, c.id, i.pos`, processID, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r ExportRow
		var req, del, at int64
		var appr sql.NullInt64
		if err := rows.Scan(&r.ConvoyID, &r.Location, &r.Admin1, &r.Agency, &r.Item, &r.Unit, &req, &del, &at, &appr, &r.State); err != nil {
			return err
		}
		r.Requested, r.Delivered = Quantity(req), Quantity(del)
		if appr.Valid && r.State != StateDenied {
			r.Approved = store.Time(at + appr.Int64)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// WriteCSV writes the actor's export of the process's convoys as CSV: the
// column headers, then with hxl the HXL hashtags, then one row per item
// line. Nothing is written when the actor may not export.
func (s *Service) WriteCSV(ctx context.Context, actor access.Actor, processID string, hxl bool, w io.Writer) (err error) {
	if _, err := capacity(ctx, s.db.R, actor, processID); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(ExportHeaders)
	if hxl {
		cw.Write(HXL)
	}
	err = s.ExportConvoys(ctx, actor, processID, func(r ExportRow) error {
		return cw.Write(r.Cells())
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// GeoJSON is the dashboard's locations as a GeoJSON FeatureCollection: a
// point for each location (with its outline, when it has one, in a
// GeometryCollection) and its figures as properties.
func GeoJSON(d Dashboard) ([]byte, error) {
	type feature struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Geometry   any            `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	features := []feature{}
	for _, l := range d.Locations {
		point := map[string]any{"type": "Point", "coordinates": []float64{l.Lon, l.Lat}}
		var geom any = point
		if l.Polygon != "" {
			geom = map[string]any{"type": "GeometryCollection", "geometries": []any{point, json.RawMessage(l.Polygon)}}
		}
		items := []map[string]any{}
		for _, it := range l.Items {
			items = append(items, map[string]any{"name": it.Name, "unit": it.Unit, "requested": it.Requested, "approved": it.Approved,
				"loaded": it.Loaded, "removed": it.Removed, "delivered": it.Delivered})
		}
		props := map[string]any{"name": l.Name, "admin1": l.Admin1, "admin2": l.Admin2, "status": l.Status,
			"population": l.Population, "controlled_by": l.ControlledBy, "besieged_by": l.BesiegedBy,
			"convoys": l.Convoys, "states": l.States, "items": items, "days_since_last_delivery": nil}
		if days := l.DaysSinceLastDelivery(d.GeneratedAt); days >= 0 {
			props["days_since_last_delivery"] = days
		}
		features = append(features, feature{Type: "Feature", ID: l.ID, Geometry: geom, Properties: props})
	}
	return json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
}
