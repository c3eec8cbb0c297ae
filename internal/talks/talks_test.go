package talks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// wantErr checks that err carries code (and, when field is not empty, names
// that field); code "" means no error.
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error = %v, want code %q", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %q (%v), want %q", e.Code, err, code)
	}
	if field != "" && e.Field != field {
		t.Fatalf("field = %q (%v), want %q", e.Field, err, field)
	}
}

// count returns the number of rows in table.
func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// counts snapshots the tables the talks model writes.
func counts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, tbl := range []string{"events", "audience", "orgs", "processes", "rounds", "participation",
		"round_sessions", "session_orgs", "agenda_items", "agenda_stances", "consents"} {
		m[tbl] = count(t, db, tbl)
	}
	return m
}

// unchanged fails when any table's row count differs from before.
func unchanged(t *testing.T, db *store.DB, before map[string]int) {
	t.Helper()
	for tbl, n := range counts(t, db) {
		if n != before[tbl] {
			t.Errorf("%s: %d rows, want %d (half-written)", tbl, n, before[tbl])
		}
	}
}

// eventIndex returns the ledger index and type of the event about object.
func eventIndex(t *testing.T, db *store.DB, objectID string) (int64, string) {
	t.Helper()
	var idx int64
	var typ string
	err := db.R.QueryRowContext(context.Background(),
		"SELECT idx, type FROM events WHERE object_id = $1 ORDER BY idx LIMIT 1", objectID).Scan(&idx, &typ)
	if err != nil {
		t.Fatalf("event for %s: %v", objectID, err)
	}
	return idx, typ
}

func TestAddOrg(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		cases := []struct {
			name        string
			actor       access.Actor
			org, short  string
			kind        access.OrgKind
			code, field string
		}{
			{"operator", access.System, "Second mediation", "m2", access.Mediation, "", ""},
			// Creating organisations is the operator's act: a host or
			// mediation head creating a mediation would plant it in rounds.
			{"host head", talkstest.Head(f.Host), "Guarantor two", "", access.Guarantor, errs.Forbidden, ""},
			{"mediation head", talkstest.Head(f.Mediation), "Second mediation team", "", access.Mediation, errs.Forbidden, ""},
			{"host member", talkstest.Actor(f.Host, access.Member), "X1", "", access.Party, errs.Forbidden, ""},
			{"party head", talkstest.Head(f.Gov), "X2", "", access.Party, errs.Forbidden, ""},
			{"observer head", talkstest.Head(f.Observer), "X3", "", access.Party, errs.Forbidden, ""},
			{"anonymous", access.Actor{}, "X4", "", access.Party, errs.Unauthorized, ""},
			{"empty name", access.System, "  ", "", access.Party, errs.Invalid, "name"},
			{"long name", access.System, strings.Repeat("n", 201), "", access.Party, errs.Invalid, "name"},
			{"control char", access.System, "bad\x00name", "", access.Party, errs.Invalid, "name"},
			{"bidi override", access.System, "Government\u202E noitaidem", "", access.Party, errs.Invalid, "name"},
			{"bidi isolate in short name", access.System, "X7", "g\u2066ov", access.Party, errs.Invalid, "short_name"},
			{"long short name", access.System, "X5", strings.Repeat("s", 41), access.Party, errs.Invalid, "short_name"},
			{"unknown kind", access.System, "X6", "", "rebels", errs.Invalid, "kind"},
			{"duplicate", access.System, "Government delegation", "", access.Party, errs.Conflict, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				o, err := f.Talks.AddOrg(ctx, c.actor, c.org, c.short, c.kind)
				wantErr(t, err, c.code, c.field)
				if c.code != "" {
					unchanged(t, db, before)
					return
				}
				if got := count(t, db, "events"); got != before["events"]+1 {
					t.Errorf("events = %d, want %d", got, before["events"]+1)
				}
				if _, typ := eventIndex(t, db, o.ID); typ != "org.added" {
					t.Errorf("event type %q", typ)
				}
				got, err := f.Talks.Org(ctx, o.ID)
				if err != nil || got != o {
					t.Errorf("Org = %+v, %v; want %+v", got, err, o)
				}
			})
		}
	})
}

func TestOrgs(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		for _, a := range []access.Actor{access.System, talkstest.Head(f.Outsider), talkstest.Actor(f.Observer, access.Clerk)} {
			orgs, err := f.Talks.Orgs(ctx, a)
			if err != nil || len(orgs) != 9 {
				t.Fatalf("Orgs(%s) = %d orgs, %v; want 9", a.Username, len(orgs), err)
			}
		}
		_, err := f.Talks.Orgs(ctx, access.Actor{})
		wantErr(t, err, errs.Unauthorized, "")
		for _, id := range []string{"", "nope", store.NewID(), strings.ToUpper(f.Gov.ID)} {
			_, err := f.Talks.Org(ctx, id)
			wantErr(t, err, errs.NotFound, "")
		}
	})
}

