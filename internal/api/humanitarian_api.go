package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"parley/internal/errs"
	"parley/internal/humanitarian"
	"parley/internal/router"
)

// Humanitarian access (internal/humanitarian, docs/humanitarian.md): thin
// translations to the humanitarian service, which checks every rule and
// filters every read by the caller's audience.

// registerHumanitarian adds the humanitarian routes.
func (a *API) registerHumanitarian(mux *router.Mux) {
	p := Prefix + "/processes/{id}/humanitarian"
	h := Prefix + "/humanitarian"
	route := a.offered(a.humanitarian != nil)
	mux.Handle("POST "+p+"/locations", route(a.createHumLocation))
	mux.Handle("GET "+p+"/locations", route(a.listHumLocations))
	mux.Handle("GET "+h+"/locations/{id}", route(a.showHumLocation))
	mux.Handle("POST "+h+"/locations/{id}/status", route(a.setHumLocationStatus))
	mux.Handle("POST "+p+"/convoys", route(a.requestConvoy))
	mux.Handle("GET "+p+"/convoys", route(a.listConvoys))
	mux.Handle("GET "+p+"/convoys/export", route(a.exportConvoys))
	mux.Handle("GET "+h+"/convoys/{id}", route(a.showConvoy))
	mux.Handle("POST "+h+"/convoys/{id}/steps", route(a.recordConvoyStep))
	mux.Handle("POST "+p+"/commitments", route(a.createCommitment))
	mux.Handle("GET "+p+"/dashboard", route(a.humDashboard))
	mux.Handle("PUT "+p+"/public-summary", route(a.setPublicSummary))
}

// quantity reads an optional JSON quantity: absent or null is nil, a
// number is its value, anything else is refused naming field.
func quantity(field string, raw json.RawMessage) (*float64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var v float64
	if raw[0] == '"' || json.Unmarshal(raw, &v) != nil || math.IsInf(v, 0) {
		return nil, errs.Field(field, "%s must be a number", field)
	}
	if v < 0 {
		return nil, errs.Field(field, "%s must not be negative", field)
	}
	return &v, nil
}

// deadline reads an approval's due time: an RFC 3339 time, or a date
// meaning the end of that day (UTC).
func deadline(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, errs.Field(field, "%s must be an RFC 3339 time or a date (YYYY-MM-DD)", field)
}

// HumLocationRequest is the body of POST .../humanitarian/locations.
type HumLocationRequest struct {
	Name             string          `json:"name"`
	Admin1           string          `json:"admin1"`
	Admin2           string          `json:"admin2"`
	Lat              *float64        `json:"lat"`
	Lon              *float64        `json:"lon"`
	Polygon          json.RawMessage `json:"polygon,omitempty"`
	Population       int64           `json:"population"`
	PopulationSource string          `json:"population_source"`
	PopulationDate   string          `json:"population_date"`
	ControlledBy     string          `json:"controlled_by"`
	BesiegedBy       string          `json:"besieged_by"`
	Status           string          `json:"status"`
}

// Validate checks the shape; the service checks the rest.
func (q *HumLocationRequest) Validate() error {
	if q.Lat == nil {
		return errs.Field("lat", "lat is required")
	}
	if q.Lon == nil {
		return errs.Field("lon", "lon is required")
	}
	return nil
}

// HumStatusRequest is the body of POST /humanitarian/locations/{id}/status.
type HumStatusRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// Validate checks nothing the service does not.
func (q *HumStatusRequest) Validate() error { return nil }

// HumConvoyRequest is the body of POST .../humanitarian/convoys.
type HumConvoyRequest struct {
	Destination string `json:"destination"`
	Items       []struct {
		Name      string          `json:"name"`
		Unit      string          `json:"unit"`
		Requested json.RawMessage `json:"requested"`
	} `json:"items"`
	Route     []string `json:"route"`
	Approvals []struct {
		Party string `json:"party"`
		Due   string `json:"due"`
	} `json:"approvals"`

	in humanitarian.NewConvoy
}

// Validate reads the quantities and deadlines, naming the field of a bad
// one.
func (q *HumConvoyRequest) Validate() error {
	q.in = humanitarian.NewConvoy{Destination: q.Destination, Route: q.Route}
	if len(q.Items) > humanitarian.MaxItems {
		return errs.Field("items", "a convoy carries at most %d items", humanitarian.MaxItems)
	}
	for i, it := range q.Items {
		f := fmt.Sprintf("items[%d].requested", i)
		v, err := quantity(f, it.Requested)
		if err != nil {
			return err
		}
		if v == nil {
			return errs.Field(f, "%s is required", f)
		}
		q.in.Items = append(q.in.Items, humanitarian.NewItem{Name: it.Name, Unit: it.Unit, Requested: *v})
	}
	for i, ap := range q.Approvals {
		due, err := deadline(fmt.Sprintf("approvals[%d].due", i), ap.Due)
		if err != nil {
			return err
		}
		q.in.Approvals = append(q.in.Approvals, humanitarian.NewApproval{Party: ap.Party, Due: due})
	}
	return nil
}

