package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFailedAttemptsShown: after failed logins to an account, its next
// login lands on the account page, which says how many there were.
func TestFailedAttemptsShown(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "en")
	for range 2 {
		if p := b.post("/login", url.Values{"username": {"opp.member"}, "password": {"not the password"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", p.status)
		}
	}
	p := b.post("/login", url.Values{"username": {"opp.member"}, "password": {testPassword}})
	if p.status != http.StatusSeeOther || p.location != "/account#failed-attempts" {
		t.Fatalf("login after failures: %d to %q", p.status, p.location)
	}
	a := b.get("/account")
	checkPage(t, a)
	if !strings.Contains(a.body, `id="failed-attempts"`) || !strings.Contains(a.body, "since your previous login: 2.") {
		t.Errorf("the account page does not tell of the 2 failed attempts")
	}
}
