package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"parley/internal/access"
)

func TestSecondFactor(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "gov.head", "en")

	if p := b.get("/account/totp.png"); p.status != http.StatusNotFound {
		t.Errorf("QR code before enrolment: %d", p.status)
	}
	if p := b.post("/account/totp", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("begin: %d", p.status)
	}
	page := b.get("/account")
	checkPage(t, page)
	m := regexp.MustCompile(`<code class="totp-secret" dir="ltr">([A-Z2-7]+)</code>`).FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(page.body, `<img class="qr" src="/account/totp.png"`) {
		t.Fatalf("no secret or QR code on the page:\n%s", page.body)
	}
	secret := m[1]
	if strings.Contains(page.body, "?secret") || strings.Contains(page.body, "totp.png?") {
		t.Error("the secret travels in a URL")
	}
	qr := b.get("/account/totp.png")
	if qr.status != http.StatusOK || qr.header.Get("Content-Type") != "image/png" || qr.header.Get("Cache-Control") != "no-store" {
		t.Errorf("QR code: %d %q %q", qr.status, qr.header.Get("Content-Type"), qr.header.Get("Cache-Control"))
	}

	if p := b.post("/account/totp/confirm", url.Values{"code": {"000000"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="totp-code-error"`) {
		t.Errorf("wrong code: %d", p.status)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := b.post("/account/totp/confirm", url.Values{"code": {code}})
	if p.status != http.StatusOK {
		t.Fatalf("confirm: %d\n%s", p.status, p.body)
	}
	codes := regexp.MustCompile(`<li><code dir="ltr">([^<]+)</code></li>`).FindAllStringSubmatch(p.body, -1)
	if len(codes) == 0 {
		t.Fatalf("no recovery codes shown:\n%s", p.body)
	}
	if again := b.get("/account"); strings.Contains(again.body, codes[0][1]) || !strings.Contains(again.body, `data-totp="on"`) {
		t.Error("the recovery codes are shown twice, or the factor is not shown enabled")
	}

	// Logging in again now takes the second factor.
	b2 := f.browser(t, "en")
	p = b2.post("/login", url.Values{"username": {"gov.head"}, "password": {testPassword}, "next": {"/rounds/" + f.Round.ID}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login/otp") || b2.cookie == nil {
		t.Fatalf("login with TOTP: %d to %q", p.status, p.location)
	}
	for _, path := range []string{"/", "/account", "/rounds/" + f.Round.ID} {
		if p := b2.get(path); p.status != http.StatusSeeOther || p.location != "/login/otp" {
			t.Errorf("a pending session reached %s: %d to %q", path, p.status, p.location)
		}
	}
	otpPage := b2.get(p.location)
	if otpPage.status != http.StatusOK {
		t.Fatalf("otp page: %d", otpPage.status)
	}
	checkPage(t, otpPage)
	if p := b2.post("/login/otp", url.Values{"code": {"not-a-code"}, "next": {"/"}}); p.status != http.StatusUnauthorized {
		t.Errorf("wrong second factor: %d", p.status)
	}
	p = b2.post("/login/otp", url.Values{"code": {codes[0][1]}, "next": {"/rounds/" + f.Round.ID}})
	if p.status != http.StatusSeeOther || p.location != "/rounds/"+f.Round.ID {
		t.Fatalf("recovery code: %d to %q\n%s", p.status, p.location, p.body)
	}
	if p := b2.get("/rounds/" + f.Round.ID); p.status != http.StatusOK {
		t.Errorf("after the second factor: %d", p.status)
	}

	// Removing the factor needs the password.
	if p := b.post("/account/totp/disable", url.Values{"password": {"not my password"}}); p.status != http.StatusUnauthorized {
		t.Errorf("disable with a wrong password: %d", p.status)
	}
	if p := b.post("/account/totp/disable", url.Values{"password": {testPassword}}); p.status != http.StatusSeeOther {
		t.Errorf("disable: %d", p.status)
	}
}

func TestMustEnrolTOTP(t *testing.T) {
	f := newFixture(t)
	if err := f.auth.SetTOTPRequired(context.Background(), access.System, access.Party, true); err != nil {
		t.Fatal(err)
	}
	b := f.browser(t, "en")
	p := b.post("/login", url.Values{"username": {"opp.head"}, "password": {testPassword}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("login: %d\n%s", p.status, p.body)
	}
	for _, path := range []string{"/", "/rounds/" + f.Round.ID} {
		if p := b.get(path); p.status != http.StatusSeeOther || p.location != "/account" {
			t.Errorf("GET %s: %d to %q", path, p.status, p.location)
		}
	}
	if p := b.post("/rounds/"+f.Round.ID+"/consent", url.Values{"counterpart": {f.Gov.ID}, "direct": {"yes"}}); p.location != "/account" {
		t.Errorf("POST before enrolment: %d to %q", p.status, p.location)
	}
	page := b.get("/account")
	if page.status != http.StatusOK || !strings.Contains(page.body, `data-totp="off"`) || strings.Contains(page.body, `action="/account/password"`) {
		t.Errorf("the account page of an enrolling user: %d", page.status)
	}
	if strings.Contains(page.body, `<a href="/">Rounds</a>`) {
		t.Error("the navigation offers the rounds before enrolment")
	}
	if p := b.post("/account/totp", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("begin: %d", p.status)
	}
	if p := b.get("/account/totp.png"); p.status != http.StatusOK {
		t.Errorf("QR code while enrolling: %d", p.status)
	}
}

func TestAccountForms(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "opp.head", "en")

	p := b.post("/account/language", url.Values{"locale": {"ar"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("language: %d", p.status)
	}
	// The account setting wins over the browser's English.
	if p := b.get("/account"); !strings.Contains(p.body, `<html lang="ar" dir="rtl">`) {
		t.Error("the account language is not used")
	}
	if p := b.post("/account/language", url.Values{"locale": {"fr"}}); p.status != http.StatusBadRequest {
		t.Errorf("unknown language: %d", p.status)
	}
	if p := b.post("/account/language", url.Values{"locale": {""}}); p.status != http.StatusSeeOther {
		t.Errorf("browser default: %d", p.status)
	}
	if p := b.get("/account"); !strings.Contains(p.body, `<html lang="en" dir="ltr">`) {
		t.Error("the browser's language is not used after clearing the setting")
	}

	other := f.browser(t, "en")
	if p := other.post("/login", url.Values{"username": {"opp.head"}, "password": {testPassword}}); p.status != http.StatusSeeOther {
		t.Fatalf("second login: %d", p.status)
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		field  string
	}{
		{"mismatch", url.Values{"current": {testPassword}, "password": {"another long passphrase"}, "confirm": {"different"}}, 400, "password-confirm-error"},
		{"wrong current", url.Values{"current": {"wrong password!"}, "password": {"another long passphrase"}, "confirm": {"another long passphrase"}}, 401, "password-current-error"},
		{"weak", url.Values{"current": {testPassword}, "password": {"password1234"}, "confirm": {"password1234"}}, 400, "password-new-error"},
		{"ok", url.Values{"current": {testPassword}, "password": {"another long passphrase"}, "confirm": {"another long passphrase"}}, 303, ""},
	}
	for _, tt := range tests {
		p := b.post("/account/password", tt.form)
		if p.status != tt.status {
			t.Errorf("%s: status %d, want %d\n%s", tt.name, p.status, tt.status, html.UnescapeString(p.body))
		}
		if tt.field != "" && !strings.Contains(p.body, `id="`+tt.field+`"`) {
			t.Errorf("%s: no message at %s", tt.name, tt.field)
		}
		if strings.Contains(p.body, "another long passphrase") {
			t.Errorf("%s: the password is echoed", tt.name)
		}
	}
	if p := b.get("/account"); p.status != http.StatusOK {
		t.Errorf("this session ended with the password change: %d", p.status)
	}
	if p := other.get("/account"); p.status != http.StatusSeeOther {
		t.Errorf("the other session survived the password change: %d", p.status)
	}
}