// HumStepItemJSON is an item quantity in a step request: the one field the
// step names (approved, loaded or delivered).
type HumStepItemJSON struct {
	Name      string          `json:"name"`
	Approved  json.RawMessage `json:"approved,omitempty"`
	Loaded    json.RawMessage `json:"loaded,omitempty"`
	Delivered json.RawMessage `json:"delivered,omitempty"`
}

// HumStepRequest is the body of POST /humanitarian/convoys/{id}/steps.
type HumStepRequest struct {
	Step       string            `json:"step"`
	Decision   string            `json:"decision"`
	Checkpoint string            `json:"checkpoint"`
	Outcome    string            `json:"outcome"`
	By         string            `json:"by"`
	Reason     string            `json:"reason"`
	Items      []HumStepItemJSON `json:"items"`
	Removed    []struct {
		Name     string          `json:"name"`
		Quantity json.RawMessage `json:"quantity"`
		Reason   string          `json:"reason"`
	} `json:"removed"`

	in humanitarian.StepInput
}

// Validate reads the quantities the step names, and refuses those of
// another step, naming the field.
func (q *HumStepRequest) Validate() error {
	q.in = humanitarian.StepInput{Step: q.Step, Decision: q.Decision, Checkpoint: q.Checkpoint, Outcome: q.Outcome, By: q.By, Reason: q.Reason}
	if len(q.Items) > humanitarian.MaxItems || len(q.Removed) > humanitarian.MaxItems {
		return errs.Field("items", "at most %d items", humanitarian.MaxItems)
	}
	want := map[string]string{humanitarian.StepApproval: "approved", humanitarian.StepDispatched: "loaded",
		humanitarian.StepDelivered: "delivered", humanitarian.StepPartiallyDelivered: "delivered", humanitarian.StepTurnedBack: "delivered"}[q.Step]
	for i, it := range q.Items {
		fields := map[string]json.RawMessage{"approved": it.Approved, "loaded": it.Loaded, "delivered": it.Delivered}
		for name, raw := range fields {
			if len(raw) > 0 && name != want {
				return errs.Field(fmt.Sprintf("items[%d].%s", i, name), "a %s step gives no %s quantity", q.Step, name)
			}
		}
		v, err := quantity(fmt.Sprintf("items[%d].%s", i, want), fields[want])
		if err != nil {
			return err
		}
		q.in.Items = append(q.in.Items, humanitarian.StepItemInput{Name: it.Name, Quantity: v})
	}
	for i, it := range q.Removed {
		v, err := quantity(fmt.Sprintf("removed[%d].quantity", i), it.Quantity)
		if err != nil {
			return err
		}
		q.in.Removed = append(q.in.Removed, humanitarian.StepItemInput{Name: it.Name, Quantity: v, Reason: it.Reason})
	}
	return nil
}

// HumCommitmentRequest is the body of POST .../humanitarian/commitments.
type HumCommitmentRequest struct {
	Round       string `json:"round"`
	Location    string `json:"location"`
	Title       string `json:"title"`
	CadenceDays int    `json:"cadence_days"`
	Starts      string `json:"starts,omitempty"`

	starts time.Time
}

// Validate reads the start.
func (q *HumCommitmentRequest) Validate() error {
	if q.Starts != "" {
		t, err := time.Parse(time.RFC3339, q.Starts)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, q.Starts); err != nil {
				return errs.Field("starts", "starts must be an RFC 3339 time or a date (YYYY-MM-DD)")
			}
		}
		q.starts = t
	}
	return nil
}

// HumSummaryRequest is the body of PUT .../humanitarian/public-summary.
type HumSummaryRequest struct {
	Public *bool `json:"public"`
}

// Validate requires the switch.
func (q *HumSummaryRequest) Validate() error {
	if q.Public == nil {
		return errs.Field("public", "public is required")
	}
	return nil
}

