package access_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestCapacity(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Process p1 has rounds r1 (host, un, gov) and r2 (un, opp);
		// process p2 has round r3 (un2, gov).
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for _, o := range [][2]string{{"host", "host"}, {"un", "mediation"}, {"un2", "mediation"}, {"gov", "party"}, {"opp", "party"}} {
				if _, err := tx.ExecContext(ctx, "INSERT INTO orgs(id, name, kind, created_at) VALUES ($1, $1, $2, 0)", o[0], o[1]); err != nil {
					return err
				}
			}
			for _, p := range []string{"p1", "p2"} {
				if _, err := tx.ExecContext(ctx, "INSERT INTO processes(id, name, created_at, created_by) VALUES ($1, $1, 0, 'x')", p); err != nil {
					return err
				}
			}
			for _, r := range [][2]string{{"r1", "p1"}, {"r2", "p1"}, {"r3", "p2"}} {
				if _, err := tx.ExecContext(ctx, "INSERT INTO rounds(id, process_id, name, created_at, created_by) VALUES ($1, $2, $1, 0, 'x')", r[0], r[1]); err != nil {
					return err
				}
			}
			for _, p := range [][3]string{{"r1", "host", "host"}, {"r1", "un", "mediation"}, {"r1", "gov", "party"}, {"r2", "un", "mediation"}, {"r2", "opp", "party"}, {"r3", "un2", "mediation"}, {"r3", "gov", "party"}} {
				if _, err := tx.ExecContext(ctx, "INSERT INTO participation(round_id, org_id, capacity) VALUES ($1, $2, $3)", p[0], p[1], p[2]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		head := func(org string, kind access.OrgKind) access.Actor {
			return access.Actor{User: "u-" + org, Org: org, OrgKind: kind, Role: access.Head}
		}
		for _, c := range []struct {
			actor        access.Actor
			round        string
			kind         access.OrgKind
			administers  bool
			participates bool
		}{
			{head("un", access.Mediation), "r1", access.Mediation, true, true},
			{head("un2", access.Mediation), "r1", "", false, false}, // a mediation head elsewhere administers nothing here
			{head("host", access.Host), "r2", "", false, false},
			{head("gov", access.Party), "r1", access.Party, false, true},
			{access.Actor{User: "m", Org: "un", OrgKind: access.Mediation, Role: access.Member}, "r1", access.Mediation, false, true},
			{access.System, "r1", "", true, false},
			{head("un", access.Mediation), "no-such-round", "", false, false},
		} {
			got, err := access.RoundCapacity(ctx, db.R, c.actor, c.round)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != c.kind || got.Administers() != c.administers || got.Participates() != c.participates {
				t.Errorf("%s in %s: kind %q administers %v participates %v; want %q %v %v",
					c.actor.Org, c.round, got.Kind, got.Administers(), got.Participates(), c.kind, c.administers, c.participates)
			}
		}
		for _, c := range []struct {
			round, org string
			want       access.OrgKind
		}{
			{"r1", "gov", access.Party}, {"r2", "gov", ""}, {"r3", "un2", access.Mediation}, {"r1", "", ""}, {"", "gov", ""},
		} {
			if got, err := access.CapacityOf(ctx, db.R, c.round, c.org); err != nil || got != c.want {
				t.Errorf("CapacityOf(%q, %q) = %q, %v; want %q", c.round, c.org, got, err, c.want)
			}
		}
		pc, err := access.ProcessCapacity(ctx, db.R, head("opp", access.Party), "p1")
		if err != nil || pc.Kind != access.Party {
			t.Fatalf("opp in p1: %+v %v", pc, err)
		}
		pc, err = access.ProcessCapacity(ctx, db.R, head("opp", access.Party), "p2")
		if err != nil || pc.Participates() {
			t.Fatalf("opp in p2: %+v %v", pc, err)
		}
		for _, c := range []struct {
			got  func() (access.Audience, error)
			want access.Audience
		}{
			{func() (access.Audience, error) { return access.RoundOrgs(ctx, db.R, "r1") }, access.Of("host", "un", "gov")},
			{func() (access.Audience, error) { return access.RoundOrgs(ctx, db.R, "r1", access.Mediation) }, access.Of("un")},
			{func() (access.Audience, error) { return access.ProcessOrgs(ctx, db.R, "p1") }, access.Of("host", "un", "gov", "opp")},
			{func() (access.Audience, error) { return access.ProcessOrgs(ctx, db.R, "p1", access.Party, access.Host) }, access.Of("host", "gov", "opp")},
			{func() (access.Audience, error) { return access.ProcessOrgs(ctx, db.R, "p2", access.Mediation) }, access.Of("un2")},
			// gov is in r1 (with un) and r3 (with un2); opp only in r2 (with un).
			{func() (access.Audience, error) { return access.PeerOrgs(ctx, db.R, "gov", access.Mediation) }, access.Of("un", "un2")},
			{func() (access.Audience, error) { return access.PeerOrgs(ctx, db.R, "opp", access.Mediation) }, access.Of("un")},
			{func() (access.Audience, error) { return access.PeerOrgs(ctx, db.R, "host", access.Party) }, access.Of("gov")},
		} {
			got, err := c.got()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("orgs = %v, want %v", got, c.want)
			}
		}
		for _, c := range []struct {
			round string
			kinds []access.OrgKind
			want  []string
		}{
			{"r1", nil, []string{"gov", "host", "un"}},
			{"r1", []access.OrgKind{access.Party}, []string{"gov"}},
			{"r2", []access.OrgKind{access.Party, access.Mediation}, []string{"opp", "un"}},
			{"r3", []access.OrgKind{access.Host}, nil},
		} {
			rows, err := db.R.QueryContext(ctx, "SELECT o.id FROM orgs o WHERE "+access.TakesPart("o.id", "$1", c.kinds...)+" ORDER BY o.id", c.round)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				got = append(got, id)
			}
			rows.Close()
			if !slices.Equal(got, c.want) {
				t.Errorf("TakesPart(%s, %v) = %v, want %v", c.round, c.kinds, got, c.want)
			}
		}
		// RoundMembers: each participant with its capacity, and whether it
		// reads the round (only gov was granted r1 here).
		if _, err := db.W.ExecContext(ctx, "INSERT INTO audience(item_id, org_id) VALUES ('r1', 'gov')"); err != nil {
			t.Fatal(err)
		}
		ms, err := access.RoundMembers(ctx, db.R, "r1", false)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(ms, func(a, b access.Participant) int { return strings.Compare(a.Org, b.Org) })
		want := []access.Participant{{"gov", access.Party, true}, {"host", access.Host, false}, {"un", access.Mediation, false}}
		if !slices.Equal(ms, want) {
			t.Errorf("RoundMembers(r1) = %v, want %v", ms, want)
		}
	})
}

// TestManages: an organisation's members are administered by its own heads
// and the operator, whatever the kind of the head's organisation.
func TestManages(t *testing.T) {
	for _, c := range []struct {
		name  string
		actor access.Actor
		org   string
		want  bool
	}{
		{"own head", access.Actor{User: "u", Org: "gov", OrgKind: access.Party, Role: access.Head}, "gov", true},
		{"own member", access.Actor{User: "u", Org: "gov", OrgKind: access.Party, Role: access.Member}, "gov", false},
		{"host head, another organisation", access.Actor{User: "u", Org: "host", OrgKind: access.Host, Role: access.Head}, "gov", false},
		{"mediation head, another organisation", access.Actor{User: "u", Org: "un", OrgKind: access.Mediation, Role: access.Head}, "gov", false},
		{"operator", access.System, "gov", true},
		{"anonymous", access.Actor{Role: access.Head}, "", false},
	} {
		if got := c.actor.Manages(c.org); got != c.want {
			t.Errorf("%s: Manages(%q) = %v, want %v", c.name, c.org, got, c.want)
		}
	}
}
