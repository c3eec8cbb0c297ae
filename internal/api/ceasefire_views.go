package api

import "parley/internal/ceasefire"

// CeasefireEvidenceJSON is an evidence file's description.
type CeasefireEvidenceJSON struct {
	ID          string `json:"id"`
	ReportID    string `json:"report_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	CapturedAt  string `json:"captured_at,omitempty"`
	CreatedAt   string `json:"created_at"`
	LedgerIndex int64  `json:"ledger_index"`
}

func ceasefireEvidenceJSON(e ceasefire.Evidence) CeasefireEvidenceJSON {
	return CeasefireEvidenceJSON{ID: e.ID, ReportID: e.ReportID, Name: e.Name, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256,
		CapturedAt: jsonTime(e.CapturedAt), CreatedAt: jsonTime(e.CreatedAt), LedgerIndex: e.LedgerIndex}
}

// CeasefireReportJSON is a report as its reader reads it.
type CeasefireReportJSON struct {
	ID                string                  `json:"id"`
	IncidentID        string                  `json:"incident_id"`
	ProcessID         string                  `json:"process_id"`
	Org               string                  `json:"org"`
	OccurredAt        string                  `json:"occurred_at"`
	TimePrecision     string                  `json:"time_precision"`
	Lat               float64                 `json:"lat"`
	Lon               float64                 `json:"lon"`
	LocationPrecision string                  `json:"location_precision"`
	Place             string                  `json:"place"`
	Admin1            string                  `json:"admin1"`
	Admin2            string                  `json:"admin2"`
	Type              string                  `json:"type"`
	Perpetrator       string                  `json:"perpetrator"`
	Affected          string                  `json:"affected"`
	Killed            ceasefire.Estimate      `json:"killed"`
	Injured           ceasefire.Estimate      `json:"injured"`
	Knowledge         string                  `json:"knowledge"`
	Platform          string                  `json:"platform"`
	Narrative         string                  `json:"narrative"`
	Reliability       string                  `json:"reliability,omitempty"` // the source's current grade
	Evidence          []CeasefireEvidenceJSON `json:"evidence"`
	Grades            []CeasefireGradeJSON    `json:"grades"`
	CreatedAt         string                  `json:"created_at"`
	LedgerIndex       int64                   `json:"ledger_index"`
}

// CeasefireGradeJSON is one grading of a report's source.
type CeasefireGradeJSON struct {
	ID          string `json:"id"`
	ReportID    string `json:"report_id"`
	Reliability string `json:"reliability"`
	Reason      string `json:"reason"`
	Actor       string `json:"actor"`
	Org         string `json:"org"`
	At          string `json:"at"`
	LedgerIndex int64  `json:"ledger_index"`
}

func ceasefireGradeJSON(g ceasefire.Grade) CeasefireGradeJSON {
	return CeasefireGradeJSON{ID: g.ID, ReportID: g.ReportID, Reliability: g.Reliability, Reason: g.Reason, Actor: g.ActorName, Org: g.ActorOrg,
		At: jsonTime(g.At), LedgerIndex: g.LedgerIndex}
}

func ceasefireReportJSON(r ceasefire.Report) CeasefireReportJSON {
	out := CeasefireReportJSON{ID: r.ID, IncidentID: r.IncidentID, ProcessID: r.ProcessID, Org: r.OrgID, OccurredAt: jsonTime(r.OccurredAt),
		TimePrecision: r.TimePrecision, Lat: r.Lat, Lon: r.Lon, LocationPrecision: r.LocationPrecision, Place: r.Place, Admin1: r.Admin1,
		Admin2: r.Admin2, Type: r.Type, Perpetrator: r.Perpetrator, Affected: r.Affected, Killed: r.Killed, Injured: r.Injured,
		Knowledge: r.Knowledge, Platform: r.Platform, Narrative: r.Narrative, Reliability: r.Reliability, Evidence: []CeasefireEvidenceJSON{}, Grades: []CeasefireGradeJSON{},
		CreatedAt: jsonTime(r.CreatedAt), LedgerIndex: r.LedgerIndex}
	for _, e := range r.Evidence {
		out.Evidence = append(out.Evidence, ceasefireEvidenceJSON(e))
	}
	for _, g := range r.Grades {
		out.Grades = append(out.Grades, ceasefireGradeJSON(g))
	}
	return out
}

// CeasefireStepJSON is one change of an incident.
type CeasefireStepJSON struct {
	Action      string `json:"action"`
	From        string `json:"from"`
	To          string `json:"to"`
	Reason      string `json:"reason"`
	Reliability string `json:"reliability,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	Other       string `json:"other,omitempty"`
	Actor       string `json:"actor"`
	Org         string `json:"org"`
	At          string `json:"at"`
	LedgerIndex int64  `json:"ledger_index"`
}

