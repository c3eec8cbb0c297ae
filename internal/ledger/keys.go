package ledger

import (
	"crypto/ed25519"
	"fmt"
	"log/slog"

	"parley/internal/errs"
)

// ed25519Public returns the public key of an Ed25519 seed.
func ed25519Public(seed []byte) ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
}

func notFound(what string) error { return errs.NotFoundf(what) }

// SetLogger sets where the ledger reports background failures (checkpoint
// signing); by default they are discarded.
func (l *Ledger) SetLogger(log *slog.Logger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = log
}

// logger returns the ledger's logger, discarding when none was set.
func (l *Ledger) logger() *slog.Logger {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.log
}

func (l *Ledger) logf(format string, args ...any) {
	l.mu.RLock()
	log := l.log
	l.mu.RUnlock()
	if log != nil {
		log.Error(fmt.Sprintf(format, args...))
	}
}
