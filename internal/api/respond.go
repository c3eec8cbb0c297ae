package api

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"parley/internal/errs"
	"parley/internal/router"
	"parley/internal/store"
)

// errorBody is the one error shape of the API (DESIGN.md "Stable API
// surface"): {"error": {"code": "snake_case", "message": "human text"}}.
// Field is added for bad input so that a client can point at the input.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeJSON writes v with status. Encoding errors can only come from a
// broken writer (the client went away), so there is nothing left to tell.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// writeError writes every failure of the API: handlers return theirs to
// open (through serve for the authenticated ones). An *errs.Error is
// shown as it is, with the status errs.Status gives its code; anything else
// is an internal error: logged in full with the request id, and shown only as
// "internal error" with that id, so that no database message or stack trace
// reaches the caller.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = store.Classify(err)
	e, ok := errs.As(err)
	if !ok || e.Code == errs.Internal {
		id := requestID(r)
		a.log.LogAttrs(r.Context(), slog.LevelError, "api internal error",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("err", err.Error()))
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: errorDetail{
			Code:    errs.Internal,
			Message: "internal error (request " + id + ")",
		}})
		return
	}
	status := errs.Status(e.Code)
	if status >= 500 {
		// Storage full, database unavailable, read-only ledger: the
		// operator needs the cause, the caller the code.
		a.log.LogAttrs(r.Context(), slog.LevelError, "api: "+e.Code, slog.String("request_id", requestID(r)),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("err", err.Error()))
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter))
	}
	var body any = errorBody{Error: errorDetail{
		Code: e.Code, Message: e.Message, Field: e.Field,
	}}
	var de *detailedError
	if errors.As(err, &de) {
		body = de.body
	}
	writeJSON(w, status, body)
}

// detailedError is a failure whose answer says more than a code, a message
// and a field: the bad rows of a refused file. body is the whole answer,
// written with the status of the code of err.
type detailedError struct {
	err  error
	body any
}

func (e *detailedError) Error() string { return e.err.Error() }
func (e *detailedError) Unwrap() error { return e.err }

// requestID returns the id the app's middleware gave the request. Handlers
// served without that middleware (unit tests, embedding) get a fresh one so
// that a logged internal error can still be matched to what the caller saw.
func requestID(r *http.Request) string {
	if id := router.RequestID(r.Context()); id != "" {
		return id
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
