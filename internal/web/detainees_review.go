package web

import (
	"math"
	"net/http"
	"strconv"

	"parley/internal/detainees"
)

// The matching and its review queue: the mediation or the neutral agency
// runs the matching, then settles the uncertain pairs one by one, each
// shown side by side with both scripts. Keyboard shortcuts (detainees.js)
// move between pairs and confirm or reject; without script the buttons do
// the same.

type detaineesReviewPage struct {
	detaineesProcess
	Run     detainees.Run
	Pairs   []reviewPair
	Pending int // pairs without a decision
}

// reviewPair is a pair as the queue shows it.
type reviewPair struct {
	detainees.Pair
	Fields  []pairField
	Percent string
}

// pairField is one row of a pair's side-by-side table.
type pairField struct {
	Column string
	A, B   string
	Same   bool
}

// pairFields lists the canonical columns either record fills, with both
// values.
func pairFields(p detainees.Pair) []pairField {
	a, b := p.A.Values(), p.B.Values()
	var out []pairField
	for i, c := range detainees.Columns {
		if c == "record_id" || a[i] == "" && b[i] == "" {
			continue
		}
		out = append(out, pairField{Column: c, A: a[i], B: b[i], Same: a[i] == b[i]})
	}
	return out
}

func (w *Web) detaineesMatch(rw http.ResponseWriter, r *http.Request, v *viewer) {
	processID := r.PathValue("id")
	if _, err := w.detainees.RunMatching(r.Context(), v.Actor(), processID); err != nil {
		f := newForm("detainees-matching", r)
		if !f.fail(v.L, err) {
			w.fail(rw, r, err)
			return
		}
		w.detaineesShowAgain(rw, r, v, processID, f)
		return
	}
	redirect(rw, r, "/processes/"+processID+"/detainees/review")
}

func (w *Web) detaineesReview(rw http.ResponseWriter, r *http.Request, v *viewer) {
	processID := r.PathValue("id")
	pp, err := w.detaineesProcess(r, v, processID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := detaineesReviewPage{detaineesProcess: pp}
	var pairs []detainees.Pair
	if p.Run, pairs, err = w.detainees.Pairs(r.Context(), v.Actor(), processID, detainees.BandReview); err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, pr := range pairs {
		if pr.Decision == "" {
			p.Pending++
		}
		p.Pairs = append(p.Pairs, reviewPair{Pair: pr, Fields: pairFields(pr), Percent: strconv.Itoa(int(math.Round(pr.Probability*100))) + "%"})
	}
	w.renderPage(rw, r, http.StatusOK, pageDetaineesReview, p)
}

func (w *Web) detaineesDecide(rw http.ResponseWriter, r *http.Request, v *viewer) {
	d, err := w.detainees.Decide(r.Context(), v.Actor(), r.PathValue("id"), r.PostFormValue("decision"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	to := "/processes/" + d.ProcessID + "/detainees/review"
	if n, err := strconv.Atoi(r.PostFormValue("next")); err == nil {
		to += "#pair-" + strconv.Itoa(n+1)
	}
	redirect(rw, r, to)
}
