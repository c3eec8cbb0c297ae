package localized_test

import (
	"context"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/localized"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

type world struct {
	*talkstest.Fixture
	ch  *channel.Service
	loc *localized.Service
	ctx context.Context
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	f := talkstest.New(t, db)
	dir := t.TempDir()
	key, err := channel.LoadOrCreateMasterKey(dir + "/master.key")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := channel.New(db, f.Ledger, f.Talks, channel.Options{MasterKey: key, AttachmentDir: dir + "/attachments"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.Close)
	loc := localized.New(db, f.Ledger)
	loc.Register(talks.LocalizedKinds()...)
	loc.Register(ch.LocalizedKind())
	return &world{Fixture: f, ch: ch, loc: loc, ctx: context.Background()}
}

// namedAgenda has the mediation add the agenda item "Compliance"
// ("Reports.") and schedule the session "Opening" in the round, and name
// them in other languages: the item's title and description in Arabic, the
// session's title as sessionTitle gives (language → title).
func (w *world) namedAgenda(t *testing.T, sessionTitle map[string]string) (talks.AgendaItem, talks.Session) {
	t.Helper()
	med := talkstest.Head(w.Mediation)
	item, err := w.Talks.AddAgendaItem(w.ctx, med, w.Round.ID, talks.NewAgendaItem{Track: "ceasefire", Title: "Compliance", Description: "Reports."})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := w.Talks.ScheduleSession(w.ctx, med, w.Round.ID, talks.NewSession{Title: "Opening", Format: talks.Plenary, StartsAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.loc.Set(w.ctx, med, "agenda", item.ID, localized.Input{Values: map[string]map[string]string{
		"title": {"ar": "الامتثال"}, "description": {"ar": "التقارير."}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.loc.Set(w.ctx, med, "session", ss.ID, localized.Input{Values: map[string]map[string]string{"title": sessionTitle}}); err != nil {
		t.Fatal(err)
	}
	return item, ss
}

func names(values map[string]string) localized.Input {
	return localized.Input{Values: map[string]map[string]string{"name": values}}
}

// TestRoundNames: the administrator of a round names it in other
// languages; every participant reads the names in its language, falling
// back to the authoritative value; an organisation outside the round reads
// none of them, and nobody but an administrator changes them.
func TestRoundNames(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		med := talkstest.Head(w.Mediation)
		in := names(map[string]string{"ar": "الجولة الأولى", "ru": "Первый раунд"})
		in.Authoritative = "en"
		e, err := w.loc.Set(w.ctx, med, "round", w.Round.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if e.Values.Authoritative != "en" || e.Item.Values["name"] != "Round 1" {
			t.Errorf("entry = %+v", e)
		}
		for _, c := range []struct {
			who        access.Actor
			lang, want string
			wantLang   string
		}{
			{talkstest.Head(w.Gov), "ar", "الجولة الأولى", "ar"},
			{talkstest.Actor(w.Observer, access.Member), "ru", "Первый раунд", "ru"},
			{talkstest.Head(w.Opp), "tr", "Round 1", "en"}, // no Turkish name: the authoritative one
			{talkstest.Head(w.Outsider), "ar", "Round 1", ""},
		} {
			vs, err := w.loc.Load(w.ctx, c.who, "round", w.Round.ID)
			if err != nil {
				t.Fatal(err)
			}
			got, lang := vs[w.Round.ID].Pick("name", c.lang, "Round 1")
			if got != c.want || lang != c.wantLang {
				t.Errorf("%s in %s: %q (%s), want %q (%s)", c.who.Username, c.lang, got, lang, c.want, c.wantLang)
			}
		}
		if _, err := w.loc.Get(w.ctx, talkstest.Head(w.Outsider), "round", w.Round.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("outsider Get: %v, want not_found", err)
		}
		for who, code := range map[access.Actor]string{
			talkstest.Head(w.Gov):      errs.Forbidden,
			talkstest.Head(w.Outsider): errs.NotFound,
			{}:                         errs.Unauthorized,
		} {
			if _, err := w.loc.Set(w.ctx, who, "round", w.Round.ID, names(map[string]string{"tr": "Birinci tur"})); errs.Code(err) != code {
				t.Errorf("%s Set: %v, want %s", who.Username, err, code)
			}
		}
		// An empty value removes a language; the other stays.
		if _, err := w.loc.Set(w.ctx, med, "round", w.Round.ID, names(map[string]string{"ru": ""})); err != nil {
			t.Fatal(err)
		}
		vs, err := w.loc.Load(w.ctx, med, "round", w.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := vs[w.Round.ID].By["name"]; len(got) != 1 || got["ar"] == "" {
			t.Errorf("after removing ru: %v", got)
		}
	})
}

// TestRefusedInput: unknown languages and fields, bidirectional controls in
// a name and overlong values are refused with the field named, and nothing
// is written.
func TestRefusedInput(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		med := talkstest.Head(w.Mediation)
		long := make([]rune, talks.MaxName+1)
		for i := range long {
			long[i] = 'a'
		}
		for _, in := range []localized.Input{
			names(map[string]string{"fr": "Premier tour"}),
			{Values: map[string]map[string]string{"colour": {"ar": "أحمر"}}},
			names(map[string]string{"ar": "الجولة\u202e الأولى"}),
			names(map[string]string{"ru": string(long)}),
			{Authoritative: "xx"},
		} {
			if _, err := w.loc.Set(w.ctx, med, "round", w.Round.ID, in); errs.Code(err) != errs.Invalid {
				t.Errorf("Set(%v): %v, want invalid", in, err)
			}
		}
		vs, err := w.loc.Load(w.ctx, med, "round", w.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 0 {
			t.Errorf("refused input wrote %v", vs)
		}
	})
}

// TestSessionAgendaOrgNames: a session's and an agenda item's names follow
// their own audience; organisation names are read by everyone and given
// by the organisation's own head or the operator.
func TestSessionAgendaOrgNames(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		med := talkstest.Head(w.Mediation)
		item, ss := w.namedAgenda(t, map[string]string{"tr": "Açılış"})
		for kind, id := range map[string]string{"agenda": item.ID, "session": ss.ID} {
			for who, reads := range map[access.Actor]bool{talkstest.Head(w.Gov): true, talkstest.Head(w.Outsider): false, {}: false} {
				vs, err := w.loc.Load(w.ctx, who, kind, id)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := vs[id]; ok != reads {
					t.Errorf("%s of %s: reads %v, want %v", kind, who.Username, ok, reads)
				}
			}
		}
		if _, err := w.loc.Set(w.ctx, med, "org", w.Gov.ID, names(map[string]string{"ar": "وفد الحكومة"})); errs.Code(err) != errs.Forbidden {
			t.Errorf("mediation names the government: %v, want forbidden", err)
		}
		for _, who := range []access.Actor{talkstest.Head(w.Gov), access.System} {
			if _, err := w.loc.Set(w.ctx, who, "org", w.Gov.ID, names(map[string]string{"ar": "وفد الحكومة"})); err != nil {
				t.Errorf("%s names the government: %v", who.Username, err)
			}
		}
		vs, err := w.loc.Load(w.ctx, access.Actor{}, "org", w.Gov.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := vs[w.Gov.ID].Pick("name", "ar", w.Gov.Name); got != "وفد الحكومة" {
			t.Errorf("anonymous reads the government's Arabic name as %q", got)
		}
	})
}

// TestStatementTranslations: a draft statement's translations are read by
// those who read the draft and nobody else, encrypted at rest, and public
// once the statement is released; only its organisation gives them, and
// only before release.
func TestStatementTranslations(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		gov := talkstest.Head(w.Gov)
		st, err := w.ch.CreateStatement(w.ctx, gov, channel.NewStatement{Title: "On the ceasefire", Body: "We hold to it.", RoundID: w.Round.ID})
		if err != nil {
			t.Fatal(err)
		}
		in := localized.Input{Authoritative: "en", Values: map[string]map[string]string{
			"title": {"ar": "بشأن وقف إطلاق النار"}, "body": {"ar": "نحن ملتزمون به."}}}
		if _, err := w.loc.Set(w.ctx, talkstest.Head(w.Mediation), "statement", st.ID, in); errs.Code(err) != errs.Forbidden {
			t.Errorf("mediation translates the government's draft: %v, want forbidden", err)
		}
		if _, err := w.loc.Set(w.ctx, gov, "statement", st.ID, in); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.R.QueryRowContext(w.ctx, "SELECT value FROM localized WHERE item_id = $1 AND field = 'body'", st.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == "نحن ملتزمون به." {
			t.Error("a statement's translation is stored in clear")
		}
		readers := func(want map[access.Actor]bool) {
			t.Helper()
			for who, reads := range want {
				vs, err := w.loc.Load(w.ctx, who, "statement", st.ID)
				if err != nil {
					t.Fatal(err)
				}
				got := vs[st.ID].By["body"]["ar"]
				if (got == "نحن ملتزمون به.") != reads || !reads && len(vs) != 0 {
					t.Errorf("%s reads %q, want reads=%v", who.Username, got, reads)
				}
			}
		}
		readers(map[access.Actor]bool{
			gov: true, talkstest.Head(w.Mediation): true,
			talkstest.Head(w.Opp): false, talkstest.Head(w.Guarantor): false, {}: false,
		})
		if _, err := w.ch.ReleaseStatement(w.ctx, gov, st.ID); err != nil {
			t.Fatal(err)
		}
		readers(map[access.Actor]bool{gov: true, talkstest.Head(w.Opp): true, {}: true})
		if _, err := w.loc.Set(w.ctx, gov, "statement", st.ID, in); errs.Code(err) != errs.Forbidden {
			t.Errorf("translating a released statement: %v, want forbidden", err)
		}
	})
}

// TestChangedWordingDropsItsTranslations: when a round administrator
// changes the wording of a session or agenda item, its names in other
// languages for the changed fields go (a reader of Arabic must not go on
// reading the earlier wording), in the same transaction and recorded in the
// ledger; a field whose wording stayed keeps its translations.
func TestChangedWordingDropsItsTranslations(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		med, gov := talkstest.Head(w.Mediation), talkstest.Head(w.Gov)
		item, ss := w.namedAgenda(t, map[string]string{"ar": "الافتتاح"})
		pick := func(kind, id, field, fallback string) string {
			t.Helper()
			vs, err := w.loc.Load(w.ctx, gov, kind, id)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := vs[id].Pick(field, "ar", fallback)
			return got
		}
		// The same wording again keeps every translation.
		if _, err := w.Talks.UpdateAgendaItem(w.ctx, med, item.ID, talks.NewAgendaItem{Track: "ceasefire", Title: "Compliance", Description: "Reports."}); err != nil {
			t.Fatal(err)
		}
		if got := pick("agenda", item.ID, "title", "Compliance"); got != "الامتثال" {
			t.Errorf("unchanged title reads %q in Arabic", got)
		}
		// A new title drops the Arabic title, not the Arabic description.
		if _, err := w.Talks.UpdateAgendaItem(w.ctx, med, item.ID, talks.NewAgendaItem{Track: "ceasefire", Title: "Compliance and monitoring", Description: "Reports."}); err != nil {
			t.Fatal(err)
		}
		if got := pick("agenda", item.ID, "title", "Compliance and monitoring"); got != "Compliance and monitoring" {
			t.Errorf("changed title reads %q in Arabic, want the new authoritative wording", got)
		}
		if got := pick("agenda", item.ID, "description", "Reports."); got != "التقارير." {
			t.Errorf("unchanged description reads %q in Arabic", got)
		}
		if _, err := w.Talks.UpdateSession(w.ctx, med, ss.ID, talks.NewSession{Title: "Opening plenary", Format: talks.Plenary, StartsAt: ss.StartsAt}); err != nil {
			t.Fatal(err)
		}
		if got := pick("session", ss.ID, "title", "Opening plenary"); got != "Opening plenary" {
			t.Errorf("changed session title reads %q in Arabic", got)
		}
		var dropped int
		if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM events WHERE type = 'localized.set' AND object_id IN ($1, $2)", item.ID, ss.ID).Scan(&dropped); err != nil {
			t.Fatal(err)
		}
		if dropped != 4 { // two names given, two dropped
			t.Errorf("%d localized.set events, want 4", dropped)
		}
	})
}
