package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestThrottleBurst: sixteen wrong passwords sent at once from one address
// get five tries between them, exactly as five sent one after the other;
// the others are refused before any hash is compared. Before, all sixteen
// were compared (the lock only affected later requests).
func TestThrottleBurst(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		const n = 16
		before := f.s.verifies.Load()
		codes := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: "wrong password!!", Kind: API, Remote: "203.0.113.9"})
				codes <- errs.Code(err)
			}()
		}
		wg.Wait()
		close(codes)
		count := map[string]int{}
		for c := range codes {
			count[c]++
		}
		if count[CodeInvalidCredentials] != pairFailures || count[errs.TooMany] != n-pairFailures {
			t.Errorf("a burst of %d: %v, want %d compared and the rest refused", n, count, pairFailures)
		}
		if got := f.s.verifies.Load() - before; got != pairFailures {
			t.Errorf("%d hashes compared, want %d", got, pairFailures)
		}
	})
}

// TestSuccessKeepsConcurrentFailures: a success forgets the failures of
// its address that had ended before it began, never one made beside it.
// Before, a correct password inside a burst erased every failure of the
// account, the concurrent ones included.
func TestSuccessKeepsConcurrentFailures(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		reserve := func() attempt {
			t.Helper()
			a, ok, err := f.s.thr.reserve(ctx, "gov.member", "203.0.113.10")
			if err != nil || !ok {
				t.Fatalf("reserve: %v %v", ok, err)
			}
			return a
		}
		before := reserve()
		f.s.thr.settle(ctx, before, failed)
		f.clock.Add(time.Second)
		concurrent, success := reserve(), reserve()
		if left := f.s.thr.settle(ctx, success, succeeded); left != pairFailures-1 {
			t.Errorf("after the success, %d attempts left, want %d (the concurrent one still in flight)", left, pairFailures-1)
		}
		if left := f.s.thr.settle(ctx, concurrent, failed); left != pairFailures-1 {
			t.Errorf("the concurrent failure: %d attempts left, want %d", left, pairFailures-1)
		}
		// The account's row keeps every failure from every address.
		var failures string
		db.R.QueryRow("SELECT failures FROM login_throttle WHERE account = $1", globalKey("gov.member")).Scan(&failures)
		if got := len(parseEntries(failures)); got != 2 {
			t.Errorf("the account's row holds %d failures, want 2", got)
		}
	})
}

// TestSecondFactorChangeEndsOtherSessions: enrolling or removing a second
// factor ends the user's other sessions and tokens, and keeps the one
// making the change. Before, both left them alive.
func TestSecondFactorChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		me := f.member.Actor()
		live := func(token string, kind SessionKind) bool {
			_, err := f.s.Authenticate(ctx, token, kind)
			return err == nil
		}
		current, other, api := f.login(t, "gov.member", Web), f.login(t, "gov.member", Web), f.login(t, "gov.member", API)
		enr, err := f.s.BeginTOTP(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ConfirmTOTP(ctx, me, enr.Secret, code(t, enr.Secret, f.clock.Now()), current); err != nil {
			t.Fatal(err)
		}
		if !live(current, Web) || live(other, Web) || live(api, API) {
			t.Fatalf("after enrolling: current %v, other %v, token %v", live(current, Web), live(other, Web), live(api, API))
		}
		f.clock.Add(30 * time.Second)
		other2, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, OTP: code(t, enr.Secret, f.clock.Now()), Kind: API})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.DisableTOTP(ctx, me, goodPassword, current); err != nil {
			t.Fatal(err)
		}
		if !live(current, Web) || live(other2.Token, API) {
			t.Fatalf("after removing: current %v, other %v", live(current, Web), live(other2.Token, API))
		}
	})
}

// TestFailedAttemptsTold: a login tells the user how many logins to the
// account failed since the previous one.
func TestFailedAttemptsTold(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.login(t, "gov.member", API)
		for i := range 3 {
			f.clock.Add(time.Second)
			if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: "wrong password!!", Kind: API, Remote: "203.0.113.1" + string(rune('0'+i))}); err == nil {
				t.Fatal("a wrong password logged in")
			}
		}
		f.clock.Add(time.Second)
		res, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: API, Remote: "198.51.100.3"})
		if err != nil || res.FailedAttempts != 3 {
			t.Fatalf("login: %d failed attempts told, %v; want 3", res.FailedAttempts, err)
		}
		if n := f.s.FailedSinceLastLogin(ctx, res.User.Actor()); n != 3 {
			t.Errorf("account page: %d failed attempts, want 3", n)
		}
		f.clock.Add(time.Second)
		if res, _ := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: API, Remote: "198.51.100.3"}); res.FailedAttempts != 0 {
			t.Errorf("the next login is told of %d failed attempts", res.FailedAttempts)
		}
	})
}
