package bargain_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"parley/internal/access"
	"parley/internal/bargain"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// world is the talks fixture with the bargain service and its actors.
type world struct {
	*talkstest.Fixture
	B                          *bargain.Service
	Med, Gov, GovMember, Opp   access.Actor
	Host, Guarantor, Outsider  access.Actor
	Observer                   access.Actor
	ctx                        context.Context
	events                     *capture
	itemCeasefire, itemDetains talks.AgendaItem
}

// capture keeps every committed event, to check what the ledger carries.
type capture struct {
	mu     sync.Mutex
	events []ledger.Event
}

func (c *capture) Published(es []ledger.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, es...)
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	f := talkstest.New(t, db)
	w := &world{
		Fixture: f, B: bargain.New(db, f.Ledger), ctx: context.Background(), events: &capture{},
		Med: talkstest.Actor(f.Mediation, access.Member), Gov: talkstest.Head(f.Gov),
		GovMember: talkstest.Actor(f.Gov, access.Member), Opp: talkstest.Head(f.Opp),
		Host: talkstest.Head(f.Host), Guarantor: talkstest.Head(f.Guarantor), Outsider: talkstest.Head(f.Outsider),
		Observer: talkstest.Head(f.Observer),
	}
	f.Ledger.Subscribe(w.events)
	var err error
	if w.itemCeasefire, err = f.Talks.AddAgendaItem(w.ctx, access.System, f.Round.ID, talks.NewAgendaItem{Track: talks.TrackCeasefire, Title: "Ceasefire scope"}); err != nil {
		t.Fatal(err)
	}
	if w.itemDetains, err = f.Talks.AddAgendaItem(w.ctx, access.System, f.Round.ID, talks.NewAgendaItem{Track: talks.TrackDetainees, Title: "First release"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// testDomain: a ceasefire scope (discrete) and a first detainee release
// (numeric, 0 to 500 by 100).
func testDomain() bargain.Domain {
	return bargain.Domain{Name: "astana", Issues: []bargain.Issue{
		{Name: "scope", Values: []string{"nationwide", "excluding listed groups", "local"}},
		{Name: "release", Range: &bargain.NumberRange{Low: "0", High: "500", Step: "100"}},
	}}
}

// govProfile and oppProfile are opposed on both issues, with different
// priorities, so the frontier has several packages.
func govProfile() bargain.Profile {
	return bargain.Profile{Name: "gov", Issues: map[string]bargain.IssueUtility{
		"scope":   {Weight: 70, Values: map[string]float64{"nationwide": 0.2, "excluding listed groups": 1, "local": 0.6}},
		"release": {Weight: 30, Number: &bargain.NumberUtility{LowValue: "0", LowUtility: 1, HighValue: "500", HighUtility: 0}},
	}}
}

func oppProfile() bargain.Profile {
	return bargain.Profile{Name: "opp", Issues: map[string]bargain.IssueUtility{
		"scope":   {Weight: 35, Values: map[string]float64{"nationwide": 1, "excluding listed groups": 0.3, "local": 0}},
		"release": {Weight: 65, Number: &bargain.NumberUtility{LowValue: "0", LowUtility: 0, HighValue: "500", HighUtility: 1}},
	}}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if errs.Code(err) != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
}

func (w *world) setUp(t *testing.T) {
	t.Helper()
	if _, err := w.B.SetDomain(w.ctx, w.Med, w.Round.ID, testDomain(), map[string]string{"scope": w.itemCeasefire.ID, "release": w.itemDetains.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.B.SetProfile(w.ctx, w.Gov, w.Round.ID, bargain.ProfileInput{Profile: govProfile()}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.B.SetProfile(w.ctx, w.Opp, w.Round.ID, bargain.ProfileInput{Profile: oppProfile()}); err != nil {
		t.Fatal(err)
	}
}

func TestDomainRights(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.Round.ID
		// Before the mediation sets it, there is no domain and parties
		// cannot enter a profile.
		_, err := w.B.Domain(w.ctx, w.Gov, r)
		wantCode(t, err, errs.NotFound)
		_, err = w.B.SetProfile(w.ctx, w.Gov, r, bargain.ProfileInput{Profile: govProfile()})
		wantCode(t, err, errs.Conflict)

		for _, c := range []struct {
			name  string
			actor access.Actor
			code  string
		}{
			{"party", w.Gov, errs.Forbidden},
			{"host", w.Host, errs.Forbidden},
			{"outsider", w.Outsider, errs.NotFound},
			{"anonymous", access.Actor{}, errs.Unauthorized},
			{"mediation", w.Med, ""},
		} {
			_, err := w.B.SetDomain(w.ctx, c.actor, r, testDomain(), nil)
			if errs.Code(err) != c.code && !(c.code == "" && err == nil) {
				t.Errorf("SetDomain as %s: %v, want %q", c.name, err, c.code)
			}
		}
		for _, c := range []struct {
			name  string
			actor access.Actor
			found bool
		}{
			{"mediation", w.Med, true}, {"gov", w.Gov, true}, {"opp", w.Opp, true},
			{"host", w.Host, false}, {"guarantor", w.Guarantor, false}, {"observer", w.Observer, false}, {"outsider", w.Outsider, false},
		} {
			rd, err := w.B.Domain(w.ctx, c.actor, r)
			if c.found && (err != nil || rd.Version != 1 || len(rd.Domain.Issues) != 2) {
				t.Errorf("Domain as %s: %+v %v", c.name, rd, err)
			}
			if !c.found && errs.Code(err) != errs.NotFound {
				t.Errorf("Domain as %s: %v, want not_found", c.name, err)
			}
		}
		// Agenda links must name items of the round; bad domains are refused
		// with the offending path.
		_, err = w.B.SetDomain(w.ctx, w.Med, r, testDomain(), map[string]string{"scope": strings.Repeat("ab", 16)})
		if e, _ := errs.As(err); e == nil || e.Field != "agenda.scope" {
			t.Errorf("unknown agenda item: %v", err)
		}
		bad := testDomain()
		bad.Issues[0].Values = append(bad.Issues[0].Values, "local")
		_, err = w.B.SetDomain(w.ctx, w.Med, r, bad, nil)
		if e, _ := errs.As(err); e == nil || e.Code != errs.Invalid || !strings.Contains(e.Field, "scope") {
			t.Errorf("duplicate option: %v", err)
		}
		if rd, _ := w.B.Domain(w.ctx, w.Med, r); rd.Version != 1 {
			t.Errorf("a refused domain changed the version to %d", rd.Version)
		}
	})
}

// TestProfileConfidentiality: a party reads only its own profile; the
// mediation reads one only while its party shares it; nobody else reads
// any; the analysis and the ledger never carry a weight.
func TestProfileConfidentiality(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.Round.ID
		w.setUp(t)

		// Writers: a party of the round only, and only its own.
		for _, c := range []struct {
			name  string
			actor access.Actor
			code  string
		}{
			{"mediation", w.Med, errs.Forbidden},
			{"host", w.Host, errs.Forbidden},
			{"guarantor", w.Guarantor, errs.Forbidden},
			{"outsider party", w.Outsider, errs.NotFound},
		} {
			_, err := w.B.SetProfile(w.ctx, c.actor, r, bargain.ProfileInput{Profile: govProfile()})
			if errs.Code(err) != c.code {
				t.Errorf("SetProfile as %s: %v, want %s", c.name, err, c.code)
			}
		}

		own, err := w.B.Profile(w.ctx, w.GovMember, r)
		if err != nil || own.OrgID != w.Gov.Org || own.Profile.Issues["scope"].Weight != 70 || own.Stale {
			t.Fatalf("gov member's own profile: %+v %v", own, err)
		}
		readers := map[string]access.Actor{"mediation": w.Med, "gov": w.Gov, "opp": w.Opp, "host": w.Host,
			"guarantor": w.Guarantor, "observer": w.Observer, "outsider": w.Outsider}
		visible := func() map[string][]string {
			out := map[string][]string{}
			for name, a := range readers {
				ps, err := w.B.Profiles(w.ctx, a, r)
				if err != nil && errs.Code(err) != errs.NotFound {
					t.Fatalf("Profiles as %s: %v", name, err)
				}
				for _, p := range ps {
					out[name] = append(out[name], p.OrgID)
				}
			}
			return out
		}
		check := func(stage string, want map[string][]string) {
			t.Helper()
			got := visible()
			for name := range readers {
				if strings.Join(got[name], ",") != strings.Join(want[name], ",") {
					t.Errorf("%s: %s reads profiles %v, want %v", stage, name, got[name], want[name])
				}
			}
		}
		check("unshared", map[string][]string{"gov": {w.Gov.Org}, "opp": {w.Opp.Org}})
		if _, err := w.B.Profile(w.ctx, w.Med, r); errs.Code(err) != errs.NotFound {
			t.Errorf("mediation's own profile: %v", err)
		}

		if _, err := w.B.SetShared(w.ctx, w.Gov, r, true); err != nil {
			t.Fatal(err)
		}
		check("gov shares", map[string][]string{"gov": {w.Gov.Org}, "opp": {w.Opp.Org}, "mediation": {w.Gov.Org}})
		if _, err := w.B.SetShared(w.ctx, w.Gov, r, false); err != nil {
			t.Fatal(err)
		}
		check("gov withdraws", map[string][]string{"gov": {w.Gov.Org}, "opp": {w.Opp.Org}})

		// The analysis is the mediation's alone, and holds utilities, not
		// weights.
		ra, err := w.B.Analysis(w.ctx, w.Med, r)
		if err != nil || ra.Status != bargain.StatusReady || len(ra.Parties) != 2 || ra.Nash == nil || len(ra.Frontier) == 0 {
			t.Fatalf("analysis: %+v %v", ra, err)
		}
		for name, a := range readers {
			if name == "mediation" {
				continue
			}
			if _, err := w.B.Analysis(w.ctx, a, r); errs.Code(err) != errs.NotFound {
				t.Errorf("analysis as %s: %v, want not_found", name, err)
			}
		}
		var doc string
		if err := db.R.QueryRow("SELECT document FROM bargain_analyses").Scan(&doc); err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"weight", "Weight", "valueUtilities", "lowUtility", "\"issues\""} {
			if strings.Contains(doc, leak) {
				t.Errorf("the stored analysis mentions %q", leak)
			}
		}
		// The ledger's events carry hashes of profiles, never their content.
		w.events.mu.Lock()
		defer w.events.mu.Unlock()
		n := 0
		for _, e := range w.events.events {
			if !strings.HasPrefix(e.Type, "bargain.") {
				continue
			}
			n++
			var c map[string]any
			if err := json.Unmarshal(e.Content, &c); err != nil {
				t.Fatal(err)
			}
			for k := range c {
				if k != "round" && k != "org" && k != "version" && k != "domain_version" && k != "shared" && k != "sha256" {
					t.Errorf("event %s carries %q", e.Type, k)
				}
			}
			if e.Type == "bargain.profile.saved" {
				org, _ := c["org"].(string)
				want := access.Of(org)
				if c["shared"] == true {
					want = access.Of(org, w.Mediation.ID)
				}
				if strings.Join(e.Audience, ",") != strings.Join(want, ",") {
					t.Errorf("profile event audience %v, want %v", e.Audience, want)
				}
			}
		}
		if n != 5 { // the domain, two profiles, the share and its withdrawal
			t.Errorf("%d bargain events, want 5", n)
		}
	})
}

