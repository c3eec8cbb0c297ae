package channel

import (
	"context"
	"testing"

	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestRecipients: the channel answers, for each audience a compose box may
// offer, what Send would: allowed with the kind of message, or the code of
// the refusal.
func TestRecipients(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		answers := func(who string) map[string]Recipient {
			t.Helper()
			rs, err := w.ch.Recipients(ctx, w.head(who), w.Round.ID)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]Recipient{}
			for _, r := range rs {
				m[r.To] = r
			}
			return m
		}
		for _, c := range []struct {
			who, to string
			kind    Kind
			refused string
		}{
			{"gov", ToKeywordMediation, ToMediation, ""},
			{"gov", ToKeywordInternal, Internal, ""},
			{"gov", ToKeywordPlenary, Plenary, ""},
			{"gov", w.Opp.ID, "", errs.NoDirectConsent},
			{"gov", w.Host.ID, "", RecipientNotAllowed},
			{"gov", w.Mediation.ID, ToMediation, ""},
			{"observer", ToKeywordPlenary, "", RecipientNotAllowed},
			{"med", w.Gov.ID, ToMediation, ""},
			{"med", w.Guarantor.ID, ToMediation, ""},
		} {
			got, ok := answers(c.who)[c.to]
			if !ok || got.Kind != c.kind || got.Refused != c.refused {
				t.Errorf("%s to %s: %+v (listed %v), want kind %q refused %q", c.who, c.to, got, ok, c.kind, c.refused)
			}
		}
		if _, err := w.ch.Recipients(ctx, w.head("outsider"), w.Round.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("a round the outsider is not in: %v", err)
		}
	})
}
