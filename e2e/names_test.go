package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNamesInReadersLanguage is defect 7: only the interface was
// translated; the round, its sessions and agenda, the organisations, the
// statements and the text's title carried one language. Now a party reads
// the demo round in Arabic and in Russian, each name marked with its
// language and direction; the chair gives the round a new Turkish name on
// its page and a Turkish reader sees it; at 390 px nothing sticks out.
func TestNamesInReadersLanguage(t *testing.T) {
	base := startDemo(t, "PARLEY_DEMO_WORKDAY=on")
	gov := newBrowser(t)
	login(t, gov, base, "gov.head")
	for _, c := range []struct {
		lang, dir, round string
		agenda           []string
		org, text        string
		statement        string
	}{
		{"ar", "rtl", "أستانا، الجولة الأولى",
			[]string{"الحفاظ على وقف إطلاق النار في جميع أنحاء البلاد", "الوصول إلى المناطق المحاصرة والمناطق التي يصعب الوصول إليها",
				"الإفراج عن المعتقلين والمختطفين", "الانتقال السياسي"}, "وفد المعارضة السورية",
			"ترتيبات وقف إطلاق النار في جميع أنحاء البلاد", "افتتاح اجتماع أستانا"},
		{"ru", "ltr", "Астана, первый раунд",
			[]string{"Соблюдение общенационального режима прекращения огня", "Доступ в осаждённые и труднодоступные районы",
				"Освобождение задержанных и похищенных", "Политический переход"}, "Делегация сирийской оппозиции",
			"Условия общенационального прекращения огня", "Открытие встречи в Астане"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			setLanguage(t, gov, c.lang)
			for _, width := range []int{1280, 390} {
				phone(t, gov, width == 390)
				do(t, gov, chromedp.Navigate(base+"/"), chromedp.WaitVisible(".round-list"))
				openRound(t, gov)
				h1 := get(t, gov, chromedp.Evaluate[[]string](`(() => { const b = document.querySelector("h1 bdi"); return b ? [b.textContent, b.lang, b.dir] : [document.querySelector("h1").textContent, "", ""]; })()`))
				if h1[0] != c.round || h1[1] != c.lang || h1[2] != c.dir {
					t.Errorf("%s at %d px: the round is named %q (lang %q, dir %q), want %q in %s, %s", c.lang, width, h1[0], h1[1], h1[2], c.round, c.lang, c.dir)
				}
				titles := get(t, gov, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".agenda-title bdi")).map(b => b.textContent)`))
				for _, want := range c.agenda {
					if !slices.Contains(titles, want) {
						t.Errorf("%s at %d px: agenda item %q missing; the titles read %q", c.lang, width, want, titles)
					}
				}
				parts := get(t, gov, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".participant-name")).map(b => b.textContent + "|" + b.lang)`))
				if !slices.Contains(parts, c.org+"|"+c.lang) {
					t.Errorf("%s at %d px: the opposition is not named %q among the participants %q", c.lang, width, c.org, parts)
				}
				if n := count(t, gov, "#round-names-link"); n != 0 {
					t.Errorf("%s: a party is offered to rename the round", c.lang)
				}
				noSideScroll(t, gov, "the round page in "+c.lang)
				shot(t, gov, fmt.Sprintf("names-round-%s-%d", c.lang, width))
				round := strings.SplitN(get(t, gov, chromedp.Location()), "#", 2)[0]
				do(t, gov, chromedp.Navigate(round+"/texts"), chromedp.WaitVisible(".round-card a"))
				if got := get(t, gov, chromedp.Evaluate[string](`document.querySelector(".round-card h2 bdi").textContent`)); got != c.text {
					t.Errorf("%s at %d px: the negotiating text is titled %q, want %q", c.lang, width, got, c.text)
				}
				noSideScroll(t, gov, "the texts in "+c.lang)
				do(t, gov, chromedp.Navigate(base+"/statements"), chromedp.WaitVisible(".statement-link"))
				if got := get(t, gov, chromedp.Evaluate[string](`document.querySelector(".statement-link bdi").textContent + "|" + document.querySelector(".statement-link bdi").lang`)); got != c.statement+"|"+c.lang {
					t.Errorf("%s at %d px: the released statement is titled %q, want %q", c.lang, width, got, c.statement)
				}
				noSideScroll(t, gov, "the statements in "+c.lang)
				shot(t, gov, fmt.Sprintf("names-statements-%s-%d", c.lang, width))
			}
			phone(t, gov, false)
		})
	}

	// The chair, who administers the round, renames it in Turkish on the
	// round's own page; the form marks English as the authoritative
	// language and shows the name in it.
	chair := newBrowser(t)
	login(t, chair, base, "chair")
	setLanguage(t, chair, "ar")
	phone(t, chair, true)
	openNames(t, chair, base, "#round-names-link")
	if !get(t, chair, chromedp.Evaluate[bool](`document.querySelector("#names-auth-en").checked`)) {
		t.Error("the names form does not mark English as the authoritative language")
	}
	if got := get(t, chair, chromedp.Evaluate[string](`document.querySelector("#names-field-name .names-original bdi").textContent`)); got != "Astana, round 1" {
		t.Errorf("the authoritative name shown is %q", got)
	}
	if got := get(t, chair, chromedp.Evaluate[string](`document.querySelector("#names-name\\.ar").dir`)); got != "rtl" {
		t.Errorf("the Arabic input is %q, want rtl", got)
	}
	noSideScroll(t, chair, "the names form in Arabic")
	shot(t, chair, "names-form-ar-phone")
	// An agenda item's names, description included, on a phone.
	openNames(t, chair, base, ".agenda-item .names-link")
	if got := get(t, chair, chromedp.Evaluate[string](`document.querySelector("#names-description\\.ru").value`)); !strings.HasPrefix(got, "Как сообщать") {
		t.Errorf("the agenda item's Russian description reads %q", got)
	}
	noSideScroll(t, chair, "an agenda item's names in Arabic")
	shot(t, chair, "names-agenda-ar-phone")
	openNames(t, chair, base, "#round-names-link")
	const turkish = "Astana görüşmeleri, birinci tur"
	get(t, chair, chromedp.Evaluate[bool](`document.querySelector("#names-name\\.tr").value = ""; true`))
	do(t, chair,
		chromedp.SendKeys("#names-name\\.tr", turkish),
		chromedp.Click("#names-submit"),
		chromedp.WaitVisible("#names-saved"),
	)
	if got := get(t, chair, chromedp.Evaluate[string](`document.querySelector("#names-name\\.tr").value`)); got != turkish {
		t.Errorf("after saving, the Turkish name reads %q", got)
	}

	setLanguage(t, gov, "tr")
	do(t, gov, chromedp.Navigate(base+"/"), chromedp.WaitVisible(".round-list"))
	openRound(t, gov)
	if got := get(t, gov, chromedp.Evaluate[string](`document.querySelector("h1").textContent.trim()`)); got != turkish {
		t.Errorf("a Turkish reader sees the round as %q, want %q", got, turkish)
	}
	if got := get(t, gov, chromedp.Title()); !strings.Contains(got, turkish) {
		t.Errorf("the Turkish page's title is %q", got)
	}
	shot(t, gov, "names-round-tr")
}

// openNames opens the demo round and follows the names link link to its
// form.
func openNames(t *testing.T, ctx context.Context, base, link string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(".round-list"))
	openRound(t, ctx)
	do(t, ctx, chromedp.Click(link), chromedp.WaitVisible("#names-form"))
}
