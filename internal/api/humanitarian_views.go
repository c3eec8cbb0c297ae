package api

import (
	"encoding/json"
	"math"
	"time"

	"parley/internal/humanitarian"
)

// The JSON shapes of humanitarian access.

// HumStatusJSON is one entry of a location's status history.
type HumStatusJSON struct {
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	By          string `json:"by"`
	At          string `json:"at"`
	LedgerIndex int64  `json:"ledger_index"`
}

// HumLocationJSON is a besieged or hard-to-reach location.
type HumLocationJSON struct {
	ID               string          `json:"id"`
	ProcessID        string          `json:"process_id"`
	Name             string          `json:"name"`
	Admin1           string          `json:"admin1"`
	Admin2           string          `json:"admin2"`
	Lat              float64         `json:"lat"`
	Lon              float64         `json:"lon"`
	Polygon          json.RawMessage `json:"polygon,omitempty"`
	Population       int64           `json:"population"`
	PopulationSource string          `json:"population_source"`
	PopulationDate   string          `json:"population_date"`
	ControlledBy     string          `json:"controlled_by"`
	BesiegedBy       string          `json:"besieged_by"`
	Status           string          `json:"status"`
	CreatedAt        string          `json:"created_at"`
	LedgerIndex      int64           `json:"ledger_index"`
	History          []HumStatusJSON `json:"history,omitempty"`
}

func humLocationJSON(l humanitarian.Location) HumLocationJSON {
	out := HumLocationJSON{ID: l.ID, ProcessID: l.ProcessID, Name: l.Name, Admin1: l.Admin1, Admin2: l.Admin2, Lat: l.Lat, Lon: l.Lon,
		Population: l.Population, PopulationSource: l.PopulationSource, PopulationDate: l.PopulationDate,
		ControlledBy: l.ControlledBy, BesiegedBy: l.BesiegedBy, Status: l.Status, CreatedAt: jsonTime(l.CreatedAt), LedgerIndex: l.LedgerIndex}
	if l.Polygon != "" {
		out.Polygon = json.RawMessage(l.Polygon)
	}
	for _, h := range l.History {
		out.History = append(out.History, HumStatusJSON{Status: h.Status, Reason: h.Reason, By: h.ByOrg, At: jsonTime(h.At), LedgerIndex: h.LedgerIndex})
	}
	return out
}

// ConvoyItemJSON is one line of a convoy; a quantity no step set yet is
// null.
type ConvoyItemJSON struct {
	Name      string                 `json:"name"`
	Unit      string                 `json:"unit"`
	Requested humanitarian.Quantity  `json:"requested"`
	Approved  *humanitarian.Quantity `json:"approved"`
	Loaded    *humanitarian.Quantity `json:"loaded"`
	Removed   humanitarian.Quantity  `json:"removed"`
	Delivered *humanitarian.Quantity `json:"delivered"`
}