func TestAnalysisAndDraft(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.Round.ID
		ra, err := w.B.Analysis(w.ctx, w.Med, r)
		if err != nil || ra.Status != bargain.StatusWaiting || ra.Waiting != bargain.WaitingNoDomain {
			t.Fatalf("empty analysis: %+v %v", ra, err)
		}
		if _, err := w.B.SetDomain(w.ctx, w.Med, r, testDomain(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := w.B.SetProfile(w.ctx, w.Gov, r, bargain.ProfileInput{Profile: govProfile()}); err != nil {
			t.Fatal(err)
		}
		ra, _ = w.B.Analysis(w.ctx, w.Med, r)
		if ra.Status != bargain.StatusWaiting || ra.Waiting != bargain.WaitingProfiles || len(ra.Missing) != 1 || ra.Missing[0].OrgID != w.Opp.Org {
			t.Fatalf("one profile: %+v", ra)
		}
		if _, err := w.B.SetProfile(w.ctx, w.Opp, r, bargain.ProfileInput{Profile: oppProfile()}); err != nil {
			t.Fatal(err)
		}
		ra, _ = w.B.Analysis(w.ctx, w.Med, r)
		if ra.Status != bargain.StatusReady || ra.Outcomes != "18" || !ra.Exact || ra.WelfareWarning == "" || ra.MaxWelfare == nil || ra.Kalai == nil {
			t.Fatalf("two profiles: %+v", ra)
		}
		// Parties are ordered by organisation name: Government, Opposition.
		if ra.Parties[0].OrgID != w.Gov.Org || ra.Parties[1].OrgID != w.Opp.Org {
			t.Fatalf("parties %+v", ra.Parties)
		}
		// Against brute force: the analysis of the same two profiles.
		d := testDomain()
		gp, op := govProfile(), oppProfile()
		gp.Domain, op.Domain = d.Name, d.Name
		want, err := bargain.Analyze(&d, []*bargain.Profile{&gp, &op}, bargain.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Frontier) != len(ra.Frontier) || want.Nash.Bid["scope"] != ra.Nash.Bid["scope"] || want.Nash.Bid["release"] != ra.Nash.Bid["release"] {
			t.Fatalf("stored analysis differs from Analyze: %+v vs %+v", ra.Nash, want.Nash)
		}

		// Local scope with 500 released is dominated (excluding listed
		// groups with 500 released is better for both).
		_, err = w.B.SetDraft(w.ctx, w.Gov, r, bargain.Bid{"scope": "local", "release": "500"})
		wantCode(t, err, errs.Forbidden)
		_, err = w.B.SetDraft(w.ctx, w.Med, r, bargain.Bid{"scope": "everywhere", "release": "500"})
		if e, _ := errs.As(err); e == nil || e.Field != "draft.scope" {
			t.Fatalf("bad draft: %v", err)
		}
		ra, err = w.B.SetDraft(w.ctx, w.Med, r, bargain.Bid{"scope": "local", "release": "500.0"})
		if err != nil || ra.Draft == nil {
			t.Fatalf("draft: %+v %v", ra.Draft, err)
		}
		if ra.Draft.Status != bargain.DraftDominated || len(ra.Draft.Improvements) == 0 || ra.Draft.Draft.Bid["release"] != "500" {
			t.Errorf("draft comparison: %+v", ra.Draft)
		}
		ra, _ = w.B.SetDraft(w.ctx, w.Med, r, ra.Nash.Bid)
		if ra.Draft.Status != bargain.DraftOnFrontier {
			t.Errorf("Nash as draft: %+v", ra.Draft)
		}
		if b, err := w.B.Draft(w.ctx, w.Med, r); err != nil || b["scope"] != ra.Nash.Bid["scope"] {
			t.Errorf("Draft: %v %v", b, err)
		}
		if b, err := w.B.Draft(w.ctx, w.Gov, r); err != nil || b != nil {
			t.Errorf("a party reads the draft: %v %v", b, err)
		}

		// Propose turns a package into words, naming linked agenda items.
		if _, err := w.B.SetDomain(w.ctx, w.Med, r, testDomain(), map[string]string{"scope": w.itemCeasefire.ID}); err != nil {
			t.Fatal(err)
		}
		pr, err := w.B.Propose(w.ctx, w.Med, r, bargain.ProposeNash)
		if err != nil || len(pr.Lines) != 2 || pr.Lines[0].AgendaTitle != "Ceasefire scope" || !strings.Contains(pr.Text, "Ceasefire scope") {
			t.Fatalf("propose: %+v %v", pr, err)
		}
		if _, err := w.B.Propose(w.ctx, w.Med, r, "frontier:0"); err != nil {
			t.Errorf("propose frontier:0: %v", err)
		}
		for _, which := range []string{"frontier:999", "frontier:x", "best"} {
			if _, err := w.B.Propose(w.ctx, w.Med, r, which); errs.Code(err) != errs.Invalid {
				t.Errorf("propose %s: %v", which, err)
			}
		}
		if _, err := w.B.Propose(w.ctx, w.Gov, r, bargain.ProposeNash); errs.Code(err) != errs.NotFound {
			t.Errorf("a party proposes: %v", err)
		}

		// A domain change leaves profiles that no longer fit out of the
		// analysis, and tells their party.
		d2 := testDomain()
		d2.Issues[0].Values = []string{"nationwide", "local"}
		if _, err := w.B.SetDomain(w.ctx, w.Med, r, d2, nil); err != nil {
			t.Fatal(err)
		}
		ra, _ = w.B.Analysis(w.ctx, w.Med, r)
		if ra.Status != bargain.StatusWaiting || len(ra.Missing) != 2 || ra.DomainVersion != 3 {
			t.Errorf("after the domain changed: %+v", ra)
		}
		if sp, err := w.B.Profile(w.ctx, w.Gov, r); err != nil || !sp.Stale {
			t.Errorf("gov's profile after the domain changed: stale=%v %v", sp.Stale, err)
		}
	})
}

