package ceasefire

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// ReportInput is a report as filed (the API's JSON, a row of an import).
type ReportInput struct {
	OccurredAt        string   `json:"occurred_at"`
	TimePrecision     string   `json:"time_precision"`
	Lat               *float64 `json:"lat"`
	Lon               *float64 `json:"lon"`
	LocationPrecision string   `json:"location_precision"`
	Place             string   `json:"place"`
	Admin1            string   `json:"admin1"`
	Admin2            string   `json:"admin2"`
	Type              string   `json:"type"`
	Perpetrator       string   `json:"perpetrator"`
	Affected          string   `json:"affected"`
	Killed            Estimate `json:"killed"`
	Injured           Estimate `json:"injured"`
	Knowledge         string   `json:"knowledge"`
	Platform          string   `json:"platform"`
	Narrative         string   `json:"narrative"`
}

// Report is a stored report as its reader reads it.
type Report struct {
	ID                string
	ProcessID         string
	IncidentID        string
	OrgID             string // the reporting organisation
	OccurredAt        time.Time
	TimePrecision     string
	Lat, Lon          float64
	LocationPrecision string
	Place             string
	Admin1, Admin2    string
	Type              string
	Perpetrator       string
	Affected          string
	Killed, Injured   Estimate
	Knowledge         string
	Platform          string
	Narrative         string
	Reliability       string // the source's current grade (A–F), or ""
	CreatedAt         time.Time
	LedgerIndex       int64
	Evidence          []Evidence
	Grades            []Grade // the source's gradings, oldest first
}

// validate checks the shape of in (everything but the organisations, which
// need the process) and returns the report it describes. now bounds
// occurred_at.
func (in ReportInput) validate(now time.Time) (Report, error) {
	var r Report
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(in.OccurredAt))
	switch {
	case strings.TrimSpace(in.OccurredAt) == "":
		return r, errs.Field("occurred_at", "occurred_at is required (RFC 3339)")
	case err != nil:
		return r, errs.Field("occurred_at", "occurred_at is not an RFC 3339 time")
	case t.After(now.Add(time.Minute)):
		return r, errs.Field("occurred_at", "occurred_at is in the future")
	case t.Year() < 1900:
		return r, errs.Field("occurred_at", "occurred_at is before 1900")
	}
	r.OccurredAt = t.UTC()
	if r.TimePrecision, err = enum("time_precision", in.TimePrecision, TimePrecisions, "exact"); err != nil {
		return r, err
	}
	if in.Lat == nil || *in.Lat < -90 || *in.Lat > 90 || *in.Lat != *in.Lat {
		return r, errs.Field("lat", "lat must be a latitude between -90 and 90")
	}
	if in.Lon == nil || *in.Lon < -180 || *in.Lon > 180 || *in.Lon != *in.Lon {
		return r, errs.Field("lon", "lon must be a longitude between -180 and 180")
	}
	r.Lat, r.Lon = *in.Lat, *in.Lon
	if r.LocationPrecision, err = enum("location_precision", in.LocationPrecision, LocationPrecisions, "exact"); err != nil {
		return r, err
	}
	for _, f := range []struct {
		name string
		v    string
		to   *string
	}{{"place", in.Place, &r.Place}, {"admin1", in.Admin1, &r.Admin1}, {"admin2", in.Admin2, &r.Admin2}} {
		if *f.to, err = text(f.name, f.v, 0, MaxName, false); err != nil {
			return r, err
		}
	}
	if r.Type, err = enum("type", in.Type, Types, ""); err != nil {
		return r, err
	}
	r.Perpetrator = strings.TrimSpace(in.Perpetrator)
	if r.Perpetrator == "" {
		r.Perpetrator = Unknown
	}
	r.Affected = strings.TrimSpace(in.Affected)
	if r.Affected == "" {
		r.Affected = Unknown
	}
	if err := in.Killed.check("killed"); err != nil {
		return r, err
	}
	if err := in.Injured.check("injured"); err != nil {
		return r, err
	}
	r.Killed, r.Injured = in.Killed, in.Injured
	if r.Knowledge, err = enum("knowledge", in.Knowledge, Knowledges, "reported"); err != nil {
		return r, err
	}
	if r.Platform, err = enum("platform", in.Platform, Platforms, "other"); err != nil {
		return r, err
	}
	if r.Narrative, err = text("narrative", in.Narrative, 1, MaxNarrative, true); err != nil {
		return r, err
	}
	return r, nil
}

