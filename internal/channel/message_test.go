package channel

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestAudiences(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.consent(t, "gov", "opp", true)
		w.consent(t, "opp", "gov", true)
		tests := []struct {
			name    string
			from    string
			to      func() []string
			kind    Kind
			readers []string
		}{
			{"party default to mediation", "opp", func() []string { return nil }, ToMediation, []string{"opp", "med"}},
			{"party to mediation", "gov", func() []string { return []string{"mediation"} }, ToMediation, []string{"gov", "med"}},
			{"party internal", "opp", func() []string { return []string{"internal"} }, Internal, []string{"opp"}},
			{"own org id is internal", "gov", func() []string { return []string{w.Gov.ID} }, Internal, []string{"gov"}},
			{"plenary", "host", func() []string { return []string{"plenary"} }, Plenary, []string{"host", "med", "gov", "opp", "guarantor", "observer", "monitor", "agency"}},
			{"direct with consent", "opp", func() []string { return []string{w.Gov.ID} }, Direct, []string{"opp", "gov", "med"}},
			{"mediation to one party", "med", func() []string { return []string{w.Gov.ID} }, ToMediation, []string{"gov", "med"}},
			{"guarantor to mediation", "guarantor", func() []string { return []string{"mediation"} }, ToMediation, []string{"guarantor", "med"}},
			{"party naming the mediation org", "gov", func() []string { return []string{w.Mediation.ID} }, ToMediation, []string{"gov", "med"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				m := w.send(t, tc.from, NewMessage{To: tc.to(), Body: "text of " + tc.name})
				if m.Kind != tc.kind {
					t.Errorf("kind %s, want %s", m.Kind, tc.kind)
				}
				if m.LedgerIndex < 0 {
					t.Errorf("ledger index %d", m.LedgerIndex)
				}
				for _, who := range everyone {
					got, err := w.ch.Get(ctx, w.head(who), m.ID)
					want := slices.Contains(tc.readers, who)
					if want && (err != nil || got.Body != m.Body) {
						t.Errorf("%s cannot read: %v", who, err)
					}
					if !want && errs.Code(err) != errs.NotFound {
						t.Errorf("%s reads a message outside its audience: %v", who, err)
					}
					list, err := w.ch.List(ctx, w.head(who), w.Round.ID, ListFilter{After: -1})
					if who == "outsider" {
						if errs.Code(err) != errs.NotFound {
							t.Errorf("outsider lists the round: %v", err)
						}
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					in := slices.ContainsFunc(list, func(x Message) bool { return x.ID == m.ID })
					if in != want {
						t.Errorf("%s lists it: %v, want %v", who, in, want)
					}
				}
			})
		}
	})
}

