package text_test

import (
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/text"
)

// rev1Arabic is rev1 in Arabic: the same three paragraphs, the first with
// two alternatives.
const rev1Arabic = `# اتفاق بشأن نظام وقف إطلاق النار

إن الطرفين،

1. يخضع وقف إطلاق النار لرقابة
A) فريق الرقابة المشترك.
B) الدول الضامنة.
2. يُفرج عن المحتجزين [في غضون ثلاثين يوماً].
3. يدخل هذا الاتفاق حيز النفاذ عند التوقيع.
`

func TestDirection(t *testing.T) {
	for _, c := range []struct{ tag, dir string }{
		{"ar", "rtl"}, {"fa-IR", "rtl"}, {"he", "rtl"}, {"ur", "rtl"}, {"ku-Arab", "rtl"},
		{"en", "ltr"}, {"ru", "ltr"}, {"tr", "ltr"}, {"zh-Hant", "ltr"}, {"ku", "ltr"},
	} {
		if got := text.Direction(c.tag); got != c.dir {
			t.Errorf("Direction(%q) = %q, want %q", c.tag, got, c.dir)
		}
	}
}

func TestSameStructure(t *testing.T) {
	auth, err := text.Parse(rev1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, src, want string // want: a piece of the message naming the first mismatch; "" matches
	}{
		{"arabic", rev1Arabic, ""},
		{"other headings and brackets", "# T\n\n## S\n\n1. a\nA) b\nB) c\n2. d\n3. [e]\n", ""},
		{"one alternative short", "# T\n\n1. a\nA) b\n2. d\n3. e\n", "paragraph 1 has 2 alternatives in the authoritative text and 1 alternative"},
		{"alternatives on the wrong paragraph", "# T\n\n1. a\nA) b\nB) c\n2. d\nA) x\nB) y\n3. e\n", "paragraph 2 has no alternatives in the authoritative text and 2 alternatives"},
		{"a paragraph missing", "# T\n\n1. a\nA) b\nB) c\n2. d\n", "3 paragraphs and the translation 2; paragraph 3"},
		{"a paragraph too many", "# T\n\n1. a\nA) b\nB) c\n2. d\n3. e\n4. f\n", "3 paragraphs and the translation 4; paragraph 4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := text.Parse(c.src)
			if err != nil {
				t.Fatal(err)
			}
			err = text.SameStructure(auth, tr)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e, ok := errs.As(err); !ok || e.Code != text.CodeStructure || !strings.Contains(e.Message, c.want) {
				t.Fatalf("error %v, want %s naming %q", err, text.CodeStructure, c.want)
			}
		})
	}
}

func TestTranslations(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		tx := w.issued(t, rev1)
		if got, _ := w.Text.Text(ctx, w.Med, tx.ID); got.Language != "en" {
			t.Errorf("authoritative language %q, want en", got.Language)
		}

		// Who may add one, and what is refused.
		for _, c := range []struct {
			name        string
			actor       access.Actor
			text        string
			n           int
			lang, src   string
			code, field string
		}{
			{"a party", w.Gov, tx.ID, 1, "ar", rev1Arabic, errs.Forbidden, ""},
			{"the host", w.Host, tx.ID, 1, "ar", rev1Arabic, errs.Forbidden, ""},
			{"an outsider (who does not read the text)", w.Outsider, tx.ID, 1, "ar", rev1Arabic, errs.NotFound, ""},
			{"no such revision", w.Med, tx.ID, 2, "ar", rev1Arabic, errs.NotFound, ""},
			{"no such text", w.Med, strings.Repeat("0", 32), 1, "ar", rev1Arabic, errs.NotFound, ""},
			{"bad tag", w.Med, tx.ID, 1, "Arabic", rev1Arabic, errs.Invalid, "language"},
			{"the authoritative language", w.Med, tx.ID, 1, "en", rev1, errs.Invalid, "language"},
			{"bad markup", w.Med, tx.ID, 1, "ar", "# ت\n\n1. [غير مغلق\n", text.CodeUnbalanced, "source"},
			{"other shape", w.Med, tx.ID, 1, "ru", "# Т\n\n1. а\n2. б\n3. в\n", text.CodeStructure, "source"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.Text.SetTranslation(ctx, c.actor, c.text, c.n, c.lang, c.src)
				wantErr(t, err, c.code, c.field)
			})
		}
		if n := count(t, db, "text_translations"); n != 0 {
			t.Fatalf("%d translations stored after refusals", n)
		}

		ar, err := w.Text.SetTranslation(ctx, w.Med, tx.ID, 1, "ar", rev1Arabic)
		wantErr(t, err, "", "")
		if ar.Dir != "rtl" || ar.Revision != 1 || len(ar.Document.Paragraphs()) != 3 {
			t.Errorf("translation = %+v", ar)
		}
		// A correction keeps the id.
		fixed := strings.Replace(rev1Arabic, "الدول الضامنة", "الدول الضامنة الثلاث", 1)
		again, err := w.Text.SetTranslation(ctx, w.Med, tx.ID, 1, "ar", fixed)
		wantErr(t, err, "", "")
		if again.ID != ar.ID || again.SHA256 == ar.SHA256 {
			t.Errorf("correction: id %s→%s, hash %s→%s", ar.ID, again.ID, ar.SHA256, again.SHA256)
		}

		// Readers: the revision's audience (parties, mediation, host);
		// the others get 404 like a missing revision.
		for _, c := range []struct {
			name  string
			actor access.Actor
			code  string
		}{
			{"mediation", w.Med, ""}, {"party", w.Opp, ""}, {"party member", w.GovMember, ""}, {"host", w.Host, ""},
			{"guarantor", w.Guarantor, errs.NotFound}, {"outsider", w.Outsider, errs.NotFound},
		} {
			t.Run("read by "+c.name, func(t *testing.T) {
				ts, err := w.Text.Translations(ctx, c.actor, tx.ID, 1)
				wantErr(t, err, c.code, "")
				if c.code == "" && (len(ts) != 1 || ts[0].Language != "ar" || !strings.Contains(ts[0].Source, "الثلاث")) {
					t.Errorf("translations = %+v", ts)
				}
				_, err = w.Text.Translation(ctx, c.actor, tx.ID, 1, "ar")
				wantErr(t, err, c.code, "")
			})
		}
		_, err = w.Text.Translation(ctx, w.Med, tx.ID, 1, "ru")
		wantErr(t, err, errs.NotFound, "")

		// Each change is a ledger event with the revision's audience.
		var n int
		if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM events WHERE type = 'text.translation_set' AND object_id = $1", ar.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%d text.translation_set events, want 2", n)
		}
	})
}
