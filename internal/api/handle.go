package api

import (
	"net/http"

	"parley/internal/access"
	"parley/internal/errs"
)

// errorFunc is an authenticated handler that returns its failure instead of
// writing it (STYLE.md: one adaptor writes every error), so that a handler
// says only what is its own: what it decodes, which domain method it calls
// and what it answers.
type errorFunc func(w http.ResponseWriter, r *http.Request, c call) error

// serve runs h for a valid bearer token, with the caller's actor in the
// request's context too, and writes the error it returns or the 401.
// Authentication runs before the body is read.
func (a *API) serve(h errorFunc) http.Handler {
	return a.open(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.caller(w, r)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(access.WithActor(r.Context(), c.Actor)), c)
	})
}

// openFunc is a public handler that returns its failure: the few routes
// that carry no content and need no token, and the answer to an unknown
// route.
type openFunc func(w http.ResponseWriter, r *http.Request) error

// open serves h and writes the error it returns: the one place the API
// writes an error.
func (a *API) open(h openFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// needs answers every route of a service the API was built without with an
// internal error, after authentication as before: the app wires every
// service, tests build the API with some only.
func needs(configured bool, what string, h errorFunc) errorFunc {
	if configured {
		return h
	}
	return func(http.ResponseWriter, *http.Request, call) error {
		return errs.New(errs.Internal, "%s is not configured", what)
	}
}

// offered serves the routes of a track the server may run without (the
// package analysis, the detainee track, humanitarian access): when it
// does, each answers 404 as if it did not exist, after authentication as
// before.
func (a *API) offered(on bool) func(errorFunc) http.Handler {
	return func(h errorFunc) http.Handler {
		if !on {
			h = func(http.ResponseWriter, *http.Request, call) error {
				return errs.New(errs.NotFound, "no such API route")
			}
		}
		return a.serve(h)
	}
}

// reply writes v, as toJSON renders it, with status; or returns err, the
// failure of the call that produced v.
func reply[T, J any](w http.ResponseWriter, status int, v T, err error, toJSON func(T) J) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, toJSON(v))
	return nil
}

// noContent answers a domain act that returns nothing: 204, or its error.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listOf renders a list as {key: [...]}, never null.
func listOf[T, J any](key string, toJSON func(T) J) func([]T) map[string][]J {
	return func(vs []T) map[string][]J {
		out := make([]J, 0, len(vs))
		for _, v := range vs {
			out = append(out, toJSON(v))
		}
		return map[string][]J{key: out}
	}
}

// asIs is the rendering of a value that is its own JSON.
func asIs[T any](v T) T { return v }
