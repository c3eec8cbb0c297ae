package ceasefire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store"
)

// stepContent is the content of an incident step's event (step), rebuilt
// from its history row by parley verify.
func stepContent(incidentID string, st Step) map[string]string {
	return map[string]string{"incident": incidentID, "action": st.Action, "from": st.From, "to": st.To, "reason": st.Reason,
		"reliability": st.Reliability, "attribution": st.Attribution, "other": st.Other}
}

// answerContent is the content of an answer's event (AnswerIncident).
func answerContent(a Answer) map[string]string {
	return map[string]string{"incident": a.IncidentID, "answer": a.ID, "body": a.Body}
}

// joinGrants is the ItemKind.Grants of the rows of table (with id,
// process_id and ledger_idx columns) that Joined widens to an organisation
// joining a round of their process after them: one of kinds, or anyone
// once the row is published when published is true.
func joinGrants(table string, published bool, kinds ...access.OrgKind) string {
	cols, cond := "id, ledger_idx AS idx, process_id", ledger.KindIn("o.kind", kinds...)
	if published {
		cols += ", published"
		cond = "(t.published OR " + cond + ")"
	}
	if len(kinds) == 0 {
		cond = ""
	}
	return ledger.JoinGrants("SELECT "+cols+" FROM "+table, "process", cond)
}

// EvidenceDir is the folder of the evidence files, sealed under the master
// key, in the data folder.
func EvidenceDir(dataDir string) string { return filepath.Join(dataDir, "evidence") }

