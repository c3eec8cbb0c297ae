package api

import (
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

func (a *API) ledgerKey(w http.ResponseWriter, r *http.Request) {
	if err := a.signing(); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeText(w, []byte(a.led.VerifierKey()+"\n"))
}

func (a *API) ledgerCheckpoint(w http.ResponseWriter, r *http.Request, c call) {
	if err := a.signing(); err != nil {
		a.writeError(w, r, err)
		return
	}
	cp, err := a.led.LatestCheckpoint(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeText(w, cp)
}

// ledgerSignNow signs a checkpoint of the current tree on demand and
// answers it, as the GET does.
func (a *API) ledgerSignNow(w http.ResponseWriter, r *http.Request, c call) {
	if err := a.signing(); err != nil {
		a.writeError(w, r, err)
		return
	}
	cp, err := a.led.SignNow(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeText(w, cp)
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

func (a *API) ledgerEvents(w http.ResponseWriter, r *http.Request, c call) {
	from, err := queryInt(r, "from", 0, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", ledger.DefaultEventsLimit, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if limit < 1 || limit > ledger.MaxEventsLimit {
		a.writeError(w, r, errs.Field("limit", "must be from 1 to %d", ledger.MaxEventsLimit))
		return
	}
	// proofs=SIZE adds each event's inclusion proof at that size: an
	// audit's page of events proved in one request.
	proofs, err := queryInt(r, "proofs", 0, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var evs []ledger.EventView
	if r.URL.Query().Has("proofs") {
		evs, err = a.led.EventsProved(r.Context(), c.Actor, from, int(limit), proofs)
	} else {
		evs, err = a.led.Events(r.Context(), c.Actor, from, int(limit))
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ledger.EventList{Events: nonNil(evs)})
}

func (a *API) ledgerInclusion(w http.ResponseWriter, r *http.Request, c call) {
	index, err := queryInt(r, "index", 0, true)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	size, err := queryInt(r, "size", 0, true)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.led.Inclusion(r.Context(), c.Actor, index, size)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) ledgerConsistency(w http.ResponseWriter, r *http.Request, c call) {
	from, err := queryInt(r, "from", 0, true)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	to, err := queryInt(r, "to", 0, true)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.led.Consistency(r.Context(), from, to)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) listWitnesses(w http.ResponseWriter, r *http.Request) {
	ws, err := a.led.Witnesses(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]ledger.Witness{"witnesses": nonNil(ws)})
}

// registerWitness registers a witness key for the caller's organisation
// (parties, guarantors and agencies).
func (a *API) registerWitness(w http.ResponseWriter, r *http.Request, c call) {
	var q WitnessRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	wit, err := a.led.RegisterWitness(r.Context(), c.Actor, q.Name, q.VKey)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, wit)
}

// addCosignature stores a witness's cosignature of a checkpoint.
func (a *API) addCosignature(w http.ResponseWriter, r *http.Request, c call) {
	var q CosignatureRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.led.AddCosignature(r.Context(), c.Actor, []byte(q.Checkpoint), []byte(q.Cosignature)); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
