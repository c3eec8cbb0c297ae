package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/ceasefire"
	"parley/internal/errs"
)

// CeasefireUpdateJSON is one ceasefire event of a process, as its reader
// sees it.
type CeasefireUpdateJSON struct {
	Index      int64  `json:"index"`
	Type       string `json:"type"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	At         string `json:"at"`
}

// ceasefireUpdatePoll is how often a live stream of ceasefire updates
// looks for new events. The feed reads the events table, so it hears of
// events written by every process on the database.
const ceasefireUpdatePoll = time.Second

// ceasefireUpdates is the live feed of a process's ceasefire events the
// caller reads: JSON after a ledger index (?after=), or, asked with
// Accept: text/event-stream, a stream that resumes after Last-Event-ID.
// It fails only before the stream starts, and then returns its error.
func (a *API) ceasefireUpdates(w http.ResponseWriter, r *http.Request, c call) error {
	var failed error
	ServeCeasefireUpdates(w, r, a.ceasefire, c.Actor, func(err error) { failed = err })
	return failed
}

// ServeCeasefireUpdates answers a request for the live feed of the
// process r names ({id}) as actor: the API's route and the map page's
// stream (which reads the session instead of a token) both serve it.
// fail answers an error before the stream starts.
func ServeCeasefireUpdates(w http.ResponseWriter, r *http.Request, cf *ceasefire.Service, actor access.Actor, fail func(error)) {
	after := int64(-1)
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < -1 {
			fail(errs.Field("after", "after is a ledger index"))
			return
		}
		after = n
	}
	read := func() ([]CeasefireUpdateJSON, error) {
		ups, err := cf.Updates(r.Context(), actor, r.PathValue("id"), after, ceasefire.MaxUpdates)
		out := make([]CeasefireUpdateJSON, 0, len(ups))
		for _, u := range ups {
			out = append(out, CeasefireUpdateJSON{Index: u.Index, Type: u.Type, ObjectType: u.ObjectType, ObjectID: u.ObjectID, At: jsonTime(u.At)})
			after = u.Index
		}
		return out, err
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		ups, err := read()
		if err != nil {
			fail(err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"updates": ups})
		return
	}
	if n, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && n >= -1 {
		after = n
	}
	// The first read answers a process the caller does not take part in
	// with 404, before the stream starts.
	ups, err := read()
	if err != nil {
		fail(err)
		return
	}
	sse := NewSSE(w)
	defer sse.Stop()
	sse.Start()
	tick := time.NewTicker(ceasefireUpdatePoll)
	defer tick.Stop()
	for {
		for _, u := range ups {
			b, _ := json.Marshal(u)
			if err := sse.Send(u.Index, u.Type, b); err != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		if ups, err = read(); err != nil {
			return
		}
	}
}
