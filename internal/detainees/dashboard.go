package detainees

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// Dashboard is promised against verified releases in a process, per side,
// over the exchanges its reader may read.
type Dashboard struct {
	ProcessID string
	Agency    Side // the neutral agency; empty until named
	Promised  int
	Verified  int
	Sides     []SideReleases
}

// SideReleases counts one releasing side's promises and verified releases.
type SideReleases struct {
	Side
	Promised, Verified int
	// Series is the running count after each change, in time order: a
	// promise counts from when its exchange was agreed, a release from when
	// it happened.
	Series []Point
}

// Point is the running counts of a side at a time.
type Point struct {
	At                 time.Time
	Promised, Verified int
}

// Dashboard returns the process's promised and verified releases per side,
// counted over the exchanges actor may read: every participant of the
// process may ask, and sees only what it would see exchange by exchange.
func (s *Service) Dashboard(ctx context.Context, actor access.Actor, processID string) (d Dashboard, err error) {
	defer errs.Wrap(&err, "detainees.Dashboard")
	d.ProcessID = processID
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if r.agency != "" {
			d.Agency.OrgID = r.agency
			if d.Agency.Name, err = orgName(ctx, tx, r.agency); err != nil {
				return err
			}
		}
		cond, arg := access.ReadableBy(actor, "e.id", 2)
		rows, err := tx.QueryContext(ctx, `SELECT p.released_by, o.name, e.created_at, p.released_at
			FROM detainee_people p JOIN detainee_exchanges e ON e.id = p.exchange_id JOIN orgs o ON o.id = p.released_by
			WHERE e.process_id = $1 AND `+cond, processID, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		type change struct {
			at       int64
			released bool
		}
		bySide := map[string]*SideReleases{}
		changes := map[string][]change{}
		for rows.Next() {
			var org, name string
			var agreed int64
			var released sql.NullInt64
			if err := rows.Scan(&org, &name, &agreed, &released); err != nil {
				return err
			}
			sr := bySide[org]
			if sr == nil {
				sr = &SideReleases{Side: Side{OrgID: org, Name: name}}
				bySide[org] = sr
			}
			sr.Promised++
			d.Promised++
			changes[org] = append(changes[org], change{at: agreed})
			if released.Valid {
				sr.Verified++
				d.Verified++
				changes[org] = append(changes[org], change{at: released.Int64, released: true})
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for org, sr := range bySide {
			cs := changes[org]
			sort.SliceStable(cs, func(i, j int) bool { return cs[i].at < cs[j].at })
			var pt Point
			for _, c := range cs {
				if c.released {
					pt.Verified++
				} else {
					pt.Promised++
				}
				pt.At = store.Time(c.at)
				if n := len(sr.Series); n > 0 && sr.Series[n-1].At.Equal(pt.At) {
					sr.Series[n-1] = pt
				} else {
					sr.Series = append(sr.Series, pt)
				}
			}
			d.Sides = append(d.Sides, *sr)
		}
		sort.Slice(d.Sides, func(i, j int) bool { return d.Sides[i].Name < d.Sides[j].Name })
		return nil
	})
	return d, err
}
