package humanitarian

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Commitment is what a round agreed for a location: aid every so many
// days ("access to Madaya every 14 days"). Its convoys are the convoys to
// its location requested since it started.
type Commitment struct {
	ID, ProcessID, RoundID, LocationID, Title string
	CadenceDays                               int
	StartsAt                                  time.Time
	CreatedAt                                 time.Time
	LedgerIndex                               int64
}

// NewCommitment is the input of CreateCommitment.
type NewCommitment struct {
	Round, Location, Title string
	CadenceDays            int
	// Starts is when the commitment starts to run; zero means now.
	Starts time.Time
}

// CreateCommitment records a round's commitment. The mediation records it,
// for a round of the process and a location of the process; it is read
// like the dashboard.
func (s *Service) CreateCommitment(ctx context.Context, actor access.Actor, processID string, in NewCommitment) (m Commitment, err error) {
	defer errs.Wrap(&err, "humanitarian.CreateCommitment")
	if in.Title, err = text("title", in.Title, 1, MaxName); err != nil {
		return m, err
	}
	if in.CadenceDays < 1 || in.CadenceDays > 366 {
		return m, errs.Field("cadence_days", "cadence_days must be between 1 and 366")
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := capacity(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !c.Mediates() {
			return errs.New(errs.Forbidden, "the mediation records the round's commitments")
		}
		rc, err := access.RoundCapacity(ctx, tx, actor, in.Round)
		if err != nil {
			return err
		}
		var roundProcess string
		if rc.Participates() {
			if err := tx.QueryRowContext(ctx, "SELECT process_id FROM rounds WHERE id = $1", in.Round).Scan(&roundProcess); err != nil {
				return err
			}
		}
		if roundProcess != processID {
			return errs.Field("round", "round is not a round of this process that the mediation takes part in")
		}
		loc, err := s.location(ctx, tx, actor, in.Location)
		if err != nil || loc.ProcessID != processID {
			if err == nil || errs.Code(err) == errs.NotFound {
				return errs.Field("location", "location is not a location of this process")
			}
			return err
		}
		at := s.clock()
		starts := in.Starts.UTC().Truncate(time.Second)
		if in.Starts.IsZero() {
			starts = at
		}
		_, aud, err := dashboardItem(ctx, tx, rec, actor, processID, at)
		if err != nil {
			return err
		}
		m = Commitment{ID: store.NewID(), ProcessID: processID, RoundID: in.Round, LocationID: loc.ID, Title: in.Title,
			CadenceDays: in.CadenceDays, StartsAt: starts, CreatedAt: at}
		ev, err := event(ctx, rec, actor, at, "commitment.created", "commitment", m.ID, aud, commitmentContent(m))
		if err != nil {
			return err
		}
		m.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO hum_commitments(id, process_id, round_id, location_id, title, cadence_days,
			starts_at, created_at, created_by, ledger_idx) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			m.ID, processID, m.RoundID, m.LocationID, m.Title, m.CadenceDays, store.Stamp(starts), store.Stamp(at), actor.User, ev.Index); err != nil {
			return err
		}
		return rec.Grant(m.ID, aud)
	})
	return m, err
}

// commitmentContent is the content of a commitment's commitment.created
// event, rebuilt from its row by parley verify (itemkinds.go).
func commitmentContent(m Commitment) map[string]any {
	return map[string]any{"round_id": m.RoundID, "location_id": m.LocationID, "title": m.Title, "cadence_days": m.CadenceDays,
		"starts_at": stamp(m.StartsAt)}
}

// SetPublicSummary switches the dashboard's public summary on or off. The
// mediation switches it; while it is on, every organisation of the process,
// observers included, reads the summary: counts and quantities per
// location. Switching it on again gives the summary a new audience item,
// so that switching it off narrows it again.
func (s *Service) SetPublicSummary(ctx context.Context, actor access.Actor, processID string, on bool) (err error) {
	defer errs.Wrap(&err, "humanitarian.SetPublicSummary")
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := capacity(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !c.Mediates() {
			return errs.New(errs.Forbidden, "the mediation switches the public summary")
		}
		at := s.clock()
		dash, _, err := dashboardItem(ctx, tx, rec, actor, processID, at)
		if err != nil {
			return err
		}
		everyone, err := access.ProcessOrgs(ctx, tx, processID)
		if err != nil {
			return err
		}
		// The switch's event makes the summary's audience item when on:
		// parley verify checks the item's audience against it.
		ev, err := event(ctx, rec, actor, at, "humanitarian.summary", "dashboard", dash, everyone, summaryContent(on))
		if err != nil {
			return err
		}
		id, idx := "", sql.NullInt64{}
		if on {
			id, idx = store.NewID(), sql.NullInt64{Int64: ev.Index, Valid: true}
			if err := rec.Grant(id, everyone); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE hum_processes SET summary_id = $1, summary_idx = $2, updated_at = $3 WHERE process_id = $4",
			id, idx, store.Stamp(at), processID)
		return err
	})
}

// summaryContent is the content of a humanitarian.summary event, rebuilt
// by parley verify for the summary switched on (itemkinds.go).
func summaryContent(on bool) map[string]any { return map[string]any{"public_summary": on} }

// Joined widens what an organisation joining a round of a process would
// have read had it been there (talks.JoinHook): every organisation but an
// observer reads the locations, commitments and dashboard; the mediation
// reads every convoy and step; an observer reads the public summary while
// it is on.
func (s *Service) Joined(ctx context.Context, tx *sql.Tx, roundID string, p talks.Participant) error {
	var processID string
	if err := tx.QueryRowContext(ctx, "SELECT process_id FROM rounds WHERE id = $1", roundID).Scan(&processID); err != nil {
		return err
	}
	var queries []string
	if p.Capacity == access.Observer {
		queries = append(queries, "SELECT summary_id AS id FROM hum_processes WHERE process_id = $1 AND summary_id <> ''")
	} else {
		queries = append(queries,
			"SELECT dashboard_id AS id FROM hum_processes WHERE process_id = $1",
			"SELECT id FROM hum_locations WHERE process_id = $1",
			"SELECT h.id FROM hum_location_status h JOIN hum_locations l ON l.id = h.location_id WHERE l.process_id = $1",
			"SELECT id FROM hum_commitments WHERE process_id = $1")
		if on, err := summaryOn(ctx, tx, processID); err != nil {
			return err
		} else if on {
			queries = append(queries, "SELECT summary_id AS id FROM hum_processes WHERE process_id = $1")
		}
	}
	if p.Capacity == access.Mediation {
		queries = append(queries,
			"SELECT id FROM hum_convoys WHERE process_id = $1",
			"SELECT st.id FROM hum_steps st JOIN hum_convoys c ON c.id = st.convoy_id WHERE c.process_id = $1")
	}
	for _, q := range queries {
		if err := access.WidenAll(ctx, tx, p.Org.ID, q, processID); err != nil {
			return err
		}
	}
	return nil
}

func summaryOn(ctx context.Context, q access.Querier, processID string) (bool, error) {
	var id string
	err := q.QueryRowContext(ctx, "SELECT summary_id FROM hum_processes WHERE process_id = $1", processID).Scan(&id)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return id != "", err
}
