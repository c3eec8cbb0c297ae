package ceasefire

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Grade is one grading of a report's source by a monitor: how reliable
// the source of that report is (A completely reliable … E unreliable, F
// cannot be judged), with the reason. Each report keeps its source, so
// each report is graded on its own; the incident shows the grades beside
// its reports.
type Grade struct {
	ID          string
	ReportID    string
	Reliability string
	Reason      string
	ActorName   string
	ActorOrg    string
	At          time.Time
	LedgerIndex int64
}

// gradeContent is the content of a grading's event, rebuilt by parley
// verify from its row.
func gradeContent(g Grade) map[string]string {
	return map[string]string{"report": g.ReportID, "grade": g.ID, "reliability": g.Reliability, "reason": g.Reason}
}

var gradeColumns = store.Columns("id text", "report_id text", "reliability text", "reason text", "actor_user text", "actor_name text",
	"actor_org text", "at bigint", "ledger_idx bigint")

// GradeSource records the reliability of a report's source, with a
// reason. Monitors only; the grading is read with the report, by the
// report's audience.
func (s *Service) GradeSource(ctx context.Context, actor access.Actor, reportID, reliability, why string) (g Grade, err error) {
	defer errs.Wrap(&err, "ceasefire.GradeSource(%s)", reportID)
	if !store.ValidID(reportID) || actor.Anonymous() {
		return g, errs.NotFoundf("report")
	}
	if !oneOf(reliability, Reliabilities) {
		return g, errs.Field("reliability", "reliability is a letter from A to F")
	}
	if why, err = reason(why); err != nil {
		return g, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := reportCapacity(ctx, tx, actor, reportID)
		if err != nil {
			return err
		}
		if err := requireMonitor(c, "grade the sources of reports"); err != nil {
			return err
		}
		aud, err := access.AudienceOf(ctx, tx, reportID)
		if err != nil {
			return err
		}
		g = Grade{ID: store.NewID(), ReportID: reportID, Reliability: reliability, Reason: why, ActorName: actor.Username, ActorOrg: actor.Org,
			At: s.now().UTC()}
		e, err := event(ctx, rec, actor, "ceasefire.grade", "ceasefire_grade", g.ID, aud, gradeContent(g))
		if err != nil {
			return err
		}
		g.LedgerIndex = e.Index
		rec.Insert("ceasefire_grades", gradeColumns, "", g.ID, reportID, reliability, why, actor.User, actor.Username, actor.Org, store.Stamp(g.At), e.Index)
		_, err = tx.ExecContext(ctx, "UPDATE ceasefire_reports SET reliability = $1 WHERE id = $2", reliability, reportID)
		return err
	})
	return g, err
}

// grades reads the gradings of a report's source that actor reads
// (through the report), oldest first.
func (s *Service) grades(ctx context.Context, tx *sql.Tx, actor access.Actor, reportID string) ([]Grade, error) {
	cond, arg := access.ReadableBy(actor, "g.report_id", 2)
	rows, err := tx.QueryContext(ctx, `SELECT g.id, g.report_id, g.reliability, g.reason, g.actor_name, `+orgName("g.actor_org")+`, g.at, g.ledger_idx
		FROM ceasefire_grades g WHERE g.report_id = $1 AND `+cond+` ORDER BY g.at, g.ledger_idx`, reportID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grade
	for rows.Next() {
		var g Grade
		var at int64
		if err := rows.Scan(&g.ID, &g.ReportID, &g.Reliability, &g.Reason, &g.ActorName, &g.ActorOrg, &at, &g.LedgerIndex); err != nil {
			return nil, err
		}
		g.At = store.Time(at)
		out = append(out, g)
	}
	return out, rows.Err()
}

// gradeContents rebuilds each grading's event content.
func gradeContents(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
	rows, err := q.QueryContext(ctx, "SELECT id, report_id, reliability, reason FROM ceasefire_grades")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g Grade
		if err := rows.Scan(&g.ID, &g.ReportID, &g.Reliability, &g.Reason); err != nil {
			return err
		}
		b, err := json.Marshal(gradeContent(g))
		if err := each(g.ID, b, err); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SealNarratives seals the narratives an earlier version kept in clear
// (before migration 00038); it runs on start and returns how many it
// sealed.
func (s *Service) SealNarratives(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, narrative FROM ceasefire_reports WHERE narrative <> ''")
		if err != nil {
			return err
		}
		clear := map[string]string{}
		for rows.Next() {
			var id, text string
			if err := rows.Scan(&id, &text); err != nil {
				rows.Close()
				return err
			}
			clear[id] = text
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for id, text := range clear {
			if _, err := tx.ExecContext(ctx, "UPDATE ceasefire_reports SET narrative_enc = $1, narrative = '' WHERE id = $2", s.sealNarrative(id, text), id); err != nil {
				return err
			}
		}
		n = len(clear)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("ceasefire: sealing narratives: %w", err)
	}
	return n, nil
}