func TestSendRefusals(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		before := count(t, db, "messages")
		tests := []struct {
			name string
			from string
			in   func() NewMessage
			code string
		}{
			{"empty body", "opp", func() NewMessage { return NewMessage{Body: "  \n"} }, EmptyBody},
			{"body over 64 KiB", "opp", func() NewMessage { return NewMessage{Body: strings.Repeat("a", MaxBody+1)} }, BodyTooLong},
			{"unknown recipient id", "opp", func() NewMessage { return NewMessage{To: []string{store.NewID()}, Body: "x"} }, UnknownRecipient},
			{"malformed recipient", "opp", func() NewMessage { return NewMessage{To: []string{"the government"}, Body: "x"} }, UnknownRecipient},
			{"recipient not in round", "opp", func() NewMessage { return NewMessage{To: []string{w.Outsider.ID}, Body: "x"} }, RecipientNotInRound},
			{"direct without consent", "opp", func() NewMessage { return NewMessage{To: []string{w.Gov.ID}, Body: "x"} }, errs.NoDirectConsent},
			{"party to guarantor", "opp", func() NewMessage { return NewMessage{To: []string{w.Guarantor.ID}, Body: "x"} }, RecipientNotAllowed},
			{"observer to plenary", "observer", func() NewMessage { return NewMessage{To: []string{"plenary"}, Body: "x"} }, RecipientNotAllowed},
			{"keyword mixed with ids", "opp", func() NewMessage { return NewMessage{To: []string{"plenary", w.Gov.ID}, Body: "x"} }, errs.Invalid},
			{"outsider", "outsider", func() NewMessage { return NewMessage{Body: "x"} }, errs.NotFound},
			{"reply to unknown", "opp", func() NewMessage { return NewMessage{Body: "x", ReplyTo: store.NewID()} }, errs.NotFound},
			{"invalid utf-8", "opp", func() NewMessage { return NewMessage{Body: "a\xffb"} }, errs.Invalid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.ch.Send(ctx, w.head(tc.from), w.Round.ID, tc.in())
				wantCode(t, err, tc.code)
			})
		}
		if n := count(t, db, "messages"); n != before {
			t.Errorf("refused sends wrote %d messages", n-before)
		}
		_, err := w.ch.Send(ctx, w.head("opp"), store.NewID(), NewMessage{Body: "x"})
		wantCode(t, err, errs.NotFound)
		// The refusal of a direct message points to the mediation.
		_, err = w.ch.Send(ctx, w.head("opp"), w.Round.ID, NewMessage{To: []string{w.Gov.ID}, Body: "x"})
		if e, _ := errs.As(err); e == nil || !strings.Contains(e.Message, "mediation") {
			t.Errorf("refusal %v does not point to the mediation", err)
		}
	})
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConsentWithdrawalClosesDirect(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		w.consent(t, "gov", "opp", true)
		_, err := w.ch.Send(ctx, w.head("gov"), w.Round.ID, NewMessage{To: []string{w.Opp.ID}, Body: "one side only"})
		wantCode(t, err, errs.NoDirectConsent)
		w.consent(t, "opp", "gov", true)
		m := w.send(t, "gov", NewMessage{To: []string{w.Opp.ID}, Body: "both consent"})
		reply := w.send(t, "opp", NewMessage{ReplyTo: m.ID, Body: "a direct reply"})
		if reply.Kind != Direct || reply.ReplyTo != m.ID {
			t.Errorf("reply %+v: want a direct reply to %s", reply, m.ID)
		}
		w.consent(t, "opp", "gov", false)
		_, err = w.ch.Send(ctx, w.head("gov"), w.Round.ID, NewMessage{To: []string{w.Opp.ID}, Body: "after withdrawal"})
		wantCode(t, err, errs.NoDirectConsent)
		_, err = w.ch.Send(ctx, w.head("opp"), w.Round.ID, NewMessage{ReplyTo: m.ID, Body: "reply after withdrawal"})
		wantCode(t, err, errs.NoDirectConsent)
		for _, who := range []string{"gov", "opp", "med"} {
			if _, err := w.ch.Get(ctx, w.head(who), m.ID); err != nil {
				t.Errorf("%s no longer reads what was sent: %v", who, err)
			}
		}
	})
}

