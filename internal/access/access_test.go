package access_test

import (
	"context"
	"database/sql"
	"testing"

	"parley/internal/access"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestAudienceContains(t *testing.T) {
	aud := access.Of("b", "a", "b")
	if len(aud) != 2 || aud[0] != "a" {
		t.Fatalf("Of = %v", aud)
	}
	for _, c := range []struct {
		org  string
		want bool
	}{{"a", true}, {"b", true}, {"c", false}, {"", false}} {
		if got := aud.Contains(c.org); got != c.want {
			t.Errorf("Contains(%q) = %v", c.org, got)
		}
	}
	if !access.Of(access.Public).Contains("") {
		t.Error("public audience must admit anonymous readers")
	}
}

func TestReadableByInSQL(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		items := map[string]access.Audience{
			"private": access.Of("org-a"),
			"shared":  access.Of("org-a", "org-b"),
			"public":  access.Of(access.Public),
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for id, aud := range items {
				if err := access.Grant(ctx, tx, id, aud); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, reader := range []access.Actor{{User: "u", Org: "org-a"}, {User: "u", Org: "org-b"}, {User: "u", Org: "org-c"}, {}} {
			for id, aud := range items {
				cond, arg := access.ReadableBy(reader, "$1", 2)
				var n int
				if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 AS x) t WHERE "+cond, id, arg).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if want := aud.Contains(reader.Org); (n == 1) != want {
					t.Errorf("reader %q item %q: readable=%v want %v", reader.Org, id, n == 1, want)
				}
			}
		}
		got, err := access.AudienceOf(ctx, db.R, "shared")
		if err != nil || len(got) != 2 {
			t.Fatalf("AudienceOf = %v, %v", got, err)
		}
	})
}
