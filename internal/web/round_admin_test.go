package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestProposeOnTheAdministrationTab: the chair proposes the outsider on
// the round's administration tab; the government's head finds the
// proposal waiting for it in the round page's overview, and no longer
// once it has answered. The government's head has no administration tab.
func TestProposeOnTheAdministrationTab(t *testing.T) {
	f := newFixture(t)
	round := "/rounds/" + f.Round.ID
	chair, gov := f.loggedIn(t, "chair", "en"), f.loggedIn(t, "gov.head", "en")
	if p := gov.get(round + "/admin"); p.status != http.StatusNotFound {
		t.Fatalf("the government's head opens the administration tab: %d", p.status)
	}
	admin := chair.get(round + "/admin")
	checkPage(t, admin)
	if !strings.Contains(admin.body, `id="propose-form"`) || !strings.Contains(admin.body, `value="`+f.Outsider.ID+`"`) {
		t.Fatal("the administration tab offers no proposal of the outsider")
	}
	if p := chair.post(round+"/participants", url.Values{"org": {f.Outsider.ID}}); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, round+"/admin?done=proposed") {
		t.Fatalf("proposing: %d to %q", p.status, p.location)
	}
	waiting := `<a href="#proposals">`
	if p := gov.get(round); !strings.Contains(p.body, waiting) {
		t.Error("the proposal does not wait for the government's head in the overview")
	}
	if p := gov.post(round+"/participants/"+f.Outsider.ID, url.Values{"accept": {"yes"}}); p.status != http.StatusSeeOther {
		t.Fatalf("accepting: %d", p.status)
	}
	if p := gov.get(round); strings.Contains(p.body, waiting) {
		t.Error("an answered proposal still waits for the government")
	}
}
