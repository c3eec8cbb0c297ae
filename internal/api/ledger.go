package api

import (
	"context"
	"net/http"
	"strconv"

	"parley/internal/errs"
	"parley/internal/ledger"
)

// The ledger routes (DESIGN.md "Stable API surface", docs/ledger.md §4). The
// verifier key and the witness list are public: anyone checking a
// checkpoint or a cosignature needs them, and they reveal no content. The
// checkpoint and the proofs need a bearer token like the rest of the API;
// events and inclusion proofs are filtered by the caller's audience in the
// ledger's SQL.

// LedgerUnavailable is the code for ledger routes called before the server
// has its checkpoint signing key.
const LedgerUnavailable = "ledger_unavailable"

func init() {
	errs.Register(LedgerUnavailable, http.StatusServiceUnavailable)
}

func (a *API) signing() error {
	if a.led == nil || a.led.VerifierKey() == "" {
		return errs.New(LedgerUnavailable, "the ledger has no checkpoint signing key yet")
	}
	return nil
}

func writeText(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func (a *API) ledgerKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.signing(); err != nil {
		return err
	}
	writeText(w, []byte(a.led.VerifierKey()+"\n"))
	return nil
}

// checkpoint answers the checkpoint sign returns, once the ledger has its
// signing key.
func (a *API) checkpoint(w http.ResponseWriter, r *http.Request, sign func(context.Context) ([]byte, error)) error {
	if err := a.signing(); err != nil {
		return err
	}
	cp, err := sign(r.Context())
	if err != nil {
		return err
	}
	writeText(w, cp)
	return nil
}

func (a *API) ledgerCheckpoint(w http.ResponseWriter, r *http.Request, c call) error {
	return a.checkpoint(w, r, a.led.LatestCheckpoint)
}

// ledgerSignNow signs a checkpoint of the current tree on demand and
// answers it, as the GET does.
func (a *API) ledgerSignNow(w http.ResponseWriter, r *http.Request, c call) error {
	return a.checkpoint(w, r, a.led.SignNow)
}

// queryInt reads an integer query parameter: def when absent (or an
// error naming it when required), 400 invalid when it is not a number.
func queryInt(r *http.Request, name string, def int64, required bool) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		if required {
			return 0, errs.Field(name, "is required")
		}
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errs.Field(name, "must be a whole number")
	}
	return n, nil
}

func (a *API) ledgerEvents(w http.ResponseWriter, r *http.Request, c call) error {
	from, err := queryInt(r, "from", 0, false)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", ledger.DefaultEventsLimit, false)
	if err != nil {
		return err
	}
	if limit < 1 || limit > ledger.MaxEventsLimit {
		return errs.Field("limit", "must be from 1 to %d", ledger.MaxEventsLimit)
	}
	// proofs=SIZE adds each event's inclusion proof at that size: an
	// audit's page of events proved in one request.
	proofs, err := queryInt(r, "proofs", 0, false)
	if err != nil {
		return err
	}
	var evs []ledger.EventView
	if r.URL.Query().Has("proofs") {
		evs, err = a.led.EventsProved(r.Context(), c.Actor, from, int(limit), proofs)
	} else {
		evs, err = a.led.Events(r.Context(), c.Actor, from, int(limit))
	}
	return reply(w, http.StatusOK, evs, err, func(evs []ledger.EventView) ledger.EventList { return ledger.EventList{Events: nonNil(evs)} })
}

// queryInts reads two required integer query parameters.
func queryInts(r *http.Request, a, b string) (int64, int64, error) {
	x, err := queryInt(r, a, 0, true)
	if err != nil {
		return 0, 0, err
	}
	y, err := queryInt(r, b, 0, true)
	return x, y, err
}

func (a *API) ledgerInclusion(w http.ResponseWriter, r *http.Request, c call) error {
	index, size, err := queryInts(r, "index", "size")
	if err != nil {
		return err
	}
	p, err := a.led.Inclusion(r.Context(), c.Actor, index, size)
	return reply(w, http.StatusOK, p, err, asIs)
}

func (a *API) ledgerConsistency(w http.ResponseWriter, r *http.Request, c call) error {
	from, to, err := queryInts(r, "from", "to")
	if err != nil {
		return err
	}
	p, err := a.led.Consistency(r.Context(), from, to)
	return reply(w, http.StatusOK, p, err, asIs)
}

func (a *API) listWitnesses(w http.ResponseWriter, r *http.Request) error {
	ws, err := a.led.Witnesses(r.Context())
	return reply(w, http.StatusOK, ws, err, func(ws []ledger.Witness) map[string][]ledger.Witness {
		return map[string][]ledger.Witness{"witnesses": nonNil(ws)}
	})
}

// registerWitness registers a witness key for the caller's organisation
// (parties, guarantors and agencies).
func (a *API) registerWitness(w http.ResponseWriter, r *http.Request, c call) error {
	var q WitnessRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	wit, err := a.led.RegisterWitness(r.Context(), c.Actor, q.Name, q.VKey)
	return reply(w, http.StatusCreated, wit, err, asIs)
}

// addCosignature stores a witness's cosignature of a checkpoint.
func (a *API) addCosignature(w http.ResponseWriter, r *http.Request, c call) error {
	var q CosignatureRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	return noContent(w, a.led.AddCosignature(r.Context(), c.Actor, []byte(q.Checkpoint), []byte(q.Cosignature)))
}
