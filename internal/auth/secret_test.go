package auth

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestTOTPSecretSealed: the TOTP secret is sealed in the database, opens
// only for its own user under the same key, and a secret an earlier
// version stored in clear is sealed by SealSecrets and keeps working.
func TestTOTPSecretSealed(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		me := f.member.Actor()
		enr, err := f.s.BeginTOTP(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ConfirmTOTP(ctx, me, enr.Secret, code(t, enr.Secret, f.clock.Now()), ""); err != nil {
			t.Fatal(err)
		}
		stored := func(id string) string {
			var s string
			if err := db.R.QueryRow("SELECT totp_secret FROM users WHERE id = $1", id).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		col := stored(f.member.ID)
		if !strings.HasPrefix(col, sealedPrefix) || strings.Contains(col, enr.Secret) {
			t.Fatalf("stored secret %q is not sealed", col)
		}
		if got, err := f.s.openSecret(f.member.ID, col); err != nil || got != enr.Secret {
			t.Fatalf("openSecret: %q %v", got, err)
		}
		// Moved onto another user's row, or opened with another key, it
		// does not open.
		if _, err := f.s.openSecret(f.otherUser.ID, col); err == nil {
			t.Errorf("a sealed secret opens for another user")
		}
		other := New(db, ledger.New(db), slog.New(slog.NewTextHandler(io.Discard, nil)), Options{SecretKey: make([]byte, SecretKeySize)})
		if _, err := other.openSecret(f.member.ID, col); err == nil {
			t.Errorf("a sealed secret opens under another key")
		}

		// A secret stored in clear by an earlier version: sealed at start,
		// and the user's codes still work.
		legacy := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		if _, err := db.W.Exec("UPDATE users SET totp_secret = $1, totp_enabled = $2 WHERE id = $3", legacy, true, f.otherUser.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.SealSecrets(ctx); err != nil || n != 1 {
			t.Fatalf("SealSecrets = %d, %v; want 1", n, err)
		}
		if col := stored(f.otherUser.ID); !strings.HasPrefix(col, sealedPrefix) || strings.Contains(col, legacy) {
			t.Fatalf("legacy secret still in clear: %q", col)
		}
		if n, err := f.s.SealSecrets(ctx); err != nil || n != 0 {
			t.Errorf("SealSecrets again = %d, %v; want 0", n, err)
		}
		u, err := f.s.User(ctx, f.otherUser.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		ok, err := f.s.checkSecondFactor(ctx, u, code(t, legacy, f.clock.Now()), "")
		if err != nil || !ok {
			t.Errorf("the sealed legacy secret's code: %v %v", ok, err)
		}
	})
}

// TestThrottleAcrossProcesses: two services on one database, as two parley
// processes behind a load balancer, count the same failures: guesses spread
// over both lock the account on both.
func TestThrottleAcrossProcesses(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		p := testParams
		other := New(db, ledger.New(db), slog.New(slog.NewTextHandler(io.Discard, nil)), Options{HashParams: &p, Now: f.clock.Now, SecretKey: f.key})
		for i := range accountFailures {
			s := f.s
			if i%2 == 1 {
				s = other
			}
			_, err := s.Login(ctx, LoginInput{Username: "gov.member", Password: "wrong password!!", Kind: API, Remote: "198.51.100.7"})
			wantCode(t, err, CodeInvalidCredentials)
		}
		for _, s := range []*Service{f.s, other} {
			_, err := s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: API, Remote: "198.51.100.7"})
			wantCode(t, err, errs.TooMany)
		}
		f.clock.Add(lockBase + time.Second)
		if _, err := other.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: API, Remote: "198.51.100.7"}); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		var failures string
		db.R.QueryRow("SELECT failures FROM login_throttle WHERE account = $1", pairKey("gov.member", "198.51.100.7")).Scan(&failures)
		if failures != "" {
			t.Errorf("a successful login left failures %q", failures)
		}
	})
}
