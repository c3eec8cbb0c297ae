package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"parley/internal/auth"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/router"
	"parley/internal/store"
)

// The page templates, one file each under templates/pages. A handler names
// a page only through these constants; New fails when a file is missing, and
// TestTemplatesNamedExist fails when a handler names one not listed here.
const (
	pageLogin     = "login"
	pageLoginOTP  = "login_otp"
	pageRoundList = "round_list"
	pageRoundShow = "round_show"
	pageAdmin     = "admin"
	pageAccount   = "account"
	pageError     = "error"
)

var pageNames = []string{pageLogin, pageLoginOTP, pageRoundList, pageRoundShow, pageAdmin, pageAccount, pageError}

// The fragments that htmx requests swap in place, defined in
// templates/partials.html.
const (
	fragmentAgendaItem = "agenda_item"
	fragmentConsent    = "consent"
)

var fragmentNames = []string{fragmentAgendaItem, fragmentConsent}

// page is what every page's data starts with.
type page struct {
	L *i18n.Localizer
	// User is the logged-in user, nil on the login pages and on error
	// pages shown to anonymous visitors.
	User *auth.User
	// Admin: the viewer administers (actor.IsAdmin()); the navigation and
	// the round page show administration only then.
	Admin bool
	// Members: the viewer is a head of its organisation, so the
	// navigation offers the members page (members.go).
	Members bool
	// Enrolling: the viewer must enrol a second factor before anything
	// else, so the navigation offers only the account page and logout.
	Enrolling bool
	Path      string
	// ReadOnly: the ledger found the record damaged and refuses changes
	// until an operator acts; every page says so (internal/ledger/guard.go).
	ReadOnly bool
	// Names are the names in other languages of the items the page
	// shows, for the "loc" template function (names.go); a page that
	// loads none shows every name in its authoritative language.
	Names names
	// Notices is the number of the viewer's notifications not yet seen,
	// for the navigation's badge.
	Notices int
}

// form is one HTML form's submitted values and the errors to show next to
// its fields when it is shown again.
type form struct {
	ID     string // which form on the page (several share a page)
	Values url.Values
	Errors map[string]string // field → localized message; "" is the form as a whole
	// Status is the HTTP status of the page showing the form again: that
	// of the domain error's code, or 400 for input refused at the edge.
	Status int
}

func (f *form) status() int {
	if f.Status == 0 {
		return http.StatusBadRequest
	}
	return f.Status
}

// Value returns the submitted value of a field, to refill the form.
func (f *form) Value(field string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(field)
}

// Checked reports whether a checkbox or radio value was submitted.
func (f *form) Checked(field, value string) bool {
	if f == nil {
		return false
	}
	for _, v := range f.Values[field] {
		if v == value {
			return true
		}
	}
	return false
}

// Err returns the error message of a field ("" for the form as a whole).
func (f *form) Err(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// HasErrors reports whether the form has any error to show.
func (f *form) HasErrors() bool { return f != nil && len(f.Errors) > 0 }

// forms holds the one form of a page that was submitted with errors; every
// other form on the page is shown empty.
type forms struct{ failed *form }

// Form returns the form with id: the failed one, refilled, or an empty one.
func (fm forms) Form(id string) *form {
	if fm.failed != nil && fm.failed.ID == id {
		return fm.failed
	}
	return &form{ID: id}
}

// newForm returns a form holding the request's posted values.
func newForm(id string, r *http.Request) *form {
	return &form{ID: id, Values: r.PostForm, Errors: map[string]string{}}
}

// postForm parses a POST into a form with id; a body that is not a form is
// a 400 page, and postForm reports false once it has answered.
func (w *Web) postForm(rw http.ResponseWriter, r *http.Request, id string) (*form, bool) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return nil, false
	}
	return newForm(id, r), true
}

// fail records err on the form: next to its field when the error names one
// the form has, else for the whole form. It reports whether err is one the
// user can correct (anything else is a server error for w.fail).
func (f *form) fail(l *i18n.Localizer, err error, fields ...string) bool {
	e, ok := errs.As(err)
	if !ok || errs.Status(e.Code) >= 500 {
		return false
	}
	field := ""
	for _, name := range fields {
		if name == e.Field {
			field = name
		}
	}
	f.Errors[field] = errorMessage(l, e)
	f.Status = errs.Status(e.Code)
	return true
}