// ItemKinds describes the ceasefire's items for parley verify
// (ledger.ItemKind), with the evidence files in dataDir's "evidence"
// folder (EvidenceDir):
//
//   - reports: their audience against the report's event and the
//     organisations of the mechanism that joined after it (Joined), each
//     only itself; with the master key their content
//     (the report as filed, with the incident it made: the one created by
//     the same event, whatever merges and splits did since);
//   - incidents: their audience against the event that created them (a
//     report's, or the split that made them), every step about them
//     (verification, merge, publish, ...) and the organisations that
//     joined after them, of the mechanism or, once published, any; with
//     the master key their state against their steps replayed
//     (Incident.apply, as the write path applies them) and their copy of
//     the report against the report's event (incidentContents);
//   - zones: their audience against the import's event and every
//     organisation that joined a round of the process after it; with the
//     master key their name, kind and geometry against the file the
//     import kept, and the file against the event (zoneContents; zones
//     imported before the file was kept are not checked);
//   - steps (the incident's history), answers, evidence and source
//     grades: they have no
//     audience rows of their own (they are read through their incident or
//     report), so an audience row given them is reported; with the master
//     key (master not nil) their content is rebuilt from the row, or for
//     evidence the file is opened and must be what the event hashed (its
//     SHA-256), with the row's size and SHA-256.
func ItemKinds(master []byte, dataDir string) ([]ledger.ItemKind, error) {
	mech := []access.OrgKind{access.Monitor, access.Mediation, access.Guarantor}
	reports := ledger.ItemKind{Name: "report", ObjectType: "ceasefire_report",
		Items:  "SELECT id, id AS object_id, ledger_idx AS idx FROM ceasefire_reports",
		Grants: joinGrants("ceasefire_reports", false, mech...)}
	incidentGrants := joinGrants("ceasefire_incidents", true, mech...)
	// An incident made by a report: its events are the report's and its
	// own steps.
	const byReport = "(SELECT i.id, i.process_id, i.published, i.ledger_idx, r.id AS report_id FROM ceasefire_incidents i JOIN ceasefire_reports r ON r.ledger_idx = i.ledger_idx)"
	reported := ledger.ItemKind{Name: "incident", ObjectType: "ceasefire_report",
		Items:     "SELECT t.id, t.report_id AS object_id, t.ledger_idx AS idx, '' AS round_id FROM " + byReport + " t",
		WidenedBy: "SELECT t.report_id AS id, 'ceasefire_incident' AS object_type, t.id AS object_id FROM " + byReport + " t",
		Grants:    incidentGrants}
	// An incident made by a split: created with the step split_from
	// about itself.
	const bySplit = "(SELECT i.id, i.process_id, i.published, h.ledger_idx FROM ceasefire_incidents i JOIN ceasefire_history h ON h.incident_id = i.id AND h.action = 'split_from')"
	split := ledger.ItemKind{Name: "incident", ObjectType: "ceasefire_incident",
		Items:  "SELECT t.id, t.id AS object_id, t.ledger_idx AS idx FROM " + bySplit + " t",
		Grants: incidentGrants}
	zones := ledger.ItemKind{Name: "zone", ObjectType: "process",
		Items:  "SELECT id, process_id AS object_id, ledger_idx AS idx FROM ceasefire_zones",
		Grants: joinGrants("ceasefire_zones", false)}
	steps := ledger.ItemKind{Name: "incident step", ObjectType: "ceasefire_incident",
		Items: "SELECT id, incident_id AS object_id, ledger_idx AS idx, '' AS round_id FROM ceasefire_history", Contents: stepContents}
	answers := ledger.ItemKind{Name: "answer", ObjectType: "ceasefire_answer",
		Items: "SELECT id, id AS object_id, ledger_idx AS idx, '' AS round_id FROM ceasefire_answers", Contents: answerContents}
	evidence := ledger.ItemKind{Name: "evidence", ObjectType: "ceasefire_evidence",
		Items: "SELECT id, id AS object_id, ledger_idx AS idx, '' AS round_id FROM ceasefire_evidence"}
	grades := ledger.ItemKind{Name: "source grade", ObjectType: "ceasefire_grade",
		Items: "SELECT id, id AS object_id, ledger_idx AS idx, '' AS round_id FROM ceasefire_grades", Contents: gradeContents}
	if master == nil {
		steps.Contents, answers.Contents, grades.Contents = nil, nil, nil
	} else {
		files, err := channel.NewFileStore(master, EvidenceDir(dataDir))
		if err != nil {
			return nil, fmt.Errorf("ceasefire: %w", err)
		}
		reported.Contents = func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
			return incidentContents(ctx, q, files, each)
		}
		split.Contents = reported.Contents
		zones.Contents = zoneContents
		reports.Contents = func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
			return reportContents(ctx, q, files, each)
		}
		evidence.Contents = func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
			return evidenceContents(ctx, q, files, each)
		}
	}
	// The public summary's item: public from its creation (a switch made
	// before its creation was recorded has no event about it and is not
	// checked until the next switch records it); its switch against the
	// latest ceasefire.public_summary.
	summary := ledger.ItemKind{Name: "public summary", ObjectType: summaryObject,
		Items: `SELECT s.item_id AS id, s.item_id AS object_id, COALESCE((SELECT MIN(e.idx) FROM events e
			WHERE e.object_type = '` + summaryObject + `' AND e.object_id = s.item_id), -1) AS idx FROM ceasefire_settings s
			WHERE EXISTS (SELECT 1 FROM events e WHERE e.object_type = '` + summaryObject + `' AND e.object_id = s.item_id)
			OR NOT EXISTS (SELECT 1 FROM events e WHERE e.object_type = 'process' AND e.object_id = s.process_id AND e.type = 'ceasefire.public_summary')`,
		ContentAt: `SELECT s.item_id AS id, (SELECT MAX(e.idx) FROM events e WHERE e.object_type = 'process'
			AND e.object_id = s.process_id AND e.type = 'ceasefire.public_summary') AS idx FROM ceasefire_settings s`}
	if master != nil {
		summary.Contents = ledger.RowContents("SELECT item_id, process_id, public_summary FROM ceasefire_settings", func(r ledger.Scanner) (string, any, error) {
			var item, process string
			var on bool
			err := r.Scan(&item, &process, &on)
			return item, summarySwitchContent(process, on), err
		})
	}
	return []ledger.ItemKind{reports, reported, split, zones, steps, answers, evidence, grades, summary}, nil
}

// stepContents rebuilds each history row's event content.
func stepContents(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
	rows, err := q.QueryContext(ctx, "SELECT id, incident_id, action, from_status, to_status, reason, reliability, attribution, other FROM ceasefire_history")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		var inc string
		if err := rows.Scan(&st.ID, &inc, &st.Action, &st.From, &st.To, &st.Reason, &st.Reliability, &st.Attribution, &st.Other); err != nil {
			return err
		}
		b, err := json.Marshal(stepContent(inc, st))
		if err := each(st.ID, b, err); err != nil {
			return err
		}
	}
	return rows.Err()
}

