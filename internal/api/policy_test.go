package api_test

import (
	"context"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestSecondFactorPolicy: the operator requires a second factor of the
// parties; a party member without one can then no longer get an API token,
// while others can; the policy reads back, and no account that logs in —
// a party's or the mediation's — changes it: it binds every organisation
// of the kind.
func TestSecondFactorPolicy(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		put := func(user string, body any) response {
			return f.do(t, f.token[user], "PUT", "/api/v1/policies/second-factor", body)
		}
		if res := put("gov.head", map[string]any{"kind": "party", "required": true}); res.status != 403 {
			t.Fatalf("a party set the policy: %d %s", res.status, res.body)
		}
		for _, bad := range []map[string]any{{"kind": "nobody", "required": true}, {"kind": "party"}} {
			if res := put("mediator", bad); res.status != 400 {
				t.Errorf("%v: %d %s", bad, res.status, res.body)
			}
		}
		if res := put("mediator", map[string]any{"kind": "party", "required": true}); res.status != 403 {
			t.Fatalf("the mediation set the parties' policy: %d %s", res.status, res.body)
		}
		if err := f.auth.SetTOTPRequired(context.Background(), access.System, access.Party, true); err != nil {
			t.Fatal(err)
		}
		var got struct{ Required map[string]bool }
		f.do(t, f.token["observer.us"], "GET", "/api/v1/policies/second-factor", nil).decode(t, &got)
		if !got.Required["party"] || got.Required["observer"] || len(got.Required) != 7 {
			t.Errorf("policy read back: %v", got.Required)
		}
		res := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "opp.head", "password": testPassword})
		if res.status != 403 || !strings.Contains(string(res.body), "totp_enrolment_required") {
			t.Errorf("unenrolled party login: %d %s", res.status, res.body)
		}
		if res := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "observer.us", "password": testPassword}); res.status != 200 {
			t.Errorf("observer login: %d %s", res.status, res.body)
		}
	})
}