func TestProcesses(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t.Run("needs an administering organisation", func(t *testing.T) {
			empty := talks.New(db, ledger.New(db))
			before := counts(t, db)
			_, err := empty.AddProcess(ctx, access.System, "Too early")
			wantErr(t, err, errs.Conflict, "")
			unchanged(t, db, before)
		})
		f := talkstest.New(t, db)
		other, err := f.Talks.AddProcess(ctx, talkstest.Head(f.Mediation), "Other process")
		wantErr(t, err, "", "")
		if idx, typ := eventIndex(t, db, other.ID); typ != "process.added" || idx < 0 {
			t.Errorf("event %d %q", idx, typ)
		}
		for _, c := range []struct {
			actor       access.Actor
			name        string
			code, field string
		}{
			{talkstest.Actor(f.Mediation, access.Member), "X", errs.Forbidden, ""},
			{talkstest.Head(f.Gov), "X", errs.Forbidden, ""},
			{access.Actor{}, "X", errs.Unauthorized, ""},
			{access.System, "", errs.Invalid, "name"},
			{access.System, strings.Repeat("p", 201), errs.Invalid, "name"},
		} {
			_, err := f.Talks.AddProcess(ctx, c.actor, c.name)
			wantErr(t, err, c.code, c.field)
		}
		// Administrators see every process; others only processes with a
		// round they take part in.
		for _, c := range []struct {
			actor access.Actor
			want  int
		}{
			{access.System, 2},
			{talkstest.Head(f.Host), 2},
			{talkstest.Actor(f.Host, access.Member), 1},
			{talkstest.Head(f.Observer), 1},
			{talkstest.Head(f.Outsider), 0},
		} {
			ps, err := f.Talks.Processes(ctx, c.actor)
			if err != nil || len(ps) != c.want {
				t.Errorf("Processes(%s) = %v, %v; want %d", c.actor.Username, ps, err, c.want)
			}
		}
		_, err = f.Talks.Processes(ctx, access.Actor{})
		wantErr(t, err, errs.Unauthorized, "")
	})
}

