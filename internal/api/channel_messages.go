package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/router"
)

// The mediated channel (issue 3): messages, relays, attachments, the live
// stream of a round, search and statements. Thin translations to the
// channel service, which checks every rule and filters every read by the
// caller's audience in SQL.

// registerChannel adds the channel's routes.
func (a *API) registerChannel(mux *router.Mux) {
	route := func(h errorFunc) http.Handler { return a.serve(needs(a.channel != nil, "the channel", h)) }
	mux.Handle("POST "+Prefix+"/rounds/{id}/messages", route(a.sendMessage))
	mux.Handle("GET "+Prefix+"/rounds/{id}/messages", route(a.listMessages))
	mux.Handle("GET "+Prefix+"/rounds/{id}/events", route(a.roundEvents))
	mux.Handle("GET "+Prefix+"/messages/{id}", route(a.showMessage))
	mux.Handle("POST "+Prefix+"/messages/{id}/relay", route(a.relayMessage))
	mux.Handle("POST "+Prefix+"/messages/{id}/share", route(a.shareMessage))
	mux.Handle("GET "+Prefix+"/attachments/{id}", route(a.downloadAttachment))
	mux.Handle("GET "+Prefix+"/search", route(a.search))
	mux.Handle("GET "+Prefix+"/statements", route(a.listStatements))
	mux.Handle("POST "+Prefix+"/statements", route(a.createStatement))
	mux.Handle("GET "+Prefix+"/statements/{id}", route(a.showStatement))
	mux.Handle("PUT "+Prefix+"/statements/{id}", route(a.editStatement))
	mux.Handle("DELETE "+Prefix+"/statements/{id}", route(a.deleteStatement))
	mux.Handle("POST "+Prefix+"/statements/{id}/release", route(a.releaseStatement))
}

// MessageRequest is POST /api/v1/rounds/{id}/messages as JSON.
type MessageRequest struct {
	To      []string `json:"to"`
	Body    string   `json:"body"`
	ReplyTo string   `json:"reply_to"`
}

// Validate checks the shape; the channel checks the rules.
func (q *MessageRequest) Validate() error {
	if len(q.To) > 64 {
		return errs.Field("to", "too many recipients")
	}
	return nil
}

// RelayRequest is POST /api/v1/messages/{id}/relay.
type RelayRequest struct {
	To         []string `json:"to"`
	Body       string   `json:"body"`
	Attributed bool     `json:"attributed"`
	// ShowOrigin: whether the originating party reads the relayed
	// wording; absent means yes.
	ShowOrigin *bool `json:"show_origin"`
	// Attachments are ids of the source's attachments to pass on.
	Attachments []string `json:"attachments"`
}

// Validate checks the shape.
func (q *RelayRequest) Validate() error {
	if len(q.To) == 0 {
		return errs.Field("to", "choose the organisations that receive the relayed message")
	}
	if len(q.To) > 64 {
		return errs.Field("to", "too many recipients")
	}
	if len(q.Attachments) > channel.MaxAttachments {
		return errs.Field("attachments", "at most %d attachments", channel.MaxAttachments)
	}
	return nil
}

// ShareRequest is POST /api/v1/messages/{id}/share.
type ShareRequest struct {
	// With are the organisations (ids) the message is shared with.
	With []string `json:"with"`
}

// Validate checks the shape; the channel checks the rules.
func (q *ShareRequest) Validate() error {
	if len(q.With) == 0 {
		return errs.Field("with", "name the organisations to share the message with")
	}
	if len(q.With) > channel.MaxShare {
		return errs.Field("with", "too many organisations")
	}
	return nil
}

// StatementRequest is POST /api/v1/statements, and PUT
// /api/v1/statements/{id} for a draft (which keeps the round it names).
type StatementRequest struct {
	Title        string `json:"title"`
	Body         string `json:"body"`
	EmbargoUntil string `json:"embargo_until"` // RFC 3339, optional
	// Round, optional, is the round the statement is about: only its
	// mediation reads the draft.
	Round string `json:"round,omitempty"`
}

// Validate checks the shape.
func (q *StatementRequest) Validate() error {
	if q.Round != "" {
		if err := checkID("round", q.Round); err != nil {
			return err
		}
	}
	if q.EmbargoUntil != "" {
		if _, err := time.Parse(time.RFC3339, q.EmbargoUntil); err != nil {
			return errs.Field("embargo_until", "embargo_until must be an RFC 3339 time")
		}
	}
	return nil
}