// zoneContents checks each zone against the file its import kept
// (ceasefire_zone_imports): its name, kind and geometry must be those of
// one of the file's zones (parseZones, as the import read them), each
// zone of the file given once; its content is then the import event's,
// rebuilt from the file (zonesContent). A zone imported before the files
// were kept is not checked.
func zoneContents(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
	type imported struct {
		zones   []Zone
		content []byte
		err     error
	}
	imports := map[int64]*imported{}
	rows, err := q.QueryContext(ctx, "SELECT ledger_idx, file FROM ceasefire_zone_imports")
	if err != nil {
		return err
	}
	for rows.Next() {
		var idx int64
		var file []byte
		if err := rows.Scan(&idx, &file); err != nil {
			rows.Close()
			return err
		}
		im := &imported{}
		if im.zones, im.err = parseZones(file); im.err == nil {
			im.content, im.err = json.Marshal(zonesContent(im.zones, file))
		}
		imports[idx] = im
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, "SELECT id, name, kind, geometry, ledger_idx FROM ceasefire_zones ORDER BY ledger_idx, id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var z Zone
		var g string
		if err := rows.Scan(&z.ID, &z.Name, &z.Kind, &g, &z.LedgerIndex); err != nil {
			return err
		}
		im := imports[z.LedgerIndex]
		if im == nil {
			continue
		}
		content, err := im.content, im.err
		if err == nil {
			i := slices.IndexFunc(im.zones, func(f Zone) bool { return f.Name == z.Name && f.Kind == z.Kind && string(f.Geometry) == g })
			if i < 0 {
				content, err = nil, fmt.Errorf("its name, kind and geometry are not those of a zone of the file its import kept")
			} else {
				im.zones = slices.Delete(im.zones, i, i+1)
			}
		}
		if err := each(z.ID, content, err); err != nil {
			return err
		}
	}
	return rows.Err()
}

