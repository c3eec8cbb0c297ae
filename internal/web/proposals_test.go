package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/talks/talkstest"
)

// TestProposalsOnTheRoundPage: a participant proposed by the host shows on
// the round page; a party's head accepts or refuses it there, a member
// cannot; the proposed organisation's head reads its invitation on the
// home page and accepts it there; it joins when its own head and both
// parties have accepted.
func TestProposalsOnTheRoundPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.Talks.ProposeParticipant(ctx, talkstest.Head(f.Host), f.Round.ID, f.Outsider.ID); err != nil {
		t.Fatalf("propose: %v", err)
	}
	round := "/rounds/" + f.Round.ID
	answer := round + "/participants/" + f.Outsider.ID
	gov := f.loggedIn(t, "gov.head", "en")
	p := gov.get(round)
	checkPage(t, p)
	if !strings.Contains(p.body, `id="proposals"`) || !strings.Contains(p.body, `action="`+answer+`"`) {
		t.Fatalf("the party head's round page lacks the proposal and its form")
	}
	if p := f.loggedIn(t, "chair", "en").get(round); !strings.Contains(p.body, `id="proposals"`) || strings.Contains(p.body, `action="`+answer+`"`) {
		t.Error("the chair sees no proposal, or a form to answer it")
	}
	if p := f.loggedIn(t, "opp.member", "en").post(answer, url.Values{"accept": {"yes"}}); p.status != http.StatusForbidden {
		t.Errorf("a member answers: %d", p.status)
	}
	outsider := f.loggedIn(t, "outsider.head", "en")
	if p := outsider.get(round); p.status != http.StatusNotFound {
		t.Fatalf("the proposed organisation reads the round before the parties accept: %d", p.status)
	}
	home := outsider.get("/")
	checkPage(t, home)
	if !strings.Contains(home.body, `id="invitations"`) || !strings.Contains(home.body, `action="`+answer+`"`) {
		t.Fatalf("the invited head's home page lacks the invitation and its form")
	}
	checkPage(t, f.loggedIn(t, "outsider.head", "ar").get("/"))
	if p := outsider.post(answer, url.Values{"accept": {"yes"}}); p.status != http.StatusSeeOther || p.location != "/#invitations" {
		t.Fatalf("the invitee accepts: %d to %q", p.status, p.location)
	}
	for _, who := range []string{"gov.head", "opp.head"} {
		if p := f.loggedIn(t, who, "en").post(answer, url.Values{"accept": {"yes"}}); p.status != http.StatusSeeOther || p.location != round+"#participants" {
			t.Fatalf("%s accepts: %d to %q", who, p.status, p.location)
		}
	}
	if p := f.loggedIn(t, "outsider.head", "en").get(round); p.status != http.StatusOK {
		t.Errorf("after both parties accepted, the newcomer reads the round: %d", p.status)
	}
}
