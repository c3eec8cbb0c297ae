package channel

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestStatementDrafts checks the statements desk's list: before a statement
// is public, only its organisation and the mediation find it; once public
// it leaves every desk.
func TestStatementDrafts(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		create := func(who, title string, embargo time.Time) Statement {
			t.Helper()
			st, err := w.ch.CreateStatement(ctx, w.head(who), NewStatement{Title: title, Body: "Text of " + title, EmbargoUntil: embargo})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		release := func(who string, st Statement) {
			t.Helper()
			if _, err := w.ch.ReleaseStatement(ctx, w.head(who), st.ID); err != nil {
				t.Fatal(err)
			}
		}
		create("host", "Host draft", time.Time{})
		release("gov", create("gov", "Government scheduled", time.Now().Add(time.Hour)))
		release("opp", create("opp", "Opposition public", time.Time{}))
		create("opp", "Opposition draft", time.Now().Add(time.Hour))

		want := map[string][]string{
			"host":     {"Host draft"},
			"med":      {"Opposition draft", "Government scheduled", "Host draft"},
			"gov":      {"Government scheduled"},
			"opp":      {"Opposition draft"},
			"observer": nil,
			"outsider": nil,
		}
		for who, titles := range want {
			sts, err := w.ch.StatementDrafts(ctx, w.head(who), 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range sts {
				got = append(got, st.Title)
				if st.Public(time.Now()) {
					t.Errorf("%s's desk lists the public %q", who, st.Title)
				}
			}
			if !slices.Equal(got, titles) {
				t.Errorf("%s's desk: %q, want %q", who, got, titles)
			}
		}
		if sts, err := w.ch.StatementDrafts(ctx, access.Actor{}, 0); err != nil || len(sts) != 0 {
			t.Errorf("anonymous desk: %v %v", sts, err)
		}

		// A refused body names its field, for the form to show it there.
		for _, body := range []string{" \n", strings.Repeat("x", MaxStatementBody+1)} {
			_, err := w.ch.CreateStatement(ctx, w.head("gov"), NewStatement{Title: "T", Body: body})
			if e, ok := errs.As(err); !ok || e.Field != "body" {
				t.Errorf("body of %d bytes: %v", len(body), err)
			}
		}
	})
}
