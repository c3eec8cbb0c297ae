package web

import (
	"net/http"
	"strings"
	"time"

	"parley/internal/ceasefire"
	"parley/internal/errs"
)

// The incident page and the forms on it: the monitors' verification,
// publication, merge and split, the accused's answer, and evidence.

type ceasefireIncidentPage struct {
	ceasefireHead
	Incident      ceasefire.Incident
	CanAnswer     bool
	CanPublish    bool
	Next          []string // the verification states the incident may move to
	Reliabilities []string
	Attributions  []string
}

func (w *Web) ceasefireIncident(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.ceasefireIncidentAgain(rw, r, v, nil)
}

// ceasefireIncidentAgain shows the incident page, with f's errors when a
// form on it was refused.
func (w *Web) ceasefireIncidentAgain(rw http.ResponseWriter, r *http.Request, v *viewer, f *form) {
	inc, err := w.ceasefire.Incident(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h, ok := w.ceasefireHead(rw, r, v, inc.ProcessID)
	if !ok {
		return
	}
	status := http.StatusOK
	if f != nil {
		h.forms, status = forms{failed: f}, f.status()
	}
	w.renderPage(rw, r, status, pageCeasefireIncident, ceasefireIncidentPage{ceasefireHead: h, Incident: inc,
		CanAnswer: inc.Perpetrator == v.Actor().Org, CanPublish: ceasefire.Publishable(inc), Next: ceasefire.Next(inc.Status),
		Reliabilities: ceasefire.Reliabilities, Attributions: ceasefire.Attributions})
}

// incidentForm runs a form's action and shows the incident again: with
// the form's errors when refused, else after a redirect.
func (w *Web) incidentForm(rw http.ResponseWriter, r *http.Request, v *viewer, id string, fields []string, act func() error) {
	f := newForm(id, r)
	if err := act(); err != nil {
		if !f.fail(v.L, err, fields...) {
			w.fail(rw, r, err)
			return
		}
		w.ceasefireIncidentAgain(rw, r, v, f)
		return
	}
	redirect(rw, r, "/ceasefire/incidents/"+r.PathValue("id"))
}

func (w *Web) ceasefireVerify(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.incidentForm(rw, r, v, "verify", []string{"status", "reason", "reliability", "attribution"}, func() error {
		_, err := w.ceasefire.Verify(r.Context(), v.Actor(), r.PathValue("id"), ceasefire.Verification{Status: r.PostFormValue("status"),
			Reason: r.PostFormValue("reason"), Reliability: r.PostFormValue("reliability"), Attribution: r.PostFormValue("attribution")})
		return err
	})
}

func (w *Web) ceasefirePublish(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.incidentForm(rw, r, v, "publish", nil, func() error {
		_, err := w.ceasefire.Publish(r.Context(), v.Actor(), r.PathValue("id"))
		return err
	})
}

func (w *Web) ceasefireMerge(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.incidentForm(rw, r, v, "merge", []string{"incidents", "reason"}, func() error {
		_, err := w.ceasefire.Merge(r.Context(), v.Actor(), r.PathValue("id"), strings.Fields(strings.ReplaceAll(r.PostFormValue("incidents"), ",", " ")),
			r.PostFormValue("reason"))
		return err
	})
}

func (w *Web) ceasefireSplit(rw http.ResponseWriter, r *http.Request, v *viewer) {
	f := newForm("split", r)
	inc, err := w.ceasefire.Split(r.Context(), v.Actor(), r.PathValue("id"), r.PostFormValue("report"), r.PostFormValue("reason"))
	if err != nil {
		if !f.fail(v.L, err, "report", "reason") {
			w.fail(rw, r, err)
			return
		}
		w.ceasefireIncidentAgain(rw, r, v, f)
		return
	}
	redirect(rw, r, "/ceasefire/incidents/"+inc.ID)
}

func (w *Web) ceasefireAnswer(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.incidentForm(rw, r, v, "answer", []string{"body"}, func() error {
		_, err := w.ceasefire.AnswerIncident(r.Context(), v.Actor(), r.PathValue("id"), r.PostFormValue("body"))
		return err
	})
}

// ceasefireEvidence adds a file to a report and shows its incident.
func (w *Web) ceasefireEvidence(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseMultipartForm(8 << 20); err != nil || len(r.MultipartForm.File["file"]) == 0 {
		w.fail(rw, r, errs.Field("file", "choose a file"))
		return
	}
	if err := w.addPhoto(r, v, r.PathValue("id"), "file"); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.showReport(rw, r, v, r.PathValue("id"))
}

// showReport answers a form about a report with its incident's page, at
// the report.
func (w *Web) showReport(rw http.ResponseWriter, r *http.Request, v *viewer, id string) {
	rep, err := w.ceasefire.Report(r.Context(), v.Actor(), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	redirect(rw, r, "/ceasefire/incidents/"+rep.IncidentID+"#report-"+rep.ID)
}

// --- duplicates ---

type ceasefireDuplicatesPage struct {
	ceasefireHead
	Candidates []candidateView
}

// candidateView is a candidate pair with its two incidents.
type candidateView struct {
	Candidate ceasefire.Candidate
	Incidents []ceasefire.Incident
}

func (w *Web) ceasefireDuplicates(rw http.ResponseWriter, r *http.Request, v *viewer) {
	h, ok := w.ceasefireHead(rw, r, v, r.PathValue("id"))
	if !ok {
		return
	}
	cands, err := w.ceasefire.Duplicates(r.Context(), v.Actor(), h.ProcessID, ceasefire.DuplicateOptions{})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	incs := map[string]ceasefire.Incident{}
	views := make([]candidateView, len(cands))
	for k, c := range cands {
		views[k].Candidate = c
		for _, id := range c.Incidents {
			inc, ok := incs[id]
			if !ok {
				var err error
				if inc, err = w.ceasefire.Incident(r.Context(), v.Actor(), id); err != nil {
					w.fail(rw, r, err)
					return
				}
				incs[id] = inc
			}
			views[k].Incidents = append(views[k].Incidents, inc)
		}
	}
	w.renderPage(rw, r, http.StatusOK, pageCeasefireDuplicates, ceasefireDuplicatesPage{ceasefireHead: h, Candidates: views})
}

// --- statistics ---

type ceasefireStatsPage struct {
	ceasefireHead
	Stats   ceasefire.Stats
	Split   string
	Data    any  // the charts' series, written as JSON for the chart script
	Summary bool // the public summary is on
}

func (w *Web) ceasefireStats(rw http.ResponseWriter, r *http.Request, v *viewer) {
	h, ok := w.ceasefireHead(rw, r, v, r.PathValue("id"))
	if !ok {
		return
	}
	split := r.URL.Query().Get("split")
	var at time.Time
	if split != "" {
		var err error
		if at, err = time.Parse("2006-01-02", split); err != nil {
			w.fail(rw, r, errs.Field("split", "a date"))
			return
		}
	}
	st, err := w.ceasefire.Statistics(r.Context(), v.Actor(), h.ProcessID, at)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	on, err := w.ceasefire.PublicSummaryOn(r.Context(), h.ProcessID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// uPlot wants one x array (Unix seconds) and one array per series.
	var days, all, confirmed []float64
	for _, d := range st.Days {
		t, _ := time.Parse("2006-01-02", d.Key)
		days = append(days, float64(t.Unix()))
		all = append(all, float64(d.All))
		confirmed = append(confirmed, float64(d.Confirmed))
	}
	bars := func(cs []ceasefire.Count) map[string]any {
		var names []string
		var a, c []float64
		for _, x := range cs {
			names = append(names, x.Name)
			a = append(a, float64(x.All))
			c = append(c, float64(x.Confirmed))
		}
		return map[string]any{"names": names, "all": a, "confirmed": c}
	}
	data := map[string]any{
		"days": []any{days, all, confirmed}, "perpetrators": bars(st.ByPerpetrator), "zones": bars(st.ByZone), "split": split,
		"labels": map[string]string{"all": h.L.T("ceasefire.stats.all"), "confirmed": h.L.T("ceasefire.stats.confirmed")},
	}
	w.renderPage(rw, r, http.StatusOK, pageCeasefireStats, ceasefireStatsPage{ceasefireHead: h, Stats: st, Split: split, Data: data, Summary: on})
}
