package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// testParams keep tests fast and small: many hashes run in parallel under
// -race on two cores. Production uses DefaultHashParams (TestDefaults).
var testParams = HashParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

const goodPassword = "kept under the carpet 42"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// capture collects the events published by the ledger.
type capture struct {
	mu     sync.Mutex
	events []ledger.Event
}

func (c *capture) Published(evs []ledger.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, evs...)
}

func (c *capture) types() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.events {
		out = append(out, e.Type)
	}
	return out
}

type fixture struct {
	s                        *Service
	db                       *store.DB
	clock                    *clock
	led                      *capture
	host, mediation, party   string // org ids
	party2                   string
	admin, member, otherUser User
	govHead                  User   // a head of the party
	key                      []byte // seals TOTP secrets
}

func addOrg(t *testing.T, db *store.DB, name string, kind access.OrgKind) string {
	t.Helper()
	id := store.NewID()
	if _, err := db.W.Exec("INSERT INTO orgs(id, name, kind, created_at) VALUES ($1, $2, $3, $4)", id, name, string(kind), store.Now()); err != nil {
		t.Fatal(err)
	}
	return id
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, clock: &clock{t: time.Date(2025, 1, 23, 9, 0, 0, 0, time.UTC)}, led: &capture{}}
	led := ledger.New(db)
	led.Subscribe(f.led)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := testParams
	f.key = make([]byte, SecretKeySize)
	rand.Read(f.key)
	f.s = New(db, led, log, Options{HashParams: &p, Now: f.clock.Now, SecretKey: f.key})
	f.host = addOrg(t, db, "Host ministry", access.Host)
	f.mediation = addOrg(t, db, "Envoy's office", access.Mediation)
	f.party = addOrg(t, db, "Government delegation", access.Party)
	f.party2 = addOrg(t, db, "Opposition delegation", access.Party)
	f.admin = f.addUser(t, "host.head", f.host, access.Head)
	f.member = f.addUser(t, "gov.member", f.party, access.Member)
	f.govHead = f.addUser(t, "gov.head", f.party, access.Head)
	f.otherUser = f.addUser(t, "opp.member", f.party2, access.Member)
	return f
}

func (f *fixture) addUser(t *testing.T, name, org string, role access.Role) User {
	t.Helper()
	u, err := f.s.AddUser(context.Background(), access.System, NewUser{Username: name, DisplayName: name, OrgID: org, Role: role, Password: goodPassword})
	if err != nil {
		t.Fatalf("AddUser(%s): %v", name, err)
	}
	return u
}