// CeasefireAnswerJSON is the accused party's answer.
type CeasefireAnswerJSON struct {
	ID          string `json:"id"`
	IncidentID  string `json:"incident_id"`
	Org         string `json:"org"`
	OrgName     string `json:"org_name"`
	Author      string `json:"author"`
	Body        string `json:"body"`
	At          string `json:"at"`
	LedgerIndex int64  `json:"ledger_index"`
}

func ceasefireAnswerJSON(a ceasefire.Answer) CeasefireAnswerJSON {
	return CeasefireAnswerJSON{ID: a.ID, IncidentID: a.IncidentID, Org: a.OrgID, OrgName: a.OrgName, Author: a.AuthorName, Body: a.Body,
		At: jsonTime(a.At), LedgerIndex: a.LedgerIndex}
}

// CeasefireIncidentJSON is an incident; the single fetch adds its reports,
// history and answers as far as the caller reads them.
type CeasefireIncidentJSON struct {
	ID                string                `json:"id"`
	ProcessID         string                `json:"process_id"`
	Status            string                `json:"status"`
	Type              string                `json:"type"`
	OccurredAt        string                `json:"occurred_at"`
	TimePrecision     string                `json:"time_precision"`
	Lat               float64               `json:"lat"`
	Lon               float64               `json:"lon"`
	LocationPrecision string                `json:"location_precision"`
	Place             string                `json:"place"`
	Admin1            string                `json:"admin1"`
	Admin2            string                `json:"admin2"`
	Perpetrator       string                `json:"perpetrator"`
	PerpetratorName   string                `json:"perpetrator_name"`
	Affected          string                `json:"affected"`
	Killed            int                   `json:"killed"`
	Injured           int                   `json:"injured"`
	Reliability       string                `json:"reliability,omitempty"`
	Attribution       string                `json:"attribution,omitempty"`
	MergedInto        string                `json:"merged_into,omitempty"`
	Published         bool                  `json:"published"`
	PublishedAt       string                `json:"published_at,omitempty"`
	CreatedAt         string                `json:"created_at"`
	LedgerIndex       int64                 `json:"ledger_index"`
	Reports           []CeasefireReportJSON `json:"reports,omitempty"`
	History           []CeasefireStepJSON   `json:"history,omitempty"`
	Answers           []CeasefireAnswerJSON `json:"answers,omitempty"`
}

func ceasefireIncidentJSON(i ceasefire.Incident) CeasefireIncidentJSON {
	out := CeasefireIncidentJSON{ID: i.ID, ProcessID: i.ProcessID, Status: i.Status, Type: i.Type, OccurredAt: jsonTime(i.OccurredAt),
		TimePrecision: i.TimePrecision, Lat: i.Lat, Lon: i.Lon, LocationPrecision: i.LocationPrecision, Place: i.Place,
		Admin1: i.Admin1, Admin2: i.Admin2, Perpetrator: i.Perpetrator, PerpetratorName: i.PerpetratorName, Affected: i.Affected,
		Killed: i.Killed, Injured: i.Injured, Reliability: i.Reliability, Attribution: i.Attribution, MergedInto: i.MergedInto,
		Published: i.Published, PublishedAt: jsonTime(i.PublishedAt), CreatedAt: jsonTime(i.CreatedAt), LedgerIndex: i.LedgerIndex}
	for _, r := range i.Reports {
		out.Reports = append(out.Reports, ceasefireReportJSON(r))
	}
	for _, s := range i.History {
		out.History = append(out.History, CeasefireStepJSON{Action: s.Action, From: s.From, To: s.To, Reason: s.Reason, Reliability: s.Reliability,
			Attribution: s.Attribution, Other: s.Other, Actor: s.ActorName, Org: s.ActorOrg, At: jsonTime(s.At), LedgerIndex: s.LedgerIndex})
	}
	for _, a := range i.Answers {
		out.Answers = append(out.Answers, ceasefireAnswerJSON(a))
	}
	return out
}

