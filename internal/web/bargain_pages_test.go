package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/bargain"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// bargainFixture is the web fixture with the package analysis on.
func bargainFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixtureOn(t, db)
	f.web, f.srv = f.serve(t, Deps{Bargain: bargain.New(db, f.Ledger)})
	return f
}

func wantStatus(t *testing.T, what string, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: %d, want %d\n%.600s", what, a.status, status, a.body)
	}
}

// TestBargainPages walks the story: the mediation sets out the issues, both
// parties enter their priorities without script (weights brought to 100 on
// the server), the mediation sees the chart, the fair points and a
// proposal; nobody else reaches either page, and neither party sees the
// other's entries. With a third party, the page shows pairwise charts.
func TestBargainPages(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := bargainFixture(t, db)
		page := "/rounds/" + f.Round.ID + "/bargain"
		med := f.loggedIn(t, "mediator", "en")
		a := med.get(page)
		wantStatus(t, "mediation's empty page", a, 200)
		checkPage(t, a)
		if !strings.Contains(a.body, `id="bargain-waiting"`) || !strings.Contains(a.body, `id="bargain-domain-form"`) {
			t.Fatalf("empty analysis page:\n%s", a.body)
		}
		for _, who := range []string{"guarantor.ru", "observer.us", "chair", "outsider.head"} {
			if a := f.loggedIn(t, who, "en").get(page); a.status != http.StatusNotFound {
				t.Errorf("%s opens the package analysis: %d", who, a.status)
			}
		}
		gov := f.loggedIn(t, "gov.head", "en")
		if a := gov.get(page); a.status != 200 || !strings.Contains(a.body, `id="bargain-no-domain"`) {
			t.Fatalf("party page before the domain: %d", a.status)
		}
		wantStatus(t, "a party posts the domain", gov.post(page+"/domain", url.Values{"name": {"x"}, "issue.0.name": {"a"}, "issue.0.values": {"1\n2"}}), http.StatusForbidden)

		a = med.post(page+"/domain", url.Values{
			"name":         {"astana"},
			"issue.0.name": {"scope"}, "issue.0.values": {"nationwide\nexcluding listed groups\nlocal"}, "issue.0.agenda": {f.item2.ID},
			"issue.1.name": {"release"}, "issue.1.low": {"0"}, "issue.1.high": {"500"}, "issue.1.step": {"100"},
		})
		wantStatus(t, "domain form", a, http.StatusSeeOther)
		// A bad domain names the offending path and saves nothing.
		a = med.post(page+"/domain", url.Values{"name": {"astana"}, "issue.0.name": {"scope"}, "issue.0.values": {"a\na"}})
		wantStatus(t, "duplicate option", a, http.StatusBadRequest)
		if !strings.Contains(a.body, "domain.issuesValues.scope.a") {
			t.Errorf("the refused domain does not name its path")
		}

		a = gov.get(page)
		wantStatus(t, "party page", a, 200)
		checkPage(t, a)
		if !strings.Contains(a.body, "Aid convoys") || !strings.Contains(a.body, `name="weight.0"`) || !strings.Contains(a.body, `name="q.0"`) {
			t.Fatalf("party page:\n%s", a.body)
		}
		profile := func(w0, w1 string, ratings [3]string, low, high string) url.Values {
			return url.Values{"weight.0": {w0}, "weight.1": {w1},
				"rating.0.0": {ratings[0]}, "rating.0.1": {ratings[1]}, "rating.0.2": {ratings[2]},
				"low.1": {low}, "high.1": {high}, "reservation": {""}}
		}
		// Out of range: refused, named.
		a = gov.post(page+"/profile", profile("3", "1", [3]string{"20", "100", "150"}, "100", "0"))
		wantStatus(t, "rating above 100", a, http.StatusBadRequest)
		if !strings.Contains(a.body, `aria-invalid="true"`) {
			t.Errorf("the bad rating is not marked")
		}
		a = gov.post(page+"/profile", profile("3", "1", [3]string{"20", "100", "60"}, "100", "0"))
		wantStatus(t, "government profile", a, http.StatusSeeOther)
		if a.location != page+"?saved=rescaled" {
			t.Errorf("weights 3 and 1 were not rescaled: %s", a.location)
		}
		a = gov.get(page)
		if !strings.Contains(a.body, `name="weight.0" type="number" min="0" max="100" step="any" required inputmode="decimal" value="75"`) {
			t.Errorf("rescaled weight not shown as 75")
		}
		opp := f.loggedIn(t, "opp.head", "ar")
		wantStatus(t, "opposition profile", opp.post(page+"/profile", profile("37", "63", [3]string{"100", "30", "0"}, "0", "100")), http.StatusSeeOther)
		a = opp.get(page)
		checkPage(t, a)
		if !strings.Contains(a.body, `dir="rtl"`) || !strings.Contains(a.body, `value="37"`) || strings.Contains(a.body, `value="75"`) {
			t.Errorf("the opposition's Arabic page shows the wrong weights")
		}
		if a := gov.get(page); strings.Contains(a.body, `value="37"`) || strings.Contains(a.body, `value="63"`) {
			t.Errorf("the government's page shows the opposition's weights")
		}

		for _, lang := range []string{"en", "ar", "ru", "tr"} {
			m := f.loggedIn(t, "mediator", lang)
			a = m.get(page)
			wantStatus(t, "analysis in "+lang, a, 200)
			checkPage(t, a)
			for _, want := range []string{"<svg", `class="frontier-line"`, `class="mark-nash"`, `id="point-nash"`, `id="bargain-welfare-warning"`, `id="bargain-frontier"`} {
				if !strings.Contains(a.body, want) {
					t.Errorf("analysis in %s lacks %s", lang, want)
				}
			}
			if strings.Contains(a.body, `value="37"`) || strings.Contains(a.body, "weight") {
				t.Errorf("analysis in %s shows weights", lang)
			}
		}
		// Sorting, proposing and a draft.
		if a := med.get(page + "?sort=1&dir=asc"); !strings.Contains(a.body, `aria-sort="ascending"`) {
			t.Errorf("sorted table")
		}
		a = med.get(page + "?propose=nash")
		if !strings.Contains(a.body, `id="proposal-text"`) || !strings.Contains(a.body, "scope (Aid convoys)") {
			t.Errorf("proposal:\n%s", a.body)
		}
		wantStatus(t, "draft", med.post(page+"/draft", url.Values{"draft.0": {"local"}, "draft.1": {"500"}}), http.StatusSeeOther)
		if a := med.get(page); !strings.Contains(a.body, `id="bargain-draft-status"`) || !strings.Contains(a.body, `class="mark-draft"`) {
			t.Errorf("draft not placed")
		}
		wantStatus(t, "a party sets the draft", gov.post(page+"/draft", url.Values{"draft.0": {"local"}, "draft.1": {"500"}}), http.StatusForbidden)

		// Without a share, the mediation reads each party's rank order of
		// the packages, not its scores (issue 10, finding 3).
		if a := med.get(page); strings.Count(a.body, "(rank order)") != 2 || !strings.Contains(a.body, `id="bargain-rank-order"`) {
			t.Errorf("the analysis does not say both parties are shown by rank order")
		}
		// Sharing is the head's act: a member cannot share.
		oppProfile := profile("37", "63", [3]string{"100", "30", "0"}, "0", "100")
		oppProfile.Set("shared", "on")
		wantStatus(t, "a member shares", f.loggedIn(t, "opp.member", "en").post(page+"/profile", oppProfile), http.StatusForbidden)
		// Sharing shows the mediation the government's weights and scores.
		p := profile("75", "25", [3]string{"20", "100", "60"}, "100", "0")
		p.Set("shared", "on")
		wantStatus(t, "share", gov.post(page+"/profile", p), http.StatusSeeOther)
		if a := med.get(page); strings.Count(a.body, "(rank order)") != 1 {
			t.Errorf("after the government shares, %d parties shown by rank order", strings.Count(a.body, "(rank order)"))
		}
		if a := med.get(page); !strings.Contains(a.body, `id="shared"`) || !strings.Contains(a.body, "75.0") {
			t.Errorf("shared weights not shown")
		}
		// Import: a bad file is refused with its path.
		a = gov.post(page+"/profile/import", url.Values{"format": {"geniusweb"}, "file": {`{"LinearAdditiveUtilitySpace":{"name":"g","issueWeights":{"scope":1},"issueUtilities":{}}}`}})
		wantStatus(t, "bad import", a, http.StatusBadRequest)
		if !strings.Contains(a.body, "profile.issueUtilities.scope") {
			t.Errorf("bad import does not name its path")
		}
		if a := gov.get(page + "/profile/export?format=geniusweb"); a.status != 200 || !strings.Contains(a.body, "LinearAdditiveUtilitySpace") {
			t.Errorf("export: %d", a.status)
		}
		if a := opp.get(page + "/domain/export"); a.status != 200 {
			t.Errorf("a party downloads the domain: %d", a.status)
		}

		// A third party: a table and a chart per pair.
		if err := f.Talks.AddParticipant(context.Background(), access.System, f.Round.ID, f.Outsider.ID); err != nil {
			t.Fatal(err)
		}
		// A party that joins later reads the domain once the mediation
		// saves it again (its audience is fixed when it is written).
		if a := f.loggedIn(t, "outsider.head", "tr").get(page); strings.Contains(a.body, `name="weight.0"`) {
			t.Errorf("a party that joined later reads the domain before it is saved again")
		}
		a = med.post(page+"/domain", url.Values{
			"name":         {"astana"},
			"issue.0.name": {"scope"}, "issue.0.values": {"nationwide\nexcluding listed groups\nlocal"}, "issue.0.agenda": {f.item2.ID},
			"issue.1.name": {"release"}, "issue.1.low": {"0"}, "issue.1.high": {"500"}, "issue.1.step": {"100"},
		})
		wantStatus(t, "domain saved again", a, http.StatusSeeOther)
		third := f.loggedIn(t, "outsider.head", "tr")
		wantStatus(t, "third profile", third.post(page+"/profile", profile("50", "50", [3]string{"0", "100", "50"}, "50", "50")), http.StatusSeeOther)
		a = med.get(page)
		if n := strings.Count(a.body, "<svg"); n != 3 {
			t.Errorf("three parties: %d charts, want 3", n)
		}
		checkPage(t, a)
	})
}

