package ceasefire

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
)

// ImportColumns are the columns of a bulk import, in this order.
var ImportColumns = []string{"occurred_at", "time_precision", "lat", "lon", "location_precision", "place", "admin1", "admin2", "type",
	"perpetrator", "affected", "killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high",
	"knowledge", "platform", "narrative"}

// RowError is one bad row of an import.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ImportError lists every bad row of a refused import.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	var b strings.Builder
	for i, r := range e.Rows {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d: %s", r.Line, r.Message)
	}
	return b.String()
}

// MaxImportRows bounds the rows of one import.
const MaxImportRows = 100_000

// Import files every row of a CSV file as a report, in one transaction, or
// none: every row is checked first, and a file with bad rows is refused
// with all of them listed by line (an *ImportError inside the errs.Error).
func (s *Service) Import(ctx context.Context, actor access.Actor, processID string, file io.Reader) (reps []Report, err error) {
	defer errs.Wrap(&err, "ceasefire.Import")
	c, err := capacity(ctx, s.db.R, actor, processID)
	if err != nil {
		return nil, err
	}
	if err := mayReport(c); err != nil {
		return nil, err
	}
	orgs, err := access.ProcessOrgs(ctx, s.db.R, processID)
	if err != nil {
		return nil, err
	}
	reps, bad := s.parseImport(file, orgs)
	if len(bad) > 0 {
		ie := &ImportError{Rows: bad}
		msg := fmt.Sprintf("%d bad rows, nothing imported: %s", len(bad), ie.Error())
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return nil, &errs.Error{Code: InvalidImport, Field: "file", Message: msg, Err: ie}
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		// The capacity and the audience are read again inside the write.
		c, err := capacity(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if err := mayReport(c); err != nil {
			return err
		}
		mech, err := mechanism(ctx, tx, processID)
		if err != nil {
			return err
		}
		aud := append(mech, actor.Org)
		for i := range reps {
			if reps[i], err = s.insertReport(ctx, rec, actor, processID, reps[i], aud); err != nil {
				return err
			}
		}
		return nil
	})
	return reps, err
}

// parseImport reads and checks every row; it returns the reports or every
// bad row.
func (s *Service) parseImport(file io.Reader, orgs access.Audience) ([]Report, []RowError) {
	cr := csv.NewReader(file)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []RowError{{Line: 1, Message: "no header row: " + csvMessage(err)}}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	var missing []string
	for _, c := range ImportColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, []RowError{{Line: 1, Field: missing[0], Message: "the header lacks " + strings.Join(missing, ", ")}}
	}
	now := s.now()
	var reps []Report
	var bad []RowError
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			bad = append(bad, RowError{Line: line, Message: csvMessage(err)})
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				continue
			}
			break // the reader cannot go on after a quoting error
		}
		line, _ = cr.FieldPos(0)
		if len(reps)+len(bad) >= MaxImportRows {
			bad = append(bad, RowError{Line: line, Message: fmt.Sprintf("more than %d rows", MaxImportRows)})
			break
		}
		if len(rec) != len(header) {
			bad = append(bad, RowError{Line: line, Message: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		r, err := rowReport(rec, col, now, orgs)
		if err != nil {
			e, _ := errs.As(err)
			re := RowError{Line: line, Message: err.Error()}
			if e != nil {
				re.Field, re.Message = e.Field, e.Message
			}
			bad = append(bad, re)
			continue
		}
		reps = append(reps, r)
	}
	if len(reps) == 0 && len(bad) == 0 {
		bad = append(bad, RowError{Line: 2, Message: "the file has no rows"})
	}
	return reps, bad
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return "malformed CSV"
}

func rowReport(rec []string, col map[string]int, now time.Time, orgs access.Audience) (Report, error) {
	get := func(c string) string { return rec[col[c]] }
	num := func(c string) (int, error) {
		v := strings.TrimSpace(get(c))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, errs.Field(c, "%s is not a whole number", c)
		}
		return n, nil
	}
	coord := func(c string) (*float64, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(get(c)), 64)
		if err != nil {
			return nil, errs.Field(c, "%s is not a number", c)
		}
		return &f, nil
	}
	in := ReportInput{OccurredAt: get("occurred_at"), TimePrecision: get("time_precision"), LocationPrecision: get("location_precision"),
		Place: get("place"), Admin1: get("admin1"), Admin2: get("admin2"), Type: get("type"), Perpetrator: get("perpetrator"),
		Affected: get("affected"), Knowledge: get("knowledge"), Platform: get("platform"), Narrative: get("narrative")}
	var err error
	if in.Lat, err = coord("lat"); err != nil {
		return Report{}, err
	}
	if in.Lon, err = coord("lon"); err != nil {
		return Report{}, err
	}
	for _, n := range []struct {
		c  string
		to *int
	}{{"killed_low", &in.Killed.Low}, {"killed_best", &in.Killed.Best}, {"killed_high", &in.Killed.High},
		{"injured_low", &in.Injured.Low}, {"injured_best", &in.Injured.Best}, {"injured_high", &in.Injured.High}} {
		if *n.to, err = num(n.c); err != nil {
			return Report{}, err
		}
	}
	r, err := in.validate(now)
	if err != nil {
		return r, err
	}
	return r, r.checkOrgs(orgs)
}

// ACLEDColumns are the columns of the CSV export, named as ACLED names
// them, then parley's own.
var ACLEDColumns = []string{"event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
	"latitude", "longitude", "geo_precision", "admin1", "admin2", "location", "source", "notes", "fatalities",
	"injuries", "verification_status", "reliability", "attribution", "published", "answers"}

