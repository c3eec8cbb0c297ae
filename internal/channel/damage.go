package channel

import (
	"context"
	"fmt"
	"sync"

	"parley/internal/errs"
)

// An item whose sealed content does not open (a changed byte, a row moved
// onto another id, a lost key) is shown as damaged — its id and the event
// that created it, no content — instead of failing the list it is in: one
// bad row must not take a round's conversation away from every reader.
// Each damaged item is reported once per process: logged at error level
// and handed to the OnDamage hook (the app records a security event).

// Damage describes an item found damaged while reading.
type Damage struct {
	Kind        string // "message", "attachment", "statement"
	ID          string
	LedgerIndex int64 // the event that created it, -1 when unknown
	Err         error
}

func (d Damage) Error() string {
	return fmt.Sprintf("%s %s (ledger event %d) is damaged: %v", d.Kind, d.ID, d.LedgerIndex, d.Err)
}

// damagedError is the answer to a request for a damaged item's content (an
// attachment's download): errs.Damaged, naming the item and its event, with
// d inside for the pages (errors.As).
func damagedError(d Damage) error {
	return &errs.Error{Code: errs.Damaged, Err: d,
		Message: fmt.Sprintf("%s %s (ledger event %d) is damaged: its stored content does not open; the operators have been told", d.Kind, d.ID, d.LedgerIndex)}
}

// damageLog remembers which items were reported.
type damageLog struct {
	mu   sync.Mutex
	seen map[string]bool
	hook func(context.Context, Damage)
}

// OnDamage sets what is called, once per item and process, when an item is
// found damaged; it runs on its own goroutine (the read that found it may
// hold the write connection).
func (s *Service) OnDamage(fn func(context.Context, Damage)) {
	s.damage.mu.Lock()
	defer s.damage.mu.Unlock()
	s.damage.hook = fn
}

// damaged reports a damaged item.
func (s *Service) damaged(d Damage) {
	s.damage.mu.Lock()
	key := d.Kind + " " + d.ID
	first := !s.damage.seen[key]
	if s.damage.seen == nil {
		s.damage.seen = map[string]bool{}
	}
	s.damage.seen[key] = true
	hook := s.damage.hook
	s.damage.mu.Unlock()
	if !first {
		return
	}
	s.log.Error("channel: damaged item shown without its content; run parley verify",
		"kind", d.Kind, "id", d.ID, "ledger_index", d.LedgerIndex, "err", d.Err)
	if hook != nil {
		go hook(context.Background(), d)
	}
}
