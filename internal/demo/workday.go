package demo

import (
	"context"
	"fmt"
	"strings"

	"parley/examples/geniusweb"
	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/bargain"
	"parley/internal/channel"
	"parley/internal/localized"
	"parley/internal/talks"
	"parley/internal/text"
)

// The round in progress (issue 11): a newcomer who logs in finds the work
// of a mediation team half-way through its day, not an empty shell:
// conversation threads with a relay, a negotiating text at Rev.2 with its
// brackets and the parties' positions, a package analysis with both
// parties' profiles, and a released statement about the round.

// Services are the domain services the working day is written through:
// every item goes through the same rules, audiences and ledger events as
// one written on the pages.
type Services struct {
	Auth    *auth.Service
	Talks   *talks.Service
	Channel *channel.Service
	Text    *text.Service
	Bargain *bargain.Service
	// Localized, when set, gives the text's title and the statement their
	// Arabic, Russian and Turkish versions (names.go).
	Localized *localized.Service
}

// rev1 is the mediation's first text: two options on the scope, a
// contentious bracket on the deadline and one awaiting instructions.
const rev1 = `# Arrangements for the nationwide ceasefire

The parties,

Reaffirming their commitment to the ceasefire that entered into force on 30 December 2016,

## Ceasefire

1. The parties shall observe the ceasefire
A) throughout the country.
B) in all areas except those held by groups listed by the Security Council.
2. Violations shall be reported to the joint monitoring group [within 24 hours].
3. The guarantors shall [?meet every two weeks] to review the reports.

## Humanitarian access

4. Convoys shall reach besieged areas [without prior notification].
`

// SeedWorkday writes the round's working day into a freshly seeded demo.
func SeedWorkday(ctx context.Context, s Services) error {
	actor := map[string]access.Actor{}
	for _, name := range []string{"chair", "mediator", "gov.head", "opp.head"} {
		u, err := s.Auth.UserByUsername(ctx, access.System, name)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", name, err)
		}
		actor[name] = u.Actor()
	}
	chair, med, gov, opp := actor["chair"], actor["mediator"], actor["gov.head"], actor["opp.head"]
	rounds, err := s.Talks.Rounds(ctx, chair)
	if err != nil || len(rounds) == 0 {
		return fmt.Errorf("demo: the round: %v", err)
	}
	round := rounds[0]
	steps := []func() error{
		func() error { return seedThreads(ctx, s, round.ID, med, gov, opp) },
		func() error { return seedText(ctx, s, round.ID, med, gov, opp) },
		func() error { return seedAnalysis(ctx, s, round.ID, med, gov, opp) },
		func() error { return seedStatement(ctx, s, round.ID, chair) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}

// seedThreads writes each party's thread with the mediation, and a relay of
// the opposition's proposal to the government, without attribution.
func seedThreads(ctx context.Context, s Services, round string, med, gov, opp access.Actor) error {
	send := func(a access.Actor, body string, to ...string) (channel.Message, error) {
		return s.Channel.Send(ctx, a, round, channel.NewMessage{To: to, Body: body})
	}
	proposal, err := send(opp, "We are ready to extend the ceasefire to the eastern districts if the siege of the southern towns is lifted first. Please put this to the other side without naming us.", "mediation")
	if err != nil {
		return err
	}
	if _, err := send(gov, "Our delegation asks that violations be reported within 24 hours, not 48. We will not accept foreign observers in the monitoring group.", "mediation"); err != nil {
		return err
	}
	if _, err := send(opp, "Our legal adviser will join the proximity session this afternoon.", "mediation"); err != nil {
		return err
	}
	if _, err := s.Channel.Relay(ctx, med, proposal.ID, channel.RelayInput{To: []string{gov.Org},
		Body: "One side has indicated it could extend the ceasefire to the eastern districts if the siege of the southern towns is lifted first. How would your delegation answer?"}); err != nil {
		return err
	}
	_, err = send(gov, "Lifting the siege first is not acceptable. We could consider a simultaneous step, verified by the guarantors.", "mediation")
	return err
}

// seedText issues Rev.1, records the parties' positions, and issues Rev.2
// with paragraph 2 changed: the positions on the other paragraphs carry
// over; the text still holds brackets.
func seedText(ctx context.Context, s Services, round string, med, gov, opp access.Actor) error {
	t, err := s.Text.Create(ctx, med, round, text.NewText{Source: rev1})
	if err != nil {
		return err
	}
	if _, err := s.Text.Issue(ctx, med, t.ID); err != nil {
		return err
	}
	if s.Localized != nil {
		if err := nameIn(ctx, s.Localized, med, "text", t.ID, map[string]string{"title": t.Title}); err != nil {
			return err
		}
	}
	positions := []struct {
		who access.Actor
		p   int
		in  text.PositionInput
	}{
		{gov, 1, text.PositionInput{Alternative: "B", Stance: text.Accept}},
		{opp, 1, text.PositionInput{Alternative: "A", Stance: text.Accept}},
		{gov, 2, text.PositionInput{Stance: text.Accept}},
		{opp, 2, text.PositionInput{Stance: text.Amend, Wording: "Violations shall be reported to the joint monitoring group within 48 hours.", Comment: "24 hours cannot be met in the besieged areas."}},
		{gov, 3, text.PositionInput{Stance: text.Reserve, Comment: "Awaiting instructions from the capital."}},
		{opp, 3, text.PositionInput{Stance: text.Accept}},
		{gov, 4, text.PositionInput{Stance: text.Reject, Comment: "Convoys must be notified."}},
		{opp, 4, text.PositionInput{Stance: text.Accept}},
	}
	for _, p := range positions {
		if _, err := s.Text.SetPosition(ctx, p.who, t.ID, 1, p.p, p.in); err != nil {
			return err
		}
	}
	rev2 := strings.Replace(rev1, "[within 24 hours]", "within [36] hours", 1)
	if _, err := s.Text.SaveDraft(ctx, med, t.ID, rev2); err != nil {
		return err
	}
	_, err = s.Text.Issue(ctx, med, t.ID)
	return err
}

// seedAnalysis sets out the example GeniusWeb domain and imports both
// parties' confidential profiles (examples/geniusweb).
func seedAnalysis(ctx context.Context, s Services, round string, med, gov, opp access.Actor) error {
	if _, err := s.Bargain.ImportDomain(ctx, med, round, geniusweb.Domain); err != nil {
		return err
	}
	if _, err := s.Bargain.ImportProfile(ctx, gov, round, "geniusweb", geniusweb.Government, false); err != nil {
		return err
	}
	_, err := s.Bargain.ImportProfile(ctx, opp, round, "geniusweb", geniusweb.Opposition, false)
	return err
}

// seedStatement releases the host's opening statement about the round.
func seedStatement(ctx context.Context, s Services, round string, chair access.Actor) error {
	st, err := s.Channel.CreateStatement(ctx, chair, channel.NewStatement{RoundID: round, Title: statementTitle, Body: statementBody})
	if err != nil {
		return err
	}
	// Its translations are given while it is a draft: a released
	// statement changes no more.
	if s.Localized != nil {
		if err := nameIn(ctx, s.Localized, chair, "statement", st.ID, map[string]string{"title": st.Title, "body": st.Body}); err != nil {
			return err
		}
	}
	_, err = s.Channel.ReleaseStatement(ctx, chair, st.ID)
	return err
}
