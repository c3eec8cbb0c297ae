package web

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

// recordFixture is the web fixture served with the ledger's record pages,
// a signing key, one signed checkpoint cosigned by the government's
// witness, and a consent event that only the parties, the host and the
// mediation may read.
type recordFixture struct {
	*fixture
	consent int64 // ledger index of the government's consent toward the opposition
}

func newRecordFixture(t *testing.T, db *store.DB) *recordFixture {
	t.Helper()
	ctx := context.Background()
	f := newFixtureOn(t, db)
	signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/record")
	if err != nil {
		t.Fatal(err)
	}
	f.Ledger.SetKey(signer, vkey)
	gov := access.Actor{User: "gov-user", Username: "gov.head", Org: f.Gov.ID, OrgKind: access.Party, Role: access.Head}
	if _, err := f.Talks.SetConsent(ctx, gov, f.Round.ID, f.Opp.ID, true); err != nil {
		t.Fatal(err)
	}
	rf := &recordFixture{consent: -1}
	mediation := access.Actor{User: "m", Org: f.Mediation.ID, OrgKind: access.Mediation, Role: access.Head}
	all, err := f.Ledger.RoundEvents(ctx, mediation, f.Round.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if strings.Contains(e.Type, "consent") {
			rf.consent = e.Index
		}
	}
	if rf.consent < 0 {
		t.Fatalf("no consent event among %+v", all)
	}

	// A witness of the government cosigns the checkpoint.
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := torchwood.NewCosignatureSigner("witness-gov", priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Ledger.RegisterWitness(ctx, gov, "Government witness", cs.Verifier().String()); err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.NewCheckpointer(f.Ledger, 0, 0).Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(cp), "\n\n")
	signed, err := note.Sign(&note.Note{Text: text + "\n"}, cs)
	if err != nil {
		t.Fatal(err)
	}
	_, line, _ := strings.Cut(string(signed), "\n\n")
	if err := f.Ledger.AddCosignature(ctx, gov, []byte(text+"\n"), []byte(line)); err != nil {
		t.Fatal(err)
	}

	cf := *f
	cf.web, cf.srv = f.serve(t, Deps{Ledger: f.Ledger, Log: slog.New(slog.DiscardHandler), BaseURL: "https://talks.example/"})
	rf.fixture = &cf
	return rf
}

var leakedRecordKey = regexp.MustCompile(`\brecord\.[a-z_]+\b`)

func TestRecordPage(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newRecordFixture(t, db)
		ctx := context.Background()
		round := f.Round.ID
		st, err := f.Ledger.Status(ctx)
		if err != nil || st.Checkpoint == nil {
			t.Fatalf("status %+v %v", st, err)
		}
		// An agenda item added after the checkpoint is listed as pending.
		late, err := f.Talks.AddAgendaItem(ctx, access.System, round, talks.NewAgendaItem{Track: talks.TrackHumanitarian, Title: "Late item"})
		if err != nil {
			t.Fatal(err)
		}
		proofLink := func(i int64) string { return fmt.Sprintf(`href="/rounds/%s/record/%d"`, round, i) }

		tests := []struct {
			user        string
			seesConsent bool
		}{
			{"opp.head", true},
			{"mediator", true},
			{"observer.us", false},
			{"guarantor.ru", false},
		}
		for _, tt := range tests {
			t.Run(tt.user, func(t *testing.T) {
				b := f.loggedIn(t, tt.user, "en")
				a := b.get("/rounds/" + round + "/record")
				mustContain(t, a, http.StatusOK,
					"parley.test/record\n"+fmt.Sprint(st.Checkpoint.Size)+"\n", // the checkpoint text
					"Government witness", "— witness-gov ",
					proofLink(f.item.LedgerIndex), proofLink(late.LedgerIndex),
					"not yet in a signed checkpoint",
					`href="/rounds/`+round+`/record/bundle"`,
					strings.ReplaceAll(f.Ledger.VerifierKey(), "+", "&#43;")) // html/template escapes "+"
				if got := strings.Contains(a.body, proofLink(f.consent)); got != tt.seesConsent {
					t.Errorf("consent event listed: %v, want %v", got, tt.seesConsent)
				}
				ev := b.get(fmt.Sprintf("/rounds/%s/record/%d", round, f.consent))
				if tt.seesConsent {
					mustContain(t, ev, http.StatusOK, "parley-event v1\nindex "+fmt.Sprint(f.consent)+"\n", "RFC 9162")
				} else if ev.status != http.StatusNotFound {
					t.Errorf("consent event proof page: %d, want 404", ev.status)
				}
				mustContain(t, b.get(fmt.Sprintf("/rounds/%s/record/%d", round, late.LedgerIndex)), http.StatusOK,
					"newer than the latest signed checkpoint")
			})
		}

		// Outside the round: the record, its events and the bundle are 404.
		out := f.loggedIn(t, "outsider.head", "en")
		for _, p := range []string{"/record", "/record/bundle", fmt.Sprintf("/record/%d", f.item.LedgerIndex)} {
			if a := out.get("/rounds/" + round + p); a.status != http.StatusNotFound {
				t.Errorf("outsider %s: %d, want 404", p, a.status)
			}
		}
		opp := f.loggedIn(t, "opp.head", "en")
		for path, want := range map[string]int{
			"/record/abc":    http.StatusNotFound,
			"/record/-1":     http.StatusNotFound,
			"/record/999999": http.StatusNotFound,
			"/record?from=x": http.StatusBadRequest,
			"/record?from=" + fmt.Sprint(late.LedgerIndex): http.StatusOK,
		} {
			if a := opp.get("/rounds/" + round + path); a.status != want {
				t.Errorf("%s: %d, want %d", path, a.status, want)
			}
		}
		// The round page links its record.
		mustContain(t, opp.get("/rounds/"+round), http.StatusOK, `href="/rounds/`+round+`/record"`)

		// Every language has the page's words.
		for _, lang := range []string{"ar", "ru", "tr"} {
			b := f.browser(t, lang)
			b.cookie = opp.cookie
			for _, p := range []string{"/record", fmt.Sprintf("/record/%d", f.item.LedgerIndex)} {
				a := b.get("/rounds/" + round + p)
				if a.status != http.StatusOK {
					t.Fatalf("%s %s: %d", lang, p, a.status)
				}
				if m := leakedRecordKey.FindString(a.body); m != "" {
					t.Errorf("%s %s: untranslated key %q", lang, p, m)
				}
			}
		}
	})
}