// CeasefireCandidateJSON is a pair of likely duplicate incidents.
type CeasefireCandidateJSON struct {
	Incidents  []string `json:"incidents"`
	Reports    []string `json:"reports"`
	Type       string   `json:"type"`
	Score      float64  `json:"score"`
	Similarity float64  `json:"similarity"`
	DistanceM  float64  `json:"distance_m"`
	GapSeconds int64    `json:"gap_seconds"`
}

// CeasefireCountJSON is a count of incidents under a key.
type CeasefireCountJSON struct {
	Key       string `json:"key"`
	Name      string `json:"name,omitempty"`
	All       int    `json:"all"`
	Confirmed int    `json:"confirmed"`
}

func countsJSON(cs []ceasefire.Count) []CeasefireCountJSON {
	out := make([]CeasefireCountJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, CeasefireCountJSON{Key: c.Key, Name: c.Name, All: c.All, Confirmed: c.Confirmed})
	}
	return out
}

// CeasefireStatsJSON is GET .../ceasefire/statistics.
type CeasefireStatsJSON struct {
	Days          []CeasefireCountJSON `json:"days"`
	ByPerpetrator []CeasefireCountJSON `json:"by_perpetrator"`
	ByZone        []CeasefireCountJSON `json:"by_zone"`
	ByType        []CeasefireCountJSON `json:"by_type"`
	Turnaround    struct {
		Decided     int     `json:"decided"`
		MedianHours float64 `json:"median_hours"`
		P90Hours    float64 `json:"p90_hours"`
	} `json:"turnaround"`
	Split *struct {
		At         string             `json:"at"`
		Before     CeasefireCountJSON `json:"before"`
		After      CeasefireCountJSON `json:"after"`
		BeforeDays int                `json:"before_days"`
		AfterDays  int                `json:"after_days"`
	} `json:"split,omitempty"`
}

func ceasefireStatsJSON(st ceasefire.Stats) CeasefireStatsJSON {
	out := CeasefireStatsJSON{Days: countsJSON(st.Days), ByPerpetrator: countsJSON(st.ByPerpetrator), ByZone: countsJSON(st.ByZone), ByType: countsJSON(st.ByType)}
	out.Turnaround.Decided, out.Turnaround.MedianHours, out.Turnaround.P90Hours = st.Decided, st.MedianHours, st.P90Hours
	if !st.At.IsZero() {
		out.Split = &struct {
			At         string             `json:"at"`
			Before     CeasefireCountJSON `json:"before"`
			After      CeasefireCountJSON `json:"after"`
			BeforeDays int                `json:"before_days"`
			AfterDays  int                `json:"after_days"`
		}{At: jsonTime(st.At), Before: countsJSON([]ceasefire.Count{st.Before})[0], After: countsJSON([]ceasefire.Count{st.After})[0],
			BeforeDays: st.BeforeDays, AfterDays: st.AfterDays}
	}
	return out
}

// CeasefireSummaryJSON is the public summary: counts only.
type CeasefireSummaryJSON struct {
	Days  []CeasefireCountJSON `json:"days"`
	Areas []CeasefireCountJSON `json:"areas"`
	Types []CeasefireCountJSON `json:"types"`
}