// checkOrgs checks the perpetrator and the affected party against the
// organisations of the process.
func (r Report) checkOrgs(orgs access.Audience) error {
	if r.Perpetrator != Unknown && !orgs.Contains(r.Perpetrator) {
		return errs.Field("perpetrator", "perpetrator must be an organisation of the process or %q", Unknown)
	}
	if r.Affected != Unknown && r.Affected != Civilians && !orgs.Contains(r.Affected) {
		return errs.Field("affected", "affected must be an organisation of the process, %q or %q", Civilians, Unknown)
	}
	return nil
}

func (e Estimate) check(field string) error {
	switch {
	case e.Low < 0 || e.Best < 0 || e.High < 0:
		return errs.Field(field, "%s counts are not negative", field)
	case e.High > 1_000_000:
		return errs.Field(field, "%s is larger than a million", field)
	case e.Low > e.Best || e.Best > e.High:
		return errs.Field(field, "%s needs low ≤ best ≤ high", field)
	}
	return nil
}

func enum(field, v string, set []string, def string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" && def != "" {
		return def, nil
	}
	if !oneOf(v, set) {
		return "", errs.Field(field, "%s must be one of %s", field, strings.Join(set, ", "))
	}
	return v, nil
}

// text checks a free-text field: valid UTF-8, within bounds once trimmed,
// and free of control characters but newlines and tabs when multiline.
func text(field, v string, min, max int, multiline bool) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", errs.Field(field, "%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		return "", errs.Field(field, "%s is required", field)
	}
	if n > max {
		return "", errs.Field(field, "%s is longer than %d characters", field, max)
	}
	for _, c := range v {
		if unicode.IsControl(c) && !(multiline && (c == '\n' || c == '\t' || c == '\r')) {
			return "", errs.Field(field, "%s contains a control character", field)
		}
	}
	return v, nil
}

// mayReport checks that the actor's organisation files reports in the
// process: parties, monitors, guarantors and the mediation do.
func mayReport(c access.Capacity) error {
	if !c.In(reporterKinds...) {
		return errs.New(errs.Forbidden, "parties, monitors, guarantors and the mediation file ceasefire reports")
	}
	return nil
}

// CreateReport files a report; it starts its own incident. Reports filed
// at the same time share one transaction (intake.go), each checked on its
// own inside it.
func (s *Service) CreateReport(ctx context.Context, actor access.Actor, processID string, in ReportInput) (r Report, err error) {
	defer errs.Wrap(&err, "ceasefire.CreateReport")
	r, err = in.validate(s.now())
	if err != nil {
		return r, err
	}
	return s.intake.file(ctx, s, actor, processID, r)
}

// fileReports checks and writes a batch of reports in one transaction. A
// report its actor may not file gets its error and is left out; the others
// are written.
func (s *Service) fileReports(ctx context.Context, batch []*filing) error {
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		type scope struct{ orgs, mech access.Audience }
		scopes := map[string]*scope{}
		// A field team files many reports at once: its capacity in the
		// process is read once per batch.
		type who struct{ user, org, process string }
		type answer struct {
			c   access.Capacity
			err error
		}
		caps := map[who]answer{}
		for _, f := range batch {
			f.err = nil
			k := who{f.actor.User, f.actor.Org, f.processID}
			a, ok := caps[k]
			if !ok {
				a.c, a.err = capacity(ctx, tx, f.actor, f.processID)
				caps[k] = a
			}
			c, err := a.c, a.err
			if err == nil {
				err = mayReport(c)
			}
			if errs.Code(err) != errs.Internal && err != nil {
				f.err = err
				continue
			}
			if err != nil {
				return err
			}
			sc := scopes[f.processID]
			if sc == nil {
				sc = &scope{}
				if sc.orgs, err = access.ProcessOrgs(ctx, tx, f.processID); err != nil {
					return err
				}
				if sc.mech, err = mechanism(ctx, tx, f.processID); err != nil {
					return err
				}
				scopes[f.processID] = sc
			}
			if err := f.report.checkOrgs(sc.orgs); err != nil {
				f.err = err
				continue
			}
			if f.report, err = s.insertReport(ctx, rec, f.actor, f.processID, f.report, append(slices.Clone(sc.mech), f.actor.Org)); err != nil {
				return err
			}
		}
		return nil
	})
}

