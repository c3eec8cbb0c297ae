package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"parley/internal/detainees"
)

// Exchanges, releases and the dashboard. The mediation records an exchange
// on the process's page by ticking the people of the held lists; each is
// tied to the records the latest matching run accepts as naming them. The
// neutral agency confirms each release on the exchange's page, with its
// time and place.

func (w *Web) detaineesExchangeRecord(rw http.ResponseWriter, r *http.Request, v *viewer) {
	processID := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, err)
		return
	}
	in := detainees.NewExchange{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"),
		Sides: []string{r.PostFormValue("side_a"), r.PostFormValue("side_b")}}
	for _, rec := range r.PostForm["person"] {
		// A ticked record carries the records matched with it: "id id …".
		ids := strings.Fields(rec)
		if len(ids) > 0 {
			in.People = append(in.People, detainees.NewPerson{Records: ids})
		}
	}
	e, err := w.detainees.RecordExchange(r.Context(), v.Actor(), processID, in)
	if err != nil {
		f := newForm("detainees-exchange", r)
		if !f.fail(v.L, err, "kind", "title", "sides", "people") {
			w.fail(rw, r, err)
			return
		}
		w.detaineesShowAgain(rw, r, v, processID, f)
		return
	}
	redirect(rw, r, "/detainees/exchanges/"+e.ID)
}

type detaineesExchangePage struct {
	detaineesProcess
	Exchange detainees.Exchange
	Today    string // the default time of a release, in the form's format
}

func (w *Web) detaineesExchangeShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.detaineesExchangeAgain(rw, r, v, r.PathValue("id"), nil)
}

func (w *Web) detaineesExchangeAgain(rw http.ResponseWriter, r *http.Request, v *viewer, id string, f *form) {
	e, err := w.detainees.Exchange(r.Context(), v.Actor(), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	pp, err := w.detaineesProcess(r, v, e.ProcessID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := detaineesExchangePage{detaineesProcess: pp, Exchange: e, Today: w.now().UTC().Format(releaseTimeLayout)}
	p.failed = f
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageDetaineesExchange, p)
}

// releaseTimeLayout is the format of a datetime-local input, read as UTC.
const releaseTimeLayout = "2006-01-02T15:04"

func (w *Web) detaineesRelease(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	person := r.PostFormValue("person")
	f := newForm("detainees-release-"+person, r)
	at, err := time.Parse(releaseTimeLayout, r.PostFormValue("at"))
	if err == nil {
		_, err = w.detainees.ConfirmRelease(r.Context(), v.Actor(), id, detainees.NewRelease{Person: person, At: at, Place: r.PostFormValue("place")})
	} else {
		f.Errors["at"] = v.L.T("detainees.release.bad_time")
		w.detaineesExchangeAgain(rw, r, v, id, f)
		return
	}
	if err != nil {
		if !f.fail(v.L, err, "at", "place", "person") {
			w.fail(rw, r, err)
			return
		}
		w.detaineesExchangeAgain(rw, r, v, id, f)
		return
	}
	redirect(rw, r, "/detainees/exchanges/"+id)
}

type detaineesDashboardPage struct {
	detaineesProcess
	Dashboard detainees.Dashboard
	Charts    []sideChart
}

// sideChart is a side's promised and verified releases over time as SVG
// polylines in a 600 × 200 box: drawn on the server, so the page needs no
// script and no inline style.
type sideChart struct {
	Name               string
	Promised, Verified string // polyline points
	Max                int
	From, To           time.Time
}

func chartOf(s detainees.SideReleases) sideChart {
	c := sideChart{Name: s.Name, Max: max(s.Promised, 1)}
	if len(s.Series) == 0 {
		return c
	}
	c.From, c.To = s.Series[0].At, s.Series[len(s.Series)-1].At
	span := c.To.Sub(c.From).Seconds()
	x := func(t time.Time) float64 {
		if span == 0 {
			return 600
		}
		return t.Sub(c.From).Seconds() / span * 600
	}
	y := func(n int) float64 { return 200 - float64(n)/float64(c.Max)*190 }
	var p, v strings.Builder
	prevP, prevV := 0, 0
	fmt.Fprintf(&p, "0,%.1f", y(0))
	fmt.Fprintf(&v, "0,%.1f", y(0))
	for _, pt := range s.Series {
		// Steps: the count holds until it changes.
		fmt.Fprintf(&p, " %.1f,%.1f %.1f,%.1f", x(pt.At), y(prevP), x(pt.At), y(pt.Promised))
		fmt.Fprintf(&v, " %.1f,%.1f %.1f,%.1f", x(pt.At), y(prevV), x(pt.At), y(pt.Verified))
		prevP, prevV = pt.Promised, pt.Verified
	}
	fmt.Fprintf(&p, " 600,%.1f", y(prevP))
	fmt.Fprintf(&v, " 600,%.1f", y(prevV))
	c.Promised, c.Verified = p.String(), v.String()
	return c
}

func (w *Web) detaineesDashboard(rw http.ResponseWriter, r *http.Request, v *viewer) {
	processID := r.PathValue("id")
	pp, err := w.detaineesProcess(r, v, processID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d, err := w.detainees.Dashboard(r.Context(), v.Actor(), processID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := detaineesDashboardPage{detaineesProcess: pp, Dashboard: d}
	for _, s := range d.Sides {
		p.Charts = append(p.Charts, chartOf(s))
	}
	w.renderPage(rw, r, http.StatusOK, pageDetaineesDashboard, p)
}
