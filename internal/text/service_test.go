package text_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
	"parley/internal/text"
)

// passwords is a fake password check: every user's password is
// "pw-" + username, and opp.head has a second factor whose code is "123456".
type passwords struct{}

func (passwords) VerifyPassword(_ context.Context, a access.Actor, pw, otp string) error {
	if pw != "pw-"+a.Username {
		return errs.New("invalid_credentials", "wrong password")
	}
	if a.Username == "opp.head" && otp != "123456" {
		return errs.New("otp_required", "enter your authenticator code as well")
	}
	return nil
}

// world is the talks fixture with the text service and the usual actors.
type world struct {
	*talkstest.Fixture
	Text                      *text.Service
	Med, Gov, GovMember, Opp  access.Actor
	Host, Guarantor, Outsider access.Actor
	ctx                       context.Context
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	f := talkstest.New(t, db)
	return &world{
		Fixture: f, Text: text.New(db, f.Ledger, passwords{}), ctx: context.Background(),
		Med: talkstest.Actor(f.Mediation, access.Member), Gov: talkstest.Head(f.Gov),
		GovMember: talkstest.Actor(f.Gov, access.Member), Opp: talkstest.Head(f.Opp),
		Host: talkstest.Head(f.Host), Guarantor: talkstest.Head(f.Guarantor), Outsider: talkstest.Head(f.Outsider),
	}
}

// wantErr checks that err carries code (and names field when not empty).
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error = %v, want code %q", err, code)
	}
	if field != "" && e.Field != field {
		t.Fatalf("field = %q (%v), want %q", e.Field, err, field)
	}
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const rev1 = `# Agreement on the ceasefire regime

The parties,

1. The ceasefire shall be monitored by
A) the joint monitoring group.
B) the guarantors.
2. Detainees shall be released [within thirty days].
3. This agreement enters into force on signature.
`