var (
	incidentColumns = store.Columns("id text", "process_id text", "status text", "type text", "occurred_at bigint", "time_precision text",
		"lat double precision", "lon double precision", "cell bigint", "location_precision text", "place text", "admin1 text", "admin2 text",
		"perpetrator text", "affected text", "killed bigint", "injured bigint", "created_at bigint", "ledger_idx bigint", "reporter text")
	reportColumns = store.Columns("id text", "process_id text", "incident_id text", "org_id text", "created_by text", "occurred_at bigint",
		"time_precision text", "lat double precision", "lon double precision", "location_precision text", "place text", "admin1 text", "admin2 text",
		"type text", "perpetrator text", "affected text", "killed_low bigint", "killed_best bigint", "killed_high bigint",
		"injured_low bigint", "injured_best bigint", "injured_high bigint", "knowledge text", "platform text", "narrative text",
		"narrative_enc bytea", "created_at bigint", "ledger_idx bigint")
)

// reportEvent is the content of a report's event: the report as filed.
type reportEvent struct {
	Report   string   `json:"report"`
	Incident string   `json:"incident"`
	Process  string   `json:"process"`
	Occurred string   `json:"occurred_at"`
	Lat      float64  `json:"lat"`
	Lon      float64  `json:"lon"`
	Type     string   `json:"type"`
	Perp     string   `json:"perpetrator"`
	Affected string   `json:"affected"`
	Killed   Estimate `json:"killed"`
	Injured  Estimate `json:"injured"`
	Text     string   `json:"narrative"`
}

// reportContent is the content of r's event, with the incident it made.
func reportContent(r Report) reportEvent {
	return reportEvent{Report: r.ID, Incident: r.IncidentID, Process: r.ProcessID, Occurred: r.OccurredAt.Format(time.RFC3339),
		Lat: r.Lat, Lon: r.Lon, Type: r.Type, Perp: r.Perpetrator, Affected: r.Affected,
		Killed: r.Killed, Injured: r.Injured, Text: r.Narrative}
}

// insertReport writes r and its new incident with audience aud, inside
// rec's transaction.
func (s *Service) insertReport(ctx context.Context, rec *ledger.Recorder, actor access.Actor, processID string, r Report, aud access.Audience) (Report, error) {
	aud = aud.Normalize()
	r.ID, r.IncidentID, r.ProcessID, r.OrgID = store.NewID(), store.NewID(), processID, actor.Org
	r.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	e, err := event(ctx, rec, actor, "ceasefire.report", "ceasefire_report", r.ID, aud, reportContent(r))
	if err != nil {
		return r, err
	}
	r.LedgerIndex = e.Index
	at, created := store.Stamp(r.OccurredAt), store.Stamp(r.CreatedAt)
	rec.Insert("ceasefire_incidents", incidentColumns, "", r.IncidentID, processID, Reported, r.Type, at, r.TimePrecision,
		r.Lat, r.Lon, Cell(r.Lat, r.Lon), r.LocationPrecision, r.Place, r.Admin1, r.Admin2, r.Perpetrator, r.Affected,
		int64(r.Killed.Best), int64(r.Injured.Best), created, e.Index, actor.Org)
	rec.Insert("ceasefire_reports", reportColumns, "", r.ID, processID, r.IncidentID, actor.Org, actor.User, at, r.TimePrecision,
		r.Lat, r.Lon, r.LocationPrecision, r.Place, r.Admin1, r.Admin2, r.Type, r.Perpetrator, r.Affected,
		int64(r.Killed.Low), int64(r.Killed.Best), int64(r.Killed.High), int64(r.Injured.Low), int64(r.Injured.Best), int64(r.Injured.High),
		r.Knowledge, r.Platform, "", s.sealNarrative(r.ID, r.Narrative), created, e.Index)
	if err := rec.Grant(r.ID, aud); err != nil {
		return r, err
	}
	if err := rec.Grant(r.IncidentID, aud); err != nil {
		return r, err
	}
	return r, nil
}