func TestCreateRound(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		ok := talks.NewRound{ProcessID: f.Process.ID, Name: "Round 2", StartsOn: "2017-02-15", EndsOn: "2017-02-16", Participants: []string{f.Gov.ID, f.Opp.ID}}
		with := func(mod func(*talks.NewRound)) talks.NewRound {
			in := ok
			in.Participants = append([]string(nil), ok.Participants...)
			mod(&in)
			return in
		}
		cases := []struct {
			name        string
			actor       access.Actor
			in          talks.NewRound
			code, field string
			want        int // participants
			invited     int // proposals
		}{
			{"operator", access.System, ok, "", "", 2, 0},
			// The others named are only invited: nobody is put into
			// talks without its consent.
			{"mediation head joins its round, the parties are invited", talkstest.Head(f.Mediation), ok, "", "", 1, 2},
			{"host head, no others named", talkstest.Head(f.Host), with(func(in *talks.NewRound) { in.Participants = nil }), "", "", 1, 0},
			{"host head naming itself", talkstest.Head(f.Host), with(func(in *talks.NewRound) { in.Participants = []string{f.Host.ID, f.Gov.ID} }), "", "", 1, 1},
			{"duplicates collapse", access.System, with(func(in *talks.NewRound) { in.Participants = append(in.Participants, f.Gov.ID) }), "", "", 2, 0},
			{"open dates", access.System, with(func(in *talks.NewRound) { in.StartsOn, in.EndsOn = "", "" }), "", "", 2, 0},
			{"operator names nobody", access.System, with(func(in *talks.NewRound) { in.Participants = nil }), errs.Invalid, "participants", 0, 0},
			{"party head", talkstest.Head(f.Gov), ok, errs.Forbidden, "", 0, 0},
			{"guarantor head", talkstest.Head(f.Guarantor), ok, errs.Forbidden, "", 0, 0},
			{"mediation adviser", talkstest.Actor(f.Mediation, access.Adviser), ok, errs.Forbidden, "", 0, 0},
			{"no process", access.System, with(func(in *talks.NewRound) { in.ProcessID = "" }), errs.Invalid, "process_id", 0, 0},
			{"unknown process", access.System, with(func(in *talks.NewRound) { in.ProcessID = store.NewID() }), errs.NotFound, "", 0, 0},
			{"malformed process", access.System, with(func(in *talks.NewRound) { in.ProcessID = "x' OR 1=1" }), errs.NotFound, "", 0, 0},
			{"unknown participant", access.System, with(func(in *talks.NewRound) { in.Participants = append(in.Participants, store.NewID()) }), errs.NotFound, "", 0, 0},
			{"no name", access.System, with(func(in *talks.NewRound) { in.Name = "" }), errs.Invalid, "name", 0, 0},
			{"long name", access.System, with(func(in *talks.NewRound) { in.Name = strings.Repeat("r", 201) }), errs.Invalid, "name", 0, 0},
			{"long location", access.System, with(func(in *talks.NewRound) { in.Location = strings.Repeat("l", 201) }), errs.Invalid, "location", 0, 0},
			{"bad start", access.System, with(func(in *talks.NewRound) { in.StartsOn = "15/02/2017" }), errs.Invalid, "starts_on", 0, 0},
			{"bad end", access.System, with(func(in *talks.NewRound) { in.EndsOn = "2017-02-30" }), errs.Invalid, "ends_on", 0, 0},
			{"ends before start", access.System, with(func(in *talks.NewRound) { in.EndsOn = "2017-02-14" }), errs.Invalid, "ends_on", 0, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				r, err := f.Talks.CreateRound(ctx, c.actor, c.in)
				wantErr(t, err, c.code, c.field)
				if c.code != "" {
					unchanged(t, db, before)
					return
				}
				if len(r.Participants) != c.want || len(r.Proposals) != c.invited {
					t.Errorf("participants = %+v, proposals %+v, want %d and %d", r.Participants, r.Proposals, c.want, c.invited)
				}
				if r.ProcessName != f.Process.Name || r.Name != c.in.Name {
					t.Errorf("round = %+v", r)
				}
				if got := count(t, db, "events"); got != before["events"]+1+c.invited {
					t.Errorf("events = %d, want %d more than %d", got, 1+c.invited, before["events"])
				}
				idx, typ := eventIndex(t, db, r.ID)
				if typ != "round.created" || idx != r.LedgerIndex {
					t.Errorf("event %d %q, round.LedgerIndex %d", idx, typ, r.LedgerIndex)
				}
				// Every participant reads it, as created.
				for _, p := range r.Participants {
					got, err := f.Talks.Round(ctx, talkstest.Actor(p.Org, access.Member), r.ID)
					if err != nil || got.ID != r.ID || got.LedgerIndex != r.LedgerIndex || len(got.Participants) != c.want {
						t.Errorf("participant %s: Round = %+v, %v", p.Org.Name, got, err)
					}
				}
			})
		}
	})
}

func TestRoundAudience(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		for _, o := range f.AllInRound {
			a := talkstest.Actor(o, access.Member)
			r, err := f.Talks.Round(ctx, a, f.Round.ID)
			if err != nil || r.Name != "Round 1" || len(r.Participants) != len(f.AllInRound) {
				t.Errorf("%s: Round = %+v, %v", o.Name, r, err)
			}
			if r.Participants[0].Org.ID != f.Host.ID || r.Participants[0].Capacity != access.Host {
				t.Errorf("participants not ordered by kind: %+v", r.Participants)
			}
			rs, err := f.Talks.Rounds(ctx, a)
			if err != nil || len(rs) != 1 || rs[0].ID != f.Round.ID || len(rs[0].Participants) != len(f.AllInRound) {
				t.Errorf("%s: Rounds = %+v, %v", o.Name, rs, err)
			}
		}
		for _, a := range []access.Actor{talkstest.Head(f.Outsider), {}, access.System} {
			_, err := f.Talks.Round(ctx, a, f.Round.ID)
			wantErr(t, err, errs.NotFound, "")
			rs, err := f.Talks.Rounds(ctx, a)
			if err != nil || len(rs) != 0 {
				t.Errorf("%q: Rounds = %+v, %v; want none", a.Username, rs, err)
			}
		}
		gov := talkstest.Head(f.Gov)
		for _, id := range []string{"", "round", store.NewID(), strings.ToUpper(f.Round.ID), f.Round.ID + "0"} {
			_, err := f.Talks.Round(ctx, gov, id)
			wantErr(t, err, errs.NotFound, "")
		}
	})
}