// MessageJSON is a message as the caller reads it.
type MessageJSON struct {
	ID          string           `json:"id"`
	RoundID     string           `json:"round_id"`
	Kind        string           `json:"kind"`
	From        channel.OrgRef   `json:"from"`
	FromUser    string           `json:"from_user,omitempty"`
	Attributed  bool             `json:"attributed"`
	To          []channel.OrgRef `json:"to"`
	ReplyTo     string           `json:"reply_to,omitempty"`
	Body        string           `json:"body"`
	CreatedAt   string           `json:"created_at"`
	LedgerIndex int64            `json:"ledger_index"`
	// Damaged: the stored body did not open; body is empty.
	Damaged     bool             `json:"damaged,omitempty"`
	Attachments []AttachmentJSON `json:"attachments"`
	// RelayedFrom and ShowOrigin are shown to the mediation only.
	RelayedFrom string `json:"relayed_from,omitempty"`
	ShowOrigin  *bool  `json:"show_origin,omitempty"`
	// SharedWith is shown to the author's organisation only.
	SharedWith []channel.OrgRef `json:"shared_with,omitempty"`
}

// AttachmentJSON describes an attachment; URL downloads it.
type AttachmentJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	URL         string `json:"url"`
	Damaged     bool   `json:"damaged,omitempty"`
}

func messageJSON(m channel.Message) MessageJSON {
	out := MessageJSON{
		ID: m.ID, RoundID: m.RoundID, Kind: string(m.Kind), From: m.From, FromUser: m.FromUser, Attributed: m.Attributed,
		To: nonNil(m.To), ReplyTo: m.ReplyTo, Body: m.Body, CreatedAt: timeJSON(m.CreatedAt), LedgerIndex: m.LedgerIndex, Damaged: m.Damaged,
		Attachments: []AttachmentJSON{}, RelayedFrom: m.RelayedFrom, SharedWith: m.SharedWith,
	}
	if m.RelayedFrom != "" {
		show := m.ShowOrigin
		out.ShowOrigin = &show
	}
	for _, at := range m.Attachments {
		out.Attachments = append(out.Attachments, AttachmentJSON{
			ID: at.ID, Name: at.Name, ContentType: at.ContentType, Size: at.Size, SHA256: at.SHA256,
			URL: Prefix + "/attachments/" + at.ID, Damaged: at.Damaged,
		})
	}
	return out
}

// sendMessage accepts JSON ({"to", "body", "reply_to"}) or, with
// attachments, multipart/form-data: fields "to" (repeated), "body",
// "reply_to" and files "attachment", each with its declared Content-Type.
func (a *API) sendMessage(w http.ResponseWriter, r *http.Request, c call) error {
	var in channel.NewMessage
	var err error
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if in, err = readMultipartMessage(w, r); err != nil {
			return err
		}
	} else {
		var q MessageRequest
		if err := decode(w, r, &q, channel.MaxBody*2+MaxBody); err != nil {
			return err
		}
		in = channel.NewMessage{To: q.To, Body: q.Body, ReplyTo: q.ReplyTo}
	}
	m, err := a.channel.Send(r.Context(), c.Actor, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/messages/"+m.ID)
	writeJSON(w, http.StatusCreated, messageJSON(m))
	return nil
}

// readMultipartMessage reads a message with attachments, streaming the
// parts and capping each.
func readMultipartMessage(w http.ResponseWriter, r *http.Request) (channel.NewMessage, error) {
	var in channel.NewMessage
	r.Body = http.MaxBytesReader(w, r.Body, channel.MaxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, errs.New(errs.Invalid, "malformed multipart body")
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return in, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, tooLarge(mbe.Limit)
			}
			return in, errs.New(errs.Invalid, "malformed multipart body")
		}
		name := p.FormName()
		limit := int64(channel.MaxBody + 1)
		if name == "attachment" {
			limit = channel.MaxAttachment + 1
		}
		data, err := io.ReadAll(io.LimitReader(p, limit))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, tooLarge(mbe.Limit)
			}
			return in, errs.New(errs.Invalid, "malformed multipart body")
		}
		switch name {
		case "to":
			in.To = append(in.To, strings.TrimSpace(string(data)))
		case "body":
			in.Body = string(data)
		case "reply_to":
			in.ReplyTo = strings.TrimSpace(string(data))
		case "attachment":
			in.Attachments = append(in.Attachments, channel.Upload{Name: p.FileName(), DeclaredType: p.Header.Get("Content-Type"), Data: data})
			if len(in.Attachments) > channel.MaxAttachments {
				return in, errs.New(channel.TooManyAttachments, "at most %d attachments per message", channel.MaxAttachments)
			}
		default:
			return in, &errs.Error{Code: errs.Invalid, Field: "multipart", Message: "unknown part"}
		}
	}
}

