package auth

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
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

type accountState struct {
	failures    []time.Time
	locks       int
	lockedUntil time.Time
	lastFailure time.Time
	reported    time.Time
}

type addressState struct {
	lim      *rate.Limiter
	last     time.Time
	reported time.Time
}

// throttle is the in-memory login throttle of one process.
type throttle struct {
	now func() time.Time

	mu        sync.Mutex
	accounts  map[string]*accountState
	addresses map[string]*addressState
	lastPrune time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, accounts: map[string]*accountState{}, addresses: map[string]*addressState{}}
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
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
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
		return false, report
	}
	if ac := t.accounts[account]; ac != nil && now.Before(ac.lockedUntil) {
		report = now.Sub(ac.reported) >= throttleReportEvery
		if report {
			ac.reported = now
		}
		return false, report
	}
	return true, false
}

// locked reports whether the account name is locked now, without consuming
// an attempt (second-factor steps of a login already counted).
func (t *throttle) locked(account string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	ac := t.accounts[account]
	return ac != nil && t.now().Before(ac.lockedUntil)
}

// fail records a failed attempt on the account name and reports whether it
// locked the account.
func (t *throttle) fail(account string) (locked bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	ac := t.accounts[account]
	if ac == nil {
		ac = &accountState{}
		t.accounts[account] = ac
	}
	if now.Sub(ac.lastFailure) > lockMemory {
		ac.locks = 0
	}
	ac.lastFailure = now
	kept := ac.failures[:0]
	for _, f := range ac.failures {
		if now.Sub(f) < accountWindow {
			kept = append(kept, f)
		}
	}
	ac.failures = append(kept, now)
	if len(ac.failures) < accountFailures {
		return false
	}
	// Lock, and start counting afresh: after the lock, the next
	// accountFailures failures lock again for twice as long.
	ac.failures = ac.failures[:0]
	ac.locks++
	d := lockBase << min(ac.locks-1, 16)
	ac.lockedUntil = now.Add(min(d, lockMax))
	return true
}

// succeed forgets the account's failures after a complete login.
func (t *throttle) succeed(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, account)
}

// prune drops state that no longer affects any decision, at most once a
// minute, so memory stays bounded by recent traffic. Called with mu held.
func (t *throttle) prune(now time.Time) {
	if now.Sub(t.lastPrune) < time.Minute {
		return
	}
	t.lastPrune = now
	for k, ac := range t.accounts {
		idle := now.Sub(ac.lastFailure)
		if now.After(ac.lockedUntil) && (idle > lockMemory || ac.locks == 0 && idle > accountWindow) {
			delete(t.accounts, k)
		}
	}
	for k, as := range t.addresses {
		// A bucket idle for a minute has refilled completely.
		if now.Sub(as.last) > time.Minute {
			delete(t.addresses, k)
		}
	}
}