// ApprovalJSON is one approval a convoy needs: pending, no_answer (its
// deadline passed without an answer) or the party's decision.
type ApprovalJSON struct {
	Party     string `json:"party"`
	Due       string `json:"due"`
	Decision  string `json:"decision"`
	DecidedAt string `json:"decided_at,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// ConvoyStepJSON is one step of a convoy's timeline.
type ConvoyStepJSON struct {
	ID          string                  `json:"id"`
	Step        string                  `json:"step"`
	Outcome     string                  `json:"outcome,omitempty"`
	Checkpoint  string                  `json:"checkpoint,omitempty"`
	By          string                  `json:"by,omitempty"`
	Reason      string                  `json:"reason,omitempty"`
	Items       []humanitarian.StepItem `json:"items"`
	At          string                  `json:"at"`
	ActorOrg    string                  `json:"actor_org"`
	LedgerIndex int64                   `json:"ledger_index"`
}

// ConvoyJSON is a convoy with its items, approvals and steps.
type ConvoyJSON struct {
	ID              string           `json:"id"`
	ProcessID       string           `json:"process_id"`
	Destination     string           `json:"destination"`
	DestinationName string           `json:"destination_name"`
	Agency          string           `json:"agency"`
	State           string           `json:"state"`
	Route           []string         `json:"route"`
	Passed          int              `json:"checkpoints_passed"`
	Items           []ConvoyItemJSON `json:"items"`
	Approvals       []ApprovalJSON   `json:"approvals"`
	Steps           []ConvoyStepJSON `json:"steps"`
	RequestedAt     string           `json:"requested_at"`
	ApprovalHours   *float64         `json:"approval_hours"`
	DeliveredAt     string           `json:"delivered_at,omitempty"`
	LedgerIndex     int64            `json:"ledger_index"`
}

func hours(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	h := math.Round(d.Hours()*10) / 10
	return &h
}

func convoyJSON(cv humanitarian.Convoy) ConvoyJSON {
	out := ConvoyJSON{ID: cv.ID, ProcessID: cv.ProcessID, Destination: cv.LocationID, DestinationName: cv.LocationName, Agency: cv.Agency,
		State: cv.State, Route: cv.Route, Passed: cv.Passed, Items: []ConvoyItemJSON{}, Approvals: []ApprovalJSON{}, Steps: []ConvoyStepJSON{},
		RequestedAt: jsonTime(cv.RequestedAt), ApprovalHours: hours(cv.ApprovalTime), DeliveredAt: jsonTime(cv.DeliveredAt), LedgerIndex: cv.LedgerIndex}
	if out.Route == nil {
		out.Route = []string{}
	}
	for _, it := range cv.Items {
		out.Items = append(out.Items, ConvoyItemJSON{Name: it.Name, Unit: it.Unit, Requested: it.Requested, Approved: it.Approved,
			Loaded: it.Loaded, Removed: it.Removed, Delivered: it.Delivered})
	}
	for _, ap := range cv.Approvals {
		out.Approvals = append(out.Approvals, ApprovalJSON{Party: ap.Party, Due: jsonTime(ap.Due), Decision: ap.Decision,
			DecidedAt: jsonTime(ap.DecidedAt), Reason: ap.Reason})
	}
	for _, st := range cv.Steps {
		items := st.Items
		if items == nil {
			items = []humanitarian.StepItem{}
		}
		out.Steps = append(out.Steps, ConvoyStepJSON{ID: st.ID, Step: st.Step, Outcome: st.Outcome, Checkpoint: st.Checkpoint, By: st.ByOrg,
			Reason: st.Reason, Items: items, At: jsonTime(st.At), ActorOrg: st.ActorOrg, LedgerIndex: st.LedgerIndex})
	}
	return out
}

// ConvoySummaryJSON is a convoy in a list.
type ConvoySummaryJSON struct {
	ID            string   `json:"id"`
	Destination   string   `json:"destination"`
	State         string   `json:"state"`
	RequestedAt   string   `json:"requested_at"`
	ApprovalHours *float64 `json:"approval_hours"`
	DeliveredAt   string   `json:"delivered_at,omitempty"`
}

func convoySummaryJSON(cs humanitarian.ConvoySummary) ConvoySummaryJSON {
	return ConvoySummaryJSON{ID: cs.ID, Destination: cs.LocationID, State: cs.State, RequestedAt: jsonTime(cs.RequestedAt),
		ApprovalHours: hours(cs.ApprovalTime), DeliveredAt: jsonTime(cs.DeliveredAt)}
}

// CommitmentJSON is a round's commitment; the dashboard adds whether it
// is kept.
type CommitmentJSON struct {
	ID              string   `json:"id"`
	RoundID         string   `json:"round_id"`
	LocationID      string   `json:"location_id"`
	Title           string   `json:"title"`
	CadenceDays     int      `json:"cadence_days"`
	StartsAt        string   `json:"starts_at"`
	LongestWaitDays *float64 `json:"longest_wait_days,omitempty"`
	Kept            *bool    `json:"kept,omitempty"`
	LedgerIndex     int64    `json:"ledger_index"`
}

// ItemFiguresJSON is the funnel of one item at a location.
type ItemFiguresJSON struct {
	Name      string                `json:"name"`
	Unit      string                `json:"unit"`
	Requested humanitarian.Quantity `json:"requested"`
	Approved  humanitarian.Quantity `json:"approved"`
	Loaded    humanitarian.Quantity `json:"loaded"`
	Removed   humanitarian.Quantity `json:"removed"`
	Delivered humanitarian.Quantity `json:"delivered"`
}

// ObstacleJSON counts one kind of obstacle by who caused it.
type ObstacleJSON struct {
	Kind       string `json:"kind"`
	Org        string `json:"org,omitempty"`
	Checkpoint string `json:"checkpoint,omitempty"`
	Count      int64  `json:"count"`
}

// LocationFiguresJSON is one location of the dashboard.
type LocationFiguresJSON struct {
	ID                    string              `json:"id"`
	Name                  string              `json:"name"`
	Admin1                string              `json:"admin1"`
	Status                string              `json:"status"`
	Population            int64               `json:"population"`
	ControlledBy          string              `json:"controlled_by"`
	BesiegedBy            string              `json:"besieged_by"`
	Convoys               int64               `json:"convoys"`
	States                map[string]int64    `json:"states"`
	Items                 []ItemFiguresJSON   `json:"items"`
	DaysSinceLastDelivery *int                `json:"days_since_last_delivery"`
	LastDeliveryAt        string              `json:"last_delivery_at,omitempty"`
	MedianApprovalHours   *float64            `json:"median_approval_hours"`
	Obstacles             []ObstacleJSON      `json:"obstacles,omitempty"`
	Commitments           []CommitmentJSON    `json:"commitments"`
	RecentConvoys         []ConvoySummaryJSON `json:"recent_convoys,omitempty"`
}

// DashboardJSON is GET .../humanitarian/dashboard.
type DashboardJSON struct {
	ProcessID           string                `json:"process_id"`
	Summary             bool                  `json:"summary"`
	PublicSummary       bool                  `json:"public_summary"`
	GeneratedAt         string                `json:"generated_at"`
	Convoys             int64                 `json:"convoys"`
	MedianApprovalHours *float64              `json:"median_approval_hours"`
	Locations           []LocationFiguresJSON `json:"locations"`
}

func dashboardJSON(d humanitarian.Dashboard) DashboardJSON {
	out := DashboardJSON{ProcessID: d.ProcessID, Summary: d.Summary, PublicSummary: d.PublicSummary, GeneratedAt: jsonTime(d.GeneratedAt),
		Convoys: d.Convoys, MedianApprovalHours: hours(d.MedianApproval), Locations: []LocationFiguresJSON{}}
	for _, l := range d.Locations {
		lj := LocationFiguresJSON{ID: l.ID, Name: l.Name, Admin1: l.Admin1, Status: l.Status, Population: l.Population,
			ControlledBy: l.ControlledBy, BesiegedBy: l.BesiegedBy, Convoys: l.Convoys, States: l.States, Items: []ItemFiguresJSON{},
			LastDeliveryAt: jsonTime(l.LastDelivery), MedianApprovalHours: hours(l.MedianApproval), Commitments: []CommitmentJSON{}}
		if days := l.DaysSinceLastDelivery(d.GeneratedAt); days >= 0 {
			lj.DaysSinceLastDelivery = &days
		}
		for _, it := range l.Items {
			lj.Items = append(lj.Items, ItemFiguresJSON{Name: it.Name, Unit: it.Unit, Requested: it.Requested, Approved: it.Approved,
				Loaded: it.Loaded, Removed: it.Removed, Delivered: it.Delivered})
		}
		for _, o := range l.Obstacles {
			lj.Obstacles = append(lj.Obstacles, ObstacleJSON{Kind: o.Kind, Org: o.Org, Checkpoint: o.Checkpoint, Count: o.Count})
		}
		for _, m := range l.Commitments {
			wait := math.Round(m.LongestWait.Hours()/24*10) / 10
			kept := m.Kept
			lj.Commitments = append(lj.Commitments, CommitmentJSON{ID: m.ID, RoundID: m.RoundID, LocationID: m.LocationID, Title: m.Title,
				CadenceDays: m.CadenceDays, StartsAt: jsonTime(m.StartsAt), LongestWaitDays: &wait, Kept: &kept, LedgerIndex: m.LedgerIndex})
		}
		for _, cs := range l.Recent {
			lj.RecentConvoys = append(lj.RecentConvoys, convoySummaryJSON(cs))
		}
		out.Locations = append(out.Locations, lj)
	}
	return out
}