// issued creates a text from src and issues it as Rev.1.
func (w *world) issued(t *testing.T, src string) text.Text {
	t.Helper()
	tx, err := w.Text.Create(w.ctx, w.Med, w.Round.ID, text.NewText{Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Text.Issue(w.ctx, w.Med, tx.ID); err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestDraftsAndIssue(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		// Only the mediation of the round drafts.
		for _, a := range []access.Actor{w.Gov, w.Host, w.Guarantor, {}} {
			_, err := w.Text.Create(ctx, a, w.Round.ID, text.NewText{Source: rev1})
			if err == nil {
				t.Fatalf("%s created a text", a.Username)
			}
		}
		_, err := w.Text.Create(ctx, w.Med, store.NewID(), text.NewText{Source: rev1})
		wantErr(t, err, errs.NotFound, "")
		tx, err := w.Text.Create(ctx, w.Med, w.Round.ID, text.NewText{Title: "Draft agreement"})
		wantErr(t, err, "", "")
		if tx.Title != "Draft agreement" {
			t.Errorf("title = %q", tx.Title)
		}

		// An unbalanced bracket is reported and nothing is saved.
		before := count(t, db, "text_drafts")
		_, err = w.Text.SaveDraft(ctx, w.Med, tx.ID, "# T\n\n1. one [two\n")
		wantErr(t, err, text.CodeUnbalanced, "source")
		if e, _ := errs.As(err); !strings.HasPrefix(e.Message, "3:8:") {
			t.Errorf("message = %q, want line:col 3:8", e.Message)
		}
		if n := count(t, db, "text_drafts"); n != before {
			t.Errorf("drafts = %d after a refused save, want %d", n, before)
		}

		// Every save is kept.
		if _, err := w.Text.SaveDraft(ctx, w.Med, tx.ID, rev1); err != nil {
			t.Fatal(err)
		}
		ds, err := w.Text.Drafts(ctx, w.Med, tx.ID)
		wantErr(t, err, "", "")
		if len(ds) != 2 || ds[0].Seq != 2 || ds[0].Source != rev1 {
			t.Fatalf("drafts = %+v", ds)
		}

		// Before Rev.1 the text is the mediation's alone.
		for _, a := range []access.Actor{w.Gov, w.Opp, w.Host} {
			_, err := w.Text.Text(ctx, a, tx.ID)
			wantErr(t, err, errs.NotFound, "")
			if ts, _ := w.Text.Texts(ctx, a, w.Round.ID); len(ts) != 0 {
				t.Errorf("%s lists %d texts before Rev.1", a.Username, len(ts))
			}
		}
		// A party asking to issue a text it does not read yet is answered
		// as for a missing text: the right is the capacity in the round,
		// asked once the text is read, not the organisation's kind.
		_, err = w.Text.Issue(ctx, w.Gov, tx.ID)
		wantErr(t, err, errs.NotFound, "")
		rev, err := w.Text.Issue(ctx, w.Med, tx.ID)
		wantErr(t, err, "", "")
		if rev.Number != 1 || rev.IssuedAt.IsZero() || rev.LedgerIndex < 0 || len(rev.Paragraphs) != 3 {
			t.Fatalf("Rev.1 = %+v", rev)
		}
		// Issuing the same text again is refused.
		_, err = w.Text.Issue(ctx, w.Med, tx.ID)
		wantErr(t, err, errs.Conflict, "")

		// Parties, mediation and host read the issued revision; the
		// guarantor, observer and an outsider do not, and nobody but the
		// mediation reads drafts.
		for _, c := range []struct {
			a  access.Actor
			ok bool
		}{{w.Gov, true}, {w.Opp, true}, {w.Host, true}, {w.Med, true}, {w.Guarantor, false}, {w.Outsider, false}} {
			_, err := w.Text.Revision(ctx, c.a, tx.ID, 1)
			if (err == nil) != c.ok {
				t.Errorf("%s reads Rev.1: %v, want %v", c.a.Username, err, c.ok)
			}
			ds, _ := w.Text.Drafts(ctx, c.a, tx.ID)
			if len(ds) > 0 && c.a.Org != w.Mediation.ID {
				t.Errorf("%s reads %d drafts", c.a.Username, len(ds))
			}
		}
		// A later draft does not change what parties read.
		if _, err := w.Text.SaveDraft(ctx, w.Med, tx.ID, "# Secret new title\n\n1. x\n"); err != nil {
			t.Fatal(err)
		}
		got, err := w.Text.Text(ctx, w.Gov, tx.ID)
		wantErr(t, err, "", "")
		if got.Title != "Agreement on the ceasefire regime" || got.Revision != 1 {
			t.Errorf("party sees %+v", got)
		}
		_, err = w.Text.Revision(ctx, w.Gov, tx.ID, 2)
		wantErr(t, err, errs.NotFound, "")
		// A round the reader does not take part in is not found.
		_, err = w.Text.Texts(ctx, w.Outsider, w.Round.ID)
		wantErr(t, err, errs.NotFound, "")
		if ts, err := w.Text.Texts(ctx, w.Gov, w.Round.ID); err != nil || len(ts) != 1 {
			t.Errorf("government lists %d texts (%v), want 1", len(ts), err)
		}
	})
}

func TestPositionsAndStatus(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		tx := w.issued(t, rev1)
		cases := []struct {
			name        string
			actor       access.Actor
			rev, para   int
			in          text.PositionInput
			code, field string
		}{
			{"accept option A", w.Gov, 1, 1, text.PositionInput{Alternative: "A", Stance: text.Accept}, "", ""},
			{"member speaks for the party", w.GovMember, 1, 3, text.PositionInput{Stance: text.Accept, Comment: "fine"}, "", ""},
			{"reserve", w.Opp, 1, 1, text.PositionInput{Stance: text.Reserve, Comment: "awaiting instructions"}, "", ""},
			{"amend", w.Opp, 1, 2, text.PositionInput{Stance: text.Amend, Wording: "Detainees shall be released within sixty days."}, "", ""},
			{"mediation has no position", w.Med, 1, 1, text.PositionInput{Stance: text.Accept, Alternative: "A"}, errs.Forbidden, ""},
			{"outsider", w.Outsider, 1, 1, text.PositionInput{Stance: text.Reject}, errs.NotFound, ""},
			{"no such paragraph", w.Gov, 1, 9, text.PositionInput{Stance: text.Accept}, errs.Invalid, "paragraph"},
			{"no such alternative", w.Gov, 1, 1, text.PositionInput{Alternative: "C", Stance: text.Accept}, errs.Invalid, "alternative"},
			{"alternative on a plain paragraph", w.Gov, 1, 3, text.PositionInput{Alternative: "A", Stance: text.Accept}, errs.Invalid, "alternative"},
			{"accept without naming the option", w.Gov, 1, 1, text.PositionInput{Stance: text.Accept}, errs.Invalid, "alternative"},
			{"unknown stance", w.Gov, 1, 1, text.PositionInput{Stance: "maybe"}, errs.Invalid, "stance"},
			{"amend without wording", w.Gov, 1, 2, text.PositionInput{Stance: text.Amend}, errs.Invalid, "wording"},
			{"wording without amend", w.Gov, 1, 2, text.PositionInput{Stance: text.Reject, Wording: "x"}, errs.Invalid, "wording"},
			{"unbalanced wording", w.Gov, 1, 2, text.PositionInput{Stance: text.Amend, Wording: "x [y"}, text.CodeUnbalanced, "wording"},
			{"no such revision", w.Gov, 2, 1, text.PositionInput{Stance: text.Reject}, errs.NotFound, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := count(t, db, "events")
				_, err := w.Text.SetPosition(ctx, c.actor, tx.ID, c.rev, c.para, c.in)
				wantErr(t, err, c.code, c.field)
				if c.code != "" && count(t, db, "events") != before {
					t.Error("a refused position appended an event")
				}
			})
		}

		// The mediation sees every position; each party its own.
		med, err := w.Text.Revision(ctx, w.Med, tx.ID, 1)
		wantErr(t, err, "", "")
		if n := len(med.Paragraphs[0].Positions); n != 2 {
			t.Errorf("mediation sees %d positions on paragraph 1, want 2", n)
		}
		gov, _ := w.Text.Revision(ctx, w.Gov, tx.ID, 1)
		for _, ps := range gov.Paragraphs {
			for _, p := range ps.Positions {
				if p.OrgID != w.Gov.Org {
					t.Errorf("government sees the position of %s", p.OrgName)
				}
			}
			if len(ps.Summary) != 0 {
				t.Errorf("government sees a summary it was not shown")
			}
		}
		host, _ := w.Text.Revision(ctx, w.Host, tx.ID, 1)
		for _, ps := range host.Paragraphs {
			if len(ps.Positions) != 0 {
				t.Errorf("host sees positions")
			}
		}
		status := func(r text.Revision) []string {
			var s []string
			for _, p := range r.Paragraphs {
				s = append(s, p.Status)
			}
			return s
		}
		if got := strings.Join(status(med), " "); got != "bracketed bracketed open" {
			t.Errorf("status = %s", got)
		}

		// Both accept option A and paragraph 3: agreed for the mediation;
		// the government, without a summary, cannot tell.
		for _, a := range []access.Actor{w.Gov, w.Opp} {
			if _, err := w.Text.SetPosition(ctx, a, tx.ID, 1, 1, text.PositionInput{Alternative: "A", Stance: text.Accept}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Text.SetPosition(ctx, a, tx.ID, 1, 3, text.PositionInput{Stance: text.Accept}); err != nil {
				t.Fatal(err)
			}
		}
		med, _ = w.Text.Revision(ctx, w.Med, tx.ID, 1)
		if got := strings.Join(status(med), " "); got != "agreed bracketed agreed" || med.Paragraphs[0].Agreed != "A" {
			t.Errorf("status = %s (%q)", got, med.Paragraphs[0].Agreed)
		}
		gov, _ = w.Text.Revision(ctx, w.Gov, tx.ID, 1)
		if got := strings.Join(status(gov), " "); got != "bracketed bracketed open" {
			t.Errorf("government status without summary = %s", got)
		}

		// The mediation shows the government the summary: stances only.
		wantErr(t, w.Text.SetSummary(ctx, w.Gov, tx.ID, w.Gov.Org, true), errs.Forbidden, "")
		wantErr(t, w.Text.SetSummary(ctx, w.Med, tx.ID, w.Host.Org, true), errs.Invalid, "org")
		wantErr(t, w.Text.SetSummary(ctx, w.Med, tx.ID, w.Gov.Org, true), "", "")
		gov, _ = w.Text.Revision(ctx, w.Gov, tx.ID, 1)
		if got := strings.Join(status(gov), " "); got != "agreed bracketed agreed" {
			t.Errorf("government status with summary = %s", got)
		}
		if s := gov.Paragraphs[1].Summary; len(s) != 1 || s[0].Stance != text.Amend || s[0].OrgID != w.Opp.Org {
			t.Errorf("summary of paragraph 2 = %+v", gov.Paragraphs[1].Summary)
		}
		for _, p := range gov.Paragraphs[1].Positions {
			if p.OrgID != w.Gov.Org {
				t.Errorf("summary leaked the opposition's wording")
			}
		}
		opp, _ := w.Text.Revision(ctx, w.Opp, tx.ID, 1)
		if len(opp.Paragraphs[0].Summary) != 0 {
			t.Error("the opposition sees a summary shown to the government")
		}
		// Turned off again, the summary is gone.
		wantErr(t, w.Text.SetSummary(ctx, w.Med, tx.ID, w.Gov.Org, false), "", "")
		gov, _ = w.Text.Revision(ctx, w.Gov, tx.ID, 1)
		if len(gov.Paragraphs[0].Summary) != 0 {
			t.Error("summary still shown after it was turned off")
		}

		// Ad referendum: agreed paragraphs are agreed ad referendum.
		wantErr(t, w.Text.SetAdReferendum(ctx, w.Med, tx.ID, true), "", "")
		med, _ = w.Text.Revision(ctx, w.Med, tx.ID, 1)
		if got := strings.Join(status(med), " "); got != "agreed_ad_referendum bracketed agreed_ad_referendum" {
			t.Errorf("status ad referendum = %s", got)
		}

		// One click from the amendment starts the next draft; issuing it
		// supersedes Rev.1.
		d, err := w.Text.DraftFromAmendment(ctx, w.Med, tx.ID, 1, 2, "", w.Opp.Org)
		wantErr(t, err, "", "")
		if !strings.Contains(d.Source, "2. Detainees shall be released within sixty days.\n") {
			t.Fatalf("draft from amendment:\n%s", d.Source)
		}
		_, err = w.Text.DraftFromAmendment(ctx, w.Med, tx.ID, 1, 3, "", w.Opp.Org)
		wantErr(t, err, errs.NotFound, "")
		if _, err := w.Text.Issue(ctx, w.Med, tx.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.Text.SetPosition(ctx, w.Gov, tx.ID, 1, 3, text.PositionInput{Stance: text.Accept})
		wantErr(t, err, text.CodeSuperseded, "")
		if e, _ := errs.As(err); !strings.Contains(e.Message, "Rev.2") {
			t.Errorf("superseded message %q does not name Rev.2", e.Message)
		}
	})
}

