package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"parley/internal/api"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/text"
)

// textWorld is the demo served by the API with the negotiating text, every
// demo user logged in.
type textWorld struct {
	srv   *httptest.Server
	db    *store.DB
	round string
	token map[string]string
}

const textPassword = chanPassword

func newTextWorld(t *testing.T, db *store.DB) *textWorld {
	t.Helper()
	cw := demoAPI(t, db, func(w *chanWorld, d *api.Deps) {
		withChannel(t, db)(w, d)
		d.Text = text.New(db, d.Ledger, d.Auth)
	})
	return &textWorld{srv: cw.srv, db: db, round: cw.round, token: cw.token}
}

// do sends a JSON request as user and returns the status and body.
func (w *textWorld) do(t *testing.T, user, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := w.token[user]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// must sends a request, checks the status and decodes the answer into out.
func (w *textWorld) must(t *testing.T, user, method, path string, body any, status int, out any) []byte {
	t.Helper()
	got, b := w.do(t, user, method, path, body)
	if got != status {
		t.Fatalf("%s %s %s: %d %s, want %d", user, method, path, got, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("decoding %s: %v", b, err)
		}
	}
	return b
}

func errorCode(b []byte) string {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.Unmarshal(b, &e)
	return e.Error.Code
}

// TestTextStory runs the story of issue 6 through the API: a draft with
// alternatives and a bracketed span, Rev.1, a party accepting, the other
// reserving then amending, the desk, Rev.2 from the amendment, the
// comparison, acceptance, adoption by both heads, the ledger's record of
// the adoption, and the exports.
func TestTextStory(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newTextWorld(t, db)
		src := "# Ceasefire arrangements\n\n1. Violations are reported to\nA) the monitoring group.\nB) the guarantors.\n2. Humanitarian convoys pass [without delay].\n"
		var tx api.TextJSON
		w.must(t, "gov.head", "POST", "/api/v1/rounds/"+w.round+"/texts", map[string]string{"source": src}, 403, nil)
		w.must(t, "mediator", "POST", "/api/v1/rounds/"+w.round+"/texts", map[string]string{"source": src}, 201, &tx)
		base := "/api/v1/texts/" + tx.ID

		// Unbalanced brackets: line and column, nothing saved.
		b := w.must(t, "mediator", "PUT", base+"/draft", map[string]string{"source": "# T\n\n1. a [b\n"}, 400, nil)
		if errorCode(b) != text.CodeUnbalanced || !strings.Contains(string(b), "3:6") {
			t.Errorf("unbalanced draft: %s", b)
		}
		// Parties do not see the draft, nor the text before Rev.1.
		w.must(t, "gov.head", "GET", base+"/draft", nil, 404, nil)
		w.must(t, "gov.head", "GET", base, nil, 404, nil)

		var rev api.RevisionJSON
		w.must(t, "mediator", "POST", base+"/issue", nil, 201, &rev)
		if rev.Label != "Rev.1" || len(rev.Paragraphs) != 2 || len(rev.Paragraphs[0].Options) != 2 || rev.Paragraphs[1].Status != "bracketed" {
			t.Fatalf("Rev.1 = %+v", rev)
		}
		pos := base + "/revisions/1/paragraphs/%d/position"
		w.must(t, "gov.head", "PUT", fmt.Sprintf(pos, 1), map[string]string{"alternative": "A", "stance": "accept"}, 200, nil)
		w.must(t, "gov.head", "PUT", fmt.Sprintf(pos, 2), map[string]string{"stance": "accept"}, 200, nil)
		w.must(t, "opp.head", "PUT", fmt.Sprintf(pos, 2), map[string]string{"stance": "reserve"}, 200, nil)
		w.must(t, "opp.head", "PUT", fmt.Sprintf(pos, 1), map[string]string{"alternative": "C", "stance": "accept"}, 400, nil)
		w.must(t, "opp.head", "PUT", fmt.Sprintf(pos, 7), map[string]string{"stance": "reject"}, 400, nil)
		w.must(t, "opp.head", "PUT", fmt.Sprintf(pos, 2), map[string]string{"stance": "amend", "wording": "Humanitarian convoys pass within 48 hours of notification.", "comment": "per our capital"}, 200, nil)

		// The desk: the mediation sees every position; a party its own.
		var desk, gov api.RevisionJSON
		w.must(t, "mediator", "GET", base+"/revisions/1", nil, 200, &desk)
		if n := len(desk.Paragraphs[1].Positions); n != 2 {
			t.Errorf("mediation sees %d positions on paragraph 2", n)
		}
		w.must(t, "gov.head", "GET", base+"/revisions/1", nil, 200, &gov)
		for _, p := range gov.Paragraphs {
			for _, x := range p.Positions {
				if x.Stance == "amend" {
					t.Error("the government sees the opposition's amendment")
				}
			}
		}
		w.must(t, "guarantor.ru", "GET", base+"/revisions/1", nil, 404, nil)
		w.must(t, "chair", "GET", base+"/revisions/1", nil, 200, nil)

		// Rev.2 from the amendment, with option A kept.
		var oppID string
		for _, x := range desk.Paragraphs[1].Positions {
			if x.Stance == "amend" {
				oppID = x.Org
			}
		}
		var d api.DraftJSON
		w.must(t, "mediator", "POST", base+"/draft/from-amendment", map[string]any{"revision": 1, "paragraph": 2, "org": oppID}, 201, &d)
		next := strings.Replace(d.Source, "1. Violations are reported to\nA) the monitoring group.\nB) the guarantors.\n", "1. Violations are reported to the monitoring group.\n", 1)
		w.must(t, "mediator", "PUT", base+"/draft", map[string]string{"source": next}, 200, nil)
		w.must(t, "mediator", "POST", base+"/issue", nil, 201, &rev)
		b = w.must(t, "gov.head", "PUT", fmt.Sprintf(pos, 1), map[string]string{"stance": "accept", "alternative": "A"}, 409, nil)
		if errorCode(b) != text.CodeSuperseded || !strings.Contains(string(b), "Rev.2") {
			t.Errorf("superseded: %s", b)
		}
		var cmp struct {
			Lines [][]struct{ Op, Text string } `json:"lines"`
		}
		w.must(t, "opp.head", "GET", base+"/compare?from=1&to=2", nil, 200, &cmp)
		var ins, del []string
		for _, l := range cmp.Lines {
			for _, s := range l {
				switch s.Op {
				case "insert":
					ins = append(ins, s.Text)
				case "delete":
					del = append(del, s.Text)
				}
			}
		}
		if !strings.Contains(strings.Join(ins, "|"), "48 hours of notification") || !strings.Contains(strings.Join(del, "|"), "[Option B: the guarantors.]") {
			t.Errorf("comparison: inserted %q, deleted %q", ins, del)
		}

		pos2 := base + "/revisions/2/paragraphs/%d/position"
		for _, u := range []string{"gov.head", "opp.head"} {
			for p := 1; p <= 2; p++ {
				w.must(t, u, "PUT", fmt.Sprintf(pos2, p), map[string]string{"stance": "accept"}, 200, nil)
			}
		}
		w.must(t, "mediator", "GET", base+"/revisions/2", nil, 200, &desk)
		for _, p := range desk.Paragraphs {
			if p.Status != "agreed" {
				t.Errorf("paragraph %d is %s after both accepted", p.Number, p.Status)
			}
		}

		// Adoption: heads only, with the password.
		w.must(t, "gov.member", "POST", base+"/adopt", map[string]string{"password": textPassword}, 403, nil)
		w.must(t, "gov.head", "POST", base+"/adopt", map[string]string{"password": "wrong password"}, 401, nil)
		w.must(t, "mediator", "POST", base+"/publish", nil, 409, nil)
		var ad api.AdoptionJSON
		w.must(t, "gov.head", "POST", base+"/adopt", map[string]string{"password": textPassword}, 200, &ad)
		if ad.Adopted || len(ad.Pending) != 1 {
			t.Fatalf("after one head: %+v", ad)
		}
		w.must(t, "opp.head", "POST", base+"/adopt", map[string]string{"password": textPassword}, 200, &ad)
		sum := sha256.Sum256([]byte(rev.Source))
		if !ad.Adopted || ad.SHA256 != hex.EncodeToString(sum[:]) || ad.LedgerIndex < 0 {
			t.Fatalf("adoption = %+v", ad)
		}
		// The ledger holds the adoption, readable by the parties.
		var evs struct {
			Events []struct {
				Index int64  `json:"index"`
				Type  string `json:"type"`
			} `json:"events"`
		}
		w.must(t, "opp.head", "GET", fmt.Sprintf("/api/v1/ledger/events?from=%d&limit=1", ad.LedgerIndex), nil, 200, &evs)
		if len(evs.Events) != 1 || evs.Events[0].Type != "text.adopted" {
			t.Errorf("ledger at %d: %+v", ad.LedgerIndex, evs)
		}

		// The mediation publishes the adopted text as a public statement.
		w.must(t, "gov.head", "POST", base+"/publish", nil, 403, nil)
		var st api.StatementJSON
		w.must(t, "mediator", "POST", base+"/publish", nil, 201, &st)
		if !st.Public || st.Title != "Ceasefire arrangements" || !strings.Contains(st.Body, ad.SHA256) {
			t.Errorf("statement = %+v", st)
		}
		w.must(t, "observer.us", "GET", "/api/v1/statements/"+st.ID, nil, 200, nil)

		// Exports.
		for _, c := range []struct{ format, ctype, want string }{
			{"html", "text/html", "<style>"}, {"md", "text/markdown", "**1.**"}, {"akn", "application/akn+xml", text.AKNNamespace},
			{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/document.xml"},
		} {
			req, _ := http.NewRequest("GET", w.srv.URL+base+"/revisions/2/export?format="+c.format, nil)
			req.Header.Set("Authorization", "Bearer "+w.token["gov.head"])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), c.ctype) || !strings.Contains(string(body), c.want) {
				t.Errorf("export %s: %d %s", c.format, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
		w.must(t, "gov.head", "GET", base+"/revisions/2/export?format=pdf", nil, 400, nil)
		w.must(t, "observer.us", "GET", base+"/revisions/2/export?format=md", nil, 404, nil)
	})
}