func TestAddParticipant(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		item, err := f.Talks.AddAgendaItem(ctx, talkstest.Head(f.Mediation), f.Round.ID, talks.NewAgendaItem{Track: "ceasefire", Title: "Compliance"})
		wantErr(t, err, "", "")
		_, err = f.Talks.SetStance(ctx, talkstest.Head(f.Gov), item.ID, talks.Accept, "")
		wantErr(t, err, "", "")
		_, err = f.Talks.ScheduleSession(ctx, access.System, f.Round.ID, talks.NewSession{Title: "Opening", Format: talks.Plenary, StartsAt: time.Now()})
		wantErr(t, err, "", "")
		_, err = f.Talks.SetConsent(ctx, talkstest.Head(f.Gov), f.Round.ID, f.Opp.ID, true)
		wantErr(t, err, "", "")
		mediation2, err := f.Talks.AddOrg(ctx, access.System, "Second mediation", "m2", access.Mediation)
		wantErr(t, err, "", "")
		guarantor2, err := f.Talks.AddOrg(ctx, access.System, "Second guarantor", "g2", access.Guarantor)
		wantErr(t, err, "", "")

		outsider := talkstest.Head(f.Outsider)
		cases := []struct {
			name  string
			actor access.Actor
			round string
			org   string
			code  string
		}{
			{"party head", talkstest.Head(f.Gov), f.Round.ID, f.Outsider.ID, errs.Forbidden},
			{"host member", talkstest.Actor(f.Host, access.Member), f.Round.ID, f.Outsider.ID, errs.Forbidden},
			{"unknown round", access.System, store.NewID(), f.Outsider.ID, errs.NotFound},
			{"malformed round", access.System, "r1", f.Outsider.ID, errs.NotFound},
			{"unknown org", access.System, f.Round.ID, store.NewID(), errs.NotFound},
			{"already in", access.System, f.Round.ID, f.Gov.ID, errs.Conflict},
			{"host head adds at once", talkstest.Head(f.Host), f.Round.ID, f.Outsider.ID, errs.Forbidden},
			{"outsider joins", access.System, f.Round.ID, f.Outsider.ID, ""},
			{"second mediation joins", access.System, f.Round.ID, mediation2.ID, ""},
			{"second guarantor joins", access.System, f.Round.ID, guarantor2.ID, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				err := f.Talks.AddParticipant(ctx, c.actor, c.round, c.org)
				wantErr(t, err, c.code, "")
				if c.code != "" {
					unchanged(t, db, before)
				} else if got := count(t, db, "events"); got != before["events"]+1 {
					t.Errorf("events = %d, want %d", got, before["events"]+1)
				}
			})
		}
		// The newcomers read the round, its sessions, agenda and stances
		// written before they joined; not the consents, which were
		// confidential before they came.
		for _, c := range []struct {
			actor    access.Actor
			consents int
		}{{outsider, 0}, {talkstest.Head(mediation2), 0}, {talkstest.Head(guarantor2), 0}} {
			r, err := f.Talks.Round(ctx, c.actor, f.Round.ID)
			if err != nil {
				t.Fatalf("%s: %v", c.actor.Username, err)
			}
			if len(r.Sessions) != 1 || len(r.Agenda) != 1 || len(r.Agenda[0].Stances) != 1 || len(r.Consents) != c.consents {
				t.Errorf("%s: sessions %d agenda %+v consents %d (want %d)", c.actor.Username, len(r.Sessions), r.Agenda, len(r.Consents), c.consents)
			}
		}
		// A party admitted later is a party like the others.
		_, err = f.Talks.SetStance(ctx, outsider, item.ID, talks.Refuse, "Not ours to accept")
		wantErr(t, err, "", "")
	})
}

