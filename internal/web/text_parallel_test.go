package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestTextParallelPage(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := textFixture(t, db)
		med := f.loggedIn(t, "mediator", "en")
		gov := f.loggedIn(t, "gov.head", "ar")
		obs := f.loggedIn(t, "observer.us", "en")
		a := med.post("/rounds/"+f.Round.ID+"/texts", url.Values{"title": {"Ceasefire arrangements"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", a.status, a.body)
		}
		base := a.location
		src := "# Ceasefire arrangements\n\n## Monitoring\n\n1. Violations are reported to\nA) the monitoring group.\nB) the guarantors.\n2. Convoys pass [without delay].\n"
		if a := med.post(base+"/draft", url.Values{"source": {src}}); a.status != http.StatusSeeOther {
			t.Fatalf("save draft: %d\n%s", a.status, a.body)
		}
		issueLatest(t, med, base)
		page := base + "/revisions/1/parallel"
		mustContain(t, med.get(base), http.StatusOK, `href="`+page+`" id="parallel-link"`)
		// The mediation's form starts from the authoritative markup.
		mustContain(t, med.get(page), http.StatusOK, `id="translation-form"`, "2. Convoys pass [without delay].")

		// A translation of another shape is refused, naming the first
		// mismatch; the typed markup stays in the form.
		short := "# ترتيبات وقف إطلاق النار\n\n1. يُبلَّغ عن الانتهاكات إلى\nA) فريق الرقابة.\n"
		mustContain(t, med.post(base+"/revisions/1/translations", url.Values{"language": {"ar"}, "source": {short}}), http.StatusBadRequest,
			"does not have the same paragraphs and options", "paragraph 1 has 2 alternatives in the authoritative text and 1 alternative in the translation", "فريق الرقابة")
		mustContain(t, med.post(base+"/revisions/1/translations", url.Values{"language": {"Arabic"}, "source": {short}}), http.StatusBadRequest)
		mustContain(t, gov.post(base+"/revisions/1/translations", url.Values{"language": {"ar"}, "source": {short}}), http.StatusForbidden)

		ar := "# ترتيبات وقف إطلاق النار\n\n## الرقابة\n\n1. يُبلَّغ عن الانتهاكات إلى\nA) فريق الرقابة.\nB) الدول الضامنة.\n2. تمر القوافل [دون تأخير].\n"
		a = med.post(base+"/revisions/1/translations", url.Values{"language": {"ar"}, "source": {ar}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, page) {
			t.Fatalf("translation: %d %q\n%s", a.status, a.location, a.body)
		}
		// Side by side, each column in its own language and direction,
		// paragraph by paragraph.
		view := gov.get(page)
		mustContain(t, view, http.StatusOK, `class="parallel-grid columns-2"`,
			`lang="en" dir="ltr" data-language="en" id="parallel-2-en"`, `lang="ar" dir="rtl" data-language="ar" id="parallel-2-ar"`,
			`<span class="bracket contentious" data-kind="contentious">[دون تأخير]</span>`, "<h3>الرقابة</h3>", "<h3>Monitoring</h3>")
		if strings.Contains(view.body, `id="translation-form"`) {
			t.Error("a party is offered the translation form")
		}
		if i, j := strings.Index(view.body, `id="parallel-1-ar"`), strings.Index(view.body, `id="parallel-2-en"`); i < 0 || j < i {
			t.Error("the rows are not paragraph by paragraph")
		}
		mustContain(t, obs.get(page), http.StatusNotFound)
		mustContain(t, gov.get(base+"/revisions/9/parallel"), http.StatusNotFound)
	})
}
