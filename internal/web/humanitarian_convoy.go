package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"parley/internal/errs"
	"parley/internal/humanitarian"
)

type humConvoyPage struct {
	page
	forms
	Convoy  humanitarian.Convoy
	Orgs    map[string]string
	Steps   []string // the steps the viewer may record now
	Next    string   // the next checkpoint on the route
	Parties []orgOption
	Hours   string
	Notice  string
	// The choices of the step forms.
	Decisions, Outcomes, Arrivals []string
}

// Has reports whether the viewer may record step.
func (p humConvoyPage) Has(step string) bool { return slices.Contains(p.Steps, step) }

// Left is what of item i is still on the convoy: loaded less removed.
func (p humConvoyPage) Left(i int) string {
	it := p.Convoy.Items[i]
	if it.Loaded == nil {
		return ""
	}
	return (*it.Loaded - it.Removed).String()
}

func (w *Web) humConvoy(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.humConvoyAgain(rw, r, v, r.PathValue("id"), nil)
}

func (w *Web) humConvoyAgain(rw http.ResponseWriter, r *http.Request, v *viewer, id string, f *form) {
	ctx, actor := r.Context(), v.Actor()
	cv, err := w.humanitarian.Convoy(ctx, actor, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := humConvoyPage{page: w.page(r, v), forms: forms{failed: f}, Convoy: cv, Hours: humHours(v, cv.ApprovalTime),
		Decisions: humanitarian.Decisions, Outcomes: humanitarian.Outcomes,
		Arrivals: []string{humanitarian.StepDelivered, humanitarian.StepPartiallyDelivered, humanitarian.StepTurnedBack}}
	if r.URL.Query().Get("recorded") != "" {
		p.Notice = v.L.T("humanitarian.recorded")
	}
	if p.Steps, err = w.humanitarian.NextSteps(ctx, actor, cv); err != nil {
		w.fail(rw, r, err)
		return
	}
	if cv.Passed < len(cv.Route) {
		p.Next = cv.Route[cv.Passed]
	}
	if p.Orgs, err = w.humOrgs(r, v); err != nil {
		w.fail(rw, r, err)
		return
	}
	for id, name := range p.Orgs {
		p.Parties = append(p.Parties, orgOption{id, name})
	}
	slices.SortFunc(p.Parties, func(a, b orgOption) int { return strings.Compare(a.Name, b.Name) })
	status := http.StatusOK
	if f != nil {
		status = f.status()
	}
	w.renderPage(rw, r, status, pageHumConvoy, p)
}

// formQuantity reads an optional quantity field of a form: empty is nil,
// anything but a number is refused naming the field.
func formQuantity(values map[string][]string, field string) (*float64, error) {
	s := strings.TrimSpace(first(values[field]))
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, errs.Field(field, "%s must be a number", field)
	}
	return &v, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// humFail shows a refused form again with its error; an error the viewer
// cannot correct is the error page.
func (w *Web) humFail(rw http.ResponseWriter, r *http.Request, v *viewer, f *form, err error, again func(*form)) {
	if !f.fail(v.L, err) {
		w.fail(rw, r, err)
		return
	}
	if e, ok := errs.As(err); ok && e.Field != "" {
		f.Errors[""] = v.L.T("humanitarian.field_error", "Message", f.Errors[""], "Field", e.Field)
	}
	again(f)
}

// humRequest is an agency's convoy request form.
func (w *Web) humRequest(rw http.ResponseWriter, r *http.Request, v *viewer) {
	pid := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "unreadable form"))
		return
	}
	f := newForm("request", r)
	again := func(f *form) { w.humLocationsAgain(rw, r, v, pid, f) }
	in := humanitarian.NewConvoy{Destination: r.PostForm.Get("destination")}
	for i := 0; i < humanitarian.MaxItems; i++ {
		name := strings.TrimSpace(r.PostForm.Get(fmt.Sprintf("item.%d.name", i)))
		if name == "" {
			continue
		}
		q, err := formQuantity(r.PostForm, fmt.Sprintf("item.%d.requested", i))
		if err == nil && q == nil {
			err = errs.Field(fmt.Sprintf("item.%d.requested", i), "requested is required")
		}
		if err != nil {
			w.humFail(rw, r, v, f, err, again)
			return
		}
		in.Items = append(in.Items, humanitarian.NewItem{Name: name, Unit: r.PostForm.Get(fmt.Sprintf("item.%d.unit", i)), Requested: *q})
	}
	for _, line := range strings.Split(r.PostForm.Get("route"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Route = append(in.Route, line)
		}
	}
	for i := 0; i < 10; i++ {
		party := r.PostForm.Get(fmt.Sprintf("approval.%d.party", i))
		if party == "" {
			continue
		}
		due, err := time.Parse(time.DateOnly, r.PostForm.Get(fmt.Sprintf("approval.%d.due", i)))
		if err != nil {
			w.humFail(rw, r, v, f, errs.Field(fmt.Sprintf("approval.%d.due", i), "a date is required"), again)
			return
		}
		in.Approvals = append(in.Approvals, humanitarian.NewApproval{Party: party, Due: due.Add(24*time.Hour - time.Second)})
	}
	cv, err := w.humanitarian.RequestConvoy(r.Context(), v.Actor(), pid, in)
	if err != nil {
		w.humFail(rw, r, v, f, err, again)
		return
	}
	redirect(rw, r, "/humanitarian/convoys/"+cv.ID+"?recorded=1")
}

// humStep is the form of one step on the convoy page.
func (w *Web) humStep(rw http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "unreadable form"))
		return
	}
	f := newForm("step", r)
	again := func(f *form) { w.humConvoyAgain(rw, r, v, id, f) }
	pf := r.PostForm
	in := humanitarian.StepInput{Step: pf.Get("step"), Decision: pf.Get("decision"), Checkpoint: pf.Get("checkpoint"),
		Outcome: pf.Get("outcome"), By: pf.Get("by"), Reason: pf.Get("reason")}
	// Item quantities come as q.<name>, removals as removed.<name>; an
	// empty field is an item not named.
	for _, key := range slices.Sorted(maps.Keys(pf)) {
		name, prefix := "", ""
		switch {
		case strings.HasPrefix(key, "q."):
			name, prefix = strings.TrimPrefix(key, "q."), "q."
		case strings.HasPrefix(key, "removed."):
			name, prefix = strings.TrimPrefix(key, "removed."), "removed."
		default:
			continue
		}
		q, err := formQuantity(pf, key)
		if err != nil {
			w.humFail(rw, r, v, f, err, again)
			return
		}
		if q == nil {
			continue
		}
		it := humanitarian.StepItemInput{Name: name, Quantity: q}
		if prefix == "q." {
			in.Items = append(in.Items, it)
		} else if *q > 0 {
			it.Reason = pf.Get("removed_reason")
			in.Removed = append(in.Removed, it)
		}
	}
	if _, err := w.humanitarian.RecordStep(r.Context(), v.Actor(), id, in); err != nil {
		w.humFail(rw, r, v, f, err, again)
		return
	}
	redirect(rw, r, "/humanitarian/convoys/"+id+"?recorded=1")
}
