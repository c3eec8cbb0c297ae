// Package errs defines parley's error type: a stable machine-readable code, a
// human message and, for bad input, the offending field. Domain packages
// return these; the web and API layers map the code to an HTTP status in one
// place and never show anything else of an internal error.
package errs

import (
	"errors"
	"fmt"
)

// Codes shared across packages. Packages may add their own snake_case codes
// (for example "no_direct_consent"); Status maps unknown codes to 400 unless
// they are registered with a status below.
const (
	Invalid      = "invalid"
	InvalidJSON  = "invalid_json"
	NotFound     = "not_found"
	Conflict     = "conflict"
	Forbidden    = "forbidden"
	Unauthorized = "unauthorized"
	TooMany      = "too_many_requests"
	TooLarge     = "too_large"
	Internal     = "internal"
	// NoDirectConsent: a party tried to talk directly to another party
	// without mutual consent.
	NoDirectConsent = "no_direct_consent"
	// ReadOnly: the ledger found the record damaged and accepts no change
	// until an operator has acted (internal/ledger/guard.go).
	ReadOnly = "read_only"
	// StorageFull: the disk holding the database or the attachments is
	// full; nothing was written.
	StorageFull = "storage_full"
	// DatabaseUnavailable: the database cannot be reached or refuses
	// connections for now; the request may be retried (Retry-After).
	DatabaseUnavailable = "database_unavailable"
	// Damaged: the item asked for is stored but its content does not open
	// or does not match its checksum (tampering, a lost file or key); the
	// message names it and its ledger event. 410: retrying will not help
	// until an operator restores it.
	Damaged = "damaged"
)

// Error is a failure that can be shown to the caller.
type Error struct {
	Code    string // snake_case, stable
	Message string // human readable, safe to show
	Field   string // the offending input field or path, if any
	Err     error  // underlying cause, logged, never shown
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an "invalid" error naming the offending field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf is the one answer for absent, malformed and unreadable objects,
// so that "not yours" and "no such thing" cannot be told apart.
func NotFoundf(what string) *Error {
	return &Error{Code: NotFound, Message: what + " not found"}
}

// Code returns the code of err, or Internal when err is not an *Error.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

var statuses = map[string]int{
	Invalid:             400,
	InvalidJSON:         400,
	NotFound:            404,
	Conflict:            409,
	Forbidden:           403,
	Unauthorized:        401,
	TooMany:             429,
	TooLarge:            413,
	Internal:            500,
	NoDirectConsent:     409,
	ReadOnly:            503,
	StorageFull:         507,
	DatabaseUnavailable: 503,
	Damaged:             410,
}

// Status maps a code to its HTTP status. This is the only place that does so.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return 400
}

// Register gives a package-specific code its HTTP status. Call it from an
// init function; registering a code twice with different statuses panics.
func Register(code string, status int) {
	if s, ok := statuses[code]; ok && s != status {
		panic("errs: code " + code + " registered twice")
	}
	statuses[code] = status
}

// Wrap annotates *errp with context when it is a non-nil error that is not an
// *Error (those already carry a user-facing message). Use with defer.
func Wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	if _, ok := As(*errp); ok {
		return
	}
	*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
}
