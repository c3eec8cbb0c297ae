// Package channel is the mediated message channel of proximity talks:
// messages whose audience follows from their kind (a party's internal
// notes, messages to the mediation, direct party-to-party messages while
// both consent, plenary messages, and relays made by the mediation),
// replies, attachments, public statements with an embargo, search, and the
// live stream of events.
//
// Every write runs through the ledger (one transaction that checks the
// rules, writes the rows, grants the audience and appends the events); every
// read filters by the audience in SQL through access.ReadableBy, so that a
// list, a single fetch, a search, the live stream and an attachment
// download cannot disagree. Message bodies, attachments and statements are
// sealed at rest under the master key; search uses a blind index.
// docs/channel.md describes the rules, the audiences and the costs.
package channel

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Error codes of the channel, each with its HTTP status.
const (
	// EmptyBody: a message without any text.
	EmptyBody = "empty_body"
	// BodyTooLong: a message over MaxBody bytes of text.
	BodyTooLong = "body_too_long"
	// UnknownRecipient: a recipient that is neither a keyword nor an
	// organisation parley knows.
	UnknownRecipient = "unknown_recipient"
	// RecipientNotInRound: an organisation that does not take part in the
	// round.
	RecipientNotInRound = "recipient_not_in_round"
	// RecipientNotAllowed: an organisation the author may not address
	// (a guarantor writing to a party, say): it goes through the mediation.
	RecipientNotAllowed = "recipient_not_allowed"
	// NoMediation: "to the mediation" in a round without one.
	NoMediation = "no_mediation"
	// NotReceived: the mediation relaying a message it did not receive
	// (one it wrote itself, or one it cannot read at all — that one answers
	// not_found, like any unreadable item).
	NotReceived = "not_received"
	// UnsupportedType: an attachment of a type parley does not accept.
	UnsupportedType = "unsupported_attachment_type"
	// TypeMismatch: an attachment whose content is not what its declared
	// type says.
	TypeMismatch = "attachment_type_mismatch"
	// AttachmentTooLarge: an attachment over MaxAttachment bytes.
	AttachmentTooLarge = "attachment_too_large"
	// TooManyAttachments: more than MaxAttachments on one message.
	TooManyAttachments = "too_many_attachments"
	// ShuttingDown: a send after Close, while the server stops.
	ShuttingDown = "shutting_down"
)

func init() {
	errs.Register(EmptyBody, http.StatusBadRequest)
	errs.Register(ShuttingDown, http.StatusServiceUnavailable)
	errs.Register(BodyTooLong, http.StatusRequestEntityTooLarge)
	errs.Register(UnknownRecipient, http.StatusUnprocessableEntity)
	errs.Register(RecipientNotInRound, http.StatusUnprocessableEntity)
	errs.Register(RecipientNotAllowed, http.StatusUnprocessableEntity)
	errs.Register(NoMediation, http.StatusConflict)
	errs.Register(NotReceived, http.StatusUnprocessableEntity)
	errs.Register(UnsupportedType, http.StatusUnsupportedMediaType)
	errs.Register(TypeMismatch, http.StatusUnprocessableEntity)
	errs.Register(AttachmentTooLarge, http.StatusRequestEntityTooLarge)
	errs.Register(TooManyAttachments, http.StatusRequestEntityTooLarge)
}

// Limits.
const (
	MaxBody        = 64 << 10 // bytes of UTF-8 text in a message body
	MaxAttachment  = 25 << 20 // bytes per attachment
	MaxAttachments = 4        // attachments per message
	// MaxUpload is the largest request body a message with attachments
	// needs: the app's body cap must allow it on the upload routes.
	MaxUpload         = MaxAttachments*MaxAttachment + MaxBody + 1<<20
	MaxStatementTitle = 200      // characters
	MaxStatementBody  = 64 << 10 // bytes
)

// Options configure the channel.
type Options struct {
	// MasterKey seals content at rest (LoadOrCreateMasterKey).
	MasterKey []byte
	// AttachmentDir holds the sealed attachment files.
	AttachmentDir string
	Log           *slog.Logger
	// StreamBuffer is how many events a live stream may fall behind
	// before it is closed with a reset; 0 means DefaultStreamBuffer.
	StreamBuffer int
}