// incidentContents checks each incident's row against its events: its
// state (status, reliability, attribution, the incident it was merged
// into, whether it is published) must be what its steps, replayed in order
// with the write path's apply, made of it, and each step must start from
// the status the steps before it left. Its content is then its creating
// event's, rebuilt: for an incident a report made, the report's content
// (reportContent) with the incident row's own copy of the report's type,
// time, place, perpetrator, affected and best estimates; for one a split
// made, its split_from step's.
func incidentContents(ctx context.Context, q access.Querier, files *channel.FileStore, each func(string, []byte, error) error) error {
	steps := map[string][]Step{}
	rows, err := q.QueryContext(ctx, "SELECT id, incident_id, action, from_status, to_status, reason, reliability, attribution, other, ledger_idx FROM ceasefire_history ORDER BY incident_id, ledger_idx")
	if err != nil {
		return err
	}
	for rows.Next() {
		var st Step
		var inc string
		if err := rows.Scan(&st.ID, &inc, &st.Action, &st.From, &st.To, &st.Reason, &st.Reliability, &st.Attribution, &st.Other, &st.LedgerIndex); err != nil {
			rows.Close()
			return err
		}
		steps[inc] = append(steps[inc], st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT i.id, i.status, i.reliability, i.attribution, i.merged_into, i.published,
		i.type, i.occurred_at, i.lat, i.lon, i.perpetrator, i.affected, i.killed, i.injured, COALESCE(r.id, ''),
		COALESCE(r.process_id, ''), COALESCE(r.killed_low, 0), COALESCE(r.killed_high, 0), COALESCE(r.injured_low, 0), COALESCE(r.injured_high, 0), r.narrative_enc
		FROM ceasefire_incidents i LEFT JOIN ceasefire_reports r ON r.ledger_idx = i.ledger_idx`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var row, replay Incident
		var r Report
		var err error
		var at int64
		var sealed []byte
		if err = rows.Scan(&row.ID, &row.Status, &row.Reliability, &row.Attribution, &row.MergedInto, &row.Published,
			&r.Type, &at, &r.Lat, &r.Lon, &r.Perpetrator, &r.Affected, &r.Killed.Best, &r.Injured.Best, &r.ID,
			&r.ProcessID, &r.Killed.Low, &r.Killed.High, &r.Injured.Low, &r.Injured.High, &sealed); err != nil {
			return err
		}
		replay.Status = Reported
		var created Step
		for _, st := range steps[row.ID] {
			if st.From != replay.Status {
				err = fmt.Errorf("step %s (event %d) starts from %s, where its earlier steps left %s", st.ID, st.LedgerIndex, st.From, replay.Status)
				break
			}
			replay.apply(st)
			if st.Action == "split_from" {
				created = st
			}
		}
		if err == nil && (row.Status != replay.Status || row.Reliability != replay.Reliability || row.Attribution != replay.Attribution ||
			row.MergedInto != replay.MergedInto || row.Published != replay.Published) {
			err = fmt.Errorf("its state (%s) is not what its steps made of it (%s)", incidentState(row), incidentState(replay))
		}
		var b []byte
		if err == nil && r.ID != "" {
			r.IncidentID, r.OccurredAt = row.ID, store.Time(at)
			var narrative []byte
			narrative, err = files.Open(narrativeKind, r.ID, sealed)
			r.Narrative = string(narrative)
			if err == nil {
				b, err = json.Marshal(reportContent(r))
			}
		} else if err == nil {
			b, err = json.Marshal(stepContent(row.ID, created))
		}
		if err := each(row.ID, b, err); err != nil {
			return err
		}
	}
	return rows.Err()
}

// incidentState names an incident's state in verify's reports.
func incidentState(inc Incident) string {
	return fmt.Sprintf("status %s, reliability %q, attribution %q, merged into %q, published %v",
		inc.Status, inc.Reliability, inc.Attribution, inc.MergedInto, inc.Published)
}

// reportContents rebuilds each report's event content (insertReport).
func reportContents(ctx context.Context, q access.Querier, files *channel.FileStore, each func(string, []byte, error) error) error {
	rows, err := q.QueryContext(ctx, `SELECT r.id, COALESCE((SELECT i.id FROM ceasefire_incidents i WHERE i.ledger_idx = r.ledger_idx), ''),
		r.process_id, r.occurred_at, r.lat, r.lon, r.type, r.perpetrator, r.affected, r.killed_low, r.killed_best, r.killed_high,
		r.injured_low, r.injured_best, r.injured_high, r.narrative_enc FROM ceasefire_reports r`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r Report
		var at int64
		var sealed []byte
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.ProcessID, &at, &r.Lat, &r.Lon, &r.Type, &r.Perpetrator, &r.Affected,
			&r.Killed.Low, &r.Killed.Best, &r.Killed.High, &r.Injured.Low, &r.Injured.Best, &r.Injured.High, &sealed); err != nil {
			return err
		}
		r.OccurredAt = store.Time(at)
		// The narrative is sealed (report.go); one that does not open is
		// reported as changed.
		narrative, err := files.Open(narrativeKind, r.ID, sealed)
		r.Narrative = string(narrative)
		var b []byte
		if err == nil {
			b, err = json.Marshal(reportContent(r))
		}
		if err := each(r.ID, b, err); err != nil {
			return err
		}
	}
	return rows.Err()
}

// answerContents rebuilds each answer's event content.
func answerContents(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
	rows, err := q.QueryContext(ctx, "SELECT id, incident_id, body FROM ceasefire_answers")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a Answer
		if err := rows.Scan(&a.ID, &a.IncidentID, &a.Body); err != nil {
			return err
		}
		b, err := json.Marshal(answerContent(a))
		if err := each(a.ID, b, err); err != nil {
			return err
		}
	}
	return rows.Err()
}

// evidenceContents opens each evidence file: its content is the file
// itself (AddEvidence), which must also match the row's size and SHA-256.
func evidenceContents(ctx context.Context, q access.Querier, files *channel.FileStore, each func(string, []byte, error) error) error {
	rows, err := q.QueryContext(ctx, "SELECT id, size, sha256 FROM ceasefire_evidence")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, sum string
		var size int64
		if err := rows.Scan(&id, &size, &sum); err != nil {
			return err
		}
		data, err := files.Get("evidence", id)
		if err == nil {
			if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum || int64(len(data)) != size {
				err = fmt.Errorf("evidence file %s does not match its row's SHA-256 and size", id)
			}
		}
		if err != nil {
			data = nil
		}
		if err := each(id, data, err); err != nil {
			return err
		}
	}
	return rows.Err()
}
