package channel

import (
	"context"
	"errors"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// world is a talks fixture with the channel over it.
type world struct {
	*talkstest.Fixture
	ch  *Service
	dir string
	key []byte
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	f := talkstest.New(t, db)
	dir := t.TempDir()
	key, err := LoadOrCreateMasterKey(dir + "/master.key")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := New(db, f.Ledger, f.Talks, Options{MasterKey: key, AttachmentDir: dir + "/attachments"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.Close)
	return &world{Fixture: f, ch: ch, dir: dir + "/attachments", key: key}
}

func (w *world) head(kind string) access.Actor {
	switch kind {
	case "host":
		return talkstest.Head(w.Host)
	case "med":
		return talkstest.Head(w.Mediation)
	case "gov":
		return talkstest.Head(w.Gov)
	case "opp":
		return talkstest.Head(w.Opp)
	case "guarantor":
		return talkstest.Head(w.Guarantor)
	case "observer":
		return talkstest.Head(w.Observer)
	case "monitor":
		return talkstest.Head(w.Monitor)
	case "agency":
		return talkstest.Head(w.Agency)
	case "outsider":
		return talkstest.Head(w.Outsider)
	}
	panic(kind)
}

// everyone are the keys of head, one actor per organisation.
var everyone = []string{"host", "med", "gov", "opp", "guarantor", "observer", "monitor", "agency", "outsider"}

func (w *world) send(t *testing.T, who string, in NewMessage) Message {
	t.Helper()
	m, err := w.ch.Send(context.Background(), w.head(who), w.Round.ID, in)
	if err != nil {
		t.Fatalf("%s sends %v: %v", who, in.To, err)
	}
	return m
}

func (w *world) consent(t *testing.T, who, counterpart string, direct bool) {
	t.Helper()
	if _, err := w.Talks.SetConsent(context.Background(), w.head(who), w.Round.ID, w.head(counterpart).Org, direct); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

// otherMediations adds two mediation organisations that are not the
// mediation of the fixture's round: idle takes part in no round, elsewhere
// mediates a second round of the process (with the opposition).
func (w *world) otherMediations(t *testing.T) (idle, elsewhere talks.Org) {
	t.Helper()
	ctx := context.Background()
	idle, err := w.Talks.AddOrg(ctx, access.System, "Mediation of nothing", "idle", access.Mediation)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err = w.Talks.AddOrg(ctx, access.System, "Mediation of another round", "elsewhere", access.Mediation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Talks.CreateRound(ctx, access.System, talks.NewRound{ProcessID: w.Process.ID, Name: "Round 2",
		Participants: []string{elsewhere.ID, w.Opp.ID}}); err != nil {
		t.Fatal(err)
	}
	return idle, elsewhere
}
