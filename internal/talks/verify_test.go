package talks_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// verifyWorld holds one talks item of each kind, written through the
// service, with a mediation joining the round after them.
type verifyWorld struct {
	*talkstest.Fixture
	plenary, bilateral talks.Session
	item               talks.AgendaItem
	later              talks.Org // a mediation that joined after everything
	invitee            talks.Org // proposed, not yet accepted
}

func newVerifyWorld(t *testing.T, db *store.DB) *verifyWorld {
	t.Helper()
	ctx := context.Background()
	f := talkstest.New(t, db)
	f.Sign(t)
	w := &verifyWorld{Fixture: f}
	host := talkstest.Head(f.Host)
	at := time.Date(2017, 1, 23, 10, 0, 0, 0, time.UTC)
	var err error
	if w.plenary, err = f.Talks.ScheduleSession(ctx, host, f.Round.ID, talks.NewSession{Title: "Opening", Format: talks.Plenary, StartsAt: at}); err != nil {
		t.Fatal(err)
	}
	if w.bilateral, err = f.Talks.ScheduleSession(ctx, host, f.Round.ID, talks.NewSession{Title: "With the government",
		Format: talks.Bilateral, StartsAt: at.Add(time.Hour), Orgs: []string{f.Gov.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err = f.Talks.UpdateSession(ctx, host, w.bilateral.ID, talks.NewSession{Title: "With the government delegation",
		Format: talks.Bilateral, StartsAt: at.Add(2 * time.Hour), EndsAt: at.Add(3 * time.Hour), Orgs: []string{f.Gov.ID}}); err != nil {
		t.Fatal(err)
	}
	if w.item, err = f.Talks.AddAgendaItem(ctx, host, f.Round.ID, talks.NewAgendaItem{Track: "security", Title: "Ceasefire regime"}); err != nil {
		t.Fatal(err)
	}
	if w.item, err = f.Talks.UpdateAgendaItem(ctx, host, w.item.ID, talks.NewAgendaItem{Track: "security", Title: "Ceasefire regime",
		Description: "Lines of contact and monitoring"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Talks.SetStance(ctx, talkstest.Head(f.Gov), w.item.ID, "accept", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Talks.SetStance(ctx, talkstest.Head(f.Gov), w.item.ID, "refuse", "the lines are not agreed"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Talks.SetConsent(ctx, talkstest.Head(f.Gov), f.Round.ID, f.Opp.ID, true); err != nil {
		t.Fatal(err)
	}
	if w.invitee, err = f.Talks.AddOrg(ctx, access.System, "Regional organisation", "regional", access.Observer); err != nil {
		t.Fatal(err)
	}
	if err := f.Talks.ProposeParticipant(ctx, host, f.Round.ID, w.invitee.ID); err != nil {
		t.Fatal(err)
	}
	w.later = f.JoinLater(t, "Second mediation team", access.Mediation)
	return w
}

func (w *verifyWorld) verify(t *testing.T, db *store.DB, content bool) ledger.Report {
	t.Helper()
	rep, err := ledger.Verify(context.Background(), db, w.Ledger.VerifierKey(), talks.ItemKinds(content)...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// eventAbout is the index of the first or the latest event about an object.
func eventAbout(t *testing.T, db *store.DB, objType, objID string, first bool) int64 {
	t.Helper()
	agg := "MAX"
	if first {
		agg = "MIN"
	}
	var idx int64
	if err := db.R.QueryRow("SELECT "+agg+"(idx) FROM events WHERE object_type = $1 AND object_id = $2", objType, objID).Scan(&idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestVerifyChecksState: parley verify checks each talks item's audience
// rows against the events that made and widened it (the joins, each only
// to the organisation that joined), and its content against its latest
// event; an organisation's kind, which the joins are told apart by,
// against the event that added it. It names the first bad item and its
// event.
func TestVerifyChecksState(t *testing.T) {
	exec := func(t *testing.T, db *store.DB, q string, args ...any) {
		t.Helper()
		if _, err := db.W.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	grant := func(item func(w *verifyWorld) string, org func(w *verifyWorld) string) func(*testing.T, *verifyWorld, *store.DB) {
		return func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "INSERT INTO audience(item_id, org_id) VALUES ($1, $2)", item(w), org(w))
		}
	}
	outsider := func(w *verifyWorld) string { return w.Outsider.ID }
	stance := func(w *verifyWorld) string { return "stance:" + w.item.ID + ":" + w.Gov.ID }
	consent := func(w *verifyWorld) string { return "consent:" + w.Round.ID + ":" + w.Gov.ID + ":" + w.Opp.ID }
	proposal := func(w *verifyWorld) string { return "proposal:" + w.Round.ID + ":" + w.invitee.ID }
	cases := []struct {
		name    string
		content bool
		do      func(*testing.T, *verifyWorld, *store.DB)
		want    func(*testing.T, *verifyWorld, *store.DB) (string, int64)
	}{
		{"an organisation's kind changes", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE orgs SET kind = 'mediation' WHERE id = $1", w.Observer.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "organisation " + w.Observer.ID, eventAbout(t, db, "org", w.Observer.ID, true)
		}},
		{"an organisation's name changes", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE orgs SET name = 'Government' WHERE id = $1", w.Opp.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "organisation " + w.Opp.ID, eventAbout(t, db, "org", w.Opp.ID, true)
		}},
		{"an organisation takes part in a round in another capacity", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE participation SET capacity = 'party' WHERE org_id = $1", w.Observer.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "organisation " + w.Observer.ID, eventAbout(t, db, "org", w.Observer.ID, true)
		}},
		{"a round's audience gains an organisation outside it", false, grant(func(w *verifyWorld) string { return w.Round.ID }, outsider),
			func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
				return "round " + w.Round.ID, w.Round.LedgerIndex
			}},
		{"a session's audience gains an organisation outside the round", false,
			grant(func(w *verifyWorld) string { return w.plenary.ID }, outsider),
			func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
				return "session " + w.plenary.ID, w.plenary.LedgerIndex
			}},
		{"an edited session's time changes", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE round_sessions SET starts_at = starts_at + 3600000000 WHERE id = $1", w.bilateral.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "session " + w.bilateral.ID, w.bilateral.LedgerIndex
		}},
		{"a party joins a session's table", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "INSERT INTO session_orgs(session_id, org_id) VALUES ($1, $2)", w.bilateral.ID, w.Opp.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "session " + w.bilateral.ID, w.bilateral.LedgerIndex
		}},
		{"an agenda item's description changes", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE agenda_items SET description = 'Lines of contact' WHERE id = $1", w.item.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "agenda item " + w.item.ID, w.item.LedgerIndex
		}},
		{"an agenda item's audience gains an organisation outside the round", false,
			grant(func(w *verifyWorld) string { return w.item.ID }, outsider),
			func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
				return "agenda item " + w.item.ID, w.item.LedgerIndex
			}},
		{"a stance changes", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE agenda_stances SET stance = 'accept' WHERE item_id = $1", w.item.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "stance " + stance(w), eventAbout(t, db, "agenda_stance", stance(w), false)
		}},
		{"a stance's audience gains an organisation outside the round", false, grant(stance, outsider),
			func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
				return "stance " + stance(w), eventAbout(t, db, "agenda_stance", stance(w), false)
			}},
		{"a consent is turned", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE consents SET direct = $1 WHERE org_id = $2", false, w.Gov.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "consent " + consent(w), eventAbout(t, db, "consent", consent(w), false)
		}},
		// The observer is in the round, but a consent is the parties',
		// the host's and the mediation's; nor did the later mediation's
		// join give it.
		{"a consent's audience gains the observer", false, grant(consent, func(w *verifyWorld) string { return w.Observer.ID }),
			func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
				return "consent " + consent(w), eventAbout(t, db, "consent", consent(w), false)
			}},
		{"a consent's audience gains the mediation that joined later", false, grant(consent, func(w *verifyWorld) string { return w.later.ID }),
			func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
				return "consent " + consent(w), eventAbout(t, db, "consent", consent(w), false)
			}},
		{"a proposal's audience gains an organisation outside the round", false, grant(proposal, outsider),
			func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
				return "proposal " + proposal(w), eventAbout(t, db, "participant_proposal", proposal(w), false)
			}},
		{"the proposed organisation's kind changes", true, func(t *testing.T, w *verifyWorld, db *store.DB) {
			exec(t, db, "UPDATE orgs SET kind = 'party' WHERE id = $1", w.invitee.ID)
		}, func(t *testing.T, w *verifyWorld, db *store.DB) (string, int64) {
			return "organisation " + w.invitee.ID, eventAbout(t, db, "org", w.invitee.ID, true)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				w := newVerifyWorld(t, db)
				rep := w.verify(t, db, true)
				// 11 organisations, 1 round, 2 sessions, 1 agenda item, 1
				// stance, 1 consent, 1 proposal.
				if !rep.OK() || rep.Items != 18 {
					t.Fatalf("before the change (%d items):\n%s", rep.Items, rep.String())
				}
				tc.do(t, w, db)
				item, idx := tc.want(t, w, db)
				rep = w.verify(t, db, true)
				if rep.OK() || rep.FirstBadItem != item || rep.FirstBad != idx || !strings.Contains(rep.String(), item) {
					t.Fatalf("after the change: first bad item %q at %d, want %q at %d\n%s", rep.FirstBadItem, rep.FirstBad, item, idx, rep.String())
				}
				if rep := w.verify(t, db, false); rep.OK() == !tc.content {
					t.Fatalf("without content: OK %v, want %v\n%s", rep.OK(), tc.content, rep.String())
				}
			})
		})
	}
}