func TestImportExport(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.Round.ID
		const domainJSON = `{"name":"astana","issuesValues":{"scope":{"values":["nationwide","excluding listed groups","local"]},"release":{"range":{"low":0,"high":500,"step":100}}}}`
		// A party cannot import the domain; a bad file saves nothing.
		if _, err := w.B.ImportDomain(w.ctx, w.Gov, r, []byte(domainJSON)); errs.Code(err) != errs.Forbidden {
			t.Errorf("party imports the domain: %v", err)
		}
		_, err := w.B.ImportDomain(w.ctx, w.Med, r, []byte(`{"name":"astana","issuesValues":{"scope":{"values":["a","a"]}}}`))
		if e, _ := errs.As(err); e == nil || e.Field != "domain.issuesValues.scope.a" {
			t.Errorf("bad domain file: %v", err)
		}
		if _, err := w.B.Domain(w.ctx, w.Med, r); errs.Code(err) != errs.NotFound {
			t.Errorf("a refused import saved a domain: %v", err)
		}
		if _, err := w.B.ImportDomain(w.ctx, w.Med, r, []byte(domainJSON)); err != nil {
			t.Fatal(err)
		}
		out, err := w.B.ExportDomain(w.ctx, w.Gov, r)
		if err != nil || string(out) != domainJSON {
			t.Errorf("export domain:\n%s\n%v", out, err)
		}

		gp := govProfile()
		gp.Domain = "astana"
		d := testDomain()
		profJSON, err := gp.GeniusWebJSON(&d)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, format, data, field string
		}{
			{"malformed JSON", bargain.FormatGeniusWeb, `{"LinearAdditiveUtilitySpace":`, "profile"},
			{"missing rating", bargain.FormatGeniusWeb, strings.Replace(string(profJSON), `"local":0.6`, `"locale":0.6`, 1), "profile.issueUtilities.scope.valueUtilities.locale"},
			{"another domain", bargain.FormatGeniusWeb, strings.Replace(string(profJSON), `"name":"astana"`, `"name":"geneva"`, 1), "profile.domain.name"},
			{"malformed XML", bargain.FormatGeniusXML, `<utility_space><objective>`, "utility_space"},
			{"zero weights", bargain.FormatGeniusWeb, strings.NewReplacer(`"scope":70`, `"scope":0`, `"release":30`, `"release":0`).Replace(string(profJSON)), "profile.issueWeights"},
			{"reservation bid value", bargain.FormatGeniusWeb, strings.Replace(string(profJSON), `"issueUtilities"`, `"reservationBid":{"issuevalues":{"scope":"everywhere","release":0}},"issueUtilities"`, 1), "profile.reservationBid.scope"},
		} {
			_, err := w.B.ImportProfile(w.ctx, w.Gov, r, c.format, []byte(c.data), false)
			e, _ := errs.As(err)
			if e == nil || e.Code != errs.Invalid || e.Field != c.field {
				t.Errorf("%s: %v, want invalid at %s", c.name, err, c.field)
			}
		}
		if _, err := w.B.Profile(w.ctx, w.Gov, r); errs.Code(err) != errs.NotFound {
			t.Errorf("a refused import saved a profile: %v", err)
		}
		if _, err := w.B.ImportProfile(w.ctx, w.Gov, r, bargain.FormatGeniusWeb, profJSON, true); err != nil {
			t.Fatal(err)
		}
		back, err := w.B.ExportProfile(w.ctx, w.Gov, r, bargain.FormatGeniusWeb)
		if err != nil || string(back) != string(profJSON) {
			t.Errorf("export profile:\n%s\nwant\n%s\n%v", back, profJSON, err)
		}
		if sp, _ := w.B.Profile(w.ctx, w.Gov, r); !sp.Shared {
			t.Errorf("imported with share, stored unshared")
		}
		if _, err := w.B.ExportProfile(w.ctx, w.Opp, r, bargain.FormatGeniusWeb); errs.Code(err) != errs.NotFound {
			t.Errorf("opp exports a profile it has not entered: %v", err)
		}
		// Genius XML of the opposition, then export as XML.
		xml := `<utility_space number_of_issues="2"><objective index="0" etype="objective" type="objective" name="astana">
<issue index="1" etype="discrete" type="discrete" vtype="discrete" name="scope"><item index="1" value="nationwide" evaluation="10"/><item index="2" value="excluding listed groups" evaluation="3"/><item index="3" value="local" evaluation="0"/></issue>
<issue index="2" etype="integer" type="integer" vtype="integer" name="release" lowerbound="0" upperbound="500"><evaluator ftype="linear" utilLowestValue="0" utilHighestValue="1"/></issue>
<weight index="1" value="0.35"/><weight index="2" value="0.65"/></objective><reservation value="0.2"/></utility_space>`
		// The release range of the round has step 100, the XML's integer
		// issue step 1: the options differ, so it is another domain.
		if _, err := w.B.ImportProfile(w.ctx, w.Opp, r, bargain.FormatGeniusXML, []byte(xml), false); errs.Code(err) != errs.Invalid {
			t.Errorf("XML for another grid: %v", err)
		}
	})
}

