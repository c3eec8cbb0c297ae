package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"parley/internal/store"
)

// Throttling limits. The account limits are keyed by the username as typed
// (lower-cased), whether or not the account exists, so a throttled answer
// says nothing about existence.
//
// Two limits apply to an account name. Per (account, client address):
// pairFailures attempts within accountWindow, then a lock of lockBase
// doubling up to lockMax: a guesser at one address gets five tries. Across
// every address: globalFailures attempts within accountWindow, then a short
// lock of globalBase doubling up to globalMax, so that guesses spread over
// many addresses stay slow while a stranger can never keep the real user
// out for more than a minute.
const (
	pairFailures  = 5
	accountWindow = 15 * time.Minute
	lockBase      = time.Minute
	lockMax       = time.Hour

	globalFailures = 20
	globalBase     = 5 * time.Second
	globalMax      = time.Minute

	// accountFailures is what one client address gets before its lock.
	accountFailures = pairFailures
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

// allowAddress consumes one attempt of the client address's per-process
// rate and reports whether it may try now. report is true when this
// refusal should be recorded as a security event.
func (t *throttle) allowAddress(addr string) (ok, report bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	as := t.addresses[addr]
	if as == nil {
		as = &addressState{lim: rate.NewLimiter(rate.Every(time.Minute/addressPerMinute), addressPerMinute)}
		t.addresses[addr] = as
	}
	as.last = now
	if as.lim.AllowN(now, 1) {
		return true, false
	}
	report = now.Sub(as.reported) >= throttleReportEvery
	if report {
		as.reported = now
	}
	return false, report
}

// reportLocked reports whether a refusal for the locked account should be
// recorded as a security event (at most one a minute per name).
func (t *throttle) reportLocked(account string) bool {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	report := now.Sub(t.reported[account]) >= throttleReportEvery
	if report {
		t.reported[account] = now
	}
	return report
}

// attempt is one password or code check reserved by reserve and settled by
// settle.
type attempt struct {
	keys  [2]string // the account's row, then the (account, address) row
	nonce string
	at    int64 // when it was reserved, Unix microseconds
}

// The rows of login_throttle: one per account name, and one per (account
// name, client address). Client addresses hold no space.
func globalKey(account string) string     { return "a " + account }
func pairKey(account, addr string) string { return "p " + addr + " " + account }

// entry is one attempt in a row's failures column, "reserved:settled:nonce"
// in Unix microseconds; settled is 0 while the attempt is in flight.
type entry struct {
	reserved, settled int64
	nonce             string
}

func parseEntries(s string) []entry {
	var out []entry
	for _, f := range strings.Fields(s) {
		parts := strings.SplitN(f, ":", 3)
		if len(parts) != 3 {
			continue // a row written before attempts were reserved
		}
		r, err1 := strconv.ParseInt(parts[0], 10, 64)
		st, err2 := strconv.ParseInt(parts[1], 10, 64)
		if err1 == nil && err2 == nil {
			out = append(out, entry{r, st, parts[2]})
		}
	}
	return out
}

func formatEntries(es []entry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = strconv.FormatInt(e.reserved, 10) + ":" + strconv.FormatInt(e.settled, 10) + ":" + e.nonce
	}
	return strings.Join(parts, " ")
}

// throttleRow is one row of login_throttle.
type throttleRow struct {
	entries []entry
	locks   int
	last    int64
	until   int64
}

// loadRows reads the rows of keys inside tx, locked on PostgreSQL (the rows
// are created first, so that FOR UPDATE serialises every process touching
// the account; on SQLite the write transaction already does). Keys are
// always locked in the same order, the account's row first.
func (t *throttle) loadRows(ctx context.Context, tx *sql.Tx, keys []string) ([]throttleRow, error) {
	rows := make([]throttleRow, len(keys))
	for i, k := range keys {
		q := "SELECT failures, locks, last_failure, locked_until FROM login_throttle WHERE account = $1"
		if t.db.Dialect == store.Postgres {
			if _, err := tx.ExecContext(ctx, "INSERT INTO login_throttle(account) VALUES ($1) ON CONFLICT DO NOTHING", k); err != nil {
				return nil, err
			}
			q += " FOR UPDATE"
		}
		var failures string
		err := tx.QueryRowContext(ctx, q, k).Scan(&failures, &rows[i].locks, &rows[i].last, &rows[i].until)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		rows[i].entries = parseEntries(failures)
	}
	return rows, nil
}

