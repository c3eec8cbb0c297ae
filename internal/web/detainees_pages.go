package web

import (
	"net/http"

	"parley/internal/detainees"
	"parley/internal/router"
)

// The detainee track (issue 14, docs/detainees.md): a process's detainee
// page (the neutral agency, the lists the viewer reads, the upload, the
// matching and the exchanges), a list, the review queue, an exchange with
// its releases, and the dashboard. Every rule and every read check is the
// detainee service's; the pages show what Abilities says the viewer may do.

const (
	pageDetaineesProcess   = "detainees_process"
	pageDetaineesUpload    = "detainees_upload"
	pageDetaineesList      = "detainees_list"
	pageDetaineesReview    = "detainees_review"
	pageDetaineesExchange  = "detainees_exchange"
	pageDetaineesDashboard = "detainees_dashboard"
)

func init() {
	pageNames = append(pageNames, pageDetaineesProcess, pageDetaineesUpload, pageDetaineesList,
		pageDetaineesReview, pageDetaineesExchange, pageDetaineesDashboard)
}

// registerDetainees adds the detainee pages to mux.
func (w *Web) registerDetainees(mux *router.Mux) {
	p := "/processes/{id}/detainees"
	mux.HandleFunc("GET "+p, w.user(w.detaineesOn(w.detaineesShow)))
	mux.HandleFunc("POST "+p+"/agency", w.user(w.detaineesOn(w.detaineesAgencySet)))
	mux.HandleFunc("POST "+p+"/lists/check", w.user(w.detaineesOn(w.detaineesListCheck)))
	mux.HandleFunc("POST "+p+"/lists", w.user(w.detaineesOn(w.detaineesListImport)))
	mux.HandleFunc("POST "+p+"/matching", w.user(w.detaineesOn(w.detaineesMatch)))
	mux.HandleFunc("GET "+p+"/review", w.user(w.detaineesOn(w.detaineesReview)))
	mux.HandleFunc("POST "+p+"/exchanges", w.user(w.detaineesOn(w.detaineesExchangeRecord)))
	mux.HandleFunc("GET "+p+"/dashboard", w.user(w.detaineesOn(w.detaineesDashboard)))
	mux.HandleFunc("GET /detainees/lists/{id}", w.user(w.detaineesOn(w.detaineesListShow)))
	mux.HandleFunc("POST /detainees/pairs/{id}/decision", w.user(w.detaineesOn(w.detaineesDecide)))
	mux.HandleFunc("GET /detainees/exchanges/{id}", w.user(w.detaineesOn(w.detaineesExchangeShow)))
	mux.HandleFunc("POST /detainees/exchanges/{id}/releases", w.user(w.detaineesOn(w.detaineesRelease)))
}

// detaineesOn answers 404 when parley runs without the detainee track.
func (w *Web) detaineesOn(h handler) handler {
	return func(rw http.ResponseWriter, r *http.Request, v *viewer) {
		if w.detainees == nil {
			w.notFound(rw, r)
			return
		}
		h(rw, r, v)
	}
}

// detaineesProcess is what every page of a process's detainee track
// starts with.
type detaineesProcess struct {
	page
	forms
	ProcessID, ProcessName string
	Can                    detainees.Abilities
}

// process reads the viewer's abilities in the process and its name.
func (w *Web) detaineesProcess(r *http.Request, v *viewer, processID string) (detaineesProcess, error) {
	p := detaineesProcess{page: w.page(r, v), ProcessID: processID}
	var err error
	if p.Can, err = w.detainees.Abilities(r.Context(), v.Actor(), processID); err != nil {
		return p, err
	}
	ps, err := w.talks.Processes(r.Context(), v.Actor())
	if err != nil {
		return p, err
	}
	for _, pr := range ps {
		if pr.ID == processID {
			p.ProcessName = pr.Name
		}
	}
	return p, nil
}

// candidate is a record the mediation may put into an exchange, with the
// records the latest run accepts as naming the same person.
type candidate struct {
	detainees.StoredRecord
	Partners []string
}

type detaineesProcessPage struct {
	detaineesProcess
	Lists      []detainees.List
	Run        detainees.Run
	Exchanges  []detainees.Exchange
	Candidates []struct {
		List    detainees.List
		Records []candidate
	}
	Notice string
}

func (w *Web) detaineesShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.detaineesShowAgain(rw, r, v, r.PathValue("id"), nil)
}

// detaineesShowAgain shows the process's detainee page, with f's errors
// when a form was refused.
func (w *Web) detaineesShowAgain(rw http.ResponseWriter, r *http.Request, v *viewer, processID string, f *form) {
	ctx := r.Context()
	pp, err := w.detaineesProcess(r, v, processID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := detaineesProcessPage{detaineesProcess: pp}
	p.failed = f
	if p.Lists, err = w.detainees.Lists(ctx, v.Actor(), processID); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Exchanges, err = w.detainees.Exchanges(ctx, v.Actor(), processID); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Can.Oversee {
		var pairs []detainees.Pair
		if p.Run, pairs, err = w.detainees.Pairs(ctx, v.Actor(), processID, detainees.BandMatch); err != nil {
			w.fail(rw, r, err)
			return
		}
		if p.Can.Record {
			partners := map[string][]string{}
			for _, pr := range pairs {
				partners[pr.A.ID] = append(partners[pr.A.ID], pr.B.ID)
				partners[pr.B.ID] = append(partners[pr.B.ID], pr.A.ID)
			}
			for _, l := range p.Lists {
				if l.Kind != detainees.Held {
					continue
				}
				_, recs, err := w.detainees.List(ctx, v.Actor(), l.ID)
				if err != nil {
					w.fail(rw, r, err)
					return
				}
				group := struct {
					List    detainees.List
					Records []candidate
				}{List: l}
				for _, rec := range recs {
					group.Records = append(group.Records, candidate{StoredRecord: rec, Partners: partners[rec.ID]})
				}
				p.Candidates = append(p.Candidates, group)
			}
		}
	}
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageDetaineesProcess, p)
}

func (w *Web) detaineesAgencySet(rw http.ResponseWriter, r *http.Request, v *viewer) {
	processID := r.PathValue("id")
	f := newForm("detainees-agency", r)
	if _, err := w.detainees.SetAgency(r.Context(), v.Actor(), processID, r.PostFormValue("org")); err != nil {
		if !f.fail(v.L, err, "org") {
			w.fail(rw, r, err)
			return
		}
		w.detaineesShowAgain(rw, r, v, processID, f)
		return
	}
	redirect(rw, r, "/processes/"+processID+"/detainees")
}

type detaineesListPage struct {
	page
	List    detainees.List
	Records []detainees.StoredRecord
}

func (w *Web) detaineesListShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	l, recs, err := w.detainees.List(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, http.StatusOK, pageDetaineesList, detaineesListPage{page: w.page(r, v), List: l, Records: recs})
}