func TestAgendaItemRules(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		good := talks.NewAgendaItem{Track: "humanitarian", Title: "Access to besieged areas", Description: "Convoys\nand lists."}
		cases := []struct {
			name        string
			actor       access.Actor
			round       string
			in          talks.NewAgendaItem
			code, field string
		}{
			{"host head", talkstest.Head(f.Host), f.Round.ID, good, "", ""},
			{"mediation head", talkstest.Head(f.Mediation), f.Round.ID, good, "", ""},
			{"operator", access.System, f.Round.ID, good, "", ""},
			{"custom track", access.System, f.Round.ID, talks.NewAgendaItem{Track: "prisoner-swap-2", Title: "Exchange"}, "", ""},
			{"mediation member", talkstest.Actor(f.Mediation, access.Member), f.Round.ID, good, errs.Forbidden, ""},
			{"party head", talkstest.Head(f.Gov), f.Round.ID, good, errs.Forbidden, ""},
			{"guarantor head", talkstest.Head(f.Guarantor), f.Round.ID, good, errs.Forbidden, ""},
			{"observer head", talkstest.Head(f.Observer), f.Round.ID, good, errs.Forbidden, ""},
			{"monitor head", talkstest.Head(f.Monitor), f.Round.ID, good, errs.Forbidden, ""},
			{"agency head", talkstest.Head(f.Agency), f.Round.ID, good, errs.Forbidden, ""},
			{"anonymous", access.Actor{}, f.Round.ID, good, errs.Unauthorized, ""},
			{"unknown round", access.System, store.NewID(), good, errs.NotFound, ""},
			{"empty track", access.System, f.Round.ID, talks.NewAgendaItem{Title: "X"}, errs.Invalid, "track"},
			{"capital track", access.System, f.Round.ID, talks.NewAgendaItem{Track: "Ceasefire", Title: "X"}, errs.Invalid, "track"},
			{"long track", access.System, f.Round.ID, talks.NewAgendaItem{Track: strings.Repeat("t", 41), Title: "X"}, errs.Invalid, "track"},
			{"no title", access.System, f.Round.ID, talks.NewAgendaItem{Track: "ceasefire"}, errs.Invalid, "title"},
			{"long description", access.System, f.Round.ID, talks.NewAgendaItem{Track: "ceasefire", Title: "X", Description: strings.Repeat("d", 4001)}, errs.Invalid, "description"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				it, err := f.Talks.AddAgendaItem(ctx, c.actor, c.round, c.in)
				wantErr(t, err, c.code, c.field)
				if c.code != "" {
					unchanged(t, db, before)
					return
				}
				if it.Position != before["agenda_items"]+1 {
					t.Errorf("position %d, want %d", it.Position, before["agenda_items"]+1)
				}
				if idx, typ := eventIndex(t, db, it.ID); typ != "agenda.item_added" || idx != it.LedgerIndex {
					t.Errorf("event %d %q, item.LedgerIndex %d", idx, typ, it.LedgerIndex)
				}
			})
		}
		// A host lead who does not take part in a round cannot reach it.
		other, err := f.Talks.AddOrg(ctx, access.System, "Other host", "h2", access.Host)
		wantErr(t, err, "", "")
		_, err = f.Talks.AddAgendaItem(ctx, talkstest.Head(other), f.Round.ID, good)
		wantErr(t, err, errs.NotFound, "")
		r, err := f.Talks.Round(ctx, talkstest.Head(f.Observer), f.Round.ID)
		wantErr(t, err, "", "")
		if len(r.Agenda) != 4 || r.Agenda[3].Track != "prisoner-swap-2" || r.Agenda[0].Description != "Convoys\nand lists." {
			t.Errorf("agenda = %+v", r.Agenda)
		}
	})
}