// Service is the channel over one database.
type Service struct {
	db     *store.DB
	led    *ledger.Ledger
	talks  *talks.Service
	keys   *keyring
	dir    string
	log    *slog.Logger
	broker *Broker
	listen *listener     // other processes' events, on PostgreSQL
	queue  chan *sendReq // Send's group commit (writeSends)
	stmts  readStmts
	names  orgNames
	damage damageLog // damaged items reported (damage.go)

	// closing guards queue: Send enqueues under the read lock, Close
	// closes the queue under the write lock, so no send meets a closed
	// queue; writers waits for the writer goroutines to drain it.
	closing   sync.RWMutex
	closed    bool
	writers   sync.WaitGroup
	closeOnce sync.Once
}

// New returns the channel service and subscribes its live-stream broker to
// the ledger.
func New(db *store.DB, led *ledger.Ledger, ts *talks.Service, o Options) (*Service, error) {
	keys, err := newKeyring(o.MasterKey)
	if err != nil {
		return nil, fmt.Errorf("channel.New: %w", err)
	}
	if o.AttachmentDir == "" {
		return nil, fmt.Errorf("channel.New: no attachment folder")
	}
	if err := os.MkdirAll(o.AttachmentDir, 0o700); err != nil {
		return nil, fmt.Errorf("channel.New: %w", err)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: db, led: led, talks: ts, keys: keys, dir: o.AttachmentDir, log: o.Log, queue: make(chan *sendReq, 4*maxBatch)}
	if s.stmts, err = prepareReads(context.Background(), db.R); err != nil {
		return nil, fmt.Errorf("channel.New: %w", err)
	}
	s.broker = newBroker(s)
	if o.StreamBuffer > 0 {
		s.broker.buffer = o.StreamBuffer
	}
	s.listen = newListener(s)
	if err := s.broker.start(context.Background()); err != nil {
		return nil, fmt.Errorf("channel.New: %w", err)
	}
	led.Subscribe(s.broker)
	// One writer on SQLite, which has one write connection anyway. Two on
	// PostgreSQL: while one batch holds the ledger's lock (its rows and its
	// commit), the next begins, reads its round and checks its rules, so
	// the lock is held only for the part that must be serial. A third
	// only splits the queue into smaller batches (docs/channel.md).
	writers := 1
	if db.Dialect == store.Postgres {
		writers = 2
	}
	for range writers {
		s.writers.Go(s.writeSends)
	}
	return s, nil
}

// Open is New with the attachment folder in its usual place, attachments/
// in the data folder, and the master key from LoadMasterKey (which the app
// loads once, for the channel and for the key it derives for auth).
func Open(db *store.DB, led *ledger.Ledger, ts *talks.Service, dataDir string, key []byte, log *slog.Logger) (*Service, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("channel.Open: attachments need a data folder")
	}
	return New(db, led, ts, Options{MasterKey: key, AttachmentDir: AttachmentDir(dataDir), Log: log})
}

// AttachmentDir is where Open keeps the sealed attachment files.
func AttachmentDir(dataDir string) string { return filepath.Join(dataDir, "attachments") }

// Close stops the listener for other processes' events (listen.go), if
// a live stream started it, and waits until its connection is closed. Call
// it before closing the database; streams still open afterwards hear only
// of this process's events.
//
// It also stops the writer goroutines of Send: the sends already queued
// are written first, and a Send after Close is refused.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		s.closing.Lock()
		s.closed = true
		close(s.queue)
		s.closing.Unlock()
		s.writers.Wait()
		s.listen.close()
	})
}

// enqueue hands req to the writers; it reports false after Close.
func (s *Service) enqueue(req *sendReq) bool {
	s.closing.RLock()
	defer s.closing.RUnlock()
	if s.closed {
		return false
	}
	s.queue <- req
	return true
}

// Broker returns the live-stream broker.
func (s *Service) Broker() *Broker { return s.broker }

// readTx runs fn in a read-only transaction, so that the queries behind one
// answer see one snapshot.
func (s *Service) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.db.Dialect == store.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.R.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}