func TestRelay(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		orig := w.send(t, "opp", NewMessage{Body: "We ask for the release of the detainees on list B."})
		// The government does not read the original: answered as missing.
		if _, err := w.ch.Relay(ctx, w.head("gov"), orig.ID, RelayInput{To: []string{w.Gov.ID}}); errs.Code(err) != errs.NotFound {
			t.Fatalf("a party relays: %v", err)
		}
		tests := []struct {
			name       string
			in         RelayInput
			from       string // organisation shown to the recipient
			oppReads   bool
			attributed bool
		}{
			{"unattributed, reworded", RelayInput{Body: "One side asks about the detainees on list B."}, "med", true, false},
			{"attributed, original wording", RelayInput{Attributed: true}, "opp", true, true},
			{"hidden from origin", RelayInput{Body: "Reworded.", HideFromOrigin: true}, "med", false, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				in.To = []string{w.Gov.ID}
				r, err := w.ch.Relay(ctx, w.head("med"), orig.ID, in)
				if err != nil {
					t.Fatal(err)
				}
				if r.Kind != Relayed || r.RelayedFrom != orig.ID {
					t.Errorf("mediation sees %s from %q", r.Kind, r.RelayedFrom)
				}
				got, err := w.ch.Get(ctx, w.head("gov"), r.ID)
				if err != nil {
					t.Fatal(err)
				}
				wantBody := in.Body
				if wantBody == "" {
					wantBody = orig.Body
				}
				if got.Body != wantBody || got.From.ID != w.head(tc.from).Org || got.FromUser != "" || got.Attributed != tc.attributed {
					t.Errorf("government sees %+v", got)
				}
				if got.RelayedFrom != "" {
					t.Errorf("government sees the link to %s", got.RelayedFrom)
				}
				_, err = w.ch.Get(ctx, w.head("opp"), r.ID)
				if (err == nil) != tc.oppReads {
					t.Errorf("opposition reads the relay: %v, want %v", err, tc.oppReads)
				}
				if err == nil {
					o, _ := w.ch.Get(ctx, w.head("opp"), r.ID)
					if o.RelayedFrom != "" {
						t.Errorf("the origin sees the link")
					}
				}
				for _, who := range []string{"host", "guarantor", "observer", "outsider"} {
					if _, err := w.ch.Get(ctx, w.head(who), r.ID); errs.Code(err) != errs.NotFound {
						t.Errorf("%s reads the relay: %v", who, err)
					}
				}
				// The original is unchanged and still the opposition's.
				o, err := w.ch.Get(ctx, w.head("opp"), orig.ID)
				if err != nil || o.Body != orig.Body || o.Kind != ToMediation {
					t.Errorf("original changed: %+v, %v", o, err)
				}
				if _, err := w.ch.Get(ctx, w.head("gov"), orig.ID); errs.Code(err) != errs.NotFound {
					t.Errorf("government reads the original: %v", err)
				}
			})
		}
		// Refusals.
		own := w.send(t, "med", NewMessage{To: []string{w.Gov.ID}, Body: "our own"})
		_, err := w.ch.Relay(ctx, w.head("med"), own.ID, RelayInput{To: []string{w.Opp.ID}})
		wantCode(t, err, NotReceived)
		note := w.send(t, "gov", NewMessage{To: []string{"internal"}, Body: "internal note"})
		_, err = w.ch.Relay(ctx, w.head("med"), note.ID, RelayInput{To: []string{w.Opp.ID}})
		wantCode(t, err, errs.NotFound)
		_, err = w.ch.Relay(ctx, w.head("med"), store.NewID(), RelayInput{To: []string{w.Opp.ID}})
		wantCode(t, err, errs.NotFound)
		_, err = w.ch.Relay(ctx, w.head("med"), orig.ID, RelayInput{To: []string{w.Outsider.ID}})
		wantCode(t, err, RecipientNotInRound)
		_, err = w.ch.Relay(ctx, w.head("med"), orig.ID, RelayInput{To: []string{store.NewID()}})
		wantCode(t, err, UnknownRecipient)
		_, err = w.ch.Relay(ctx, w.head("med"), orig.ID, RelayInput{To: []string{w.Gov.ID}, Body: strings.Repeat("x", MaxBody+1)})
		wantCode(t, err, BodyTooLong)
	})
}

