package ledger_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
)

// testServer serves the ledger routes of the JSON API from the package's
// functions, the way internal/api wires them. Each token names an actor and
// the ledger it is shown; a test may show different tokens different
// ledgers, which is how a lying server would split its history.
type testServer struct {
	*httptest.Server
	mu    sync.Mutex
	views map[string]view
}

type view struct {
	actor access.Actor
	led   *ledger.Ledger
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	s := &testServer{views: map[string]view{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+ledger.RouteKey, s.handle(func(w http.ResponseWriter, r *http.Request, v view) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err := io.WriteString(w, v.led.VerifierKey()+"\n")
		return err
	}))
	mux.HandleFunc("GET "+ledger.RouteCheckpoint, s.handle(func(w http.ResponseWriter, r *http.Request, v view) error {
		cp, err := v.led.LatestCheckpoint(r.Context())
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err = w.Write(cp)
		return err
	}))
	mux.HandleFunc("GET "+ledger.RouteEvents, s.handle(func(w http.ResponseWriter, r *http.Request, v view) error {
		from, err := intParam(r, "from", true)
		if err != nil {
			return err
		}
		limit, err := intParam(r, "limit", false)
		if err != nil {
			return err
		}
		var evs []ledger.EventView
		if r.URL.Query().Has("proofs") {
			size, err := intParam(r, "proofs", true)
			if err != nil {
				return err
			}
			evs, err = v.led.EventsProved(r.Context(), v.actor, from, int(limit), size)
			if err != nil {
				return err
			}
		} else if evs, err = v.led.Events(r.Context(), v.actor, from, int(limit)); err != nil {
			return err
		}
		return json.NewEncoder(w).Encode(ledger.EventList{Events: evs})
	}))
	mux.HandleFunc("GET "+ledger.RouteInclusion, s.handle(func(w http.ResponseWriter, r *http.Request, v view) error {
		index, err := intParam(r, "index", true)
		if err != nil {
			return err
		}
		size, err := intParam(r, "size", true)
		if err != nil {
			return err
		}
		p, err := v.led.Inclusion(r.Context(), v.actor, index, size)
		if err != nil {
			return err
		}
		return json.NewEncoder(w).Encode(p)
	}))
	mux.HandleFunc("GET "+ledger.RouteConsistency, s.handle(func(w http.ResponseWriter, r *http.Request, v view) error {
		from, err := intParam(r, "from", true)
		if err != nil {
			return err
		}
		to, err := intParam(r, "to", true)
		if err != nil {
			return err
		}
		p, err := v.led.Consistency(r.Context(), from, to)
		if err != nil {
			return err
		}
		return json.NewEncoder(w).Encode(p)
	}))
	mux.HandleFunc("POST "+ledger.RouteCosignatures, s.handle(func(w http.ResponseWriter, r *http.Request, v view) error {
		var req ledger.CosignatureRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return errs.New(errs.InvalidJSON, "bad JSON")
		}
		if err := v.led.AddCosignature(r.Context(), v.actor, []byte(req.Checkpoint), []byte(req.Cosignature)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	mux.HandleFunc("POST "+ledger.RouteWitnesses, s.handle(func(w http.ResponseWriter, r *http.Request, v view) error {
		var req struct{ Name, VKey string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return errs.New(errs.InvalidJSON, "bad JSON")
		}
		wit, err := v.led.RegisterWitness(r.Context(), v.actor, req.Name, req.VKey)
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusCreated)
		return json.NewEncoder(w).Encode(wit)
	}))
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// show makes token see led as actor.
func (s *testServer) show(token string, actor access.Actor, led *ledger.Ledger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.views[token] = view{actor, led}
}

func (s *testServer) handle(h func(http.ResponseWriter, *http.Request, view) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		v, ok := s.views[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		s.mu.Unlock()
		var err error
		if !ok {
			err = errs.New(errs.Unauthorized, "sign in")
		} else {
			err = h(w, r, v)
		}
		if err != nil {
			code := errs.Code(err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(errs.Status(code))
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": err.Error()}})
		}
	}
}

func intParam(r *http.Request, name string, required bool) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" && !required {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errs.Field(name, "%s must be an integer", name)
	}
	return n, nil
}