func TestQuestionsAndContradictions(t *testing.T) {
	d := testDomain()
	qs := bargain.Questions(&d, "round/org", 3)
	if len(qs) != 3 {
		t.Fatalf("%d questions", len(qs))
	}
	again := bargain.Questions(&d, "round/org", 3)
	for i := range qs {
		if qs[i].A["scope"] != again[i].A["scope"] || qs[i].B["release"] != again[i].B["release"] {
			t.Fatalf("questions are not deterministic")
		}
	}
	p := govProfile()
	p.Domain = d.Name
	answers := []bargain.Answer{
		{A: bargain.Bid{"scope": "excluding listed groups", "release": "0"}, B: bargain.Bid{"scope": "nationwide", "release": "500"}, Prefer: "a"},
		{A: bargain.Bid{"scope": "excluding listed groups", "release": "0"}, B: bargain.Bid{"scope": "nationwide", "release": "500"}, Prefer: "b"},
		{A: bargain.Bid{"scope": "local", "release": "0"}, B: bargain.Bid{"scope": "local", "release": "100"}, Prefer: ""},
		{A: bargain.Bid{"scope": "gone", "release": "0"}, B: bargain.Bid{"scope": "local", "release": "100"}, Prefer: "a"},
	}
	if got := bargain.Contradictions(&d, &p, answers); len(got) != 1 || got[0] != 1 {
		t.Errorf("contradictions %v, want [1]", got)
	}
}
