package auth

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"parley/internal/store"
)

// Throttling limits. They are keyed by the username as typed (lower-cased),
// whether or not the account exists, so a throttled answer says nothing about
// existence.
const (
	// accountFailures failures within accountWindow lock the account name.
	accountFailures = 5
	accountWindow   = 15 * time.Minute
	// The first lock lasts lockBase; each further lock doubles, up to lockMax.
	lockBase = time.Minute
	lockMax  = time.Hour
	// lockMemory: after this long without failures the lock count resets.
	lockMemory = 24 * time.Hour
	// addressPerMinute attempts per client address (IPv6: per /64).
	addressPerMinute = 20
	// throttleReportEvery limits login_throttled events per key, so that a
	// flood of refused attempts does not become a flood of writes.
	throttleReportEvery = time.Minute
)

type addressState struct {
	lim      *rate.Limiter
	last     time.Time
	reported time.Time
}

// throttle is the login throttle. The per-account state (failures, locks)
// is in the database (table login_throttle), so that every process on one
// database counts the same failures; the per-address rate is per process,
// since a process sees only the connections that reach it.
type throttle struct {
	now func() time.Time
	db  *store.DB
	log *slog.Logger

	mu        sync.Mutex
	addresses map[string]*addressState
	// reported limits login_throttled events per locked account name.
	reported         map[string]time.Time
	lastPrune        time.Time
	lastAccountPrune time.Time
}

func newThrottle(db *store.DB, log *slog.Logger, now func() time.Time) *throttle {
	return &throttle{now: now, db: db, log: log, addresses: map[string]*addressState{}, reported: map[string]time.Time{}}
}

// addressKey reduces a client address ("ip", "ip:port", "[v6]:port") to the
// unit that is throttled: the IPv4 address, or the IPv6 /64 that one client
// usually controls whole.
func addressKey(remote string) string {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// allow consumes one attempt for the address and reports whether the
// account and the address may try now. report is true when this refusal
// should be recorded as a security event.
func (t *throttle) allow(account, addr string) (ok, report bool) {
	now := t.now()
	t.mu.Lock()
	t.prune(now)
	as := t.addresses[addr]
	if as == nil {
		as = &addressState{lim: rate.NewLimiter(rate.Every(time.Minute/addressPerMinute), addressPerMinute)}
		t.addresses[addr] = as
	}
	as.last = now
	if !as.lim.AllowN(now, 1) {
		report = now.Sub(as.reported) >= throttleReportEvery
		if report {
			as.reported = now
		}
		t.mu.Unlock()
		return false, report
	}
	t.mu.Unlock()
	if !t.locked(account) {
		return true, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	report = now.Sub(t.reported[account]) >= throttleReportEvery
	if report {
		t.reported[account] = now
	}
	return false, report
}

// locked reports whether the account name is locked now, without consuming
// an attempt (second-factor steps of a login already counted).
func (t *throttle) locked(account string) bool {
	var until int64
	err := t.db.R.QueryRowContext(context.Background(), "SELECT locked_until FROM login_throttle WHERE account = $1", account).Scan(&until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		// The login that asks fails on the same database anyway.
		t.log.Error("auth: reading the login throttle", "err", err)
		return false
	}
	return t.now().Before(store.Time(until))
}

// fail records a failed attempt on the account name and reports whether it
// locked the account. The account's state is read and written in one
// transaction (on PostgreSQL with the row locked), so that processes
// counting failures at the same time do not lose any.
func (t *throttle) fail(account string) (locked bool) {
	now := t.now()
	err := t.db.Tx(context.Background(), func(tx *sql.Tx) error {
		q := "SELECT failures, locks, last_failure, locked_until FROM login_throttle WHERE account = $1"
		if t.db.Dialect == store.Postgres {
			// Make sure the row exists, so that FOR UPDATE serialises the
			// processes recording failures of one account.
			if _, err := tx.Exec("INSERT INTO login_throttle(account) VALUES ($1) ON CONFLICT DO NOTHING", account); err != nil {
				return err
			}
			q += " FOR UPDATE"
		}
		var failures string
		var locks int
		var last, until int64
		if err := tx.QueryRow(q, account).Scan(&failures, &locks, &last, &until); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if now.Sub(store.Time(last)) > lockMemory {
			locks = 0
		}
		var kept []string
		for _, f := range strings.Fields(failures) {
			if us, err := strconv.ParseInt(f, 10, 64); err == nil && now.Sub(store.Time(us)) < accountWindow {
				kept = append(kept, f)
			}
		}
		kept = append(kept, strconv.FormatInt(store.Stamp(now), 10))
		if len(kept) >= accountFailures {
			// Lock, and start counting afresh: after the lock, the next
			// accountFailures failures lock again for twice as long.
			kept = nil
			locks++
			until = store.Stamp(now.Add(min(lockBase<<min(locks-1, 16), lockMax)))
			locked = true
		}
		_, err := tx.Exec(`INSERT INTO login_throttle(account, failures, locks, last_failure, locked_until) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (account) DO UPDATE SET failures = excluded.failures, locks = excluded.locks,
				last_failure = excluded.last_failure, locked_until = excluded.locked_until`,
			account, strings.Join(kept, " "), locks, store.Stamp(now), until)
		return err
	})
	if err != nil {
		t.log.Error("auth: recording a failed login", "err", err)
		return false
	}
	t.pruneAccounts(now)
	return locked
}

// succeed forgets the account's failures after a complete login.
func (t *throttle) succeed(account string) {
	if _, err := t.db.W.Exec("DELETE FROM login_throttle WHERE account = $1", account); err != nil {
		t.log.Error("auth: clearing the login throttle", "err", err)
	}
}

// pruneAccounts deletes, at most once a minute, the accounts whose state
// no longer affects any decision.
func (t *throttle) pruneAccounts(now time.Time) {
	t.mu.Lock()
	due := now.Sub(t.lastAccountPrune) >= time.Minute
	if due {
		t.lastAccountPrune = now
	}
	t.mu.Unlock()
	if !due {
		return
	}
	_, err := t.db.W.Exec(`DELETE FROM login_throttle WHERE locked_until < $1
		AND (last_failure < $2 OR (locks = 0 AND last_failure < $3))`,
		store.Stamp(now), store.Stamp(now.Add(-lockMemory)), store.Stamp(now.Add(-accountWindow)))
	if err != nil {
		t.log.Error("auth: pruning the login throttle", "err", err)
	}
}

// prune drops state that no longer affects any decision, at most once a
// minute, so memory stays bounded by recent traffic. Called with mu held.
func (t *throttle) prune(now time.Time) {
	if now.Sub(t.lastPrune) < time.Minute {
		return
	}
	t.lastPrune = now
	for k, at := range t.reported {
		if now.Sub(at) > throttleReportEvery {
			delete(t.reported, k)
		}
	}
	for k, as := range t.addresses {
		// A bucket idle for a minute has refilled completely.
		if now.Sub(as.last) > time.Minute {
			delete(t.addresses, k)
		}
	}
}