// reportCols are the columns scanReport reads, over the alias r.
const reportCols = `r.id, r.process_id, r.incident_id, r.org_id, r.occurred_at, r.time_precision, r.lat, r.lon, r.location_precision,
	r.place, r.admin1, r.admin2, r.type, r.perpetrator, r.affected, r.killed_low, r.killed_best, r.killed_high,
	r.injured_low, r.injured_best, r.injured_high, r.knowledge, r.platform, r.narrative_enc, r.reliability, r.created_at, r.ledger_idx`

// scanReport reads a row of reportCols, opening its sealed narrative.
func (s *Service) scanReport(rows *sql.Rows) (Report, error) {
	var r Report
	var at, created int64
	var sealed []byte
	err := rows.Scan(&r.ID, &r.ProcessID, &r.IncidentID, &r.OrgID, &at, &r.TimePrecision, &r.Lat, &r.Lon, &r.LocationPrecision,
		&r.Place, &r.Admin1, &r.Admin2, &r.Type, &r.Perpetrator, &r.Affected, &r.Killed.Low, &r.Killed.Best, &r.Killed.High,
		&r.Injured.Low, &r.Injured.Best, &r.Injured.High, &r.Knowledge, &r.Platform, &sealed, &r.Reliability, &created, &r.LedgerIndex)
	if err != nil {
		return r, err
	}
	r.OccurredAt, r.CreatedAt = store.Time(at), store.Time(created)
	r.Narrative, err = s.openNarrative(r.ID, sealed)
	return r, err
}

// narrativeKind binds a sealed narrative to its report (channel.FileStore.Seal).
const narrativeKind = "ceasefire_narrative"

// sealNarrative seals a report's narrative for its row: narratives are
// kept at rest under the master key, like the channel's messages.
func (s *Service) sealNarrative(reportID, narrative string) []byte {
	return s.files.Seal(narrativeKind, reportID, []byte(narrative))
}

// openNarrative opens a narrative sealed by sealNarrative.
func (s *Service) openNarrative(reportID string, sealed []byte) (string, error) {
	b, err := s.files.Open(narrativeKind, reportID, sealed)
	return string(b), err
}

// Report reads one report, for a reader of it.
func (s *Service) Report(ctx context.Context, actor access.Actor, id string) (r Report, err error) {
	defer errs.Wrap(&err, "ceasefire.Report(%s)", id)
	if !store.ValidID(id) || actor.Anonymous() {
		return r, errs.NotFoundf("report")
	}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		reps, err := s.reports(ctx, tx, actor, "r.id = $2", id)
		if err != nil {
			return err
		}
		if len(reps) == 0 {
			return errs.NotFoundf("report")
		}
		r = reps[0]
		return nil
	})
	return r, err
}

// reports reads the reports matching where (placeholders from $2) that
// actor reads, with their evidence.
func (s *Service) reports(ctx context.Context, tx *sql.Tx, actor access.Actor, where string, args ...any) ([]Report, error) {
	cond, arg := access.ReadableBy(actor, "r.id", 1)
	rows, err := tx.QueryContext(ctx, "SELECT "+reportCols+" FROM ceasefire_reports r WHERE "+cond+" AND "+where+" ORDER BY r.created_at, r.id",
		append([]any{arg}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []Report
	for rows.Next() {
		r, err := s.scanReport(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		ev, err := s.evidenceOf(ctx, tx, actor, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Evidence = ev
		if out[i].Grades, err = s.grades(ctx, tx, actor, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// orgName is the column expression naming the organisation whose id is in
// col, or the id itself ("unknown", "civilians").
func orgName(col string) string {
	return "COALESCE((SELECT o.name FROM orgs o WHERE o.id = " + col + "), " + col + ")"
}
