// Package demo seeds a data folder with a round modelled on the first round
// of the 2017 Astana talks on Syria: a host convenes it, a UN mediation team
// works between a government and an opposition delegation that refuses direct
// talks, guarantor states sponsor it and an outside power observes. The
// wording is parley's own.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/talks"
)

// Org is one demo organisation.
type Org struct {
	Key, Name, Short string
	Kind             access.OrgKind
}

// Orgs are the demo organisations, in the order they are created.
var Orgs = []Org{
	{"host", "Ministry of Foreign Affairs of Kazakhstan", "Host", access.Host},
	{"un", "UN mediation team", "UN", access.Mediation},
	{"gov", "Government of the Syrian Arab Republic delegation", "Government", access.Party},
	{"opp", "Syrian opposition delegation", "Opposition", access.Party},
	{"ru", "Russian Federation", "Russia", access.Guarantor},
	{"tr", "Republic of Turkey", "Turkey", access.Guarantor},
	{"ir", "Islamic Republic of Iran", "Iran", access.Guarantor},
	{"us", "United States", "US", access.Observer},
	{"jmg", "Joint ceasefire monitoring group", "Monitoring group", access.Monitor},
	{"ocha", "UN Office for the Coordination of Humanitarian Affairs", "OCHA", access.Agency},
	{"icrc", "International Committee of the Red Cross", "ICRC", access.Agency},
}

// Account is one demo login.
type Account struct {
	Username, DisplayName, OrgKey, OrgName string
	Role                                   access.Role
}

// Accounts are the demo logins (DESIGN.md "The demo").
var Accounts = []Account{
	{"chair", "Chair of the round", "host", "", access.Head},
	{"mediator", "Lead mediator", "un", "", access.Head},
	{"gov.head", "Head of the government delegation", "gov", "", access.Head},
	{"gov.member", "Government delegation member", "gov", "", access.Member},
	{"opp.head", "Head of the opposition delegation", "opp", "", access.Head},
	{"opp.spokesperson", "Opposition spokesperson", "opp", "", access.Spokesperson},
	{"opp.member", "Opposition delegation member", "opp", "", access.Member},
	{"guarantor.ru", "Russian guarantor representative", "ru", "", access.Head},
	{"guarantor.tr", "Turkish guarantor representative", "tr", "", access.Head},
	{"guarantor.ir", "Iranian guarantor representative", "ir", "", access.Head},
	{"observer.us", "US observer", "us", "", access.Head},
	{"monitor", "Monitoring group officer", "jmg", "", access.Head},
	{"ocha", "OCHA humanitarian affairs officer", "ocha", "", access.Head},
	{"icrc", "ICRC detention delegate", "icrc", "", access.Head},
}

// RoundName is the name of the seeded round.
const RoundName = "Astana, round 1"

func init() {
	for i := range Accounts {
		for _, o := range Orgs {
			if o.Key == Accounts[i].OrgKey {
				Accounts[i].OrgName = o.Name
			}
		}
	}
}

// GeneratePassword returns a random password of four groups of five
// lower-case letters and digits (about 100 bits).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	var b [20]byte
	rand.Read(b[:])
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String()
}

