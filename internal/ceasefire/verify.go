package ceasefire

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Verification is a monitor's verification step.
type Verification struct {
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	Reliability string `json:"reliability,omitempty"`
	Attribution string `json:"attribution,omitempty"`
}

// lockIncident reads an incident the actor reads, for a write: on
// PostgreSQL its row stays locked until the transaction ends (SQLite's
// write transaction already excludes other writers). It returns the
// actor's capacity in the incident's process.
func (s *Service) lockIncident(ctx context.Context, tx *sql.Tx, actor access.Actor, id string) (Incident, access.Capacity, error) {
	if !store.ValidID(id) || actor.Anonymous() {
		return Incident{}, access.Capacity{}, errs.NotFoundf("incident")
	}
	if s.db.Dialect == store.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT 1 FROM ceasefire_incidents WHERE id = $1 FOR UPDATE", id); err != nil {
			return Incident{}, access.Capacity{}, err
		}
	}
	inc, err := s.incident(ctx, tx, actor, id)
	if err != nil {
		return inc, access.Capacity{}, err
	}
	c, err := access.ProcessCapacity(ctx, tx, actor, inc.ProcessID)
	return inc, c, err
}

// requireMonitor refuses every organisation but the monitors.
func requireMonitor(c access.Capacity, what string) error {
	if !c.In(access.Monitor) {
		return errs.New(errs.Forbidden, "only the monitors %s", what)
	}
	return nil
}

var historyColumns = store.Columns("id text", "incident_id text", "action text", "from_status text", "to_status text", "reason text",
	"reliability text", "attribution text", "other text", "actor_user text", "actor_name text", "actor_org text", "at bigint", "ledger_idx bigint")

// apply makes the change step st records to the incident's state: its
// status, reliability, attribution, the incident it was merged into and
// whether it is published. The write path applies each step with it, and
// parley verify replays an incident's steps with it to check the row
// (incidentContents).
func (inc *Incident) apply(st Step) {
	switch st.Action {
	case "verification":
		inc.Status = st.To
		if st.Reliability != "" {
			inc.Reliability = st.Reliability
		}
		if st.Attribution != "" {
			inc.Attribution = st.Attribution
		}
	case "merged":
		inc.Status, inc.MergedInto = st.To, st.Other
	case "publish":
		inc.Published = true
	}
}

// step records one change of inc in its history and the ledger, with the
// incident's current audience, and applies it to inc.
func (s *Service) step(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, inc *Incident, st Step) (Step, error) {
	// The step is read by who reads the incident after it (a publication
	// by every organisation of the process).
	next := *inc
	next.apply(st)
	aud, err := incidentAudience(ctx, tx, inc.ProcessID, inc.ID, next.Published)
	if err != nil {
		return st, err
	}
	st.ID = store.NewID()
	st.At = s.now().UTC()
	e, err := event(ctx, rec, actor, "ceasefire."+st.Action, "ceasefire_incident", inc.ID, aud, stepContent(inc.ID, st))
	if err != nil {
		return st, err
	}
	st.LedgerIndex = e.Index
	st.ActorName, st.ActorOrg = actor.Username, actor.Org
	rec.Insert("ceasefire_history", historyColumns, "", st.ID, inc.ID, st.Action, st.From, st.To, st.Reason, st.Reliability,
		st.Attribution, st.Other, actor.User, actor.Username, actor.Org, store.Stamp(st.At), e.Index)
	*inc = next
	return st, nil
}

func reason(v string) (string, error) { return text("reason", v, 1, MaxReason, true) }

// Verify moves an incident to another verification state, with a reason
// and optionally the reliability of its sources and the attribution.
// Monitors only.
func (s *Service) Verify(ctx context.Context, actor access.Actor, id string, v Verification) (inc Incident, err error) {
	defer errs.Wrap(&err, "ceasefire.Verify(%s)", id)
	if v.Reason, err = reason(v.Reason); err != nil {
		return inc, err
	}
	if !oneOf(v.Status, Statuses) {
		return inc, errs.Field("status", "status must be one of %s", strings.Join(Statuses, ", "))
	}
	if v.Reliability != "" && !oneOf(v.Reliability, Reliabilities) {
		return inc, errs.Field("reliability", "reliability is a letter from A to F")
	}
	if v.Attribution != "" && !oneOf(v.Attribution, Attributions) {
		return inc, errs.Field("attribution", "attribution is confirmed or disputed")
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		var c access.Capacity
		inc, c, err = s.lockIncident(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := requireMonitor(c, "verify incidents"); err != nil {
			return err
		}
		if inc.MergedInto != "" {
			return errs.New(BadTransition, "the incident was merged into %s; verify that one", inc.MergedInto)
		}
		if !slices.Contains(transitions[inc.Status], v.Status) {
			return errs.New(BadTransition, "an incident goes from %s to %s only", inc.Status, strings.Join(transitions[inc.Status], " or "))
		}
		if _, err := s.step(ctx, tx, rec, actor, &inc, Step{Action: "verification", From: inc.Status, To: v.Status, Reason: v.Reason,
			Reliability: v.Reliability, Attribution: v.Attribution}); err != nil {
			return err
		}
		decided := ""
		if slices.Contains(findings, v.Status) {
			decided = ", decided_at = CASE WHEN decided_at = 0 THEN $5 ELSE decided_at END"
		}
		_, err := tx.ExecContext(ctx, "UPDATE ceasefire_incidents SET status = $1, reliability = $2, attribution = $3"+decided+" WHERE id = $4",
			append([]any{inc.Status, inc.Reliability, inc.Attribution, inc.ID}, stampIf(decided != "", store.Stamp(s.now()))...)...)
		return err
	})
	return inc, err
}

