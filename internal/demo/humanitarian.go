package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/humanitarian"
	"parley/internal/talks"
)

// SeedHumanitarian writes the demo's humanitarian access into a database
// Seed has just seeded: three besieged areas held by different sides, a
// dozen and more convoys in every state over the last two months, and two
// commitments of the round, one kept and one broken. The history is
// written in the order it happened, on the service's clock, which is given
// back to time.Now at the end.
func SeedHumanitarian(ctx context.Context, hs *humanitarian.Service, ts *talks.Service, as *auth.Service) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("demo humanitarian access: %w", err)
		}
	}()
	now := time.Now().UTC().Truncate(time.Hour)
	day := func(d float64) time.Time { return now.Add(time.Duration(d * 24 * float64(time.Hour))) }
	var clock time.Time
	hs.SetClock(func() time.Time { return clock })
	defer hs.SetClock(time.Now)

	actor := map[string]access.Actor{}
	for _, name := range []string{"ocha", "icrc", "gov.head", "opp.head", "mediator"} {
		u, err := as.UserByUsername(ctx, access.System, name)
		if err != nil {
			return err
		}
		actor[name] = u.Actor()
	}
	org := map[string]string{}
	orgs, err := ts.Orgs(ctx, access.System)
	if err != nil {
		return err
	}
	for _, o := range Orgs {
		for _, x := range orgs {
			if x.Name == o.Name {
				org[o.Key] = x.ID
			}
		}
	}
	rounds, err := ts.Rounds(ctx, actor["mediator"])
	if err != nil || len(rounds) == 0 {
		return fmt.Errorf("no demo round: %v", err)
	}
	round := rounds[0]

	clock = day(-70)
	areas := []humanitarian.NewLocation{
		{Name: "Madaya", Admin1: "Rural Damascus", Admin2: "Az-Zabadani", Lat: 33.6886, Lon: 36.0970, Population: 40000,
			PopulationSource: "UN inter-agency assessment", PopulationDate: day(-90).Format(time.DateOnly),
			ControlledBy: org["opp"], BesiegedBy: org["gov"], Status: humanitarian.Besieged},
		{Name: "Foua and Kefraya", Admin1: "Idlib", Admin2: "Idlib", Lat: 35.9858, Lon: 36.7003, Population: 20000,
			PopulationSource: "UN inter-agency assessment", PopulationDate: day(-90).Format(time.DateOnly),
			ControlledBy: org["gov"], BesiegedBy: org["opp"], Status: humanitarian.Besieged},
		{Name: "Deir ez-Zor, western districts", Admin1: "Deir ez-Zor", Admin2: "Deir ez-Zor", Lat: 35.3359, Lon: 40.1408, Population: 93500,
			PopulationSource: "UN estimate", PopulationDate: day(-90).Format(time.DateOnly),
			ControlledBy: org["gov"], Status: humanitarian.Besieged,
			Polygon: []byte(`{"type":"Polygon","coordinates":[[[40.10,35.31],[40.17,35.31],[40.18,35.35],[40.12,35.37],[40.10,35.31]]]}`)},
	}
	loc := map[string]string{}
	for i, in := range areas {
		l, err := hs.CreateLocation(ctx, actor[[]string{"ocha", "ocha", "icrc"}[i]], round.ProcessID, in)
		if err != nil {
			return err
		}
		loc[[]string{"madaya", "foua", "deir"}[i]] = l.ID
	}

	food := humanitarian.NewItem{Name: "food parcels", Unit: "carton", Requested: 4000}
	flour := humanitarian.NewItem{Name: "wheat flour", Unit: "t", Requested: 60}
	medical := humanitarian.NewItem{Name: "medical kits", Unit: "kit", Requested: 120}
	surgical := humanitarian.NewItem{Name: "surgical kits", Unit: "kit", Requested: 30}
	water := humanitarian.NewItem{Name: "water purification", Unit: "box", Requested: 500}
	q := func(v float64) *float64 { return &v }
	approve := func(d float64, who string) step {
		return step{d, who, humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.Approved}}
	}
	partial := func(d float64, who, reason string, items ...humanitarian.StepItemInput) step {
		return step{d, who, humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.PartiallyApproved, Items: items, Reason: reason}}
	}
	by := func(d float64, who, kind string) step { return step{d, who, humanitarian.StepInput{Step: kind}} }
	pass := func(d float64, who, cp string) step {
		return step{d, who, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: cp, Outcome: humanitarian.Passed}}
	}
	hold := func(d float64, who, cp, holder, reason string) step {
		return step{d, who, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: cp, Outcome: humanitarian.Held, By: holder, Reason: reason}}
	}
	remove := func(d float64, who, cp, holder, reason string, items ...humanitarian.StepItemInput) step {
		return step{d, who, humanitarian.StepInput{Step: humanitarian.StepCheckpoint, Checkpoint: cp, Outcome: humanitarian.ItemsRemoved,
			By: holder, Removed: items, Reason: reason}}
	}
	it := func(name string, v float64) humanitarian.StepItemInput {
		return humanitarian.StepItemInput{Name: name, Quantity: q(v), Reason: "listed as not authorised at the checkpoint"}
	}
	madayaRoute := []string{"Az-Zabadani junction", "Madaya south gate"}
	fouaRoute := []string{"Idlib ring road", "Foua east entrance"}
	deirRoute := []string{"Palmyra road", "Deir ez-Zor airport road"}
	// Foua and Kefraya is reached every twelve days: the commitment of
	// access every fourteen days is kept.
	var convoys []plan
	for i, d := range []float64{-59, -47, -35, -23, -11} {
		steps := []step{approve(d+0.5, "gov.head"), approve(d+1, "opp.head"), by(d+1.5, "ocha", humanitarian.StepDispatched),
			pass(d+1.6, "ocha", fouaRoute[0]), pass(d+1.8, "ocha", fouaRoute[1]), by(d+2, "ocha", humanitarian.StepDelivered)}
		if i == 3 {
			steps = slices.Insert(steps, 4, hold(d+1.7, "ocha", fouaRoute[1], org["opp"], "search of every lorry"))
		}
		convoys = append(convoys, plan{d, "ocha", "foua", []string{"gov", "opp"}, []humanitarian.NewItem{food, medical, water}, fouaRoute, steps})
	}
	// Madaya: one delivery, with surgical kits cut from the approval and
	// medical kits removed at a checkpoint; a denial; no answer; a
	// partial delivery five weeks later: the commitment is broken.
	convoys = append(convoys,
		plan{-58, "ocha", "madaya", []string{"gov"}, []humanitarian.NewItem{food, flour, medical, surgical}, madayaRoute, []step{
			partial(-56, "gov.head", "surgical supplies need a separate authorisation", it("surgical kits", 0), it("medical kits", 80)),
			by(-55.5, "ocha", humanitarian.StepDispatched),
			remove(-55.3, "ocha", madayaRoute[0], org["gov"], "medical items removed by the checkpoint", it("medical kits", 35)),
			pass(-55.2, "ocha", madayaRoute[1]),
			by(-55, "ocha", humanitarian.StepDelivered)}},
		plan{-45, "ocha", "madaya", []string{"gov"}, []humanitarian.NewItem{food, flour, medical}, madayaRoute, []step{
			{-43, "gov.head", humanitarian.StepInput{Step: humanitarian.StepApproval, Decision: humanitarian.Denied, Reason: "security conditions on the route"}}}},
		plan{-35, "ocha", "madaya", []string{"gov"}, []humanitarian.NewItem{food, medical}, madayaRoute, nil},
		plan{-26, "ocha", "madaya", []string{"gov"}, []humanitarian.NewItem{food, flour, medical, surgical}, madayaRoute, []step{
			partial(-22, "gov.head", "surgical supplies excluded", it("surgical kits", 0)),
			by(-20.6, "ocha", humanitarian.StepDispatched),
			remove(-20.4, "ocha", madayaRoute[0], org["gov"], "", it("medical kits", 60)),
			pass(-20.3, "ocha", madayaRoute[1]),
			{-20, "ocha", humanitarian.StepInput{Step: humanitarian.StepPartiallyDelivered, Reason: "unloading stopped at nightfall",
				Items: []humanitarian.StepItemInput{{Name: "food parcels", Quantity: q(2500)}, {Name: "wheat flour", Quantity: q(60)}, {Name: "medical kits", Quantity: q(60)}}}}}},
		plan{-6, "ocha", "madaya", []string{"gov"}, []humanitarian.NewItem{food, medical, surgical}, madayaRoute, []step{
			partial(-3, "gov.head", "", it("surgical kits", 10))}},
		plan{-2, "ocha", "madaya", []string{"gov"}, []humanitarian.NewItem{food, water}, madayaRoute, nil},
	)
	// Deir ez-Zor, reached by road through the government's lines.
	convoys = append(convoys,
		plan{-30, "icrc", "deir", []string{"gov"}, []humanitarian.NewItem{flour, medical}, deirRoute, []step{
			approve(-27, "gov.head"), by(-26.5, "icrc", humanitarian.StepDispatched),
			hold(-26.2, "icrc", deirRoute[0], "", "fighting on the road"),
			{-25, "icrc", humanitarian.StepInput{Step: humanitarian.StepTurnedBack, Reason: "the road stayed closed"}}}},
		plan{-12, "icrc", "deir", []string{"gov"}, []humanitarian.NewItem{flour, water}, deirRoute, []step{approve(-10, "gov.head")}},
		plan{-5, "icrc", "deir", []string{"gov"}, []humanitarian.NewItem{medical, water}, deirRoute, []step{
			approve(-4, "gov.head"), by(-1.5, "icrc", humanitarian.StepDispatched), pass(-1.2, "icrc", deirRoute[0]),
			hold(-1, "icrc", deirRoute[1], org["gov"], "papers checked again")}},
		plan{-3, "icrc", "deir", []string{"gov"}, []humanitarian.NewItem{food}, deirRoute, []step{
			approve(-2, "gov.head"), by(-0.5, "icrc", humanitarian.StepDispatched)}},
	)

	type action struct {
		at  time.Time
		run func() error
	}
	ids := make([]string, len(convoys))
	acts := []action{}
	for _, c := range []struct{ loc, title string }{{"foua", "Access to Foua and Kefraya every 14 days"}, {"madaya", "Access to Madaya every 14 days"}} {
		acts = append(acts, action{day(-60), func() error {
			_, err := hs.CreateCommitment(ctx, actor["mediator"], round.ProcessID, humanitarian.NewCommitment{
				Round: round.ID, Location: loc[c.loc], Title: c.title, CadenceDays: 14, Starts: day(-60)})
			return err
		}})
	}
	for i, p := range convoys {
		in := humanitarian.NewConvoy{Destination: loc[p.loc], Items: p.items, Route: p.route}
		for _, party := range p.parties {
			in.Approvals = append(in.Approvals, humanitarian.NewApproval{Party: org[party], Due: day(p.day + 7)})
		}
		acts = append(acts, action{day(p.day), func() error {
			cv, err := hs.RequestConvoy(ctx, actor[p.agency], round.ProcessID, in)
			ids[i] = cv.ID
			return err
		}})
		for _, s := range p.steps {
			acts = append(acts, action{day(s.day), func() error {
				_, err := hs.RecordStep(ctx, actor[s.who], ids[i], s.in)
				return err
			}})
		}
	}
	slices.SortStableFunc(acts, func(a, b action) int { return a.at.Compare(b.at) })
	for _, a := range acts {
		clock = a.at
		if err := a.run(); err != nil {
			return err
		}
	}
	return nil
}

// plan is one demo convoy: requested on day (relative to today) by an
// agency, for a location, with the parties whose approval it needs, and
// its steps.
type plan struct {
	day     float64
	agency  string
	loc     string
	parties []string
	items   []humanitarian.NewItem
	route   []string
	steps   []step
}

// step is one step of a demo convoy, on a day, by a demo user.
type step struct {
	day float64
	who string
	in  humanitarian.StepInput
}