func (a *API) listMessages(w http.ResponseWriter, r *http.Request, c call) error {
	f := channel.ListFilter{After: -1}
	var err error
	if v := r.URL.Query().Get("after"); v != "" {
		if f.After, err = strconv.ParseInt(v, 10, 64); err != nil {
			return errs.Field("after", "after must be a ledger index")
		}
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > channel.MaxLimit {
			return errs.Field("limit", "limit must be between 1 and %d", channel.MaxLimit)
		}
	}
	ms, err := a.channel.List(r.Context(), c.Actor, r.PathValue("id"), f)
	return reply(w, http.StatusOK, ms, err, listOf("messages", messageJSON))
}

func (a *API) showMessage(w http.ResponseWriter, r *http.Request, c call) error {
	m, err := a.channel.Get(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, m, err, messageJSON)
}

func (a *API) relayMessage(w http.ResponseWriter, r *http.Request, c call) error {
	var q RelayRequest
	if err := decode(w, r, &q, channel.MaxBody*2+MaxBody); err != nil {
		return err
	}
	m, err := a.channel.Relay(r.Context(), c.Actor, r.PathValue("id"), channel.RelayInput{
		To: q.To, Body: q.Body, Attributed: q.Attributed, HideFromOrigin: q.ShowOrigin != nil && !*q.ShowOrigin,
		Attachments: q.Attachments,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/messages/"+m.ID)
	writeJSON(w, http.StatusCreated, messageJSON(m))
	return nil
}

// shareMessage widens the audience of a party's own message (channel.Share).
func (a *API) shareMessage(w http.ResponseWriter, r *http.Request, c call) error {
	var q ShareRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	m, err := a.channel.Share(r.Context(), c.Actor, r.PathValue("id"), q.With)
	return reply(w, http.StatusOK, m, err, messageJSON)
}

// downloadAttachment serves an attachment to a reader of its message, as a
// download that the browser must not sniff or render.
func (a *API) downloadAttachment(w http.ResponseWriter, r *http.Request, c call) error {
	at, data, err := a.channel.OpenAttachment(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	ServeAttachment(w, at, data)
	return nil
}

// ServeAttachment writes an attachment as a download: its own type,
// Content-Disposition: attachment, nosniff, a sandbox CSP and no caching.
// The web pages serve downloads through it too.
func ServeAttachment(w http.ResponseWriter, at channel.Attachment, data []byte) {
	serveDownload(w, at.Name, at.ContentType, at.SHA256, data)
}

// serveDownload writes a stored file as a download: its own type,
// Content-Disposition: attachment, nosniff, a sandbox CSP, no caching and
// its SHA-256 in a Digest header.
func serveDownload(w http.ResponseWriter, name, contentType, sha256 string, data []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Digest", "sha-256="+sha256)
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// SearchJSON is GET /api/v1/search.
type SearchJSON struct {
	Messages   []MessageJSON   `json:"messages"`
	Statements []StatementJSON `json:"statements"`
}

func (a *API) search(w http.ResponseWriter, r *http.Request, c call) error {
	q := r.URL.Query().Get("q")
	if len(q) > 1000 {
		return errs.Field("q", "the query is too long")
	}
	res, err := a.channel.Search(r.Context(), c.Actor, q, 0)
	if err != nil {
		return err
	}
	out := SearchJSON{Messages: []MessageJSON{}, Statements: []StatementJSON{}}
	for _, m := range res.Messages {
		out.Messages = append(out.Messages, messageJSON(m))
	}
	for _, st := range res.Statements {
		out.Statements = append(out.Statements, statementJSON(st))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// StatementJSON is a statement.
type StatementJSON struct {
	ID           string         `json:"id"`
	Org          channel.OrgRef `json:"org"`
	Title        string         `json:"title"`
	Body         string         `json:"body"`
	EmbargoUntil string         `json:"embargo_until,omitempty"`
	ReleasedAt   string         `json:"released_at,omitempty"`
	Public       bool           `json:"public"`
	CreatedAt    string         `json:"created_at"`
	LedgerIndex  int64          `json:"ledger_index"`
	// Damaged: the stored title or text did not open; both are empty.
	Damaged bool `json:"damaged,omitempty"`
}

func statementJSON(st channel.Statement) StatementJSON {
	return StatementJSON{
		ID: st.ID, Org: st.Org, Title: st.Title, Body: st.Body, EmbargoUntil: timeJSON(st.EmbargoUntil),
		ReleasedAt: timeJSON(st.ReleasedAt), Public: st.Public(time.Now()), CreatedAt: timeJSON(st.CreatedAt), LedgerIndex: st.LedgerIndex,
		Damaged: st.Damaged,
	}
}

func (a *API) listStatements(w http.ResponseWriter, r *http.Request, c call) error {
	sts, err := a.channel.Statements(r.Context(), c.Actor, 0)
	return reply(w, http.StatusOK, sts, err, listOf("statements", statementJSON))
}

// decodeStatement reads a StatementRequest body as the channel's input.
func decodeStatement(w http.ResponseWriter, r *http.Request) (channel.NewStatement, error) {
	var q StatementRequest
	if err := decode(w, r, &q, channel.MaxStatementBody*2+MaxBody); err != nil {
		return channel.NewStatement{}, err
	}
	in := channel.NewStatement{Title: q.Title, Body: q.Body, RoundID: q.Round}
	if q.EmbargoUntil != "" {
		in.EmbargoUntil, _ = time.Parse(time.RFC3339, q.EmbargoUntil)
	}
	return in, nil
}

func (a *API) createStatement(w http.ResponseWriter, r *http.Request, c call) error {
	in, err := decodeStatement(w, r)
	if err != nil {
		return err
	}
	st, err := a.channel.CreateStatement(r.Context(), c.Actor, in)
	return reply(w, http.StatusCreated, st, err, statementJSON)
}

// editStatement replaces a draft's title, body, embargo and round; the
// channel allows it to the draft's organisation until release.
func (a *API) editStatement(w http.ResponseWriter, r *http.Request, c call) error {
	in, err := decodeStatement(w, r)
	if err != nil {
		return err
	}
	st, err := a.channel.EditStatement(r.Context(), c.Actor, r.PathValue("id"), in)
	return reply(w, http.StatusOK, st, err, statementJSON)
}

// deleteStatement withdraws a draft, on the same terms as editStatement.
func (a *API) deleteStatement(w http.ResponseWriter, r *http.Request, c call) error {
	if err := a.channel.DeleteStatement(r.Context(), c.Actor, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) showStatement(w http.ResponseWriter, r *http.Request, c call) error {
	st, err := a.channel.Statement(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, st, err, statementJSON)
}

func (a *API) releaseStatement(w http.ResponseWriter, r *http.Request, c call) error {
	st, err := a.channel.ReleaseStatement(r.Context(), c.Actor, r.PathValue("id"))
	return reply(w, http.StatusOK, st, err, statementJSON)
}

// eventJSON is one event of the live stream.
type eventJSON struct {
	Index      int64        `json:"index"`
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	RoundID    string       `json:"round_id"`
	ObjectType string       `json:"object_type"`
	ObjectID   string       `json:"object_id"`
	At         string       `json:"at"`
	Message    *MessageJSON `json:"message,omitempty"`
}

// roundEvents is the live stream of a round (Server-Sent Events): each
// committed event the caller reads, with the message it concerns. The SSE
// id is the ledger index; a reconnect with Last-Event-ID resumes after it.
func (a *API) roundEvents(w http.ResponseWriter, r *http.Request, c call) error {
	release, err := a.auth.OpenStream(c.Token)
	if err != nil {
		return err
	}
	defer release()
	sse := NewSSE(w)
	err = a.channel.Stream(r.Context(), c.Actor, r.PathValue("id"), r.Header.Get("Last-Event-ID"), sse.Start, func(e channel.StreamEvent) error {
		b, err := streamPayloads.get(e.ID+"|"+c.Actor.Org, func() ([]byte, error) {
			ev := eventJSON{Index: e.Index, ID: e.ID, Type: e.Type, RoundID: e.Round, ObjectType: e.ObjectType, ObjectID: e.ObjectID, At: timeJSON(e.At)}
			if e.Message != nil {
				m := messageJSON(*e.Message)
				ev.Message = &m
			}
			return json.Marshal(ev)
		})
		if err != nil {
			return err
		}
		return sse.Send(e.Index, e.Type, b)
	})
	if errors.Is(err, channel.ErrStreamBehind) {
		sse.Reset()
	}
	sse.Stop()
	if sse.Started() {
		return nil
	}
	return err
}

// payloadCache keeps the encoded stream event per event and organisation:
// every stream of one organisation sends the same bytes (the channel reads
// the message once per organisation), so a plenary message to a thousand
// streams is encoded a handful of times, not a thousand.
type payloadCache struct {
	mu    sync.Mutex
	m     map[string][]byte
	order []string
}

var streamPayloads = &payloadCache{m: map[string][]byte{}}

func (c *payloadCache) get(key string, encode func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := encode()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if _, ok := c.m[key]; !ok {
		c.m[key] = b
		c.order = append(c.order, key)
		if len(c.order) > 4096 {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	return b, nil
}
