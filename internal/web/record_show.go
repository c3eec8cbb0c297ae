package web

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/router"
	"parley/internal/talks"
)

// The record of a round (issue 4): the ledger's size, its latest signed
// checkpoint and who witnessed it, the round's events the viewer may read
// with a page for each event's inclusion proof, and the viewer's audit
// bundle as a download that "parley audit verify" checks offline. Every
// listing is filtered by round and audience in SQL (ledger.RoundEvents); a
// round or an event outside the viewer's audience is a 404.

const (
	pageRecord      = "record"
	pageRecordEvent = "record_event"
)

func init() {
	pageNames = append(pageNames, pageRecord, pageRecordEvent)
}

// recordPageSize is how many events the record page lists at once.
const recordPageSize = 200

// registerRecord adds the record pages to mux.
func (w *Web) registerRecord(mux *router.Mux) {
	mux.HandleFunc("GET /rounds/{id}/record", w.user(w.recordShow))
	mux.HandleFunc("GET /rounds/{id}/record/bundle", w.user(w.recordBundle))
	mux.HandleFunc("GET /rounds/{id}/record/{index}", w.user(w.recordEvent))
}

// recordPage is the data of the record page.
type recordPage struct {
	page
	Round talks.Round
	// Size is the number of events in the whole ledger (all rounds, all
	// audiences: the tree's shape is public).
	Size int64
	// Checkpoint is the latest signed checkpoint, nil before the first;
	// Note is its signed text as served, with the witnesses' cosignatures.
	Checkpoint *ledger.CheckpointInfo
	Note       string
	VKey       string
	Events     []recordEventView
	// Next is the index the following page starts at, or -1 when this
	// page shows the last events.
	Next int64
}

// recordEventView is one line of the record page.
type recordEventView struct {
	ledger.RoundEvent
	OrgName string
	// Pending: newer than the latest checkpoint, so not provable yet.
	Pending bool
	// Words is the event as a sentence; Link the page of its item, if any.
	Words, Link string
}

// Root is the checkpoint's root hash as it appears in the checkpoint text.
func (p recordPage) Root() string {
	if p.Checkpoint == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(p.Checkpoint.Root)
}

// recordRound loads the round the record belongs to; a round outside the
// viewer's audience, or a server without a ledger, is a 404.
func (w *Web) recordRound(r *http.Request, v *viewer) (talks.Round, error) {
	if w.ledger == nil {
		return talks.Round{}, errs.NotFoundf("record")
	}
	return w.talks.Round(r.Context(), v.Actor(), r.PathValue("id"))
}

// recordShow shows the record of a round.
func (w *Web) recordShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	round, err := w.recordRound(r, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var from int64
	if s := r.URL.Query().Get("from"); s != "" {
		if from, err = strconv.ParseInt(s, 10, 64); err != nil || from < 0 {
			w.fail(rw, r, errs.Field("from", "from must be a leaf index"))
			return
		}
	}
	st, err := w.ledger.Status(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	evs, err := w.ledger.RoundEvents(ctx, v.Actor(), round.ID, from, recordPageSize+1)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := recordPage{page: w.page(r, v), Round: round, Size: st.Size, Checkpoint: st.Checkpoint, VKey: w.ledger.VerifierKey(), Next: -1}
	if st.Checkpoint != nil {
		note, err := w.ledger.Checkpoint(ctx, st.Checkpoint.Size)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		p.Note = string(note)
	}
	if len(evs) > recordPageSize {
		p.Next, evs = evs[recordPageSize].Index, evs[:recordPageSize]
	}
	names := w.participantNames(r, v, round)
	for _, e := range evs {
		ev := recordEventView{RoundEvent: e, OrgName: names[e.Org], Pending: st.Checkpoint == nil || e.Index >= st.Checkpoint.Size}
		if ev.OrgName == "" {
			ev.OrgName = e.Org
		}
		ev.Words, ev.Link = describeEvent(v.L, e, ev.OrgName), eventLink(e, round.ID)
		p.Events = append(p.Events, ev)
	}
	w.renderPage(rw, r, http.StatusOK, pageRecord, p)
}

// recordEventPage is the data of an event's proof page.
type recordEventPage struct {
	page
	Round talks.Round
	ledger.RoundEventProof
	VKey string
	// Words is the event as a sentence; Link the page of its item, if any.
	Words, Link string
}

// RecordText is the event's record, the exact bytes whose hash is the leaf.
func (p recordEventPage) RecordText() string { return string(p.Event.Record) }

// LeafHash is the leaf hash, base64 as in the proof routes.
func (p recordEventPage) LeafHash() string {
	if p.Proof == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(p.Proof.LeafHash)
}

// ProofHashes are the proof's hashes, base64, from the leaf upwards.
func (p recordEventPage) ProofHashes() []string {
	if p.Proof == nil {
		return nil
	}
	out := make([]string, len(p.Proof.Proof))
	for i, h := range p.Proof.Proof {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

// recordEvent shows one event of the round with its inclusion proof in the
// latest checkpoint. An event the viewer may not read, or of another round,
// is a 404 like a missing one.
func (w *Web) recordEvent(rw http.ResponseWriter, r *http.Request, v *viewer) {
	round, err := w.recordRound(r, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	index, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil {
		w.notFound(rw, r)
		return
	}
	p, err := w.ledger.RoundEventProof(r.Context(), v.Actor(), round.ID, index)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	org := cmp.Or(w.participantNames(r, v, round)[p.Event.Org], p.Event.Org)
	w.renderPage(rw, r, http.StatusOK, pageRecordEvent, recordEventPage{page: w.page(r, v), Round: round, RoundEventProof: p, VKey: w.ledger.VerifierKey(),
		Words: describeEvent(v.L, p.Event, org), Link: eventLink(p.Event, round.ID)})
}

// recordBundle downloads the viewer's audit bundle for the round: the
// latest checkpoint and every event of the round the viewer may read in it,
// with inclusion proofs, in the format "parley audit verify FILE" checks.
func (w *Web) recordBundle(rw http.ResponseWriter, r *http.Request, v *viewer) {
	round, err := w.recordRound(r, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	bd, err := w.ledger.ReaderBundle(r.Context(), v.Actor(), w.serverURL(), round.ID, w.now())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	b, err := json.MarshalIndent(bd, "", "  ")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="parley-record-%s-%s.json"`, safeName(round.ID), bd.CreatedAt.Format("20060102T150405Z")))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(http.StatusOK)
	rw.Write(append(b, '\n'))
}

// serverURL is the address of parley the bundle names as its source: the
// configured base URL, never the request's Host header, which the client
// chooses.
func (w *Web) serverURL() string { return w.baseURL }

// safeName keeps the characters of an id that are safe in a file name.
func safeName(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '-' {
			return c
		}
		return -1
	}, s)
}
