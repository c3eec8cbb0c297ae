package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/access"
)

// TestPastShareOnTheRoundPage: a party's head sees, beside the round's
// participants, the offer to let a mediation that joined later read what
// the party sent the mediation before; it grants it there, once; a member
// sees no offer and may not grant.
func TestPastShareOnTheRoundPage(t *testing.T) {
	f := newFixture(t)
	med2 := f.JoinLater(t, "Second mediation", access.Mediation)
	round := "/rounds/" + f.Round.ID
	grant := round + "/past-shares/" + med2.ID
	gov := f.loggedIn(t, "gov.head", "en")
	p := gov.get(round)
	checkPage(t, p)
	if !strings.Contains(p.body, `id="past-shares"`) || !strings.Contains(p.body, `action="`+grant+`"`) {
		t.Fatal("the party head's round page lacks the offer")
	}
	if strings.Contains(p.body, `/past-shares/`+f.Mediation.ID) {
		t.Error("the page offers the grant to the mediation that was there from the start")
	}
	member := f.loggedIn(t, "opp.member", "en")
	if p := member.get(round); strings.Contains(p.body, `action="`+grant+`"`) {
		t.Error("a member is offered the grant")
	}
	if p := member.post(grant, url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("a member grants: %d", p.status)
	}
	if p := gov.post(grant, url.Values{}); p.status != http.StatusSeeOther || p.location != round+"#past-shares" {
		t.Fatalf("the head grants: %d to %q", p.status, p.location)
	}
	p = gov.get(round)
	if strings.Contains(p.body, `action="`+grant+`"`) || !strings.Contains(p.body, "past-share-"+f.Gov.ID+"-"+med2.ID) {
		t.Error("after the grant the page still offers it, or does not list it")
	}
	for _, lang := range []string{"ar", "ru", "tr"} {
		checkPage(t, f.loggedIn(t, "gov.head", lang).get(round))
	}
}