// hxlTags are the HXL hashtags of ACLEDColumns, in the same order.
var hxlTags = []string{"#event+id", "#date+occurred", "#date+year", "#date+precision", "#event+type", "#event+type+sub", "#org+perpetrator",
	"#affected+name", "#geo+lat", "#geo+lon", "#geo+precision", "#adm1+name", "#adm2+name", "#loc+name", "#meta+source", "#description+notes",
	"#affected+killed", "#affected+injured", "#status+verification", "#meta+reliability", "#meta+attribution", "#status+published", "#description+answers"}

// acledTypes maps a report type to ACLED's event type and sub-event type.
var acledTypes = map[string][2]string{
	"shelling":            {"Explosions/Remote violence", "Shelling/artillery/missile attack"},
	"air_strike":          {"Explosions/Remote violence", "Air/drone strike"},
	"armed_clash":         {"Battles", "Armed clash"},
	"sniper_fire":         {"Violence against civilians", "Attack"},
	"attack_on_civilians": {"Violence against civilians", "Attack"},
	"arrest_abduction":    {"Violence against civilians", "Abduction/forced disappearance"},
	"aid_obstruction":     {"Strategic developments", "Other"},
	"other":               {"Strategic developments", "Other"},
}

// Export formats.
const (
	FormatCSV     = "csv"
	FormatGeoJSON = "geojson"
	FormatHXL     = "hxl"
)

// Export writes the incidents f selects that actor reads, with the
// answers it reads, in format: ACLED-column CSV, GeoJSON or HXL-tagged CSV.
func (s *Service) Export(ctx context.Context, actor access.Actor, processID string, f Filter, format string, w io.Writer) (err error) {
	defer errs.Wrap(&err, "ceasefire.Export")
	if format != FormatCSV && format != FormatGeoJSON && format != FormatHXL {
		return errs.Field("format", "format is csv, geojson or hxl")
	}
	incs, err := s.Incidents(ctx, actor, processID, f)
	if err != nil {
		return err
	}
	ids := make([]string, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	answers, err := s.AnswersFor(ctx, actor, ids)
	if err != nil {
		return err
	}
	if format == FormatGeoJSON {
		return writeGeoJSON(w, incs, answers)
	}
	cw := csv.NewWriter(w)
	cw.Write(ACLEDColumns)
	if format == FormatHXL {
		cw.Write(hxlTags)
	}
	for _, inc := range incs {
		cw.Write(acledRow(inc, answers[inc.ID]))
	}
	cw.Flush()
	return cw.Error()
}

func acledRow(inc Incident, answers []Answer) []string {
	geo := map[string]string{"exact": "1", "near": "1", "town": "2", "admin2": "3", "admin1": "3"}[inc.LocationPrecision]
	tp := map[string]string{"exact": "1", "day": "1", "week": "2"}[inc.TimePrecision]
	actor1 := inc.PerpetratorName
	if inc.Perpetrator == Unknown {
		actor1 = "Unknown"
	}
	var ans []string
	for _, a := range answers {
		ans = append(ans, a.OrgName+": "+a.Body)
	}
	notes := fmt.Sprintf("%s reported at %s", strings.ReplaceAll(inc.Type, "_", " "), inc.Place)
	t := acledTypes[inc.Type]
	return []string{inc.ID, inc.OccurredAt.Format("2006-01-02"), strconv.Itoa(inc.OccurredAt.Year()), tp, t[0], t[1], actor1, inc.AffectedName,
		strconv.FormatFloat(inc.Lat, 'f', 5, 64), strconv.FormatFloat(inc.Lon, 'f', 5, 64), geo, inc.Admin1, inc.Admin2, inc.Place,
		"parley", notes, strconv.Itoa(inc.Killed), strconv.Itoa(inc.Injured), inc.Status, inc.Reliability, inc.Attribution,
		strconv.FormatBool(inc.Published), strings.Join(ans, " | ")}
}

// Feature is a GeoJSON feature of an incident.
type Feature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   map[string]any `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// IncidentFeature describes an incident as a GeoJSON feature.
func IncidentFeature(inc Incident, answers []Answer) Feature {
	ans := make([]map[string]string, 0, len(answers))
	for _, a := range answers {
		ans = append(ans, map[string]string{"org": a.OrgName, "body": a.Body, "at": a.At.Format(time.RFC3339)})
	}
	return Feature{Type: "Feature", ID: inc.ID,
		Geometry: map[string]any{"type": "Point", "coordinates": []float64{inc.Lon, inc.Lat}},
		Properties: map[string]any{"type": inc.Type, "status": inc.Status, "occurred_at": inc.OccurredAt.Format(time.RFC3339),
			"place": inc.Place, "admin1": inc.Admin1, "admin2": inc.Admin2, "perpetrator": inc.Perpetrator, "perpetrator_name": inc.PerpetratorName,
			"affected": inc.Affected, "killed": inc.Killed, "injured": inc.Injured, "reliability": inc.Reliability,
			"attribution": inc.Attribution, "published": inc.Published, "answers": ans}}
}

func writeGeoJSON(w io.Writer, incs []Incident, answers map[string][]Answer) error {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, inc := range incs {
		if i > 0 {
			b.WriteByte(',')
		}
		j, err := json.Marshal(IncidentFeature(inc, answers[inc.ID]))
		if err != nil {
			return err
		}
		b.Write(j)
		if b.Len() > 1<<20 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	b.WriteString("]}\n")
	_, err := w.Write(b.Bytes())
	return err
}
