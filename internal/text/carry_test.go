package text_test

import (
	"strconv"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/text"
)

// TestPositionsCarryOver: Rev.2 changes only paragraph 2. The positions on
// paragraphs 1 and 3 carry over, marked with Rev.1, each party still
// reading only its own; paragraph 2 starts without positions and shows
// the earlier ones beside the earlier wording. A new stance on a carried
// paragraph is the party's own again.
func TestPositionsCarryOver(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		tx := w.issued(t, rev1)
		for _, c := range []struct {
			who access.Actor
			p   int
			in  text.PositionInput
		}{
			{w.Gov, 1, text.PositionInput{Alternative: "A", Stance: text.Accept}},
			{w.Opp, 1, text.PositionInput{Stance: text.Reserve, Comment: "awaiting the capital"}},
			{w.Gov, 2, text.PositionInput{Stance: text.Accept}},
			{w.Opp, 2, text.PositionInput{Stance: text.Amend, Wording: "Detainees shall be released within sixty days."}},
			{w.Opp, 3, text.PositionInput{Stance: text.Accept}},
		} {
			if _, err := w.Text.SetPosition(w.ctx, c.who, tx.ID, 1, c.p, c.in); err != nil {
				t.Fatal(err)
			}
		}
		rev2src := strings.Replace(rev1, "[within thirty days]", "within sixty days", 1)
		if _, err := w.Text.SaveDraft(w.ctx, w.Med, tx.ID, rev2src); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Text.Issue(w.ctx, w.Med, tx.ID); err != nil {
			t.Fatal(err)
		}

		type seen struct {
			para    int
			stances string // "org:alt:stance:carried" of the positions read
			earlier string // the same of the earlier positions shown
		}
		read := func(a access.Actor) map[int]seen {
			t.Helper()
			rev, err := w.Text.Revision(w.ctx, a, tx.ID, 2)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int]seen{}
			name := map[string]string{w.Gov.Org: "gov", w.Opp.Org: "opp"}
			list := func(ps []text.Position) string {
				var b []string
				for _, p := range ps {
					b = append(b, name[p.OrgID]+":"+p.Alternative+":"+p.Stance+":"+strconv.Itoa(p.CarriedFrom))
				}
				return strings.Join(b, " ")
			}
			for _, st := range rev.Paragraphs {
				out[st.Number] = seen{st.Number, list(st.Positions), list(st.Earlier)}
			}
			return out
		}
		for _, c := range []struct {
			who  string
			a    access.Actor
			want map[int]seen
		}{
			{"mediation", w.Med, map[int]seen{
				1: {1, "opp::reserve:1 gov:A:accept:1", ""},
				2: {2, "", "gov::accept:0 opp::amend:0"},
				3: {3, "opp::accept:1", ""},
			}},
			{"government", w.Gov, map[int]seen{
				1: {1, "gov:A:accept:1", ""},
				2: {2, "", "gov::accept:0"},
				3: {3, "", ""},
			}},
			{"opposition", w.Opp, map[int]seen{
				1: {1, "opp::reserve:1", ""},
				2: {2, "", "opp::amend:0"},
				3: {3, "opp::accept:1", ""},
			}},
		} {
			got := read(c.a)
			for n, want := range c.want {
				if got[n] != want {
					t.Errorf("%s, paragraph %d: got %+v, want %+v", c.who, n, got[n], want)
				}
			}
		}
		rev, _ := w.Text.Revision(w.ctx, w.Med, tx.ID, 2)
		if got := rev.Paragraphs[1].EarlierWording; got != "Detainees shall be released [within thirty days]." {
			t.Errorf("earlier wording of paragraph 2: %q", got)
		}
		if rev.Paragraphs[0].Status != text.StatusBracketed {
			t.Errorf("paragraph 1's status: %s", rev.Paragraphs[0].Status)
		}

		// The opposition changes its carried stance: its own again.
		if _, err := w.Text.SetPosition(w.ctx, w.Opp, tx.ID, 2, 3, text.PositionInput{Stance: text.Reject}); err != nil {
			t.Fatal(err)
		}
		if got := read(w.Opp)[3].stances; got != "opp::reject:0" {
			t.Errorf("after a new stance, paragraph 3 reads %q", got)
		}

		// Rev.3 leaves everything as in Rev.2: the positions carried to
		// Rev.2 keep their origin, Rev.1; the new one is from Rev.2.
		if _, err := w.Text.SaveDraft(w.ctx, w.Med, tx.ID, rev2src+"4. Done in Astana.\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Text.Issue(w.ctx, w.Med, tx.ID); err != nil {
			t.Fatal(err)
		}
		rev3, err := w.Text.Revision(w.ctx, w.Med, tx.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		var carried []string
		for _, st := range rev3.Paragraphs {
			for _, p := range st.Positions {
				carried = append(carried, strconv.Itoa(p.Paragraph)+p.Stance+strconv.Itoa(p.CarriedFrom))
			}
		}
		if got := strings.Join(carried, " "); got != "1reserve1 1accept1 3reject2" {
			t.Errorf("Rev.3's positions: %s", got)
		}
	})
}