func TestAdoption(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		tx := w.issued(t, rev1)
		_, err := w.Text.Adopt(ctx, w.Gov, tx.ID, "pw-gov.head", "")
		wantErr(t, err, text.CodeBracketsRemain, "")
		if e, _ := errs.As(err); !strings.Contains(e.Message, "paragraphs 1, 2") {
			t.Errorf("message %q does not list the bracketed paragraphs", e.Message)
		}
		clean := "# Agreement on the ceasefire regime\n\n1. The ceasefire shall be monitored by the joint monitoring group.\n2. Detainees shall be released within sixty days.\n"
		if _, err := w.Text.SaveDraft(ctx, w.Med, tx.ID, clean); err != nil {
			t.Fatal(err)
		}
		rev, err := w.Text.Issue(ctx, w.Med, tx.ID)
		wantErr(t, err, "", "")
		for _, c := range []struct {
			name       string
			a          access.Actor
			pw, otp    string
			code       string
			adoptedNow bool
		}{
			{"mediation cannot adopt", w.Med, "pw-mediation.member", "", errs.Forbidden, false},
			{"a member is not the head", w.GovMember, "pw-gov.member", "", errs.Forbidden, false},
			{"outsider head", w.Outsider, "pw-outsider.head", "", errs.NotFound, false},
			{"wrong password", w.Gov, "nope", "", "invalid_credentials", false},
			{"government head", w.Gov, "pw-gov.head", "", "", false},
			{"confirming twice changes nothing", w.Gov, "pw-gov.head", "", "", false},
			{"second factor missing", w.Opp, "pw-opp.head", "", "otp_required", false},
			{"opposition head", w.Opp, "pw-opp.head", "123456", "", true},
			{"adopted already", w.Gov, "pw-gov.head", "", errs.Conflict, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				ad, err := w.Text.Adopt(ctx, c.a, tx.ID, c.pw, c.otp)
				wantErr(t, err, c.code, "")
				if c.code == "" && ad.Adopted != c.adoptedNow {
					t.Errorf("adopted = %v, want %v (%+v)", ad.Adopted, c.adoptedNow, ad)
				}
			})
		}
		if n := count(t, db, "text_confirmations"); n != 2 {
			t.Errorf("%d confirmations, want 2", n)
		}
		ad, err := w.Text.AdoptionState(ctx, w.Host, tx.ID)
		wantErr(t, err, "", "")
		sum := sha256.Sum256([]byte(rev.Source))
		if !ad.Adopted || ad.SHA256 != hex.EncodeToString(sum[:]) || ad.Revision != 2 {
			t.Fatalf("adoption = %+v", ad)
		}
		d, _ := text.Parse(clean)
		if ad.SHA256 != text.Hash(d) {
			t.Error("adopted hash is not the hash of the canonical text")
		}
		// The ledger holds the adoption with the text's hash.
		var content []byte
		var typ string
		if err := db.R.QueryRowContext(ctx, "SELECT type, content_hash FROM events WHERE idx = $1", ad.LedgerIndex).Scan(&typ, &content); err != nil {
			t.Fatal(err)
		}
		if typ != "text.adopted" {
			t.Errorf("event %d is %s", ad.LedgerIndex, typ)
		}
		// The record's content hash is the text's own SHA-256.
		if hex.EncodeToString(content) != ad.SHA256 {
			t.Errorf("adoption event's content hash %x, want the text's %s", content, ad.SHA256)
		}
		// No more drafts or positions once adopted.
		_, err = w.Text.SaveDraft(ctx, w.Med, tx.ID, clean)
		wantErr(t, err, errs.Conflict, "")
		_, err = w.Text.SetPosition(ctx, w.Gov, tx.ID, 2, 1, text.PositionInput{Stance: text.Reject})
		wantErr(t, err, errs.Conflict, "")
	})
}