func TestNormalise(t *testing.T) {
	for _, c := range []struct {
		in      []float64
		want    []int
		changed bool
	}{
		{[]float64{3, 1}, []int{75, 25}, true},
		{[]float64{50, 50}, []int{50, 50}, false},
		{[]float64{1, 1, 1}, []int{34, 33, 33}, true},
		{[]float64{0, 7}, []int{0, 100}, true},
	} {
		got, changed := normalise(c.in)
		if changed != c.changed {
			t.Errorf("normalise(%v) changed=%v", c.in, changed)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("normalise(%v) = %v, want %v", c.in, got, c.want)
				break
			}
		}
	}
}

// TestRoundPageLinksBargain: the round page links the package analysis for
// those who have a page there, the round's parties and mediation, and for
// nobody else.
func TestRoundPageLinksBargain(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := bargainFixture(t, db)
		link := `href="/rounds/` + f.Round.ID + `/bargain"`
		for _, c := range []struct {
			who  string
			want bool
		}{
			{"mediator", true}, {"gov.head", true}, {"opp.head", true},
			{"chair", false}, {"guarantor.ru", false}, {"observer.us", false},
		} {
			a := f.loggedIn(t, c.who, "en").get("/rounds/" + f.Round.ID)
			wantStatus(t, c.who+" opens the round", a, http.StatusOK)
			if got := strings.Contains(a.body, link); got != c.want {
				t.Errorf("%s: the round page links the package analysis: %v, want %v", c.who, got, c.want)
			}
		}
	})
}