func (f *fixture) login(t *testing.T, name string, kind SessionKind) string {
	t.Helper()
	res, err := f.s.Login(context.Background(), LoginInput{Username: name, Password: goodPassword, Remote: "192.0.2.1", Kind: kind})
	if err != nil {
		t.Fatalf("Login(%s): %v", name, err)
	}
	return res.Token
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want code %q", code)
	}
	if got := errs.Code(err); got != code {
		t.Fatalf("got %v (code %q), want code %q", err, got, code)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s := New(nil, nil, nil, Options{})
	if s.params != DefaultHashParams {
		t.Fatalf("params = %+v, want defaults", s.params)
	}
	p := DefaultHashParams
	if p.Time < 2 || p.MemoryKiB < 19*1024 || p.Threads < 1 || p.KeyLen < 32 || p.SaltLen < 16 {
		t.Fatalf("defaults %+v are below argon2id t=2 m=19MiB p=1", p)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(s.dummy) {
		t.Fatalf("default hash %q is not the expected PHC string", s.dummy)
	}
	if s.opt.IdleTimeout != 30*time.Minute || s.opt.AbsoluteTimeout != 12*time.Hour || s.opt.TokenTTL != 24*time.Hour || s.opt.Issuer != "parley" {
		t.Fatalf("option defaults: %+v", s.opt)
	}
	if len(commonPasswords) < 9000 {
		t.Fatalf("common password list has %d entries", len(commonPasswords))
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pw   string
		ok   bool
		name string
	}{
		{"short", false, "too short"},
		{"elevenchars", false, "11 characters"},
		{"twelve chars", true, "12 characters"},
		{"ДвенадцатьБ!", true, "12 runes of 2 bytes"},
		{strings.Repeat("ж", 11), false, "11 runes, 22 bytes"},
		{strings.Repeat("a", 128), true, "128"},
		{strings.Repeat("a", 129), false, "129"},
		{"qwertyuiopasdfgh", false, "common"},
		{"QwertyUiopAsdfgh", false, "common in another case"},
		{"1qaz2wsx3edc", false, "common keyboard walk"},
		{"correct horse battery", true, "passphrase"},
		{"bad utf8 \xff\xfe here", false, "invalid UTF-8"},
	}
	for _, tt := range tests {
		err := CheckPasswordPolicy(tt.pw)
		if tt.ok && err != nil {
			t.Errorf("%s: %q refused: %v", tt.name, tt.pw, err)
		}
		if !tt.ok {
			if errs.Code(err) != CodeWeakPassword {
				t.Errorf("%s: %q: got %v, want weak_password", tt.name, tt.pw, err)
			} else if e, _ := errs.As(err); e.Field != "password" || e.Message == "" {
				t.Errorf("%s: error lacks field or message: %+v", tt.name, e)
			}
		}
	}
	if err := checkPasswordFor("gov.head", "my name is gov.head!"); errs.Code(err) != CodeWeakPassword {
		t.Errorf("password containing the username accepted: %v", err)
	}
}

func TestHashRoundTrip(t *testing.T) {
	t.Parallel()
	h := hashPassword(goodPassword, testParams)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h2 := hashPassword(goodPassword, testParams); h2 == h {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, tt := range []struct {
		pw string
		ok bool
	}{{goodPassword, true}, {goodPassword + " ", false}, {"", false}} {
		ok, p, err := checkHash(h, tt.pw)
		if err != nil || ok != tt.ok || p.MemoryKiB != 64 {
			t.Errorf("checkHash(%q) = %v, %+v, %v", tt.pw, ok, p, err)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, _, err := checkHash(bad, "x"); ok || err == nil {
			t.Errorf("checkHash(%q) accepted", bad)
		}
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		disabled := f.addUser(t, "gov.gone", f.party, access.Member)
		if err := f.s.Disable(ctx, f.govHead.Actor(), disabled.ID); err != nil {
			t.Fatal(err)
		}
		var messages []string
		for _, in := range []LoginInput{
			{Username: "nobody", Password: goodPassword},
			{Username: "gov.member", Password: "wrong password here"},
			{Username: "gov.gone", Password: goodPassword},
			{Username: "gov.member", Password: strings.Repeat("x", 100000)},
		} {
			for _, kind := range []SessionKind{Web, API} {
				in.Kind, in.Remote = kind, "198.51.100.7"
				before := f.s.verifies.Load()
				res, err := f.s.Login(ctx, in)
				// Every path runs argon2 exactly once: the answer costs the same.
				if n := f.s.verifies.Load() - before; n != 1 {
					t.Fatalf("%s login ran argon2 %d times", in.Username, n)
				}
				wantCode(t, err, CodeInvalidCredentials)
				if res.Token != "" {
					t.Fatal("token on failure")
				}
				messages = append(messages, err.Error())
			}
		}
		for _, m := range messages {
			if m != messages[0] {
				t.Fatalf("failure messages differ: %q vs %q", m, messages[0])
			}
		}
		if errs.Status(CodeInvalidCredentials) != 401 || errs.Status(errs.TooMany) != 429 {
			t.Fatal("status mapping")
		}
		res, err := f.s.Login(ctx, LoginInput{Username: " Gov.Member ", Password: goodPassword, Kind: Web, Remote: "198.51.100.8"})
		if err != nil || res.MFAPending || res.User.ID != f.member.ID || !wellFormed(res.Token) {
			t.Fatalf("good login: %+v, %v", res, err)
		}
		sess, err := f.s.Authenticate(ctx, res.Token, Web)
		if err != nil || sess.Actor != f.member.Actor() {
			t.Fatalf("Authenticate: %+v, %v", sess, err)
		}
		// Only the SHA-256 of the token is stored.
		var n int
		db.R.QueryRow("SELECT COUNT(*) FROM auth_sessions WHERE token_hash = $1", tokenHash(res.Token)).Scan(&n)
		if n != 1 {
			t.Fatalf("token hash rows = %d", n)
		}
	})
}

func TestThrottlePerAccount(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		login := func(name, password, remote string) error {
			t.Helper()
			_, err := f.s.Login(ctx, LoginInput{Username: name, Password: password, Kind: API, Remote: remote})
			return err
		}
		for _, name := range []string{"gov.member", "no.such.user"} {
			// Five failures from one address lock that address out of the
			// account, not the account: a stranger cannot lock the user
			// out.
			for range pairFailures {
				wantCode(t, login(name, "wrong password!!", "203.0.113.7"), CodeInvalidCredentials)
			}
			wantCode(t, login(name, goodPassword, "203.0.113.7"), errs.TooMany)
		}
		if err := login("gov.member", goodPassword, "198.51.100.1"); err != nil {
			t.Fatalf("the user is locked out by a stranger's failures: %v", err)
		}
		// The first lock lasts a minute; the next one twice as long.
		f.clock.Add(lockBase + time.Second)
		if err := login("gov.member", goodPassword, "203.0.113.7"); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		for range pairFailures {
			wantCode(t, login("no.such.user", "wrong password!!", "203.0.113.7"), CodeInvalidCredentials)
		}
		wantCode(t, login("no.such.user", "wrong password!!", "203.0.113.7"), errs.TooMany)
		f.clock.Add(90 * time.Second) // past one minute, inside the doubled lock
		wantCode(t, login("no.such.user", "wrong password!!", "203.0.113.7"), errs.TooMany)
		f.clock.Add(31 * time.Second)
		wantCode(t, login("no.such.user", "wrong password!!", "203.0.113.7"), CodeInvalidCredentials)

		// Guesses spread over many addresses lock the account too, but
		// briefly: the real user gets in within a minute however long the
		// guessing goes on.
		f.clock.Add(time.Hour)
		for round := range 6 {
			for i := range globalFailures {
				wantCode(t, login("gov.member", "wrong password!!", fmt.Sprintf("192.0.2.%d", (round*globalFailures+i)%250)), CodeInvalidCredentials)
			}
			wantCode(t, login("gov.member", goodPassword, "198.51.100.2"), errs.TooMany)
			f.clock.Add(globalMax + time.Second)
			if err := login("gov.member", goodPassword, "198.51.100.2"); err != nil {
				t.Fatalf("round %d: the user waited %v and is still locked out: %v", round, globalMax, err)
			}
		}

		// A success forgets its address's failures that ended before it:
		// 4 failures, a login, 4 more failures and the address still
		// tries.
		f.clock.Add(time.Hour)
		for round := range 2 {
			for range pairFailures - 1 {
				wantCode(t, login("gov.member", "wrong password!!", "203.0.113.54"), CodeInvalidCredentials)
			}
			if err := login("gov.member", goodPassword, "203.0.113.54"); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}

		evs, err := f.s.SecurityEvents(ctx, access.System, 1000)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range evs {
			kinds[e.Kind]++
		}
		if kinds[EventLoginThrottled] == 0 || kinds[EventLoginFailed] < 10 || kinds[EventLoginOK] == 0 {
			t.Fatalf("security events: %v", kinds)
		}
	})
}