func (a *API) createHumLocation(w http.ResponseWriter, r *http.Request, c call) error {
	var q HumLocationRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	l, err := a.humanitarian.CreateLocation(r.Context(), c.Actor, r.PathValue("id"), humanitarian.NewLocation{
		Name: q.Name, Admin1: q.Admin1, Admin2: q.Admin2, Lat: *q.Lat, Lon: *q.Lon, Polygon: q.Polygon,
		Population: q.Population, PopulationSource: q.PopulationSource, PopulationDate: q.PopulationDate,
		ControlledBy: q.ControlledBy, BesiegedBy: q.BesiegedBy, Status: q.Status,
	})
	return reply(w, http.StatusCreated, l, err, humLocationJSON)
}

func (a *API) listHumLocations(w http.ResponseWriter, r *http.Request, c call) error {
	ls, err := a.humanitarian.Locations(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, ls, err, listOf("locations", humLocationJSON))
}

func (a *API) showHumLocation(w http.ResponseWriter, r *http.Request, c call) error {
	l, err := a.humanitarian.Location(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, l, err, humLocationJSON)
}

func (a *API) setHumLocationStatus(w http.ResponseWriter, r *http.Request, c call) error {
	var q HumStatusRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	l, err := a.humanitarian.SetLocationStatus(r.Context(), c.Actor, r.PathValue("id"), q.Status, q.Reason)
	return reply(w, http.StatusOK, l, err, humLocationJSON)
}

func (a *API) requestConvoy(w http.ResponseWriter, r *http.Request, c call) error {
	var q HumConvoyRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	cv, err := a.humanitarian.RequestConvoy(r.Context(), c.Actor, r.PathValue("id"), q.in)
	return reply(w, http.StatusCreated, cv, err, convoyJSON)
}

func (a *API) listConvoys(w http.ResponseWriter, r *http.Request, c call) error {
	list, err := a.humanitarian.Convoys(r.Context(), c.Actor, r.PathValue("id"), r.URL.Query().Get("location"))
	return reply(w, http.StatusOK, list, err, listOf("convoys", convoySummaryJSON))
}

func (a *API) showConvoy(w http.ResponseWriter, r *http.Request, c call) error {
	cv, err := a.humanitarian.Convoy(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, cv, err, convoyJSON)
}

func (a *API) recordConvoyStep(w http.ResponseWriter, r *http.Request, c call) error {
	var q HumStepRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	cv, err := a.humanitarian.RecordStep(r.Context(), c.Actor, r.PathValue("id"), q.in)
	return reply(w, http.StatusCreated, cv, err, convoyJSON)
}

func (a *API) createCommitment(w http.ResponseWriter, r *http.Request, c call) error {
	var q HumCommitmentRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	m, err := a.humanitarian.CreateCommitment(r.Context(), c.Actor, r.PathValue("id"), humanitarian.NewCommitment{
		Round: q.Round, Location: q.Location, Title: q.Title, CadenceDays: q.CadenceDays, Starts: q.starts})
	return reply(w, http.StatusCreated, m, err, commitmentJSON)
}

func commitmentJSON(m humanitarian.Commitment) CommitmentJSON {
	return CommitmentJSON{ID: m.ID, RoundID: m.RoundID, LocationID: m.LocationID, Title: m.Title,
		CadenceDays: m.CadenceDays, StartsAt: jsonTime(m.StartsAt), LedgerIndex: m.LedgerIndex}
}

func (a *API) humDashboard(w http.ResponseWriter, r *http.Request, c call) error {
	d, err := a.humanitarian.Dashboard(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, d, err, dashboardJSON)
}

func (a *API) setPublicSummary(w http.ResponseWriter, r *http.Request, c call) error {
	var q HumSummaryRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	err := a.humanitarian.SetPublicSummary(r.Context(), c.Actor, r.PathValue("id"), *q.Public)
	return reply(w, http.StatusOK, map[string]bool{"public": *q.Public}, err, asIs)
}

// exportConvoys writes the convoys as CSV (format csv), as CSV with the
// HXL hashtags under the headers (hxl, the default), or the locations with
// their figures as GeoJSON (geojson). The CSV is written once it is whole,
// so that a failure is still answered as an error.
func (a *API) exportConvoys(w http.ResponseWriter, r *http.Request, c call) error {
	ctx, pid := r.Context(), r.PathValue("id")
	switch format := r.URL.Query().Get("format"); format {
	case "", "hxl", "csv":
		var buf bytes.Buffer
		if err := a.humanitarian.WriteCSV(ctx, c.Actor, pid, format != "csv", &buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="convoys.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
		return nil
	case "geojson":
		d, err := a.humanitarian.Dashboard(ctx, c.Actor, pid)
		if err != nil {
			return err
		}
		b, err := humanitarian.GeoJSON(d)
		if err != nil {
			return err
		}
		writeGeoJSON(w, b)
		return nil
	}
	return errs.Field("format", "format must be hxl, csv or geojson")
}