func TestSetStance(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		item, err := f.Talks.AddAgendaItem(ctx, access.System, f.Round.ID, talks.NewAgendaItem{Track: "political", Title: "Political transition"})
		wantErr(t, err, "", "")
		gov, opp := talkstest.Head(f.Gov), talkstest.Actor(f.Opp, access.Spokesperson)
		// The right to a stance is the capacity in the item's round, not
		// the kind the session carries: a mediation outside the round
		// finds no item, and a party whose actor names another kind is
		// still the party of this round.
		away, err := f.Talks.AddOrg(ctx, access.System, "Other mediation", "other-med", access.Mediation)
		wantErr(t, err, "", "")
		stale := talkstest.Head(f.Gov)
		stale.OrgKind = access.Host
		cases := []struct {
			name           string
			actor          access.Actor
			item           string
			stance, reason string
			code, field    string
		}{
			{"gov accepts", gov, item.ID, talks.Accept, "", "", ""},
			{"opp refuses without reason", opp, item.ID, talks.Refuse, "", errs.Invalid, "reason"},
			{"opp refuses with blank reason", opp, item.ID, talks.Refuse, " \n ", errs.Invalid, "reason"},
			{"opp refuses with long reason", opp, item.ID, talks.Refuse, strings.Repeat("r", 2001), errs.Invalid, "reason"},
			{"opp refuses", opp, item.ID, talks.Refuse, "Only the ceasefire is on our mandate.", "", ""},
			{"unknown stance", opp, item.ID, "abstain", "", errs.Invalid, "stance"},
			{"empty stance", opp, item.ID, "", "", errs.Invalid, "stance"},
			{"mediation head", talkstest.Head(f.Mediation), item.ID, talks.Accept, "", errs.Forbidden, ""},
			{"host head", talkstest.Head(f.Host), item.ID, talks.Accept, "", errs.Forbidden, ""},
			{"guarantor", talkstest.Head(f.Guarantor), item.ID, talks.Accept, "", errs.Forbidden, ""},
			{"observer", talkstest.Head(f.Observer), item.ID, talks.Accept, "", errs.Forbidden, ""},
			{"operator", access.System, item.ID, talks.Accept, "", errs.Forbidden, ""},
			{"anonymous", access.Actor{}, item.ID, talks.Accept, "", errs.Unauthorized, ""},
			{"party outside the round", talkstest.Head(f.Outsider), item.ID, talks.Accept, "", errs.NotFound, ""},
			{"mediation outside the round", talkstest.Head(away), item.ID, talks.Accept, "", errs.NotFound, ""},
			{"party named as another kind", stale, item.ID, talks.Accept, "", "", ""},
			{"unknown item", gov, store.NewID(), talks.Accept, "", errs.NotFound, ""},
			{"malformed item", gov, "1 OR 1=1", talks.Accept, "", errs.NotFound, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				it, err := f.Talks.SetStance(ctx, c.actor, c.item, c.stance, c.reason)
				wantErr(t, err, c.code, c.field)
				if c.code != "" {
					unchanged(t, db, before)
					return
				}
				if got := count(t, db, "events"); got != before["events"]+1 {
					t.Errorf("events = %d, want %d", got, before["events"]+1)
				}
				var mine *talks.Stance
				for i := range it.Stances {
					if it.Stances[i].OrgID == c.actor.Org {
						mine = &it.Stances[i]
					}
				}
				if mine == nil || mine.Stance != c.stance || mine.Reason != c.reason || mine.UpdatedAt.IsZero() {
					t.Errorf("stances = %+v", it.Stances)
				}
			})
		}
		// Every participant sees both stances; the refusal stays visible
		// with its reason.
		for _, o := range f.AllInRound {
			r, err := f.Talks.Round(ctx, talkstest.Actor(o, access.Member), f.Round.ID)
			wantErr(t, err, "", "")
			st := r.Agenda[0].Stances
			if len(st) != 2 || st[0].OrgName != "Government delegation" || st[0].Stance != "accept" ||
				st[1].Stance != "refuse" || st[1].Reason != "Only the ceasefire is on our mandate." {
				t.Errorf("%s sees %+v", o.Name, st)
			}
		}
		// Changing one's mind replaces the stance and appends an event.
		before := count(t, db, "events")
		it, err := f.Talks.SetStance(ctx, opp, item.ID, talks.Accept, "")
		wantErr(t, err, "", "")
		if len(it.Stances) != 2 || it.Stances[1].Stance != "accept" || it.Stances[1].Reason != "" {
			t.Errorf("after change: %+v", it.Stances)
		}
		if got := count(t, db, "events"); got != before+1 {
			t.Errorf("events = %d, want %d", got, before+1)
		}
	})
}

