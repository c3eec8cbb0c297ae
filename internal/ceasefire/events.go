package ceasefire

import (
	"context"
	"strconv"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// Update is one ceasefire event of a process as its reader sees it: what
// changed, not the content (the reader fetches that through its own
// reads).
type Update struct {
	Index      int64
	Type       string
	ObjectType string
	ObjectID   string
	At         time.Time
}

// MaxUpdates bounds one read of the updates.
const MaxUpdates = 500

// Updates reads the process's ceasefire events after the ledger index
// after that actor reads, oldest first: the live feed of the map and of
// clients. Each event is filtered by its own audience in SQL.
func (s *Service) Updates(ctx context.Context, actor access.Actor, processID string, after int64, limit int) (out []Update, err error) {
	defer errs.Wrap(&err, "ceasefire.Updates")
	if _, err := capacity(ctx, s.db.R, actor, processID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxUpdates {
		limit = MaxUpdates
	}
	cond, arg := access.ReadableBy(actor, "e.id", 1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.idx, e.type, e.object_type, e.object_id, e.at FROM events e
		WHERE `+cond+` AND e.idx > $3 AND e.type LIKE 'ceasefire.%' AND (
			e.object_id = $2
			OR e.object_id IN (SELECT id FROM ceasefire_incidents WHERE process_id = $2)
			OR e.object_id IN (SELECT id FROM ceasefire_reports WHERE process_id = $2)
			OR e.object_id IN (SELECT ev.id FROM ceasefire_evidence ev JOIN ceasefire_reports r ON r.id = ev.report_id WHERE r.process_id = $2)
			OR e.object_id IN (SELECT a.id FROM ceasefire_answers a JOIN ceasefire_incidents i ON i.id = a.incident_id WHERE i.process_id = $2))
		ORDER BY e.idx LIMIT `+strconv.Itoa(limit), arg, processID, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u Update
		var at int64
		if err := rows.Scan(&u.Index, &u.Type, &u.ObjectType, &u.ObjectID, &at); err != nil {
			return nil, err
		}
		u.At = store.Time(at)
		out = append(out, u)
	}
	return out, rows.Err()
}
