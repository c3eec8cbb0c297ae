package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/text"
)

// textFixture is the web fixture served with the negotiating text.
func textFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixtureOn(t, db)
	tf := *f
	tf.web, tf.srv = f.serve(t, Deps{Log: slog.New(slog.DiscardHandler), Text: text.New(db, f.Ledger, f.auth)})
	return &tf
}

var leakedTextKey = regexp.MustCompile(`\btext\.[a-z_]+(\.[a-z_]+)?\b`)

// mustContain fails unless the answer has status and every piece.
func mustContain(t *testing.T, a answer, status int, pieces ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d\n%s", a.status, status, a.body)
	}
	for _, p := range pieces {
		if !strings.Contains(a.body, p) {
			t.Errorf("page lacks %q", p)
		}
	}
	for _, m := range leakedTextKey.FindAllString(a.body, -1) {
		if m != "text.md" {
			t.Errorf("untranslated key shown: %q", m)
		}
	}
}

func TestTextPages(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := textFixture(t, db)
		med := f.loggedIn(t, "mediator", "en")
		gov := f.loggedIn(t, "gov.head", "en")
		opp := f.loggedIn(t, "opp.head", "ar")
		obs := f.loggedIn(t, "observer.us", "en")

		a := gov.post("/rounds/"+f.Round.ID+"/texts", url.Values{"title": {"Nope"}})
		if a.status != http.StatusForbidden {
			t.Errorf("a party started a text: %d", a.status)
		}
		a = med.post("/rounds/"+f.Round.ID+"/texts", url.Values{"title": {"Ceasefire arrangements"}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/texts/") {
			t.Fatalf("create: %d %q\n%s", a.status, a.location, a.body)
		}
		base := a.location

		// An unbalanced bracket is shown with its line and column, and the
		// typed source is kept in the editor.
		bad := "# Ceasefire arrangements\n\n1. Convoys pass [without delay.\n"
		mustContain(t, med.post(base+"/draft", url.Values{"source": {bad}}), http.StatusBadRequest,
			"A bracket is not balanced", "3:17", "Convoys pass [without delay.")
		src := "# Ceasefire arrangements\n\n1. Violations are reported to\nA) the monitoring group.\nB) the guarantors.\n2. Convoys pass [without delay].\n"
		if a := med.post(base+"/draft", url.Values{"source": {src}}); a.status != http.StatusSeeOther {
			t.Fatalf("save draft: %d\n%s", a.status, a.body)
		}
		mustContain(t, gov.get(base), http.StatusNotFound)
		issueLatest(t, med, base)

		// The parties read Rev.1 with real brackets and option labels.
		mustContain(t, gov.get(base), http.StatusOK, "Rev.1",
			`[<bdi class="label">Option A</bdi>: the monitoring group.]`,
			`<span class="bracket contentious" data-kind="contentious">[without delay]</span>`, `id="position-form-1"`)
		mustContain(t, opp.get(base), http.StatusOK, `<bdi class="label">الخيار A</bdi>`, "التنقيح 1")
		mustContain(t, obs.get(base), http.StatusNotFound)

		if a := gov.post(base+"/revisions/1/paragraphs/1/position", url.Values{"alternative": {"A"}, "stance": {"accept"}}); a.status != http.StatusSeeOther {
			t.Fatalf("accept: %d\n%s", a.status, a.body)
		}
		if a := opp.post(base+"/revisions/1/paragraphs/2/position", url.Values{"stance": {"reserve"}}); a.status != http.StatusSeeOther {
			t.Fatalf("reserve: %d\n%s", a.status, a.body)
		}
		mustContain(t, gov.post(base+"/revisions/1/paragraphs/1/position", url.Values{"stance": {"accept"}}), http.StatusBadRequest)
		if a := opp.post(base+"/revisions/1/paragraphs/2/position", url.Values{"stance": {"amend"}, "wording": {"Convoys pass within 48 hours."}}); a.status != http.StatusSeeOther {
			t.Fatalf("amend: %d\n%s", a.status, a.body)
		}

		// The desk shows it all; the filters narrow it.
		mustContain(t, med.get(base), http.StatusOK, `id="desk-grid"`, "accepts", "proposes an amendment",
			"Convoys pass within 48 hours.", "Start the next draft from this amendment")
		desk := med.get(base + "/revisions/1?filter=contested")
		mustContain(t, desk, http.StatusOK, `data-paragraph="2"`)
		if strings.Contains(desk.body, `data-paragraph="1" data-option="A"`) {
			t.Error("the contested filter shows option A, which nobody contests")
		}
		// The government does not see the opposition's amendment.
		if strings.Contains(gov.get(base).body, "within 48 hours") {
			t.Error("the government sees the opposition's amendment")
		}

		// One click from the amendment starts the next draft; Rev.2; the
		// comparison shows the change.
		if a := med.post(base+"/draft/from-amendment", url.Values{"revision": {"1"}, "paragraph": {"2"}, "org": {f.Opp.ID}}); a.status != http.StatusSeeOther {
			t.Fatalf("from amendment: %d\n%s", a.status, a.body)
		}
		mustContain(t, med.get(base), http.StatusOK, "2. Convoys pass within 48 hours.")
		issueLatest(t, med, base)
		mustContain(t, opp.get(base+"/compare?from=1&to=2"), http.StatusOK, "<ins>within 48 hours</ins>", "<del>[without delay]</del>")
		mustContain(t, gov.post(base+"/revisions/1/paragraphs/1/position", url.Values{"alternative": {"A"}, "stance": {"accept"}}),
			http.StatusConflict, "This revision has been superseded")
		// Brackets remain in Rev.2 (the options): no adoption form.
		mustContain(t, gov.get(base), http.StatusOK, `id="adoption-bracketed"`)
	})
}