// TestRecordBundle: the download is an attachment that "parley audit
// verify" accepts, holding exactly the round's events the viewer may read.
func TestRecordBundle(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newRecordFixture(t, db)
		for _, tt := range []struct {
			user        string
			seesConsent bool
		}{{"opp.head", true}, {"observer.us", false}} {
			t.Run(tt.user, func(t *testing.T) {
				a := f.loggedIn(t, tt.user, "en").get("/rounds/" + f.Round.ID + "/record/bundle")
				if a.status != http.StatusOK {
					t.Fatalf("bundle: %d %s", a.status, a.body)
				}
				if cd := a.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=\"parley-record-") {
					t.Errorf("Content-Disposition %q", cd)
				}
				probs, bd, err := ledger.VerifyBundle([]byte(a.body), f.Ledger.VerifierKey())
				if err != nil || len(probs) > 0 {
					t.Fatalf("bundle does not verify: %v %v", probs, err)
				}
				// The bundle names the configured address, never the Host
				// header the client sent.
				if bd.Server != "https://talks.example" || len(bd.Events) == 0 {
					t.Errorf("bundle from %q with %d events", bd.Server, len(bd.Events))
				}
				actor := access.Actor{User: "u", Org: f.users[tt.user].ID, OrgKind: f.users[tt.user].Kind, Role: access.Head}
				want, err := f.Ledger.RoundEvents(context.Background(), actor, f.Round.ID, 0, 0)
				if err != nil || len(want) != len(bd.Events) {
					t.Fatalf("bundle has %d events, the reader may read %d (%v)", len(bd.Events), len(want), err)
				}
				has := false
				for _, e := range bd.Events {
					has = has || e.Index == f.consent
				}
				if has != tt.seesConsent {
					t.Errorf("consent event in the bundle: %v, want %v", has, tt.seesConsent)
				}
			})
		}
	})
}

// TestConversationLinksProofs: each message on the conversation page links
// to its event's inclusion proof, which its readers may open and others
// may not.
func TestConversationLinksProofs(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newRecordFixture(t, db)
		ch := withChannel(t, f.fixture)
		round := f.Round.ID
		opp := f.loggedIn(t, "opp.head", "en")
		if a := opp.post("/rounds/"+round+"/messages", url.Values{"to": {"mediation"}, "body": {"For the mediation only"}}); a.status != http.StatusSeeOther {
			t.Fatalf("send: %d %s", a.status, a.body)
		}
		msgs, err := ch.List(context.Background(), talkstest.Head(f.Opp), round, channel.ListFilter{After: -1})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("messages %v %v", msgs, err)
		}
		proof := fmt.Sprintf("/rounds/%s/record/%d", round, msgs[0].LedgerIndex)
		mustContain(t, opp.get("/rounds/"+round+"/conversation"), http.StatusOK, `href="`+proof+`"`, "Proof in the record")
		mustContain(t, opp.get(proof), http.StatusOK, "parley-event v1\nindex "+fmt.Sprint(msgs[0].LedgerIndex)+"\n")
		if a := f.loggedIn(t, "observer.us", "en").get(proof); a.status != http.StatusNotFound {
			t.Errorf("the observer opens the proof of a message to the mediation: %d", a.status)
		}
	})
}
