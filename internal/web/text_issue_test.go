package web

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

var reviewedSeq = regexp.MustCompile(`name="seq" value="(\d+)"`)

// issueLatest reviews the latest saved draft of the text at base (posting
// no source, so nothing is saved) and issues it.
func issueLatest(t *testing.T, med *browser, base string) {
	t.Helper()
	a := med.post(base+"/issue/preview", url.Values{})
	m := reviewedSeq.FindStringSubmatch(a.body)
	if a.status != http.StatusOK || m == nil {
		t.Fatalf("review: %d\n%s", a.status, a.body)
	}
	if a := med.post(base+"/issue", url.Values{"seq": {m[1]}}); a.status != http.StatusSeeOther {
		t.Fatalf("issue: %d\n%s", a.status, a.body)
	}
}

// TestIssueReviewsWhatTheEditorHolds: the review saves the editor's
// unsaved text (or refuses it, keeping it), shows it as the parties will
// read it, and issuing needs the reviewed draft to be the latest one.
func TestIssueReviewsWhatTheEditorHolds(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := textFixture(t, db)
		med := f.loggedIn(t, "mediator", "en")
		gov := f.loggedIn(t, "gov.head", "en")
		a := med.post("/rounds/"+f.Round.ID+"/texts", url.Values{"title": {"Ceasefire arrangements"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", a.status, a.body)
		}
		base := a.location

		// A title alone is nothing to issue.
		mustContain(t, med.post(base+"/issue", url.Values{"seq": {"1"}}), http.StatusBadRequest, "Ceasefire arrangements")
		mustContain(t, gov.get(base), http.StatusNotFound)

		// Markup that does not parse is refused and kept in the editor.
		bad := "# Ceasefire arrangements\n\n1. Convoys pass [without delay.\n"
		mustContain(t, med.post(base+"/issue/preview", url.Values{"source": {bad}}), http.StatusBadRequest,
			"3:17", "Convoys pass [without delay.")

		// The unsaved text is saved as draft 2 and shown as Rev.1.
		src := "# Ceasefire arrangements\n\n1. Convoys pass [without delay].\n"
		mustContain(t, med.post(base+"/issue/preview", url.Values{"source": {src}}), http.StatusOK,
			`id="issue-preview"`, `<span class="bracket contentious" data-kind="contentious">[without delay]</span>`,
			`name="seq" value="2"`, `id="issue-confirm"`)
		mustContain(t, gov.get(base), http.StatusNotFound) // nothing issued by reviewing

		// A save after the review: the reviewed draft is not issued.
		if a := med.post(base+"/draft", url.Values{"source": {src + "2. Detainees are released.\n"}}); a.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", a.status, a.body)
		}
		mustContain(t, med.post(base+"/issue", url.Values{"seq": {"2"}}), http.StatusConflict,
			"saved again after your review", "2. Detainees are released.")
		mustContain(t, med.post(base+"/issue", url.Values{}), http.StatusConflict)
		mustContain(t, gov.get(base), http.StatusNotFound)

		issueLatest(t, med, base)
		mustContain(t, gov.get(base), http.StatusOK, "Rev.1", "Detainees are released.")

		// Rev.2's review shows what changes from Rev.1.
		mustContain(t, med.post(base+"/issue/preview", url.Values{"source": {src + "2. Detainees are exchanged.\n"}}), http.StatusOK,
			`id="issue-changes"`, "<del>released</del>", "<ins>exchanged</ins>")
	})
}
