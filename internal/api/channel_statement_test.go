package api_test

import (
	"strings"
	"testing"

	"parley/internal/api"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestStatementEditDelete: PUT and DELETE /api/v1/statements/{id} give
// the API what the statements desk gives the page (issue 11, item 14). A
// draft is its organisation's to edit or delete; the mediation, which
// reads it, is refused (403); an organisation that does not read it finds
// nothing (404); a released statement changes no more (409).
func TestStatementEditDelete(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newChanWorld(t, db)
		create := func(user, title string) api.StatementJSON {
			t.Helper()
			res := w.do(t, user, "POST", "/api/v1/statements", map[string]any{"title": title, "body": title + ", the text."})
			if res.status != 201 {
				t.Fatalf("%s drafts %q: %d %s", user, title, res.status, res.body)
			}
			var st api.StatementJSON
			res.decode(t, &st)
			return st
		}
		show := func(user, id string) (int, api.StatementJSON) {
			t.Helper()
			res := w.do(t, user, "GET", "/api/v1/statements/"+id, nil)
			var st api.StatementJSON
			if res.status == 200 {
				res.decode(t, &st)
			}
			return res.status, st
		}
		draft := create("gov.head", "Draft of the government")
		released := create("chair", "Released by the host")
		if res := w.do(t, "chair", "POST", "/api/v1/statements/"+released.ID+"/release", nil); res.status != 200 {
			t.Fatalf("release: %d %s", res.status, res.body)
		}
		missing := strings.Repeat("cd", 16)
		edit := map[string]any{"title": "Draft, edited", "body": "The edited text.", "embargo_until": "2100-01-01T00:00:00Z"}

		for _, c := range []struct {
			name, user, method, id string
			body                   any
			want                   int
		}{
			{"anonymous edits", "", "PUT", draft.ID, edit, 401},
			{"the mediation edits", "mediator", "PUT", draft.ID, edit, 403},
			{"the mediation deletes", "mediator", "DELETE", draft.ID, nil, 403},
			{"the opposition edits", "opp.head", "PUT", draft.ID, edit, 404},
			{"the opposition deletes", "opp.head", "DELETE", draft.ID, nil, 404},
			{"an empty title", "gov.head", "PUT", draft.ID, map[string]any{"title": " ", "body": "x"}, 400},
			{"a bad embargo", "gov.head", "PUT", draft.ID, map[string]any{"title": "T", "body": "x", "embargo_until": "tomorrow"}, 400},
			{"an unknown field", "gov.head", "PUT", draft.ID, map[string]any{"title": "T", "body": "x", "Title": "U"}, 400},
			{"a released statement edited", "chair", "PUT", released.ID, edit, 409},
			{"a released statement deleted", "chair", "DELETE", released.ID, nil, 409},
			{"a missing statement edited", "gov.head", "PUT", missing, edit, 404},
			{"a missing statement deleted", "gov.head", "DELETE", missing, nil, 404},
			{"a malformed id", "gov.head", "DELETE", "1 OR 1=1", nil, 404},
		} {
			t.Run(c.name, func(t *testing.T) {
				if res := w.do(t, c.user, c.method, "/api/v1/statements/"+c.id, c.body); res.status != c.want {
					t.Errorf("%s %s as %q: %d, want %d: %s", c.method, c.id, c.user, res.status, c.want, res.body)
				}
			})
		}
		// Nothing refused changed the draft.
		if status, st := show("gov.head", draft.ID); status != 200 || st.Title != draft.Title || st.Body != draft.Body {
			t.Fatalf("after the refusals: %d %+v", status, st)
		}

		// The author's organisation edits: the answer and every later read
		// carry the new text, and the mediation still reads it.
		res := w.do(t, "gov.head", "PUT", "/api/v1/statements/"+draft.ID, edit)
		if res.status != 200 {
			t.Fatalf("edit: %d %s", res.status, res.body)
		}
		var got api.StatementJSON
		res.decode(t, &got)
		if got.ID != draft.ID || got.Title != "Draft, edited" || got.Body != "The edited text." || got.EmbargoUntil == "" || got.ReleasedAt != "" {
			t.Errorf("edited = %+v", got)
		}
		for _, u := range []string{"gov.member", "mediator"} {
			if status, st := show(u, draft.ID); status != 200 || st.Title != "Draft, edited" {
				t.Errorf("%s reads the edited draft: %d %+v", u, status, st)
			}
		}
		if status, _ := show("opp.head", draft.ID); status != 404 {
			t.Errorf("the opposition reads the draft: %d", status)
		}

		// And deletes it: 204 without a body, then it is gone for all.
		res = w.do(t, "gov.head", "DELETE", "/api/v1/statements/"+draft.ID, nil)
		if res.status != 204 || len(res.body) != 0 {
			t.Fatalf("delete: %d %q", res.status, res.body)
		}
		for _, u := range []string{"gov.head", "mediator"} {
			if status, _ := show(u, draft.ID); status != 404 {
				t.Errorf("%s reads the deleted draft: %d", u, status)
			}
		}
		if res := w.do(t, "gov.head", "DELETE", "/api/v1/statements/"+draft.ID, nil); res.status != 404 {
			t.Errorf("second delete: %d", res.status)
		}
	})
}
