package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestDeskDraftsStayInTheRound: a draft written on the statements desk
// shows on the desk of the mediation taking part in the author's round,
// and not on that of a mediation organisation taking part in no round.
// Before, every mediation organisation of the installation read it, and
// its kind alone gave it the desk's section of others' drafts.
func TestDeskDraftsStayInTheRound(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixtureOn(t, db)
		withChannel(t, f)
		ctx := context.Background()
		idle, err := f.Talks.AddOrg(ctx, access.System, "Mediation of no round", "idle", access.Mediation)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.AddUser(ctx, access.System, auth.NewUser{Username: "idle.head", OrgID: idle.ID, Role: access.Head, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		const title = "Draft of the government on the corridors"
		if p := f.loggedIn(t, "gov.head", "en").post("/statements", url.Values{"title": {title}, "body": {"Not for every mediation."}}); p.status != http.StatusSeeOther {
			t.Fatalf("draft: %d\n%s", p.status, p.body)
		}
		for _, c := range []struct {
			user  string
			reads bool
		}{{"mediator", true}, {"idle.head", false}, {"opp.head", false}} {
			p := f.loggedIn(t, c.user, "en").get("/statements/desk")
			if p.status != http.StatusOK {
				t.Fatalf("%s desk: %d", c.user, p.status)
			}
			if got := strings.Contains(p.body, title); got != c.reads {
				t.Errorf("%s's desk shows the government's draft: %v, want %v", c.user, got, c.reads)
			}
			// The section of others' drafts follows the capacity too: a
			// mediation organisation taking part in no round has none.
			if got := strings.Contains(p.body, `id="others"`); got != c.reads {
				t.Errorf("%s's desk has the section of others' drafts: %v, want %v", c.user, got, c.reads)
			}
		}
	})
}