func stampIf(ok bool, v int64) []any {
	if ok {
		return []any{v}
	}
	return nil
}

// Merge moves the reports of the other incidents into incident id; the
// others become duplicates of it. Monitors only, with a reason.
func (s *Service) Merge(ctx context.Context, actor access.Actor, id string, others []string, why string) (inc Incident, err error) {
	defer errs.Wrap(&err, "ceasefire.Merge(%s)", id)
	if why, err = reason(why); err != nil {
		return inc, err
	}
	if len(others) == 0 || len(others) > 100 {
		return inc, errs.Field("incidents", "name between 1 and 100 incidents to merge")
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		var c access.Capacity
		inc, c, err = s.lockIncident(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := requireMonitor(c, "merge incidents"); err != nil {
			return err
		}
		if inc.MergedInto != "" {
			return errs.New(errs.Conflict, "the incident was itself merged into %s", inc.MergedInto)
		}
		seen := map[string]bool{id: true}
		for _, o := range others {
			if seen[o] {
				return errs.Field("incidents", "an incident is named twice, or is the one merged into")
			}
			seen[o] = true
			src, _, err := s.lockIncident(ctx, tx, actor, o)
			if errs.Code(err) == errs.NotFound {
				return &errs.Error{Code: errs.NotFound, Field: "incidents", Message: "incident " + o + " not found"}
			}
			if err != nil {
				return err
			}
			if src.ProcessID != inc.ProcessID {
				return &errs.Error{Code: errs.NotFound, Field: "incidents", Message: "incident " + o + " not found"}
			}
			if src.MergedInto != "" {
				return errs.New(errs.Conflict, "incident %s was already merged into %s", o, src.MergedInto)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE ceasefire_reports SET incident_id = $1 WHERE incident_id = $2", id, o); err != nil {
				return err
			}
			if _, err := s.step(ctx, tx, rec, actor, &src, Step{Action: "merged", From: src.Status, To: Duplicate, Reason: why, Other: id}); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE ceasefire_incidents SET merged_into = $1, status = $2 WHERE id = $3", src.MergedInto, src.Status, o); err != nil {
				return err
			}
		}
		// The reporters of the merged reports read the incident their
		// reports are now part of; once they are more than one, the
		// incident names no single reporter (incidentRule) ever again.
		aud, err := incidentAudience(ctx, tx, inc.ProcessID, inc.ID, inc.Published)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ceasefire_incidents SET reporter = '' WHERE id = $1 AND reporter <> ''
			AND EXISTS (SELECT 1 FROM ceasefire_reports r WHERE r.incident_id = $1 AND r.org_id <> ceasefire_incidents.reporter)`, id); err != nil {
			return err
		}
		if err := access.Widen(ctx, tx, inc.ID, aud...); err != nil {
			return err
		}
		_, err = s.step(ctx, tx, rec, actor, &inc, Step{Action: "merge", From: inc.Status, To: inc.Status, Reason: why, Other: strings.Join(others, " ")})
		return err
	})
	return inc, err
}

// Split takes a report out of incident id into a new incident of its own.
// Monitors only, with a reason; the incident keeps at least one report.
func (s *Service) Split(ctx context.Context, actor access.Actor, id, reportID, why string) (created Incident, err error) {
	defer errs.Wrap(&err, "ceasefire.Split(%s)", id)
	if why, err = reason(why); err != nil {
		return created, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		inc, c, err := s.lockIncident(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := requireMonitor(c, "split incidents"); err != nil {
			return err
		}
		reps, err := s.reports(ctx, tx, actor, "r.incident_id = $2", id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(reps, func(r Report) bool { return r.ID == reportID })
		if i < 0 {
			return &errs.Error{Code: errs.NotFound, Field: "report", Message: "the incident has no such report"}
		}
		if len(reps) < 2 {
			return errs.New(errs.Conflict, "an incident with one report cannot be split")
		}
		r := reps[i]
		created = Incident{ID: store.NewID(), ProcessID: inc.ProcessID, Status: Reported, Type: r.Type, OccurredAt: r.OccurredAt,
			TimePrecision: r.TimePrecision, Lat: r.Lat, Lon: r.Lon, LocationPrecision: r.LocationPrecision, Place: r.Place,
			Admin1: r.Admin1, Admin2: r.Admin2, Perpetrator: r.Perpetrator, Affected: r.Affected, Killed: r.Killed.Best,
			Injured: r.Injured.Best, CreatedAt: s.now().UTC()}
		mech, err := mechanism(ctx, tx, inc.ProcessID)
		if err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, created.ID, append(mech, r.OrgID)); err != nil {
			return err
		}
		st, err := s.step(ctx, tx, rec, actor, &inc, Step{Action: "split", From: inc.Status, To: inc.Status, Reason: why, Other: created.ID})
		if err != nil {
			return err
		}
		created.LedgerIndex = st.LedgerIndex
		if _, err := tx.ExecContext(ctx, `INSERT INTO ceasefire_incidents(id, process_id, status, type, occurred_at, time_precision, lat, lon, cell,
			location_precision, place, admin1, admin2, perpetrator, affected, killed, injured, created_at, ledger_idx, reporter)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			created.ID, created.ProcessID, Reported, created.Type, store.Stamp(created.OccurredAt), created.TimePrecision, created.Lat, created.Lon,
			Cell(created.Lat, created.Lon), created.LocationPrecision, created.Place, created.Admin1, created.Admin2, created.Perpetrator,
			created.Affected, created.Killed, created.Injured, store.Stamp(created.CreatedAt), st.LedgerIndex, r.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE ceasefire_reports SET incident_id = $1 WHERE id = $2", created.ID, r.ID); err != nil {
			return err
		}
		_, err = s.step(ctx, tx, rec, actor, &created, Step{Action: "split_from", From: Reported, To: Reported, Reason: why, Other: inc.ID})
		return err
	})
	return created, err
}

