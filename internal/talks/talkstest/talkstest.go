// Package talkstest builds a small talks world for tests: one organisation of
// each kind, a process and a round modelled on the demo, plus a party that
// does not take part in the round. Tests of packages built on talks (the
// channel, the web pages, the API) start from it.
package talkstest

import (
	"context"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Fixture is the world New builds.
type Fixture struct {
	DB     *store.DB
	Ledger *ledger.Ledger
	Talks  *talks.Service

	Host, Mediation   talks.Org
	Gov, Opp          talks.Org // the two parties taking part in the round
	Guarantor         talks.Org
	Observer, Monitor talks.Org
	Agency            talks.Org
	Outsider          talks.Org // a party that does not take part in Round
	Process           talks.Process
	Round             talks.Round // created by the operator with every org but Outsider
	AllInRound        []talks.Org // every participant of Round
}

// New seeds db with the fixture's organisations, process and round, all
// written by the operator (access.System).
func New(t testing.TB, db *store.DB) *Fixture {
	t.Helper()
	ctx := context.Background()
	led := ledger.New(db)
	f := &Fixture{DB: db, Ledger: led, Talks: talks.New(db, led)}
	add := func(name, short string, kind access.OrgKind) talks.Org {
		t.Helper()
		o, err := f.Talks.AddOrg(ctx, access.System, name, short, kind)
		if err != nil {
			t.Fatalf("talkstest: AddOrg(%s): %v", name, err)
		}
		return o
	}
	f.Host = add("Host ministry", "host", access.Host)
	f.Mediation = add("Mediation team", "mediation", access.Mediation)
	f.Gov = add("Government delegation", "gov", access.Party)
	f.Opp = add("Opposition delegation", "opp", access.Party)
	f.Guarantor = add("Guarantor state", "guarantor", access.Guarantor)
	f.Observer = add("Observer state", "observer", access.Observer)
	f.Monitor = add("Monitoring group", "monitor", access.Monitor)
	f.Agency = add("Humanitarian agency", "agency", access.Agency)
	f.Outsider = add("Third delegation", "outsider", access.Party)
	var err error
	if f.Process, err = f.Talks.AddProcess(ctx, access.System, "Test process"); err != nil {
		t.Fatalf("talkstest: AddProcess: %v", err)
	}
	f.AllInRound = []talks.Org{f.Host, f.Mediation, f.Gov, f.Opp, f.Guarantor, f.Observer, f.Monitor, f.Agency}
	ids := make([]string, len(f.AllInRound))
	for i, o := range f.AllInRound {
		ids[i] = o.ID
	}
	f.Round, err = f.Talks.CreateRound(ctx, access.System, talks.NewRound{
		ProcessID: f.Process.ID, Name: "Round 1", Location: "Capital",
		StartsOn: "2017-01-23", EndsOn: "2017-01-24", Participants: ids,
	})
	if err != nil {
		t.Fatalf("talkstest: CreateRound: %v", err)
	}
	return f
}

// Actor returns a user of org with role; its user id and username are
// derived from the organisation's short name and the role.
func Actor(o talks.Org, role access.Role) access.Actor {
	name := strings.ToLower(o.ShortName) + "." + string(role)
	return access.Actor{User: "user-" + name, Username: name, Org: o.ID, OrgKind: o.Kind, Role: role}
}

// Head returns the head of org: for the host and the mediation, an
// administrator.
func Head(o talks.Org) access.Actor { return Actor(o, access.Head) }

// Sign gives the fixture's ledger a signing key, so that tests may run
// ledger.Verify over what they wrote.
func (f *Fixture) Sign(t testing.TB) {
	t.Helper()
	signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/"+strings.ReplaceAll(t.Name(), "/", "-"))
	if err != nil {
		t.Fatalf("talkstest: signing key: %v", err)
	}
	f.Ledger.SetKey(signer, vkey)
}

// JoinLater creates an organisation of kind and adds it to Round as the
// operator does: a newcomer that was not there when the round's earlier
// material was written.
func (f *Fixture) JoinLater(t testing.TB, name string, kind access.OrgKind) talks.Org {
	t.Helper()
	ctx := context.Background()
	o, err := f.Talks.AddOrg(ctx, access.System, name, "", kind)
	if err != nil {
		t.Fatalf("talkstest: AddOrg(%s): %v", name, err)
	}
	if err := f.Talks.AddParticipant(ctx, access.System, f.Round.ID, o.ID); err != nil {
		t.Fatalf("talkstest: AddParticipant(%s): %v", name, err)
	}
	return o
}

// RunJoin runs the join hook h, in a transaction of its own, for o taking
// part in Round in capacity, which may differ from o's kind: a hook must
// decide by the capacity it is given (talks.JoinHook), and tests of the
// packages that register one say so with it.
func (f *Fixture) RunJoin(t testing.TB, h talks.JoinHook, o talks.Org, capacity access.OrgKind) {
	t.Helper()
	ctx := context.Background()
	tx, err := f.DB.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("talkstest: RunJoin: %v", err)
	}
	defer tx.Rollback()
	if err := h(ctx, tx, f.Round.ID, talks.Participant{Org: o, Capacity: capacity}); err != nil {
		t.Fatalf("talkstest: RunJoin(%s as %s): %v", o.Name, capacity, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("talkstest: RunJoin: %v", err)
	}
}
