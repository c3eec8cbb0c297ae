package api_test

import (
	"context"
	"testing"

	"parley/internal/access"
	"parley/internal/api"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestInvitationsAPI: a head who opens a round through the API puts only
// its own organisation into it; the others named are invited, read their
// invitation, and join only when their own head (and, once parties take
// part, every party) accepts. Before, they took part at once.
func TestInvitationsAPI(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var r1 api.RoundDetailJSON
		f.do(t, f.token["chair"], "GET", "/api/v1/rounds/"+f.round1, nil).decode(t, &r1)
		res := f.do(t, f.token["chair"], "POST", "/api/v1/rounds", map[string]any{
			"process_id": r1.ProcessID, "name": "Round 3", "participants": []string{f.org["gov"], f.org["opp"], f.org["un"]}})
		if res.status != 201 {
			t.Fatalf("create round: %d %s", res.status, res.body)
		}
		var r3 api.RoundJSON
		res.decode(t, &r3)
		if len(r3.Participants) != 1 || r3.Participants[0].Org.ID != f.org["host"] {
			t.Fatalf("the round's participants: %+v, want the host alone", r3.Participants)
		}
		if res := f.do(t, f.token["gov.head"], "GET", "/api/v1/rounds/"+r3.ID, nil); res.status != 404 {
			t.Fatalf("an invited party reads the round: %d", res.status)
		}
		var inv struct{ Invitations []api.InvitationJSON }
		f.do(t, f.token["gov.head"], "GET", "/api/v1/invitations", nil).decode(t, &inv)
		if len(inv.Invitations) != 1 || inv.Invitations[0].RoundID != r3.ID || inv.Invitations[0].Org != f.org["gov"] ||
			len(inv.Invitations[0].Participants) != 1 {
			t.Fatalf("invitations = %+v", inv)
		}
		answer := func(user, org string, accept bool) response {
			return f.do(t, f.token[user], "PUT", "/api/v1/rounds/"+r3.ID+"/participants/"+org, map[string]bool{"accept": accept})
		}
		if res := answer("mediator", f.org["gov"], true); res.status != 404 {
			t.Fatalf("another invitee answers for the government: %d %s", res.status, res.body)
		}
		if res := answer("chair", f.org["gov"], true); res.status != 403 {
			t.Fatalf("the host answers for the government: %d %s", res.status, res.body)
		}
		var p api.ProposalJSON
		if res := answer("gov.head", f.org["gov"], true); res.status != 200 {
			t.Fatalf("the government accepts: %d %s", res.status, res.body)
		} else if res.decode(t, &p); !p.Joined {
			t.Fatalf("the government did not join: %s", res.body)
		}
		if res := answer("mediator", f.org["un"], true); res.status != 200 {
			t.Fatalf("the mediation accepts: %d %s", res.status, res.body)
		} else if res.decode(t, &p); p.Joined {
			t.Fatalf("the mediation joined without the government's acceptance: %s", res.body)
		}
		var got api.RoundDetailJSON
		f.do(t, f.token["gov.head"], "GET", "/api/v1/rounds/"+r3.ID, nil).decode(t, &got)
		consented := map[string]bool{}
		for _, pr := range got.Proposals {
			consented[pr.Org] = pr.Consented
		}
		if len(got.Proposals) != 2 || !consented[f.org["un"]] || consented[f.org["opp"]] {
			t.Fatalf("the government reads proposals %+v", got.Proposals)
		}
		if res := answer("gov.head", f.org["un"], true); res.status != 200 {
			t.Fatalf("the government accepts the mediation: %d %s", res.status, res.body)
		} else if res.decode(t, &p); !p.Joined {
			t.Fatalf("the mediation did not join: %s", res.body)
		}
		// A proposal by a round administrator needs the invitee too.
		if res := f.do(t, f.token["chair"], "POST", "/api/v1/rounds/"+r3.ID+"/participants", map[string]string{"org": f.org["ru"]}); res.status != 202 {
			t.Fatalf("propose: %d %s", res.status, res.body)
		}
		res = answer("gov.head", f.org["ru"], true)
		if res.decode(t, &p); res.status != 200 || p.Joined {
			t.Fatalf("the guarantor joined without its own acceptance: %d %s", res.status, res.body)
		}
		res = answer("guarantor.ru", f.org["ru"], true)
		if res.decode(t, &p); res.status != 200 || !p.Joined {
			t.Fatalf("the guarantor's acceptance: %d %s", res.status, res.body)
		}
	})
}

// TestPastShareAPI: POST /api/v1/rounds/{id}/past-shares, a head's grant of
// its organisation's past material to a later mediation, with its codes.
func TestPastShareAPI(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		m2, err := f.talks.AddOrg(ctx, access.System, "Second mediation", "", access.Mediation)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.talks.AddParticipant(ctx, access.System, f.round1, m2.ID); err != nil {
			t.Fatal(err)
		}
		share := func(user, round string, body any) response {
			return f.do(t, f.token[user], "POST", "/api/v1/rounds/"+round+"/past-shares", body)
		}
		for _, c := range []struct {
			name, user, round string
			body              any
			status            int
			code              string
		}{
			{"no body", "gov.head", f.round1, map[string]string{}, 400, "invalid"},
			{"a party as the newcomer", "gov.head", f.round1, map[string]string{"with": f.org["opp"]}, 400, "invalid"},
			{"a mediation outside the round", "gov.head", f.round2, map[string]string{"with": m2.ID}, 400, "invalid"},
			{"a round the organisation is not in", "opp.head", f.round2, map[string]string{"with": f.org["un"]}, 404, "not_found"},
			{"anonymous", "", f.round1, map[string]string{"with": m2.ID}, 401, "unauthorized"},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := share(c.user, c.round, c.body)
				if res.status != c.status || res.errorCode() != c.code {
					t.Fatalf("%d %s, want %d %s", res.status, res.body, c.status, c.code)
				}
			})
		}
		if res := share("gov.head", f.round1, map[string]string{"with": m2.ID}); res.status != 201 {
			t.Fatalf("share: %d %s", res.status, res.body)
		}
		if res := share("gov.head", f.round1, map[string]string{"with": m2.ID}); res.status != 409 {
			t.Fatalf("share again: %d %s", res.status, res.body)
		}
		var gov, opp api.RoundDetailJSON
		f.do(t, f.token["gov.head"], "GET", "/api/v1/rounds/"+f.round1, nil).decode(t, &gov)
		f.do(t, f.token["opp.head"], "GET", "/api/v1/rounds/"+f.round1, nil).decode(t, &opp)
		if len(gov.PastShares) != 1 || gov.PastShares[0].Org != f.org["gov"] || gov.PastShares[0].With != m2.ID || len(opp.PastShares) != 0 {
			t.Fatalf("past shares: the government reads %+v, the opposition %+v", gov.PastShares, opp.PastShares)
		}
	})
}
