package channel

import (
	"context"
	"slices"
	"testing"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestShare: a party widens the audience of its own message to a
// guarantor, who then reads it (single fetch, list, search, attachment
// path through the message) and hears of it on its live stream; nobody
// else gains anything; every rule of Share is enforced with its code.
func TestShare(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		note := w.send(t, "gov", NewMessage{To: []string{"internal"}, Body: "sharedword our fallback position"})
		guar := openStream(t, w, "guarantor", "")
		obs := openStream(t, w, "observer", "")

		m, err := w.ch.Share(ctx, w.head("gov"), note.ID, []string{w.Guarantor.ID})
		if err != nil {
			t.Fatal(err)
		}
		if m.ID != note.ID || m.Body != note.Body {
			t.Fatalf("share returned %+v", m)
		}
		// The author reads whom it shared with; the guarantor reads the
		// note but not the list.
		if len(m.SharedWith) != 1 || m.SharedWith[0].ID != w.Guarantor.ID || m.SharedWith[0].Name == "" {
			t.Errorf("the author's view: shared with %+v", m.SharedWith)
		}
		if g, err := w.ch.Get(ctx, w.head("guarantor"), note.ID); err != nil || g.SharedWith != nil {
			t.Errorf("the guarantor's view: shared with %+v (%v)", g.SharedWith, err)
		}
		if l, err := w.ch.List(ctx, w.head("gov"), w.Round.ID, ListFilter{After: -1}); err != nil || len(l) != 1 || len(l[0].SharedWith) != 1 {
			t.Errorf("the author's list: %+v (%v)", l, err)
		}
		readers := []string{"gov", "guarantor"}
		for _, who := range everyone {
			_, err := w.ch.Get(ctx, w.head(who), note.ID)
			if slices.Contains(readers, who) != (err == nil) {
				t.Errorf("%s after the share: %v", who, err)
			}
			hits, err := w.ch.Search(ctx, w.head(who), "sharedword", 0)
			found := err == nil && slices.ContainsFunc(hits.Messages, func(h Message) bool { return h.ID == note.ID })
			if found != slices.Contains(readers, who) {
				t.Errorf("%s search finds the shared note: %v (%v)", who, found, err)
			}
		}
		aud, err := access.AudienceOf(ctx, db.R, note.ID)
		if err != nil || !slices.Equal(aud, access.Of(w.Gov.ID, w.Guarantor.ID)) {
			t.Errorf("audience %v (%v)", aud, err)
		}
		got := guar.waitFor(t, 1)
		if got[0].Type != "message.shared" || got[0].Message == nil || got[0].Message.ID != note.ID {
			t.Errorf("guarantor's stream: %+v", got[0])
		}
		// The observer hears nothing: send a plenary message and check it is
		// the first thing its stream delivers.
		w.send(t, "host", NewMessage{To: []string{"plenary"}, Body: "opening"})
		if e := obs.waitFor(t, 1)[0]; e.Type != "message.sent" {
			t.Errorf("observer's first event is %s", e.Type)
		}

		// Sharing again with the same organisation adds nothing and
		// appends no event.
		var before, after int64
		db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM events").Scan(&before)
		if _, err := w.ch.Share(ctx, w.head("gov"), note.ID, []string{w.Guarantor.ID}); err != nil {
			t.Fatal(err)
		}
		db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM events").Scan(&after)
		if after != before {
			t.Errorf("a share that adds nothing appended %d events", after-before)
		}

		toMed := w.send(t, "opp", NewMessage{Body: "to the mediation"})
		relay, err := w.ch.Relay(ctx, w.head("med"), toMed.ID, RelayInput{To: []string{w.Gov.ID}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			who  string
			id   string
			with []string
			code string
		}{
			{"another party's message", "opp", note.ID, []string{w.Guarantor.ID}, errs.NotFound},
			{"a reader that did not write it", "guarantor", note.ID, []string{w.Observer.ID}, errs.Forbidden},
			{"the mediation", "med", toMed.ID, []string{w.Guarantor.ID}, errs.Forbidden},
			{"a relay", "gov", relay.ID, []string{w.Guarantor.ID}, errs.Forbidden},
			{"nobody", "opp", toMed.ID, nil, errs.Invalid},
			{"a malformed id", "opp", toMed.ID, []string{"x"}, UnknownRecipient},
			{"an unknown organisation", "opp", toMed.ID, []string{store.NewID()}, UnknownRecipient},
			{"an organisation outside the round", "opp", toMed.ID, []string{w.Outsider.ID}, RecipientNotInRound},
			{"the other party without consent", "opp", toMed.ID, []string{w.Gov.ID}, errs.NoDirectConsent},
			{"no such message", "opp", store.NewID(), []string{w.Guarantor.ID}, errs.NotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.ch.Share(ctx, w.head(tc.who), tc.id, tc.with)
				wantCode(t, err, tc.code)
			})
		}
		if _, err := w.ch.Get(ctx, w.head("gov"), toMed.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("a refused share widened the audience: %v", err)
		}

		// With both parties' consent, a party shares with the other.
		w.consent(t, "gov", "opp", true)
		w.consent(t, "opp", "gov", true)
		if _, err := w.ch.Share(ctx, w.head("opp"), toMed.ID, []string{w.Gov.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ch.Get(ctx, w.head("gov"), toMed.ID); err != nil {
			t.Errorf("the other party cannot read a message shared with consent: %v", err)
		}
	})
}