func TestConsent(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		gov, opp := talkstest.Head(f.Gov), talkstest.Head(f.Opp)
		// Consent follows the capacity in the round (issue 10), not the
		// kind the session carries: a host or mediation outside the round
		// finds no round, as everywhere in talks; a party head whose actor
		// names another kind still consents for the party of this round.
		away, err := f.Talks.AddOrg(ctx, access.System, "Other mediation", "other-med", access.Mediation)
		wantErr(t, err, "", "")
		stale := talkstest.Head(f.Gov)
		stale.OrgKind = access.Mediation
		mutual := func() bool {
			t.Helper()
			ab, err := f.Talks.MutualConsent(ctx, db.R, f.Round.ID, f.Gov.ID, f.Opp.ID)
			wantErr(t, err, "", "")
			ba, err := f.Talks.MutualConsent(ctx, db.R, f.Round.ID, f.Opp.ID, f.Gov.ID)
			wantErr(t, err, "", "")
			if ab != ba {
				t.Fatalf("MutualConsent not symmetric: %v vs %v", ab, ba)
			}
			return ab
		}
		cases := []struct {
			name         string
			actor        access.Actor
			round, other string
			direct       bool
			code, field  string
			mutual       bool
		}{
			{"gov consents", gov, f.Round.ID, f.Opp.ID, true, "", "", false},
			{"opp declines", opp, f.Round.ID, f.Gov.ID, false, "", "", false},
			{"counterpart is self", opp, f.Round.ID, f.Opp.ID, true, errs.Invalid, "counterpart", false},
			{"counterpart not a party", opp, f.Round.ID, f.Mediation.ID, true, errs.Invalid, "counterpart", false},
			{"counterpart not in round", opp, f.Round.ID, f.Outsider.ID, true, errs.Invalid, "counterpart", false},
			{"counterpart unknown", opp, f.Round.ID, store.NewID(), true, errs.Invalid, "counterpart", false},
			{"counterpart malformed", opp, f.Round.ID, "gov", true, errs.Invalid, "counterpart", false},
			{"mediation", talkstest.Head(f.Mediation), f.Round.ID, f.Gov.ID, true, errs.Forbidden, "", false},
			// Consent is the delegation's act, taken by its head.
			{"party member", talkstest.Actor(f.Opp, access.Member), f.Round.ID, f.Gov.ID, true, errs.Forbidden, "", false},
			{"guarantor", talkstest.Head(f.Guarantor), f.Round.ID, f.Gov.ID, true, errs.Forbidden, "", false},
			{"anonymous", access.Actor{}, f.Round.ID, f.Gov.ID, true, errs.Unauthorized, "", false},
			{"party outside the round", talkstest.Head(f.Outsider), f.Round.ID, f.Gov.ID, true, errs.NotFound, "", false},
			{"mediation outside the round", talkstest.Head(away), f.Round.ID, f.Gov.ID, true, errs.NotFound, "", false},
			{"host member", talkstest.Actor(f.Host, access.Member), f.Round.ID, f.Gov.ID, true, errs.Forbidden, "", false},
			{"party member named as host", func() access.Actor { a := talkstest.Actor(f.Opp, access.Member); a.OrgKind = access.Host; return a }(), f.Round.ID, f.Gov.ID, true, errs.Forbidden, "", false},
			{"unknown round", opp, store.NewID(), f.Gov.ID, true, errs.NotFound, "", false},
			{"party named as another kind", stale, f.Round.ID, f.Opp.ID, true, "", "", false},
			{"opp consents", opp, f.Round.ID, f.Gov.ID, true, "", "", true},
			{"gov withdraws", gov, f.Round.ID, f.Opp.ID, false, "", "", false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				got, err := f.Talks.SetConsent(ctx, c.actor, c.round, c.other, c.direct)
				wantErr(t, err, c.code, c.field)
				if c.code != "" {
					unchanged(t, db, before)
				} else {
					if got.OrgID != c.actor.Org || got.CounterpartID != c.other || got.Direct != c.direct || got.OrgName == "" || got.CounterpartName == "" {
						t.Errorf("consent = %+v", got)
					}
					if n := count(t, db, "events"); n != before["events"]+1 {
						t.Errorf("events = %d, want %d", n, before["events"]+1)
					}
				}
				if m := mutual(); m != c.mutual {
					t.Errorf("mutual = %v, want %v", m, c.mutual)
				}
			})
		}
		same, err := f.Talks.MutualConsent(ctx, db.R, f.Round.ID, f.Gov.ID, f.Gov.ID)
		if err != nil || same {
			t.Errorf("MutualConsent(self) = %v, %v", same, err)
		}
		// Consent records reach the two parties, the host and the
		// mediation; not guarantors, observers, monitors or agencies.
		for _, c := range []struct {
			org  talks.Org
			want int
		}{{f.Gov, 2}, {f.Opp, 2}, {f.Host, 2}, {f.Mediation, 2}, {f.Guarantor, 0}, {f.Observer, 0}, {f.Monitor, 0}, {f.Agency, 0}} {
			r, err := f.Talks.Round(ctx, talkstest.Actor(c.org, access.Member), f.Round.ID)
			wantErr(t, err, "", "")
			if len(r.Consents) != c.want {
				t.Errorf("%s sees %d consents, want %d", c.org.Name, len(r.Consents), c.want)
			}
		}
	})
}