func TestThrottlePerAddress(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for i := range addressPerMinute {
			// A different account name each time: only the address limit applies.
			_, err := f.s.Login(ctx, LoginInput{Username: "spray" + string(rune('a'+i)), Password: "wrong password!!", Kind: Web, Remote: "203.0.113.9:4000"})
			wantCode(t, err, CodeInvalidCredentials)
		}
		_, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web, Remote: "203.0.113.9:4001"})
		wantCode(t, err, errs.TooMany)
		// IPv6 clients are throttled per /64.
		for range addressPerMinute {
			f.s.Login(ctx, LoginInput{Username: "x", Password: "wrong password!!", Kind: Web, Remote: "[2001:db8:1:2::1]:443"})
		}
		_, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web, Remote: "[2001:db8:1:2:ffff::9]:443"})
		wantCode(t, err, errs.TooMany)
		// Another address is not affected.
		if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web, Remote: "203.0.113.10"}); err != nil {
			t.Fatal(err)
		}
		// The bucket refills over a minute.
		f.clock.Add(time.Minute)
		if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web, Remote: "203.0.113.9"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAddressKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.1:1234":        "192.0.2.1",
		"192.0.2.1":             "192.0.2.1",
		"[::ffff:192.0.2.1]:80": "192.0.2.1",
		"[2001:db8::1]:80":      "2001:db8::/64",
		"2001:db8:0:0:abcd::1":  "2001:db8::/64",
		"":                      "",
		"not an address":        "not an address",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ok := func(tok string, kind SessionKind) {
			t.Helper()
			if _, err := f.s.Authenticate(ctx, tok, kind); err != nil {
				t.Fatalf("Authenticate at %v: %v", f.clock.Now(), err)
			}
		}
		gone := func(tok string, kind SessionKind) {
			t.Helper()
			_, err := f.s.Authenticate(ctx, tok, kind)
			wantCode(t, err, errs.Unauthorized)
		}

		// Idle: use keeps the session alive; 30 minutes without ends it.
		web := f.login(t, "gov.member", Web)
		f.clock.Add(29 * time.Minute)
		ok(web, Web)
		f.clock.Add(29 * time.Minute)
		ok(web, Web)
		f.clock.Add(30 * time.Minute)
		gone(web, Web)
		gone(web, Web) // and it was deleted

		// Absolute: 12 hours, however active.
		web = f.login(t, "gov.member", Web)
		for range 12*60/20 - 1 {
			f.clock.Add(20 * time.Minute)
			ok(web, Web)
		}
		f.clock.Add(20 * time.Minute)
		gone(web, Web)

		// API tokens: 24 hours absolute, and the idle timeout too.
		api := f.login(t, "gov.member", API)
		for range 24*60/20 - 1 {
			f.clock.Add(20 * time.Minute)
			ok(api, API)
		}
		f.clock.Add(20 * time.Minute)
		gone(api, API)
		api = f.login(t, "gov.member", API)
		f.clock.Add(31 * time.Minute)
		gone(api, API)

		// Purge removes what is expired.
		web = f.login(t, "gov.member", Web)
		f.clock.Add(13 * time.Hour)
		n, err := f.s.PurgeExpired(ctx)
		if err != nil || n < 1 {
			t.Fatalf("PurgeExpired = %d, %v", n, err)
		}
	})
}

func TestSessionKindAndGarbage(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		web, api := f.login(t, "gov.member", Web), f.login(t, "gov.member", API)
		for _, tt := range []struct {
			tok  string
			kind SessionKind
		}{{web, API}, {api, Web}, {"", Web}, {"garbage", API}, {newToken(), Web}, {web + "x", Web}} {
			_, err := f.s.Authenticate(ctx, tt.tok, tt.kind)
			wantCode(t, err, errs.Unauthorized)
		}
		if s, err := f.s.Authenticate(ctx, api, API); err != nil || s.Kind != API {
			t.Fatalf("api token: %+v %v", s, err)
		}
	})
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		live := func(tok string, kind SessionKind) bool {
			_, err := f.s.Authenticate(ctx, tok, kind)
			return err == nil
		}

		// Logout ends one session only; twice is harmless.
		a, b := f.login(t, "gov.member", Web), f.login(t, "gov.member", Web)
		if err := f.s.Logout(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Logout(ctx, a); err != nil {
			t.Fatal(err)
		}
		if live(a, Web) || !live(b, Web) {
			t.Fatal("logout")
		}

		// Changing one's password keeps the current session, ends the others.
		c, api := f.login(t, "gov.member", Web), f.login(t, "gov.member", API)
		const next = "a different passphrase 7"
		wantCode(t, f.s.ChangePassword(ctx, f.member.Actor(), "not the password", next, c), CodeInvalidCredentials)
		wantCode(t, f.s.ChangePassword(ctx, f.member.Actor(), goodPassword, "password1234", c), CodeWeakPassword)
		if err := f.s.ChangePassword(ctx, f.member.Actor(), goodPassword, next, c); err != nil {
			t.Fatal(err)
		}
		if !live(c, Web) || live(b, Web) || live(api, API) {
			t.Fatal("password change revocation")
		}
		if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: next, Kind: Web}); err != nil {
			t.Fatal("new password refused:", err)
		}

		// An administrator's reset ends every session.
		wantCode(t, f.s.SetPassword(ctx, f.member.Actor(), f.member.ID, goodPassword), errs.Forbidden)
		if err := f.s.SetPassword(ctx, f.govHead.Actor(), f.member.ID, goodPassword); err != nil {
			t.Fatal(err)
		}
		if live(c, Web) {
			t.Fatal("session survived a reset")
		}

		// Disabling ends every session and refuses logins.
		d := f.login(t, "gov.member", API)
		wantCode(t, f.s.Disable(ctx, f.member.Actor(), f.member.ID), errs.Forbidden)
		wantCode(t, f.s.Disable(ctx, f.govHead.Actor(), f.govHead.ID), errs.Conflict)
		if err := f.s.Disable(ctx, f.govHead.Actor(), f.member.ID); err != nil {
			t.Fatal(err)
		}
		if live(d, API) {
			t.Fatal("session survived disable")
		}
		_, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: API})
		wantCode(t, err, CodeInvalidCredentials)

		// A user may revoke their own sessions, not someone else's.
		e := f.login(t, "opp.member", Web)
		wantCode(t, f.s.RevokeSessions(ctx, f.member.Actor(), f.otherUser.ID), errs.Forbidden)
		if err := f.s.RevokeSessions(ctx, f.otherUser.Actor(), f.otherUser.ID); err != nil || live(e, Web) {
			t.Fatal("RevokeSessions", err)
		}

		want := []string{"user.password_change", "user.password_reset", "user.disable"}
		got := strings.Join(f.led.types(), " ")
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("ledger events %q lack %q", got, w)
			}
		}
	})
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTP(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		me := f.member.Actor()

		enr, err := f.s.BeginTOTP(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(enr.QRPNG, []byte("\x89PNG\r\n\x1a\n")) || !strings.HasPrefix(enr.URL, "otpauth://totp/parley:gov.member?") || len(enr.Secret) < 32 {
			t.Fatalf("enrolment: %q %q %d bytes", enr.URL, enr.Secret, len(enr.QRPNG))
		}
		_, err = f.s.ConfirmTOTP(ctx, me, enr.Secret, "000000", "")
		wantCode(t, err, errs.Invalid)
		recovery, err := f.s.ConfirmTOTP(ctx, me, enr.Secret, code(t, enr.Secret, f.clock.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(recovery) != RecoveryCodes {
			t.Fatalf("%d recovery codes", len(recovery))
		}
		var stored string
		db.R.QueryRow("SELECT code_hash FROM recovery_codes WHERE user_id = $1 LIMIT 1", f.member.ID).Scan(&stored)
		for _, r := range recovery {
			if strings.Contains(stored, strings.ReplaceAll(r, "-", "")) {
				t.Fatal("recovery code stored in clear")
			}
		}
		if _, err := f.s.BeginTOTP(ctx, me); errs.Code(err) != errs.Conflict {
			t.Fatalf("second enrolment: %v", err)
		}

		// Web: the password opens a pending session only.
		res, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web})
		if err != nil || !res.MFAPending {
			t.Fatalf("login: %+v %v", res, err)
		}
		sess, err := f.s.Authenticate(ctx, res.Token, Web)
		if err != nil || !sess.MFAPending || !sess.Actor.Anonymous() || sess.User.ID != f.member.ID {
			t.Fatalf("pending session: %+v %v", sess, err)
		}
		// The code used to confirm enrolment cannot be used again.
		wantCode(t, f.s.CompleteSecondFactor(ctx, res.Token, code(t, enr.Secret, f.clock.Now()), ""), CodeInvalidCredentials)
		f.clock.Add(30 * time.Second)
		c := code(t, enr.Secret, f.clock.Now())
		if err := f.s.CompleteSecondFactor(ctx, res.Token, c, ""); err != nil {
			t.Fatal(err)
		}
		sess, err = f.s.Authenticate(ctx, res.Token, Web)
		if err != nil || sess.MFAPending || sess.Actor != f.member.Actor() {
			t.Fatalf("completed session: %+v %v", sess, err)
		}
		// Completing a full session again is refused.
		wantCode(t, f.s.CompleteSecondFactor(ctx, res.Token, c, ""), errs.Unauthorized)

		// API: the code comes with the password, once.
		_, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: API})
		wantCode(t, err, CodeOTPRequired)
		_, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, OTP: c, Kind: API})
		wantCode(t, err, CodeInvalidCredentials)
		f.clock.Add(30 * time.Second)
		c = code(t, enr.Secret, f.clock.Now())
		if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, OTP: c, Kind: API}); err != nil {
			t.Fatal(err)
		}
		// An older code inside the skew window is refused after a newer one.
		old := code(t, enr.Secret, f.clock.Now().Add(-30*time.Second))
		_, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, OTP: old, Kind: API})
		wantCode(t, err, CodeInvalidCredentials)

		// Recovery codes: any case, with or without the dash, once each.
		typed := strings.ToUpper(strings.ReplaceAll(recovery[3], "-", ""))
		if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, OTP: typed, Kind: API}); err != nil {
			t.Fatal("recovery code:", err)
		}
		_, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, OTP: recovery[3], Kind: API})
		wantCode(t, err, CodeInvalidCredentials)
		res, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.CompleteSecondFactor(ctx, res.Token, recovery[4], ""); err != nil {
			t.Fatal("recovery code as second factor:", err)
		}
		// Re-authentication needs the code too.
		wantCode(t, f.s.VerifyPassword(ctx, me, goodPassword, ""), CodeOTPRequired)
		wantCode(t, f.s.VerifyPassword(ctx, me, "wrong password!!", recovery[5]), CodeInvalidCredentials)
		if err := f.s.VerifyPassword(ctx, me, goodPassword, recovery[5]); err != nil {
			t.Fatal(err)
		}

		// Wrong codes lock the account and end the pending session.
		f.clock.Add(16 * time.Minute)
		res, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web})
		if err != nil {
			t.Fatal(err)
		}
		for range accountFailures {
			wantCode(t, f.s.CompleteSecondFactor(ctx, res.Token, "123456", ""), CodeInvalidCredentials)
		}
		if _, err := f.s.Authenticate(ctx, res.Token, Web); errs.Code(err) != errs.Unauthorized {
			t.Fatalf("pending session survived the lock: %v", err)
		}

		// Disabling needs the password and removes the recovery codes.
		f.clock.Add(time.Hour)
		wantCode(t, f.s.DisableTOTP(ctx, me, "wrong password!!", ""), CodeInvalidCredentials)
		if err := f.s.DisableTOTP(ctx, me, goodPassword, ""); err != nil {
			t.Fatal(err)
		}
		var n int
		db.R.QueryRow("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1", f.member.ID).Scan(&n)
		if n != 0 {
			t.Fatalf("%d recovery codes left", n)
		}
		if res, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web}); err != nil || res.MFAPending {
			t.Fatalf("login without TOTP: %+v %v", res, err)
		}
	})
}

func TestPendingSessionExpires(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		enr, _ := f.s.BeginTOTP(ctx, f.member.Actor())
		if _, err := f.s.ConfirmTOTP(ctx, f.member.Actor(), enr.Secret, code(t, enr.Secret, f.clock.Now()), ""); err != nil {
			t.Fatal(err)
		}
		res, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(PendingTTL)
		wantCode(t, f.s.CompleteSecondFactor(ctx, res.Token, code(t, enr.Secret, f.clock.Now()), ""), errs.Unauthorized)
		// An administrator can reset a lost authenticator.
		wantCode(t, f.s.ResetTOTP(ctx, f.member.Actor(), f.member.ID), errs.Forbidden)
		if err := f.s.ResetTOTP(ctx, access.System, f.member.ID); err != nil {
			t.Fatal(err)
		}
		if u, _ := f.s.User(ctx, f.member.ID); u.TOTPEnabled {
			t.Fatal("TOTP still enabled after reset")
		}
	})
}

func TestTOTPRequired(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		wantCode(t, f.s.SetTOTPRequired(ctx, f.member.Actor(), access.Party, true), errs.Forbidden)
		// A host's head no longer sets the policy of every party.
		wantCode(t, f.s.SetTOTPRequired(ctx, f.admin.Actor(), access.Party, false), errs.Forbidden)
		wantCode(t, f.s.SetTOTPRequired(ctx, access.System, "pirates", true), errs.Invalid)
		for _, req := range []bool{true, false, true} {
			if err := f.s.SetTOTPRequired(ctx, access.System, access.Party, req); err != nil {
				t.Fatal(err)
			}
			if got, err := f.s.TOTPRequired(ctx, access.Party); err != nil || got != req {
				t.Fatalf("TOTPRequired = %v, %v", got, err)
			}
		}
		if got, _ := f.s.TOTPRequired(ctx, access.Observer); got {
			t.Fatal("observer required")
		}
		u, _ := f.s.User(ctx, f.member.ID)
		if !u.MustEnrolTOTP {
			t.Fatal("MustEnrolTOTP not set")
		}
		if a, _ := f.s.User(ctx, f.admin.ID); a.MustEnrolTOTP {
			t.Fatal("host user must enrol")
		}
		// The web login works (the page sends the user to enrolment); an
		// API token would bypass the policy and is refused.
		res, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: Web})
		if err != nil || !res.User.MustEnrolTOTP {
			t.Fatalf("web login: %+v %v", res, err)
		}
		_, err = f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Kind: API})
		wantCode(t, err, CodeTOTPEnrolmentRequired)
		enr, _ := f.s.BeginTOTP(ctx, f.member.Actor())
		if _, err := f.s.ConfirmTOTP(ctx, f.member.Actor(), enr.Secret, code(t, enr.Secret, f.clock.Now()), ""); err != nil {
			t.Fatal(err)
		}
		if u, _ := f.s.User(ctx, f.member.ID); u.MustEnrolTOTP || !u.TOTPEnabled {
			t.Fatalf("after enrolment: %+v", u)
		}
	})
}