func saveRow(ctx context.Context, tx *sql.Tx, key string, r throttleRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO login_throttle(account, failures, locks, last_failure, locked_until) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account) DO UPDATE SET failures = excluded.failures, locks = excluded.locks,
			last_failure = excluded.last_failure, locked_until = excluded.locked_until`,
		key, formatEntries(r.entries), r.locks, r.last, r.until)
	return err
}

// reserve decides, in one database transaction taken before any hash is
// compared, whether the account may try a password or a code from addr
// now, and if so counts the attempt as a failure in advance. Every process
// on the database sees the reservation at once, so a burst of parallel
// guesses gets no more tries than guesses one after the other. The caller
// settles the attempt with settle once it knows the outcome. A database
// error refuses the attempt.
func (t *throttle) reserve(ctx context.Context, account, addr string) (a attempt, ok bool, err error) {
	now := t.now()
	nowUS := store.Stamp(now)
	a = attempt{keys: [2]string{globalKey(account), pairKey(account, addr)}, nonce: randomNonce(), at: nowUS}
	limits := [2]struct {
		n         int
		base, max time.Duration
	}{{globalFailures, globalBase, globalMax}, {pairFailures, lockBase, lockMax}}
	err = t.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := t.loadRows(ctx, tx, a.keys[:])
		if err != nil {
			return err
		}
		locked := false
		for i := range rows {
			r := &rows[i]
			if now.Sub(store.Time(r.last)) > lockMemory {
				r.locks = 0
			}
			r.entries = slices.DeleteFunc(r.entries, func(e entry) bool { return now.Sub(store.Time(e.reserved)) >= accountWindow })
			if nowUS < r.until {
				locked = true
			}
		}
		if !locked {
			for i := range rows {
				r := &rows[i]
				if len(r.entries) >= limits[i].n {
					// Lock, and start counting afresh: after the lock, the
					// next attempts lock again for twice as long.
					r.entries = nil
					r.locks++
					r.until = store.Stamp(now.Add(min(limits[i].base<<min(r.locks-1, 16), limits[i].max)))
					r.last = nowUS
					locked = true
				}
			}
		}
		if !locked {
			for i := range rows {
				rows[i].entries = append(rows[i].entries, entry{reserved: nowUS, nonce: a.nonce})
				rows[i].last = nowUS
			}
		}
		for i, k := range a.keys {
			if err := saveRow(ctx, tx, k, rows[i]); err != nil {
				return err
			}
		}
		ok = !locked
		return nil
	})
	if err != nil {
		t.log.Error("auth: reserving a login attempt", "err", err)
		return a, false, err
	}
	t.pruneAccounts(ctx, now)
	return a, ok, nil
}

// outcome is how a reserved attempt ended.
type outcome int

const (
	// failed: a wrong password or code; it stays counted.
	failed outcome = iota
	// succeeded: a complete login.
	succeeded
	// withdrawn: right so far but not a complete login (the password
	// without the code a second factor needs, a re-authentication): the
	// attempt is not counted, and forgives nothing.
	withdrawn
)

// settle records the outcome of a reserved attempt and returns how many
// attempts its client address has left before its lock. A failure stays
// counted. A success removes its own reservation and, for its client
// address, the failures that had ended before it was reserved (the user
// who mistyped, then got it right); it never removes an attempt that was
// in flight beside it, nor failures counted against the account from
// other addresses.
func (t *throttle) settle(ctx context.Context, a attempt, how outcome) (left int) {
	success := how == succeeded
	now := store.Stamp(t.now())
	err := t.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := t.loadRows(ctx, tx, a.keys[:])
		if err != nil {
			return err
		}
		for i := range rows {
			pair := i == 1
			rows[i].entries = slices.DeleteFunc(rows[i].entries, func(e entry) bool {
				if e.nonce == a.nonce {
					return how != failed
				}
				// Ended by the time this attempt was reserved (the same
				// microsecond counts as before: reservations are
				// serialised, so it had ended).
				return success && pair && e.settled != 0 && e.settled <= a.at
			})
			if pair {
				left = pairFailures - len(rows[i].entries)
			}
			for j := range rows[i].entries {
				if e := &rows[i].entries[j]; e.nonce == a.nonce {
					e.settled = now
				}
			}
			if err := saveRow(ctx, tx, a.keys[i], rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.log.Error("auth: settling a login attempt", "err", err)
	}
	return left
}

// try reserves a login attempt on account from remote (the client address;
// empty for a re-authentication inside a session, which the per-address
// rate does not count). A refused attempt is a login_throttled security
// event (at most one a minute per name or address) and too_many_requests.
func (s *Service) try(ctx context.Context, account, remote, detail string, userID string) (attempt, error) {
	addr := addressKey(remote)
	ev := SecurityEvent{Kind: EventLoginThrottled, UserID: userID, Username: account, Remote: remote, Detail: detail}
	if remote != "" {
		if ok, report := s.thr.allowAddress(addr); !ok {
			if report {
				s.RecordSecurityEvent(ctx, ev)
			}
			return attempt{}, tooMany()
		}
	}
	a, ok, err := s.thr.reserve(ctx, account, addr)
	if err != nil {
		return a, err
	}
	if !ok {
		if s.thr.reportLocked(account) {
			s.RecordSecurityEvent(ctx, ev)
		}
		return a, tooMany()
	}
	return a, nil
}

// recheck re-authenticates u inside a session (a password change, removing
// the second factor): one reserved attempt, counted as a failure when the
// password is wrong.
func (s *Service) recheck(ctx context.Context, u User, hash, password, detail string) (bool, error) {
	a, err := s.try(ctx, u.Username, "", "re-authentication", u.ID)
	if err != nil {
		return false, err
	}
	if ok, _ := s.verify(ctx, hash, password); ok {
		s.thr.settle(ctx, a, withdrawn)
		return true, nil
	}
	s.thr.settle(ctx, a, failed)
	s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventReauthFailed, UserID: u.ID, Username: u.Username, Detail: detail})
	return false, nil
}

// randomNonce names one attempt among the entries of a row.
func randomNonce() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// pruneAccounts deletes, at most once a minute, the accounts whose state
// no longer affects any decision.
func (t *throttle) pruneAccounts(ctx context.Context, now time.Time) {
	t.mu.Lock()
	due := now.Sub(t.lastAccountPrune) >= time.Minute
	if due {
		t.lastAccountPrune = now
	}
	t.mu.Unlock()
	if !due {
		return
	}
	_, err := t.db.W.ExecContext(ctx, `DELETE FROM login_throttle WHERE locked_until < $1
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