func TestScheduleSession(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := talkstest.New(t, db)
		ctx := context.Background()
		at := time.Date(2017, 1, 23, 10, 0, 0, 123456789, time.UTC)
		plenary := talks.NewSession{Title: "Opening plenary", Format: talks.Plenary, StartsAt: at, EndsAt: at.Add(2 * time.Hour)}
		direct := talks.NewSession{Title: "Face to face", Format: talks.Direct, StartsAt: at, Orgs: []string{f.Opp.ID, f.Gov.ID}}
		type step struct {
			name        string
			actor       access.Actor
			round       string
			in          talks.NewSession
			code, field string
		}
		run := func(t *testing.T, steps []step) {
			t.Helper()
			for _, c := range steps {
				t.Run(c.name, func(t *testing.T) {
					before := counts(t, db)
					ss, err := f.Talks.ScheduleSession(ctx, c.actor, c.round, c.in)
					wantErr(t, err, c.code, c.field)
					if c.code != "" {
						unchanged(t, db, before)
						return
					}
					if idx, typ := eventIndex(t, db, ss.ID); typ != "session.scheduled" || idx != ss.LedgerIndex {
						t.Errorf("event %d %q, session.LedgerIndex %d", idx, typ, ss.LedgerIndex)
					}
					if n := count(t, db, "events"); n != before["events"]+1 {
						t.Errorf("events = %d, want %d", n, before["events"]+1)
					}
				})
			}
		}
		run(t, []step{
			{"plenary by host head", talkstest.Head(f.Host), f.Round.ID, plenary, "", ""},
			{"proximity by mediation head", talkstest.Head(f.Mediation), f.Round.ID, talks.NewSession{Title: "Proximity", Format: talks.Proximity, StartsAt: at, Orgs: []string{f.Gov.ID, f.Opp.ID}}, "", ""},
			{"bilateral", access.System, f.Round.ID, talks.NewSession{Title: "With the opposition", Format: talks.Bilateral, StartsAt: at, Orgs: []string{f.Opp.ID}}, "", ""},
			{"party head", talkstest.Head(f.Gov), f.Round.ID, plenary, errs.Forbidden, ""},
			{"observer head", talkstest.Head(f.Observer), f.Round.ID, plenary, errs.Forbidden, ""},
			{"unknown round", access.System, store.NewID(), plenary, errs.NotFound, ""},
			{"no title", access.System, f.Round.ID, talks.NewSession{Format: talks.Plenary, StartsAt: at}, errs.Invalid, "title"},
			{"bad format", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: "secret", StartsAt: at}, errs.Invalid, "format"},
			{"no start", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Plenary}, errs.Invalid, "starts_at"},
			{"ends before start", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Plenary, StartsAt: at, EndsAt: at.Add(-time.Minute)}, errs.Invalid, "ends_at"},
			{"plenary naming orgs", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Plenary, StartsAt: at, Orgs: []string{f.Gov.ID}}, errs.Invalid, "orgs"},
			{"bilateral with two", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Bilateral, StartsAt: at, Orgs: []string{f.Gov.ID, f.Opp.ID}}, errs.Invalid, "orgs"},
			{"bilateral with a guarantor", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Bilateral, StartsAt: at, Orgs: []string{f.Guarantor.ID}}, errs.Invalid, "orgs"},
			{"bilateral with an outsider", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Bilateral, StartsAt: at, Orgs: []string{f.Outsider.ID}}, errs.Invalid, "orgs"},
			{"direct with one", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Direct, StartsAt: at, Orgs: []string{f.Gov.ID}}, errs.Invalid, "orgs"},
			{"direct with the same twice", access.System, f.Round.ID, talks.NewSession{Title: "X", Format: talks.Direct, StartsAt: at, Orgs: []string{f.Gov.ID, f.Gov.ID}}, errs.Invalid, "orgs"},
			{"direct without consent", access.System, f.Round.ID, direct, errs.NoDirectConsent, ""},
		})
		_, err := f.Talks.SetConsent(ctx, talkstest.Head(f.Gov), f.Round.ID, f.Opp.ID, true)
		wantErr(t, err, "", "")
		run(t, []step{{"direct with one consent", access.System, f.Round.ID, direct, errs.NoDirectConsent, ""}})
		_, err = f.Talks.SetConsent(ctx, talkstest.Head(f.Opp), f.Round.ID, f.Gov.ID, true)
		wantErr(t, err, "", "")
		run(t, []step{{"direct with mutual consent", talkstest.Head(f.Mediation), f.Round.ID, direct, "", ""}})

		e, _ := errs.As(func() error {
			_, _ = f.Talks.SetConsent(ctx, talkstest.Head(f.Opp), f.Round.ID, f.Gov.ID, false)
			_, err := f.Talks.ScheduleSession(ctx, access.System, f.Round.ID, direct)
			return err
		}())
		if e == nil || e.Code != errs.NoDirectConsent || !strings.Contains(e.Message, "mediation") {
			t.Errorf("withdrawn consent: %v", e)
		}

		r, err := f.Talks.Round(ctx, talkstest.Head(f.Monitor), f.Round.ID)
		wantErr(t, err, "", "")
		if len(r.Sessions) != 4 {
			t.Fatalf("sessions = %+v", r.Sessions)
		}
		byTitle := map[string]talks.Session{}
		for _, s := range r.Sessions {
			byTitle[s.Title] = s
		}
		if s := byTitle["Opening plenary"]; !s.StartsAt.Equal(at.Truncate(time.Microsecond)) || !s.EndsAt.Equal(at.Add(2*time.Hour).Truncate(time.Microsecond)) || len(s.Orgs) != 0 {
			t.Errorf("plenary = %+v", s)
		}
		if s := byTitle["Face to face"]; s.Format != talks.Direct || len(s.Orgs) != 2 || !s.EndsAt.IsZero() {
			t.Errorf("direct = %+v", s)
		}
		if s := byTitle["With the opposition"]; len(s.Orgs) != 1 || s.Orgs[0] != f.Opp.ID {
			t.Errorf("bilateral = %+v", s)
		}
	})
}