// Publish makes a verified incident, its history and its answers readable
// by every organisation of the process. Monitors only.
func (s *Service) Publish(ctx context.Context, actor access.Actor, id string) (inc Incident, err error) {
	defer errs.Wrap(&err, "ceasefire.Publish(%s)", id)
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		var c access.Capacity
		inc, c, err = s.lockIncident(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := requireMonitor(c, "publish incidents"); err != nil {
			return err
		}
		if inc.Published {
			return errs.New(errs.Conflict, "the incident is already published")
		}
		if !slices.Contains(findings, inc.Status) || inc.MergedInto != "" {
			return errs.New(NotVerified, "only an incident with a finding (%s) is published", strings.Join(findings, ", "))
		}
		all, err := access.ProcessOrgs(ctx, tx, inc.ProcessID)
		if err != nil {
			return err
		}
		if err := access.Widen(ctx, tx, inc.ID, all...); err != nil {
			return err
		}
		if _, err := s.step(ctx, tx, rec, actor, &inc, Step{Action: "publish", From: inc.Status, To: inc.Status, Reason: "published"}); err != nil {
			return err
		}
		inc.PublishedAt = s.now().UTC()
		_, err = tx.ExecContext(ctx, "UPDATE ceasefire_incidents SET published = $1, published_at = $2 WHERE id = $3",
			inc.Published, store.Stamp(inc.PublishedAt), inc.ID)
		return err
	})
	return inc, err
}

var answerColumns = store.Columns("id text", "incident_id text", "org_id text", "author text", "author_name text", "body text", "at bigint", "ledger_idx bigint")

// AnswerIncident records the accused party's answer to an incident it
// reads: the organisation named as perpetrator answers, nobody else.
func (s *Service) AnswerIncident(ctx context.Context, actor access.Actor, id, body string) (a Answer, err error) {
	defer errs.Wrap(&err, "ceasefire.AnswerIncident(%s)", id)
	if body, err = text("body", body, 1, MaxAnswer, true); err != nil {
		return a, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		inc, _, err := s.lockIncident(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if inc.Perpetrator != actor.Org {
			return errs.New(errs.Forbidden, "only the organisation named as perpetrator answers an incident")
		}
		aud, err := incidentAudience(ctx, tx, inc.ProcessID, inc.ID, inc.Published)
		if err != nil {
			return err
		}
		a = Answer{ID: store.NewID(), IncidentID: inc.ID, OrgID: actor.Org, AuthorName: actor.Username, Body: body, At: s.now().UTC()}
		e, err := event(ctx, rec, actor, "ceasefire.answer", "ceasefire_answer", a.ID, append(aud, actor.Org), answerContent(a))
		if err != nil {
			return err
		}
		a.LedgerIndex = e.Index
		rec.Insert("ceasefire_answers", answerColumns, "", a.ID, a.IncidentID, a.OrgID, actor.User, actor.Username, body, store.Stamp(a.At), e.Index)
		return nil
	})
	return a, err
}

// Next lists the verification states an incident in status may move to.
func Next(status string) []string { return slices.Clone(transitions[status]) }

// Publishable reports whether an incident may be published: it has a
// finding, is not merged into another and is not yet published.
func Publishable(inc Incident) bool {
	return !inc.Published && inc.MergedInto == "" && slices.Contains(findings, inc.Status)
}
