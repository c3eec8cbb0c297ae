package text_test

import (
	"strings"
	"testing"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/text"
)

// TestVerifyChecksConfirmations: parley verify checks a party head's
// confirmation of an adoption: its audience against its event and the
// joins that widened it as they widened its revision (only to the
// organisation that joined), and its content (who confirmed which
// revision when) against its event. It names the confirmation and its
// event.
func TestVerifyChecksConfirmations(t *testing.T) {
	const clean = "# Agreement on the ceasefire regime\n\n1. The ceasefire shall be monitored by the joint monitoring group.\n"
	cases := []struct {
		name    string
		content bool
		change  string // $1 is the revision, $2 the government's id, $3 an organisation
	}{
		{"its audience gains an organisation outside the round", false,
			"INSERT INTO audience(item_id, org_id) VALUES ('confirmation:' || $1 || ':' || $2, $3)"},
		{"its time changes", true, "UPDATE text_confirmations SET confirmed_at = confirmed_at + 1 WHERE revision_id = $1 AND org_id = $2 AND $3 <> ''"},
		{"its user changes", true, "UPDATE text_confirmations SET user_id = 'user-gov.member' WHERE revision_id = $1 AND org_id = $2 AND $3 <> ''"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
				w := newWorld(t, db)
				w.Sign(t)
				w.Talks.OnJoin(w.Text.Joined)
				tx := w.issued(t, clean)
				if _, err := w.Text.Adopt(w.ctx, w.Gov, tx.ID, "pw-gov.head", ""); err != nil {
					t.Fatal(err)
				}
				// A party joining later reads the confirmation.
				w.JoinLater(t, "Third party", access.Party)
				var rev string
				var idx int64
				if err := db.R.QueryRow("SELECT revision_id, ledger_idx FROM text_confirmations").Scan(&rev, &idx); err != nil {
					t.Fatal(err)
				}
				verify := func(content bool) ledger.Report {
					t.Helper()
					kinds := text.ItemKinds()
					if !content {
						for i := range kinds {
							kinds[i].Contents = nil
						}
					}
					rep, err := ledger.Verify(w.ctx, db, w.Ledger.VerifierKey(), kinds...)
					if err != nil {
						t.Fatal(err)
					}
					return rep
				}
				if rep := verify(true); !rep.OK() {
					t.Fatalf("before the change:\n%s", rep.String())
				}
				if _, err := db.W.Exec(tc.change, rev, w.Fixture.Gov.ID, w.Fixture.Outsider.ID); err != nil {
					t.Fatal(err)
				}
				item := "confirmation confirmation:" + rev + ":" + w.Fixture.Gov.ID
				rep := verify(true)
				if rep.OK() || rep.FirstBadItem != item || rep.FirstBad != idx || !strings.Contains(rep.String(), item) {
					t.Fatalf("after the change: first bad item %q at %d, want %q at %d\n%s", rep.FirstBadItem, rep.FirstBad, item, idx, rep.String())
				}
				if rep := verify(false); rep.OK() == !tc.content {
					t.Fatalf("without content: OK %v, want %v\n%s", rep.OK(), tc.content, rep.String())
				}
			})
		})
	}
}