// Seed writes the demo into an empty database. A database that already holds
// the demo is left alone (seeded is false); one that holds other data is
// refused, so the demo never mixes with real talks.
func Seed(ctx context.Context, ts *talks.Service, as *auth.Service, password string) (seeded bool, err error) {
	existing, err := ts.Orgs(ctx, access.System)
	if err != nil {
		return false, err
	}
	for _, o := range existing {
		if o.Name == Orgs[0].Name {
			return false, nil
		}
	}
	if len(existing) > 0 {
		return false, fmt.Errorf("demo: the database already holds other organisations; seed the demo into an empty data folder")
	}
	if err := auth.CheckPasswordPolicy(password); err != nil {
		return false, fmt.Errorf("demo password: %w", err)
	}
	org := map[string]talks.Org{}
	for _, o := range Orgs {
		created, err := ts.AddOrg(ctx, access.System, o.Name, o.Short, o.Kind)
		if err != nil {
			return false, fmt.Errorf("demo org %s: %w", o.Name, err)
		}
		org[o.Key] = created
	}
	actor := map[string]access.Actor{}
	for _, a := range Accounts {
		u, err := as.AddUser(ctx, access.System, auth.NewUser{
			Username: a.Username, DisplayName: a.DisplayName, OrgID: org[a.OrgKey].ID, Role: a.Role, Password: password,
		})
		if err != nil {
			return false, fmt.Errorf("demo user %s: %w", a.Username, err)
		}
		actor[a.Username] = u.Actor()
	}
	chair, gov, opp := actor["chair"], actor["gov.head"], actor["opp.head"]

	process, err := ts.AddProcess(ctx, chair, "Syria talks, Astana format")
	if err != nil {
		return false, err
	}
	var participants []string
	for _, o := range Orgs {
		participants = append(participants, org[o.Key].ID)
	}
	// The operator seeds the round: the organisations it names take part
	// at once, where a head's round would only invite them.
	round, err := ts.CreateRound(ctx, access.System, talks.NewRound{
		ProcessID: process.ID, Name: RoundName, Location: "Astana",
		StartsOn: "2017-01-23", EndsOn: "2017-01-24", Participants: participants,
	})
	if err != nil {
		return false, err
	}
	day := func(d, h int) time.Time { return time.Date(2017, 1, 22+d, h, 0, 0, 0, time.FixedZone("ALMT", 6*3600)) }
	sessions := []talks.NewSession{
		{Title: "Opening plenary", Format: talks.Format("plenary"), StartsAt: day(1, 10), EndsAt: day(1, 12)},
		{Title: "Proximity talks, first day", Format: talks.Format("proximity"), StartsAt: day(1, 14), EndsAt: day(1, 19)},
		{Title: "Proximity talks, second day", Format: talks.Format("proximity"), StartsAt: day(2, 10), EndsAt: day(2, 16)},
		{Title: "Closing plenary", Format: talks.Format("plenary"), StartsAt: day(2, 17), EndsAt: day(2, 18)},
	}
	for _, s := range sessions {
		if _, err := ts.ScheduleSession(ctx, chair, round.ID, s); err != nil {
			return false, fmt.Errorf("demo session %q: %w", s.Title, err)
		}
	}
	type item struct {
		talks.NewAgendaItem
		oppRefuses string
	}
	items := []item{
		{NewAgendaItem: talks.NewAgendaItem{Track: "ceasefire", Title: "Holding the nationwide ceasefire",
			Description: "How violations are reported, checked and answered, and who sits in the monitoring mechanism."}},
		{NewAgendaItem: talks.NewAgendaItem{Track: "humanitarian", Title: "Access to besieged and hard-to-reach areas",
			Description: "Lifting sieges, safe passage for civilians and unhindered delivery of aid convoys."}},
		{NewAgendaItem: talks.NewAgendaItem{Track: "detainees", Title: "Release of detainees and abductees",
			Description: "Lists from each side, a first release and verification by a neutral agency."}},
		{NewAgendaItem: talks.NewAgendaItem{Track: "political", Title: "Political transition",
			Description: "The future constitution, elections and the shape of a transitional arrangement."},
			oppRefuses: "Our mandate in this round covers the ceasefire and the humanitarian file only. Political questions belong to the UN-led talks in Geneva."},
	}
	for _, it := range items {
		created, err := ts.AddAgendaItem(ctx, actor["mediator"], round.ID, it.NewAgendaItem)
		if err != nil {
			return false, fmt.Errorf("demo agenda %q: %w", it.Title, err)
		}
		if _, err := ts.SetStance(ctx, gov, created.ID, "accept", ""); err != nil {
			return false, err
		}
		stance, reason := "accept", ""
		if it.oppRefuses != "" {
			stance, reason = "refuse", it.oppRefuses
		}
		if _, err := ts.SetStance(ctx, opp, created.ID, stance, reason); err != nil {
			return false, err
		}
	}
	if _, err := ts.SetConsent(ctx, gov, round.ID, org["opp"].ID, true); err != nil {
		return false, err
	}
	if _, err := ts.SetConsent(ctx, opp, round.ID, org["gov"].ID, false); err != nil {
		return false, err
	}
	return true, nil
}
