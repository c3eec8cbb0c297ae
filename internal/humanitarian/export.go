package humanitarian

import (
	"context"
	"database/sql"
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