// TestVerifySessionRecordedWithEmptyList: a session with no organisations
// at its table that an earlier parley recorded with "orgs": [] (scheduled
// through the API with an empty list) passes verify, and still fails it
// when its title changes.
func TestVerifySessionRecordedWithEmptyList(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := talkstest.New(t, db)
		f.Sign(t)
		id, aud := store.NewID(), access.Of(f.Host.ID, f.Gov.ID)
		var idx int64
		if err := f.Ledger.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
			content := []byte(`{"format":"plenary","id":"` + id + `","orgs":[],"round_id":"` + f.Round.ID + `","starts_at":"2017-01-23T10:00:00Z","title":"Opening"}`)
			e, err := rec.Append(ctx, ledger.Event{Type: "session.scheduled", Actor: access.System, Round: f.Round.ID,
				ObjectType: "session", ObjectID: id, Audience: aud, Content: content})
			if err != nil {
				return err
			}
			idx = e.Index
			if _, err := tx.ExecContext(ctx, `INSERT INTO round_sessions(id, round_id, title, format, starts_at, ends_at, created_at, created_by, ledger_idx)
				VALUES ($1, $2, 'Opening', 'plenary', $3, 0, 0, 'system', $4)`, id, f.Round.ID, store.Stamp(time.Date(2017, 1, 23, 10, 0, 0, 0, time.UTC)), idx); err != nil {
				return err
			}
			return rec.Grant(id, aud)
		}); err != nil {
			t.Fatal(err)
		}
		verify := func() ledger.Report {
			t.Helper()
			rep, err := ledger.Verify(ctx, db, f.Ledger.VerifierKey(), talks.ItemKinds(true)...)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		if rep := verify(); !rep.OK() {
			t.Fatalf("a session recorded with an empty list:\n%s", rep.String())
		}
		if _, err := db.W.Exec("UPDATE round_sessions SET title = 'Closing' WHERE id = $1", id); err != nil {
			t.Fatal(err)
		}
		if rep := verify(); rep.OK() || rep.FirstBadItem != "session "+id || rep.FirstBad != idx {
			t.Fatalf("after its title changed:\n%s", rep.String())
		}
	})
}