// errorMessage localizes a domain error: first by code and field
// ("error.invalid.reason"), then by code ("error.conflict"), then a generic
// message for its status. Domain messages are English and never shown.
func errorMessage(l *i18n.Localizer, e *errs.Error) string {
	var d channel.Damage
	if e.Code == errs.Damaged && errors.As(e, &d) {
		return l.T("ledger.damaged_item", "ID", d.ID, "Index", d.LedgerIndex)
	}
	if e.Field != "" && l.Has("error."+e.Code+"."+e.Field) {
		return l.T("error." + e.Code + "." + e.Field)
	}
	if l.Has("error." + e.Code) {
		return l.T("error." + e.Code)
	}
	if errs.Status(e.Code) >= 500 {
		return l.T("error.internal")
	}
	return l.T("error.invalid")
}

// renderPage executes a page into a buffer first, so that a template error
// becomes a clean 500 page instead of half a page.
func (w *Web) renderPage(rw http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := w.pages[name]
	if !ok {
		w.log.Error("web: unknown page", "page", name)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		w.log.Error("web: render page", "page", name, "err", err, "request_id", router.RequestID(r.Context()))
		if name != pageError {
			w.fail(rw, r, err)
			return
		}
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	w.write(rw, status, &buf)
}

// renderFragment executes one fragment, the answer to an htmx request.
func (w *Web) renderFragment(rw http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := w.fragments.ExecuteTemplate(&buf, name, data); err != nil {
		w.log.Error("web: render fragment", "fragment", name, "err", err, "request_id", router.RequestID(r.Context()))
		w.fail(rw, r, err)
		return
	}
	w.write(rw, status, &buf)
}

func (w *Web) write(rw http.ResponseWriter, status int, buf *bytes.Buffer) {
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages hold confidential talks content: never store them in a cache.
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Cookie, Accept-Language, HX-Request")
	rw.WriteHeader(status)
	rw.Write(buf.Bytes())
}

// errorPage is the data of the error page.
type errorPage struct {
	page
	Status    int
	Title     string
	Message   string
	RequestID string
}

// fail answers a request with the error page for err: the status comes from
// errs.Status of its code, the message from the catalogue. Internal errors
// are logged in full and shown only as "internal error" with the request id.
// An unauthorized answer sends the visitor to the login page.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	err = store.Classify(err)
	code := errs.Code(err)
	status := errs.Status(code)
	if status == http.StatusUnauthorized {
		w.toLogin(rw, r)
		return
	}
	e, ok := errs.As(err)
	if !ok {
		e = &errs.Error{Code: errs.Internal, Err: err}
	}
	if status >= 500 {
		w.log.Error("web: internal error", "err", err, "path", r.URL.Path, "request_id", router.RequestID(r.Context()))
	}
	w.errorPage(rw, r, status, errorMessage(w.localizer(r), e))
}

// errorPage renders the error page with a status and a localized message.
func (w *Web) errorPage(rw http.ResponseWriter, r *http.Request, status int, message string) {
	v := viewerFrom(r.Context())
	p := errorPage{page: w.page(r, v), Status: status, Message: message, RequestID: router.RequestID(r.Context())}
	if key := fmt.Sprintf("error.title.%d", status); p.L.Has(key) {
		p.Title = p.L.T(key)
	} else {
		p.Title = p.L.T("error.title.other")
	}
	switch status {
	case http.StatusTooManyRequests:
		rw.Header().Set("Retry-After", "60")
	case http.StatusServiceUnavailable:
		rw.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter))
	}
	w.renderPage(rw, r, status, pageError, p)
}

// notFound is the page for any route parley does not serve, and the answer
// for anything the viewer may not see: "not yours" looks like "not there".
func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.errorPage(rw, r, http.StatusNotFound, w.localizer(r).T("error.not_found"))
}

// redirect answers a form POST: a 303 to the page to show next, or for an
// htmx request an HX-Redirect, which htmx follows as a full navigation.
func redirect(rw http.ResponseWriter, r *http.Request, to string) {
	if isHTMX(r) {
		rw.Header().Set("HX-Redirect", to)
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

// isHTMX reports whether htmx sent the request, expecting a fragment.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }
