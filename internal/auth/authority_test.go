package auth

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestAuthority: an organisation's members are administered by its own
// heads and by the operator, and by nobody else. Before, any head of a host
// or mediation organisation administered every account of the
// installation: the host's head planted a head in the government's
// delegation, and the head of a mediation taking part in nothing disabled
// the government's head and read the whole security log.
func TestAuthority(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		medHead := f.addUser(t, "med.head", f.mediation, access.Head)
		newGov := func(name string, role access.Role) NewUser {
			return NewUser{Username: name, OrgID: f.party, Role: role, Password: goodPassword}
		}

		// Heads of another organisation, whatever its kind, are refused
		// every act on the government's members.
		for _, outsider := range []User{f.admin, medHead, f.otherUser} {
			a := outsider.Actor()
			_, err := f.s.AddUser(ctx, a, newGov("planted."+outsider.Username, access.Head))
			wantCode(t, err, errs.Forbidden)
			for name, err := range map[string]error{
				"disable":  f.s.Disable(ctx, a, f.govHead.ID),
				"role":     f.s.SetRole(ctx, a, f.member.ID, access.Head),
				"password": f.s.SetPassword(ctx, a, f.govHead.ID, "a password chosen by someone else"),
				"totp":     f.s.ResetTOTP(ctx, a, f.govHead.ID),
				"enable":   f.s.Enable(ctx, a, f.member.ID),
				"sessions": f.s.RevokeSessions(ctx, a, f.govHead.ID),
			} {
				if c := errs.Code(err); c != errs.NotFound && c != errs.Forbidden {
					t.Errorf("%s by %s: %v, want refused", name, outsider.Username, err)
				}
			}
			if _, err := f.s.UserByUsername(ctx, a, "gov.head"); errs.Code(err) != errs.NotFound {
				t.Errorf("%s finds gov.head: %v", outsider.Username, err)
			}
		}
		if u, _ := f.s.User(ctx, f.govHead.ID); u.Disabled || u.Role != access.Head {
			t.Fatalf("gov.head changed by outsiders: %+v", u)
		}
		if u, _ := f.s.User(ctx, f.member.ID); u.Role != access.Member {
			t.Fatalf("gov.member changed by outsiders: %+v", u)
		}

		// The security log: the host's head reads its own organisation's
		// events, not the government's.
		if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: "wrong password!!", Kind: API, Remote: "192.0.2.9"}); err == nil {
			t.Fatal("wrong password accepted")
		}
		for _, reader := range []User{f.admin, medHead} {
			evs, err := f.s.SecurityEvents(ctx, reader.Actor(), 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.UserID == f.member.ID || e.UserID == f.govHead.ID {
					t.Errorf("%s reads the government's security event %+v", reader.Username, e)
				}
			}
		}
		evs, err := f.s.SecurityEvents(ctx, f.govHead.Actor(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range evs {
			found = found || e.Kind == EventLoginFailed && e.UserID == f.member.ID
		}
		if !found {
			t.Error("gov.head does not read its member's failed login")
		}

		// The government's own head administers its members.
		adviser, err := f.s.AddUser(ctx, f.govHead.Actor(), newGov("gov.adviser", access.Adviser))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetRole(ctx, f.govHead.Actor(), adviser.ID, access.Clerk); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Disable(ctx, f.govHead.Actor(), adviser.ID); err != nil {
			t.Fatal(err)
		}
		// A member of the government is not its head.
		_, err = f.s.AddUser(ctx, f.member.Actor(), newGov("gov.friend", access.Member))
		wantCode(t, err, errs.Forbidden)

		// The operator recovers an organisation whose heads are locked
		// out, and its act is an event the organisation reads.
		if err := f.s.SetPassword(ctx, access.System, f.govHead.ID, "a recovered passphrase"); err != nil {
			t.Fatal(err)
		}
		f.led.mu.Lock()
		defer f.led.mu.Unlock()
		var operatorActs int
		for _, e := range f.led.events {
			if e.Type == "user.password_reset" && e.ObjectID == f.govHead.ID {
				operatorActs++
				if !e.Audience.Contains(f.party) || e.Audience.Contains(f.host) || e.Audience.Contains(f.mediation) {
					t.Errorf("operator's reset audience %v, want the government alone", e.Audience)
				}
			}
		}
		if operatorActs != 1 {
			t.Errorf("%d operator reset events", operatorActs)
		}
	})
}

// TestHeadActsOnMember: every act of a head on a member of its own
// organisation, through the members page or the API, is a ledger event
// read by that organisation alone; enabling gives a disabled member its
// logins back, and ending the member's sessions or resetting its second
// factor logs it out everywhere. Before, re-enabling did not exist, and a
// second-factor reset or the end of a member's sessions left no event.
func TestHeadActsOnMember(t *testing.T) {
	t.Parallel()
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		head := f.govHead.Actor()
		live := func() bool {
			var n int
			if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM auth_sessions WHERE user_id = $1", f.member.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		}
		f.login(t, "gov.member", Web)
		if err := f.s.RevokeSessions(ctx, head, f.member.ID); err != nil || live() {
			t.Fatalf("ending the member's sessions: %v, live %v", err, live())
		}
		f.login(t, "gov.member", Web)
		if err := f.s.ResetTOTP(ctx, head, f.member.ID); err != nil || live() {
			t.Fatalf("resetting the member's second factor: %v, live %v", err, live())
		}
		if err := f.s.Disable(ctx, head, f.member.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Login(ctx, LoginInput{Username: "gov.member", Password: goodPassword, Remote: "192.0.2.1", Kind: Web}); err == nil {
			t.Fatal("a disabled member logs in")
		}
		// A member of the organisation is not its head.
		wantCode(t, f.s.Enable(ctx, f.member.Actor(), f.member.ID), errs.Forbidden)
		if err := f.s.Enable(ctx, head, f.member.ID); err != nil {
			t.Fatal(err)
		}
		if u, _ := f.s.User(ctx, f.member.ID); u.Disabled {
			t.Fatal("still disabled")
		}
		f.login(t, "gov.member", Web)

		f.led.mu.Lock()
		defer f.led.mu.Unlock()
		seen := map[string]int{}
		for _, e := range f.led.events {
			if e.ObjectID != f.member.ID {
				continue
			}
			seen[e.Type]++
			if !e.Audience.Contains(f.party) || len(e.Audience) != 1 {
				t.Errorf("%s audience %v, want the government alone", e.Type, e.Audience)
			}
		}
		for _, typ := range []string{"user.sessions_ended", "user.totp_reset", "user.disable", "user.enable"} {
			if seen[typ] != 1 {
				t.Errorf("%d %s events, want 1 (%v)", seen[typ], typ, seen)
			}
		}
	})
}
