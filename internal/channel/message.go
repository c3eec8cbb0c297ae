package channel

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Kind is what a message is, which decides its audience (DESIGN.md "The
// audience rule").
type Kind string

// The kinds of message.
const (
	// Internal: a note of one delegation to itself.
	Internal Kind = "internal"
	// ToMediation: between one organisation and the mediation (the
	// proximity default for a party; also the mediation writing to
	// chosen participants).
	ToMediation Kind = "mediation"
	// Direct: party to party, while both consent, copied to the mediation.
	Direct Kind = "direct"
	// Plenary: to every participant of the round.
	Plenary Kind = "plenary"
	// Relayed: the mediation's new message made from one it received.
	Relayed Kind = "relayed"
)

// Recipient keywords of NewMessage.To; any other entry is an organisation id.
const (
	ToKeywordMediation = "mediation"
	ToKeywordPlenary   = "plenary"
	ToKeywordInternal  = "internal"
)

// OrgRef names an organisation.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Message is a message as one reader sees it.
type Message struct {
	ID      string
	RoundID string
	Kind    Kind
	// From is the organisation shown as the sender: for a relayed message
	// the originating party when the mediation attributed it, else the
	// mediation.
	From OrgRef
	// FromUser is the author's username; empty for relayed messages, which
	// speak for an organisation.
	FromUser string
	// Attributed: a relayed message that names its originating party.
	Attributed bool
	// To are the organisations the author addressed (for a relayed message
	// the chosen recipients); Plenary and Internal messages name none.
	To []OrgRef
	// ReplyTo is the message this one answers, when the reader may read it.
	ReplyTo     string
	Body        string
	CreatedAt   time.Time
	LedgerIndex int64
	// Damaged: the sealed body did not open; Body is empty (damage.go).
	Damaged     bool
	Attachments []Attachment
	// RelayedFrom is the source of a relayed message, shown to the
	// mediation only; ShowOrigin says whether the originating party reads
	// the relayed wording.
	RelayedFrom string
	ShowOrigin  bool
	// SharedWith are the organisations the author's party shared the
	// message with (Share), in the order it did; shown to the author's
	// organisation only.
	SharedWith []OrgRef

	authorOrg string // the organisation that wrote it (for a relay, the mediation)
}

// NewMessage is the input of Send.
type NewMessage struct {
	// To is ["mediation"], ["plenary"], ["internal"] or organisation ids.
	// Empty means "mediation" (the proximity default), or for a reply,
	// see Send.
	To      []string
	Body    string
	ReplyTo string
	// Attachments are checked (size, type sniffed against the declared
	// type) and sealed before the write.
	Attachments []Upload
}

// checkBody applies the body rules shared by messages and relays.
func checkBody(body string) error {
	if strings.TrimSpace(body) == "" {
		return errs.New(EmptyBody, "the message is empty")
	}
	if len(body) > MaxBody {
		return errs.New(BodyTooLong, "the message is longer than %d KiB", MaxBody>>10)
	}
	if !utf8.ValidString(body) {
		return &errs.Error{Code: errs.Invalid, Field: "body", Message: "the message is not valid UTF-8"}
	}
	if strings.ContainsRune(body, 0) {
		return &errs.Error{Code: errs.Invalid, Field: "body", Message: "the message contains a NUL character"}
	}
	return nil
}

// roundState is what a write learns about a round inside its transaction.
type roundState struct {
	id    string
	parts map[string]access.OrgKind
	// readers are the participants whose organisation reads the round.
	readers map[string]bool
}

func (r roundState) mediation() []string {
	var out []string
	for org, c := range r.parts {
		if c == access.Mediation {
			out = append(out, org)
		}
	}
	slices.Sort(out)
	return out
}

func (r roundState) all() []string {
	var out []string
	for org := range r.parts {
		out = append(out, org)
	}
	slices.Sort(out)
	return out
}

// enterRound checks, inside a write transaction, that the actor's
// organisation takes part in the round and reads it (otherwise the round is
// not found), and returns the round's participants. rounds remembers the
// rounds already read in the transaction (participation cannot change
// inside it), so that a batch of sends reads each round once.
func (s *Service) enterRound(ctx context.Context, tx *stmtCache, actor access.Actor, roundID string, rounds map[string]roundState) (roundState, error) {
	if !store.ValidID(roundID) || actor.Org == "" {
		return roundState{}, errs.NotFoundf("round")
	}
	rs, ok := rounds[roundID]
	if !ok {
		var err error
		if rs, err = s.loadRound(ctx, tx, roundID); err != nil {
			return roundState{}, err
		}
		rounds[roundID] = rs
	}
	if !rs.readers[actor.Org] {
		return roundState{}, errs.NotFoundf("round")
	}
	return rs, nil
}

// loadRound reads a round's participants, and which of them read the
// round, in one query (access.RoundMembers). On PostgreSQL it takes a share
// lock on the round row: talks takes the row for update when it changes
// consent or participation, so neither can change between this read and
// the commit. On SQLite the one writer already serialises everything.
func (s *Service) loadRound(ctx context.Context, tx *stmtCache, roundID string) (roundState, error) {
	ms, err := access.RoundMembers(ctx, tx, roundID, s.db.Dialect == store.Postgres)
	if err != nil {
		return roundState{}, err
	}
	rs := roundState{id: roundID, parts: map[string]access.OrgKind{}, readers: map[string]bool{}}
	for _, m := range ms {
		rs.parts[m.Org] = m.Capacity
		rs.readers[m.Org] = m.Reads
	}
	return rs, nil
}

// route is where a message goes: its kind, the organisations addressed and
// the audience.
type route struct {
	kind       Kind
	recipients []string
	aud        access.Audience
}

// resolve turns the To of a message into its route, applying the rules of
// DESIGN.md: a party writes to itself, to the mediation, to another party
// only while both consent, or to the plenary; the mediation writes to any
// participants; others write to themselves, the mediation or the plenary.
// Observers, monitors and agencies read the plenary but do not write to it.
func (s *Service) resolve(ctx context.Context, tx *stmtCache, actor access.Actor, rs roundState, to []string) (route, error) {
	me := actor.Org
	capacity := rs.parts[me]
	med := rs.mediation()
	if len(to) == 0 {
		return route{}, errs.Field("to", "say who the message is for: mediation, plenary, internal or organisation ids")
	}
	if len(to) > 64 {
		return route{}, errs.Field("to", "too many recipients")
	}
	toMediation := func() (route, error) {
		if len(med) == 0 {
			return route{}, errs.New(NoMediation, "no mediation takes part in this round")
		}
		return route{kind: ToMediation, recipients: med, aud: access.Of(append([]string{me}, med...)...)}, nil
	}
	if len(to) == 1 {
		switch to[0] {
		case ToKeywordInternal, me:
			return route{kind: Internal, aud: access.Of(me)}, nil
		case ToKeywordMediation:
			return toMediation()
		case ToKeywordPlenary:
			switch capacity {
			case access.Observer, access.Monitor, access.Agency:
				return route{}, errs.New(RecipientNotAllowed, "observers, monitors and agencies read the plenary but do not write to it; write to the mediation")
			}
			return route{kind: Plenary, aud: access.Of(rs.all()...)}, nil
		}
	}
	// Organisation ids.
	var ids []string
	for _, id := range to {
		switch id {
		case ToKeywordInternal, ToKeywordMediation, ToKeywordPlenary:
			return route{}, errs.Field("to", "%q cannot be combined with other recipients", id)
		}
		if !store.ValidID(id) {
			return route{}, &errs.Error{Code: UnknownRecipient, Field: "to", Message: "no organisation has the id " + strconv.Quote(short(id))}
		}
		if id == me || slices.Contains(ids, id) {
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return route{kind: Internal, aud: access.Of(me)}, nil
	}
	for _, id := range ids {
		if _, ok := rs.parts[id]; !ok {
			return route{}, notInRound(ctx, tx, "to", id)
		}
	}
	slices.Sort(ids)
	if capacity == access.Mediation {
		return route{kind: ToMediation, recipients: ids, aud: access.Of(append(slices.Clone(ids), med...)...)}, nil
	}
	var others []string
	for _, id := range ids {
		if rs.parts[id] != access.Mediation {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return toMediation()
	}
	if capacity != access.Party {
		return route{}, errs.New(RecipientNotAllowed, "only the mediation and the parties address other organisations; write to the mediation")
	}
	for _, id := range others {
		if rs.parts[id] != access.Party {
			return route{}, errs.New(RecipientNotAllowed, "a party writes directly only to another party; everything else goes through the mediation")
		}
		ok, err := s.talks.MutualConsent(ctx, tx, rs.id, me, id)
		if err != nil {
			return route{}, err
		}
		if !ok {
			return route{}, errs.New(errs.NoDirectConsent,
				"direct talks are not open: both parties must consent to direct talks in this round; write to the mediation instead, which can relay your message")
		}
	}
	aud := append(append([]string{me}, others...), med...)
	return route{kind: Direct, recipients: others, aud: access.Of(aud...)}, nil
}

// notInRound is the error for an organisation id that is not a
// participant of the round: unknown_recipient when no organisation has it,
// recipient_not_in_round otherwise.
func notInRound(ctx context.Context, tx *stmtCache, field, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM orgs WHERE id = $1", id).Scan(&one)
	if err == sql.ErrNoRows {
		return &errs.Error{Code: UnknownRecipient, Field: field, Message: "no organisation has the id " + id}
	} else if err != nil {
		return err
	}
	return &errs.Error{Code: RecipientNotInRound, Field: field, Message: "organisation " + id + " does not take part in this round"}
}

// short keeps an echoed bad id readable.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Send writes a message in a round. Its audience follows from To (see
// resolve); a reply (ReplyTo) must answer a message the author reads in the
// same round, and with no To it goes back the way the original came: to
// the plenary for a plenary message, to the delegation for an internal
// note, to the other party for a direct message, to the original's author
// when the mediation answers, and otherwise to the mediation.
func (s *Service) Send(ctx context.Context, actor access.Actor, roundID string, in NewMessage) (m Message, err error) {
	defer errs.Wrap(&err, "channel.Send")
	if actor.Anonymous() {
		return Message{}, errs.New(errs.Unauthorized, "log in first")
	}
	if err := checkBody(in.Body); err != nil {
		return Message{}, err
	}
	if in.ReplyTo != "" && !store.ValidID(in.ReplyTo) {
		return Message{}, &errs.Error{Code: errs.NotFound, Field: "reply_to", Message: "message not found"}
	}
	files, err := s.prepareUploads(in.Attachments)
	if err != nil {
		return Message{}, err
	}
	id := store.NewID()
	sealed, err := s.storeFiles(files)
	if err != nil {
		return Message{}, err
	}
	req := &sendReq{actor: actor, roundID: roundID, in: in, id: id, sealed: sealed, now: store.Now(), done: make(chan error, 1), msg: &m}
	if !s.enqueue(req) {
		s.removeFiles(sealed)
		return Message{}, errs.New(ShuttingDown, "the server is shutting down; send again in a moment")
	}
	// Wait for the commit even if ctx ends meanwhile: an acknowledged
	// message is a durable one, and an unacknowledged one may still commit.
	if err := <-req.done; err != nil {
		s.removeFiles(sealed)
		return Message{}, err
	}
	return m, nil
}

// sendReq is one Send waiting for the group commit.
type sendReq struct {
	actor   access.Actor
	roundID string
	in      NewMessage
	id      string
	sealed  []sealedFile
	now     int64
	done    chan error
	// msg receives the message as its author reads it, filled in by the
	// writer so that Send need not read it back.
	msg *Message
}

// maxBatch caps the sends committed in one transaction.
const maxBatch = 256

// writeSends is the group commit of Send. Every acknowledged message must
// be durable, and a durable commit is an fsync; a writer goroutine (one on
// SQLite, two on PostgreSQL: see New) takes every send that is waiting,
// writes them all in one ledger transaction and commits once, so that
// sixteen concurrent senders share each fsync instead of queuing for one
// each. A send refused by the
// rules (checked with reads before any write of its own) fails alone; a
// database error fails the batch, which is then retried one send at a time
// so that one bad send cannot take the others down.
func (s *Service) writeSends() {
	for first := range s.queue {
		batch := []*sendReq{first}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.queue:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.writeBatch(batch)
	}
}

func (s *Service) writeBatch(batch []*sendReq) {
	ctx := context.Background()
	results := make([]error, len(batch))
	err := s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		sc := newStmtCache(tx, s.db.Dialect)
		rounds := map[string]roundState{}
		for i, r := range batch {
			rule, err := s.sendIn(ctx, sc, rec, r, rounds)
			if err != nil {
				return err
			}
			results[i] = rule
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, r := range batch {
			s.writeBatch([]*sendReq{r})
		}
		return
	}
	for i, r := range batch {
		if err != nil {
			r.done <- err
		} else {
			r.done <- results[i]
		}
	}
}

// sendIn writes one send inside the batch transaction. The rules are
// checked with reads first; a refusal is returned as rule (nothing of this
// send was written). err is a failure of the transaction itself.
//
// rounds remembers the rounds the batch has read (enterRound).
func (s *Service) sendIn(ctx context.Context, tx *stmtCache, rec *ledger.Recorder, r *sendReq, rounds map[string]roundState) (rule, err error) {
	refuse := func(e error) (error, error) {
		if _, ok := errs.As(e); ok {
			return e, nil
		}
		return nil, e
	}
	actor, in := r.actor, r.in
	rs, err := s.enterRound(ctx, tx, actor, r.roundID, rounds)
	if err != nil {
		return refuse(err)
	}
	to := in.To
	if in.ReplyTo != "" {
		parent, err := s.replyTarget(ctx, tx, actor, r.roundID, in.ReplyTo)
		if err != nil {
			return refuse(err)
		}
		if len(to) == 0 {
			to = replyRoute(actor.Org, rs.parts[actor.Org], parent)
		}
	}
	if len(to) == 0 {
		to = []string{ToKeywordMediation}
	}
	rt, err := s.resolve(ctx, tx, actor, rs, to)
	if err != nil {
		return refuse(err)
	}
	m := Message{
		ID: r.id, RoundID: r.roundID, Kind: rt.kind, From: OrgRef{ID: actor.Org}, FromUser: actor.Username,
		ReplyTo: in.ReplyTo, Body: in.Body, CreatedAt: store.Time(r.now),
	}
	if err := s.insertMessage(ctx, tx, rec, actor, &m, rt, "", r.sealed, "message.sent", rt.aud); err != nil {
		return nil, err
	}
	// The author's view: it reads everything it wrote (its organisation is
	// in every audience it can choose), the reply target was checked
	// readable above, and a send has no relay link.
	m.From.Name = s.names.name(ctx, s.db.R, actor.Org)
	for _, id := range rt.recipients {
		m.To = append(m.To, OrgRef{ID: id, Name: s.names.name(ctx, s.db.R, id)})
	}
	for _, f := range r.sealed {
		m.Attachments = append(m.Attachments, Attachment{ID: f.id, MessageID: m.ID, Name: f.name, ContentType: f.contentType, Size: f.size, SHA256: hex.EncodeToString(f.sum[:])})
	}
	*r.msg = m
	return nil, nil
}

// replyParent is what a reply needs to know about the message it answers.
type replyParent struct {
	kind       Kind
	authorOrg  string
	recipients []string
}

// replyTarget reads the message a reply answers, filtered by the author's
// audience like any read; a message outside it, or in another round, is not
// found.
func (s *Service) replyTarget(ctx context.Context, q access.Querier, actor access.Actor, roundID, id string) (replyParent, error) {
	cond, arg := access.ReadableBy(actor, "m.id", 3)
	var p replyParent
	var recips string
	err := q.QueryRowContext(ctx, "SELECT m.kind, m.author_org, m.recipients FROM messages m WHERE m.id = $1 AND m.round_id = $2 AND "+cond,
		id, roundID, arg).Scan(&p.kind, &p.authorOrg, &recips)
	if err == sql.ErrNoRows {
		return p, &errs.Error{Code: errs.NotFound, Field: "reply_to", Message: "message not found"}
	}
	p.recipients = strings.Fields(recips)
	return p, err
}

// replyRoute is the default To of a reply (see Send) by organisation me,
// which takes part in the round in capacity.
func replyRoute(me string, capacity access.OrgKind, p replyParent) []string {
	switch {
	case p.kind == Plenary:
		return []string{ToKeywordPlenary}
	case p.kind == Internal:
		return []string{ToKeywordInternal}
	case p.kind == Direct && capacity == access.Party:
		var to []string
		for _, o := range append([]string{p.authorOrg}, p.recipients...) {
			if o != me {
				to = append(to, o)
			}
		}
		return to
	case capacity == access.Mediation && p.authorOrg != me:
		return []string{p.authorOrg}
	}
	return []string{ToKeywordMediation}
}

// insertMessage adds the message row, its audience, its attachments and its
// search terms to the transaction's rows (ledger.Recorder.Insert), and
// appends its event (typ, with event audience evAud, which
// for a relay is narrower than the message's: see Relay).
func (s *Service) insertMessage(ctx context.Context, tx *stmtCache, rec *ledger.Recorder, actor access.Actor, m *Message, rt route, attributed string, files []sealedFile, typ string, evAud access.Audience) error {
	body := s.keys.seal("message", m.ID, []byte(m.Body))
	var atts []attachmentFacts
	for _, f := range files {
		atts = append(atts, attachmentFacts{f.id, f.sum[:], f.size, f.contentType})
	}
	content, err := messageContent(m, rt.kind, rt.recipients, attributed, atts)
	if err != nil {
		return err
	}
	ev, err := rec.Append(ctx, ledger.Event{
		Type: typ, Actor: actor, Round: m.RoundID, ObjectType: "message", ObjectID: m.ID,
		Audience: evAud, Content: content, At: m.CreatedAt,
	})
	if err != nil {
		return err
	}
	m.LedgerIndex = ev.Index
	rec.Insert("messages", messageColumns, "", m.ID, m.RoundID, string(rt.kind), actor.User, actor.Username, actor.Org, attributed,
		strings.Join(rt.recipients, " "), m.ReplyTo, body, store.Stamp(m.CreatedAt), ev.Index)
	if err := rec.Grant(m.ID, rt.aud); err != nil {
		return err
	}
	for i, f := range files {
		rec.Insert("attachments", attachmentColumns, "", f.id, m.ID, s.keys.seal("attachment-name", f.id, []byte(f.name)),
			f.contentType, f.size, f.sum[:], int64(i), store.Stamp(m.CreatedAt))
	}
	s.indexTerms(rec, m.ID, m.Body)
	return nil
}

// attachmentFacts is what a message's event records of an attachment.
type attachmentFacts struct {
	id          string
	sum         []byte
	size        int64
	contentType string
}

// messageContent is the content a message's creating event hashes; parley
// verify rebuilds it from the stored rows (verify.go), so both must encode
// it here.
func messageContent(m *Message, kind Kind, recipients []string, attributed string, files []attachmentFacts) ([]byte, error) {
	sum := sha256.Sum256([]byte(m.Body))
	var atts []map[string]any
	for _, f := range files {
		atts = append(atts, map[string]any{"id": f.id, "sha256": hex.EncodeToString(f.sum), "size": f.size, "content_type": f.contentType})
	}
	return json.Marshal(map[string]any{
		"id": m.ID, "round_id": m.RoundID, "kind": string(kind), "to": recipients, "reply_to": m.ReplyTo,
		"attributed_org": attributed, "body_sha256": hex.EncodeToString(sum[:]), "attachments": atts,
		"created_at": m.CreatedAt.UTC().Format(time.RFC3339Nano),
	})
}

// indexTerms adds the blind index rows of an item's text to the
// transaction's rows. Tokens are distinct and the item is new, so the rows
// cannot conflict: a plain insert, without the speculative insertion an
// ON CONFLICT clause costs PostgreSQL on every row.
func (s *Service) indexTerms(rec *ledger.Recorder, itemID, text string) {
	for _, t := range Tokens(text) {
		rec.Insert("search_terms", termColumns, "", s.keys.term(t), itemID)
	}
}

// RelayInput is the input of Relay.
type RelayInput struct {
	// To are the organisations that receive the relayed message.
	To []string
	// Body is the mediation's wording; empty relays the original wording.
	Body string
	// Attributed names the originating party as the sender; otherwise the
	// message comes from "the mediation".
	Attributed bool
	// HideFromOrigin keeps the relayed wording from the originating party,
	// which by default reads it too.
	HideFromOrigin bool
	// Attachments are ids of the source's attachments to pass on with the
	// relay: each is copied, as a new attachment of the relayed message
	// with its own id and the same content and SHA-256, so that the
	// recipients read it without reading the source. None by default: a
	// file's name or content may say where it came from.
	Attachments []string
}

// Relay is the mediation turning a message it received into a new message
// to other participants, in its own wording or the original's. The original
// is never changed. The new message's audience is the mediation, the chosen
// recipients and, unless hidden from it, the originating party; the link
// between the two messages is readable by the mediation only.
//
// Three events record it, each with the audience that may know of it:
// "message.relayed" (mediation and recipients — the event record lists its
// audience, so it must not name the originating party of an unattributed
// relay), "message.relay_shown" (mediation and originating party, when it
// reads the relay) and "relay.linked" (the mediation).
func (s *Service) Relay(ctx context.Context, actor access.Actor, sourceID string, in RelayInput) (m Message, err error) {
	defer errs.Wrap(&err, "channel.Relay")
	if actor.Anonymous() {
		return Message{}, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(sourceID) {
		return Message{}, errs.NotFoundf("message")
	}
	if in.Body != "" {
		if err := checkBody(in.Body); err != nil {
			return Message{}, err
		}
	}
	if len(in.To) == 0 {
		return Message{}, errs.Field("to", "choose the organisations that receive the relayed message")
	}
	files, err := s.relayFiles(ctx, actor, sourceID, in.Attachments)
	if err != nil {
		return Message{}, err
	}
	id := store.NewID()
	now := store.Now()
	err = s.led.Write(ctx, func(sqlTx *sql.Tx, rec *ledger.Recorder) error {
		tx := newStmtCache(sqlTx, s.db.Dialect)
		src, err := s.getIn(ctx, sqlTx, actor, sourceID)
		if err != nil {
			return err
		}
		// The right to relay is the capacity in the message's round, not
		// the organisation's kind.
		if c, err := access.RoundCapacity(ctx, sqlTx, actor, src.RoundID); err != nil {
			return err
		} else if !c.Mediates() {
			return errs.New(errs.Forbidden, "only the mediation of this round relays its messages")
		}
		rs, err := s.enterRound(ctx, tx, actor, src.RoundID, map[string]roundState{})
		if err != nil {
			return err
		}
		if src.Damaged {
			return errs.New(errs.Conflict, "the message is damaged and cannot be relayed")
		}
		origin := src.authorOrg
		if rs.parts[origin] == access.Mediation || src.Kind == Relayed {
			return errs.New(NotReceived, "the mediation relays messages it received from others, not its own")
		}
		for _, t := range in.To {
			switch t {
			case ToKeywordInternal, ToKeywordMediation, ToKeywordPlenary:
				return errs.Field("to", "a relay goes to organisation ids")
			}
		}
		rt, err := s.resolve(ctx, tx, actor, rs, in.To)
		if err != nil {
			return err
		}
		if rt.kind != ToMediation || len(rt.recipients) == 0 {
			return errs.Field("to", "choose the organisations that receive the relayed message")
		}
		med := rs.mediation()
		showOrigin := !in.HideFromOrigin
		aud := append(slices.Clone(rt.aud), med...)
		if showOrigin {
			aud = append(aud, origin)
		}
		body := in.Body
		if body == "" {
			body = src.Body
		}
		attributed := ""
		if in.Attributed {
			attributed = origin
		}
		m = Message{ID: id, RoundID: src.RoundID, Kind: Relayed, Body: body, CreatedAt: store.Time(now)}
		relayRoute := route{kind: Relayed, recipients: rt.recipients, aud: access.Of(aud...)}
		evAud := access.Of(append(slices.Clone(rt.recipients), med...)...)
		if in.Attributed {
			// Naming the origin in the sender line already tells the
			// recipients; the event may name it too.
			evAud = relayRoute.aud
		}
		if err := s.insertMessage(ctx, tx, rec, actor, &m, relayRoute, attributed, files, "message.relayed", evAud); err != nil {
			return err
		}
		// Every relay appends the same three events, whatever its options:
		// the tree grows by three either way, so its size tells a recipient
		// nothing of whether the origin reads the relay.
		shown := ledger.Event{Type: "message.relay_shown", Actor: actor, Round: src.RoundID, ObjectType: "message", ObjectID: id,
			Audience: access.Of(append([]string{origin}, med...)...), Content: []byte(`{"id":"` + id + `"}`), At: m.CreatedAt}
		if !showOrigin {
			shown.Type, shown.Audience = "message.relay_hidden", access.Of(med...)
		}
		if _, err := rec.Append(ctx, shown); err != nil {
			return err
		}
		rec.Insert("message_relays", relayColumns, "", id, sourceID, showOrigin)
		linkID := "relay:" + id
		if err := access.Grant(ctx, sqlTx, linkID, access.Of(med...)); err != nil {
			return err
		}
		link, _ := json.Marshal(map[string]any{"message_id": id, "source_id": sourceID, "show_origin": showOrigin, "attributed": in.Attributed})
		_, err = rec.Append(ctx, ledger.Event{
			Type: "relay.linked", Actor: actor, Round: src.RoundID, ObjectType: "relay", ObjectID: linkID,
			Audience: access.Of(med...), Content: link, At: m.CreatedAt,
		})
		return err
	})
	if err != nil {
		s.removeFiles(files)
		return Message{}, err
	}
	return s.Get(ctx, actor, id)
}

// relayFiles copies the chosen attachments of a relay's source, each read
// through the audience filter (the mediation must read it) and checked
// against its SHA-256, into new sealed files for the relayed message.
func (s *Service) relayFiles(ctx context.Context, actor access.Actor, sourceID string, ids []string) ([]sealedFile, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxAttachments {
		return nil, errs.New(TooManyAttachments, "at most %d attachments per message", MaxAttachments)
	}
	var files []preparedFile
	for _, aid := range ids {
		a, data, err := s.OpenAttachment(ctx, actor, aid)
		if errs.Code(err) == errs.NotFound || err == nil && a.MessageID != sourceID {
			return nil, &errs.Error{Code: errs.Invalid, Field: "attachments", Message: "attachment " + short(aid) + " is not one of the relayed message's"}
		} else if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(files, func(f preparedFile) bool { return f.sourceID == aid }) {
			files = append(files, preparedFile{name: a.Name, contentType: a.ContentType, data: data, sourceID: aid})
		}
	}
	return s.storeFiles(files)
}