func TestReplies(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		q := w.send(t, "opp", NewMessage{Body: "question"})
		a := w.send(t, "med", NewMessage{ReplyTo: q.ID, Body: "answer"})
		if a.Kind != ToMediation || len(a.To) != 1 || a.To[0].ID != w.Opp.ID || a.ReplyTo != q.ID {
			t.Fatalf("mediation's reply %+v", a)
		}
		again := w.send(t, "opp", NewMessage{ReplyTo: a.ID, Body: "follow-up"})
		if again.Kind != ToMediation || again.ReplyTo != a.ID {
			t.Fatalf("follow-up %+v", again)
		}
		// A reader of a reply who cannot read the parent does not see the link.
		p := w.send(t, "opp", NewMessage{To: []string{"internal"}, Body: "note"})
		r := w.send(t, "opp", NewMessage{ReplyTo: p.ID, To: []string{"mediation"}, Body: "to the mediation"})
		got, err := w.ch.Get(context.Background(), w.head("med"), r.ID)
		if err != nil || got.ReplyTo != "" {
			t.Errorf("mediation sees reply_to %q of a note it cannot read (%v)", got.ReplyTo, err)
		}
	})
}

// TestRelayAttachments: the mediation passes on a chosen attachment of the
// message it relays. The recipient reads the copy (same content and
// SHA-256, its own id) and still not the original; an attachment of
// another message, or too many, is refused and leaves no file behind.
func TestRelayAttachments(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		src, err := w.ch.Send(ctx, w.head("opp"), w.Round.ID, NewMessage{Body: "the lists", Attachments: []Upload{
			{Name: "list-a.txt", DeclaredType: "text/plain", Data: []byte("names on list A")},
			{Name: "list-b.txt", DeclaredType: "text/plain", Data: []byte("names on list B")},
		}})
		if err != nil {
			t.Fatal(err)
		}
		other := w.send(t, "gov", NewMessage{Body: "ours", Attachments: []Upload{{Name: "gov.txt", DeclaredType: "text/plain", Data: []byte("government list")}}})
		files := func() int {
			entries, err := os.ReadDir(w.dir)
			if err != nil {
				t.Fatal(err)
			}
			return len(entries)
		}
		before := files()
		for _, tc := range []struct {
			name string
			ids  []string
			code string
		}{
			{"another message's attachment", []string{other.Attachments[0].ID}, errs.Invalid},
			{"no such attachment", []string{store.NewID()}, errs.Invalid},
			{"too many", []string{src.Attachments[0].ID, src.Attachments[1].ID, src.Attachments[0].ID, src.Attachments[1].ID, src.Attachments[0].ID}, TooManyAttachments},
		} {
			_, err := w.ch.Relay(ctx, w.head("med"), src.ID, RelayInput{To: []string{w.Guarantor.ID}, Attachments: tc.ids})
			wantCode(t, err, tc.code)
		}
		// A relay refused inside its transaction removes the copies it made.
		_, err = w.ch.Relay(ctx, w.head("med"), src.ID, RelayInput{To: []string{w.Outsider.ID}, Attachments: []string{src.Attachments[0].ID}})
		wantCode(t, err, RecipientNotInRound)
		if n := files(); n != before {
			t.Errorf("refused relays left %d files", n-before)
		}

		relay, err := w.ch.Relay(ctx, w.head("med"), src.ID, RelayInput{To: []string{w.Guarantor.ID}, Attachments: []string{src.Attachments[1].ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(relay.Attachments) != 1 {
			t.Fatalf("relay carries %d attachments", len(relay.Attachments))
		}
		cp := relay.Attachments[0]
		if cp.ID == src.Attachments[1].ID || cp.SHA256 != src.Attachments[1].SHA256 || cp.Name != "list-b.txt" {
			t.Errorf("copy %+v of %+v", cp, src.Attachments[1])
		}
		_, data, err := w.ch.OpenAttachment(ctx, w.head("guarantor"), cp.ID)
		if err != nil || string(data) != "names on list B" {
			t.Errorf("the recipient opens the copy: %q %v", data, err)
		}
		for _, a := range src.Attachments {
			if _, _, err := w.ch.OpenAttachment(ctx, w.head("guarantor"), a.ID); errs.Code(err) != errs.NotFound {
				t.Errorf("the recipient opens the original %s: %v", a.Name, err)
			}
		}
		if _, _, err := w.ch.OpenAttachment(ctx, w.head("gov"), cp.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("a party outside the relay opens the copy: %v", err)
		}
	})
}