func TestUserAdministration(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := NewUser{Username: "opp.spokes", DisplayName: "Spokesman", OrgID: f.party2, Role: access.Spokesperson, Password: goodPassword, Locale: "ru"}
		oppHead := f.addUser(t, "opp.head", f.party2, access.Head)

		bad := []struct {
			edit  func(*NewUser)
			code  string
			field string
		}{
			{func(n *NewUser) { n.Username = "A" }, errs.Invalid, "username"},
			{func(n *NewUser) { n.Username = "Upper.Case" }, errs.Invalid, "username"},
			{func(n *NewUser) { n.Username = strings.Repeat("a", 65) }, errs.Invalid, "username"},
			{func(n *NewUser) { n.Role = "king" }, errs.Invalid, "role"},
			{func(n *NewUser) { n.OrgID = store.NewID() }, errs.Invalid, "org"},
			{func(n *NewUser) { n.OrgID = "x" }, errs.Invalid, "org"},
			{func(n *NewUser) { n.Locale = "fr" }, errs.Invalid, "locale"},
			{func(n *NewUser) { n.Password = "short" }, CodeWeakPassword, "password"},
			{func(n *NewUser) { n.Username = "gov.member" }, errs.Conflict, "username"},
		}
		for _, b := range bad {
			n := in
			b.edit(&n)
			_, err := f.s.AddUser(ctx, access.System, n)
			e, ok := errs.As(err)
			if !ok || e.Code != b.code || e.Field != b.field {
				t.Errorf("AddUser(%+v) = %v, want %s on %s", n, err, b.code, b.field)
			}
		}
		for _, actor := range []access.Actor{{}, f.member.Actor(), f.admin.Actor(), f.govHead.Actor(), {User: "x", Org: f.party2, OrgKind: access.Party, Role: access.Member}} {
			_, err := f.s.AddUser(ctx, actor, in)
			wantCode(t, err, errs.Forbidden)
		}
		u, err := f.s.AddUser(ctx, oppHead.Actor(), in)
		if err != nil {
			t.Fatal(err)
		}
		if u.OrgName != "Opposition delegation" || u.OrgKind != access.Party || u.Role != access.Spokesperson || u.Locale != "ru" {
			t.Fatalf("user %+v", u)
		}

		// Lists: the operator sees everyone, others their organisation.
		all, err := f.s.ListUsers(ctx, access.System)
		if err != nil || len(all) != 6 {
			t.Fatalf("admin list: %d %v", len(all), err)
		}
		mine, err := f.s.ListUsers(ctx, f.otherUser.Actor())
		if err != nil || len(mine) != 3 || mine[0].Username != "opp.head" || mine[1].Username != "opp.member" || mine[2].Username != "opp.spokes" {
			t.Fatalf("party list: %+v %v", mine, err)
		}
		_, err = f.s.ListUsers(ctx, access.Actor{})
		wantCode(t, err, errs.Unauthorized)
		if _, err := f.s.UserByUsername(ctx, f.otherUser.Actor(), "opp.spokes"); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.UserByUsername(ctx, f.member.Actor(), "opp.spokes")
		wantCode(t, err, errs.NotFound)
		if _, err := f.s.UserByUsername(ctx, oppHead.Actor(), "OPP.SPOKES"); err != nil {
			t.Fatal(err)
		}

		// Roles.
		wantCode(t, f.s.SetRole(ctx, f.member.Actor(), u.ID, access.Head), errs.Forbidden)
		wantCode(t, f.s.SetRole(ctx, oppHead.Actor(), u.ID, "king"), errs.Invalid)
		wantCode(t, f.s.SetRole(ctx, oppHead.Actor(), store.NewID(), access.Head), errs.NotFound)
		tok := f.login(t, "opp.spokes", API)
		if err := f.s.SetRole(ctx, oppHead.Actor(), u.ID, access.Head); err != nil {
			t.Fatal(err)
		}
		if s, err := f.s.Authenticate(ctx, tok, API); err != nil || s.Actor.Role != access.Head {
			t.Fatalf("role not read afresh: %+v %v", s, err)
		}

		// Locale.
		wantCode(t, f.s.SetLocale(ctx, u.Actor(), "de"), errs.Invalid)
		if err := f.s.SetLocale(ctx, u.Actor(), "ar"); err != nil {
			t.Fatal(err)
		}
		if u2, _ := f.s.User(ctx, u.ID); u2.Locale != "ar" {
			t.Fatalf("locale %q", u2.Locale)
		}

		// Ledger events: the audience is the user's organisation alone;
		// content names no secret.
		f.led.mu.Lock()
		defer f.led.mu.Unlock()
		var seen int
		for _, e := range f.led.events {
			if e.ObjectID != u.ID {
				continue
			}
			seen++
			want := access.Of(f.party2)
			if strings.Join(e.Audience, ",") != strings.Join(want, ",") {
				t.Errorf("%s audience %v, want %v", e.Type, e.Audience, want)
			}
			var c map[string]any
			if err := json.Unmarshal(e.Content, &c); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(e.Content, []byte("argon2")) || bytes.Contains(e.Content, []byte(goodPassword)) {
				t.Errorf("%s content leaks a secret: %s", e.Type, e.Content)
			}
		}
		if seen != 2 { // user.add, user.role
			t.Errorf("%d ledger events for the new user", seen)
		}
	})
}

func TestSecurityEvents(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.s.Login(ctx, LoginInput{Username: "gov.member", Password: "wrong password!!", Kind: Web, Remote: "192.0.2.44"})
		tok := f.login(t, "gov.member", Web)
		f.s.Logout(ctx, tok)
		f.s.RecordSecurityEvent(ctx, SecurityEvent{Kind: EventAccessDenied, UserID: f.member.ID, Username: "gov.member", Detail: "GET /admin"})
		_, err := f.s.SecurityEvents(ctx, f.member.Actor(), 10)
		wantCode(t, err, errs.Forbidden)
		evs, err := f.s.SecurityEvents(ctx, f.govHead.Actor(), 0)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, e := range evs {
			kinds[e.Kind] = true
			if e.Kind == EventLoginFailed && (e.Remote != "192.0.2.44" || e.UserID != f.member.ID) {
				t.Errorf("login_failed event %+v", e)
			}
			if strings.Contains(e.Detail, "wrong password!!") {
				t.Errorf("event detail holds a password: %+v", e)
			}
		}
		for _, k := range []string{EventUserAdded, EventLoginFailed, EventLoginOK, EventLogout, EventAccessDenied} {
			if !kinds[k] {
				t.Errorf("no %s event in %v", k, kinds)
			}
		}
		if evs, _ := f.s.SecurityEvents(ctx, access.System, 2); len(evs) != 2 {
			t.Errorf("limit: %d events", len(evs))
		}
	})
}

func TestSecondFactorSingleUseUnderRace(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		me := f.member.Actor()
		enr, _ := f.s.BeginTOTP(ctx, me)
		recovery, err := f.s.ConfirmTOTP(ctx, me, enr.Secret, code(t, enr.Secret, f.clock.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(30 * time.Second)
		for _, otp := range []string{code(t, enr.Secret, f.clock.Now()), recovery[0]} {
			const n = 4
			var wg sync.WaitGroup
			results := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, OTP: otp, Kind: API, Remote: "192.0.2." + string(rune('1'+i))})
					results <- err
				}()
			}
			wg.Wait()
			close(results)
			ok := 0
			for err := range results {
				if err == nil {
					ok++
				} else if errs.Code(err) != CodeInvalidCredentials {
					t.Fatal(err)
				}
			}
			if ok != 1 {
				t.Fatalf("code %q accepted %d times", otp, ok)
			}
		}
	})
}
