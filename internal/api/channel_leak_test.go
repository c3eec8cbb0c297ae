package api_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"parley/internal/api"
	"parley/internal/demo"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// item is one piece of content of the leak test with the organisations
// (demo org keys) that must read it.
type item struct {
	name     string
	id       string
	token    string // a word only this item contains
	readers  []string
	attach   string // an attachment of the message, if any
	relayed  bool
	hideFrom []string // org keys whose ids must not appear in what they read
}

var allOrgs = []string{"host", "un", "gov", "opp", "ru", "tr", "ir", "us", "jmg", "ocha", "icrc"}

// TestLeaks is the core promise of the channel: for every pair of demo user
// and item (message, attachment, statement, event), the five paths — list,
// single fetch, search, live stream, attachment download — grant access
// exactly when the user's organisation is in the item's audience, and a
// refusal looks like absence (404), never 403.
func TestLeaks(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newChanWorld(t, db)
		post := func(user string, body map[string]any) api.MessageJSON {
			t.Helper()
			res := w.do(t, user, "POST", "/api/v1/rounds/"+w.round+"/messages", body)
			if res.status != 201 {
				t.Fatalf("%s sends %v: %d %s", user, body, res.status, res.body)
			}
			var m api.MessageJSON
			res.decode(t, &m)
			return m
		}
		var items []item
		add := func(it item) { items = append(items, it) }

		res := w.multipartMessage(t, "opp.head", []string{"mediation"}, "leakalpha: our proposal on the detainees",
			file{"list.txt", "text/plain", []byte("names leakalpha")})
		if res.status != 201 {
			t.Fatalf("multipart send: %d %s", res.status, res.body)
		}
		var opp api.MessageJSON
		res.decode(t, &opp)
		add(item{name: "opposition to the mediation, with attachment", id: opp.ID, token: "leakalpha", readers: []string{"opp", "un"}, attach: opp.Attachments[0].ID})
		add(item{name: "government internal note", id: post("gov.member", map[string]any{"to": []string{"internal"}, "body": "leakbravo note"}).ID, token: "leakbravo", readers: []string{"gov"}})
		add(item{name: "plenary from the chair", id: post("chair", map[string]any{"to": []string{"plenary"}, "body": "leakcharlie opening"}).ID, token: "leakcharlie", readers: allOrgs})
		add(item{name: "guarantor to the mediation", id: post("guarantor.ru", map[string]any{"to": []string{"mediation"}, "body": "leakdelta"}).ID, token: "leakdelta", readers: []string{"ru", "un"}})
		add(item{name: "mediation to the government", id: post("mediator", map[string]any{"to": []string{w.org["gov"]}, "body": "leakecho"}).ID, token: "leakecho", readers: []string{"gov", "un"}})

		relay := func(body map[string]any) api.MessageJSON {
			t.Helper()
			res := w.do(t, "mediator", "POST", "/api/v1/messages/"+opp.ID+"/relay", body)
			if res.status != 201 {
				t.Fatalf("relay: %d %s", res.status, res.body)
			}
			var m api.MessageJSON
			res.decode(t, &m)
			return m
		}
		r1 := relay(map[string]any{"to": []string{w.org["gov"]}, "body": "leakfoxtrot: one side proposes", "attributed": false})
		add(item{name: "unattributed relay", id: r1.ID, token: "leakfoxtrot", readers: []string{"gov", "un", "opp"}, relayed: true, hideFrom: []string{"gov"}})
		r2 := relay(map[string]any{"to": []string{w.org["gov"]}, "body": "leakgolf", "show_origin": false})
		add(item{name: "relay hidden from its origin", id: r2.ID, token: "leakgolf", readers: []string{"gov", "un"}, relayed: true, hideFrom: []string{"gov"}})
		r3 := relay(map[string]any{"to": []string{w.org["gov"], w.org["ru"]}, "body": "leakhotel", "attributed": true, "attachments": []string{opp.Attachments[0].ID}})
		if len(r3.Attachments) != 1 {
			t.Fatalf("the relay carries %d attachments", len(r3.Attachments))
		}
		add(item{name: "attributed relay, passing on the attachment", id: r3.ID, token: "leakhotel", readers: []string{"gov", "ru", "un", "opp"}, relayed: true, attach: r3.Attachments[0].ID})

		// A party shares its own internal note with a guarantor.
		shared := post("gov.head", map[string]any{"to": []string{"internal"}, "body": "leaklima fallback"})
		if res := w.do(t, "gov.head", "POST", "/api/v1/messages/"+shared.ID+"/share", map[string]any{"with": []string{w.org["ru"]}}); res.status != 200 {
			t.Fatalf("share: %d %s", res.status, res.body)
		}
		add(item{name: "internal note shared with a guarantor", id: shared.ID, token: "leaklima", readers: []string{"gov", "ru"}})

		// Direct talks: refused, then open once both consent.
		if res := w.do(t, "opp.head", "POST", "/api/v1/rounds/"+w.round+"/messages", map[string]any{"to": []string{w.org["gov"]}, "body": "x"}); res.status != 409 || res.errorCode() != "no_direct_consent" {
			t.Fatalf("direct without consent: %d %s", res.status, res.body)
		}
		if res := w.do(t, "opp.head", "PUT", "/api/v1/rounds/"+w.round+"/consent", map[string]any{"counterpart": w.org["gov"], "direct": true}); res.status != 200 {
			t.Fatalf("consent: %d %s", res.status, res.body)
		}
		add(item{name: "direct, both consenting", id: post("opp.head", map[string]any{"to": []string{w.org["gov"]}, "body": "leakindia"}).ID, token: "leakindia", readers: []string{"gov", "opp", "un"}})

		// Statements: a draft, a released one.
		st := func(user, title string) api.StatementJSON {
			res := w.do(t, user, "POST", "/api/v1/statements", map[string]any{"title": title, "body": title + " body"})
			if res.status != 201 {
				t.Fatalf("statement: %d %s", res.status, res.body)
			}
			var s api.StatementJSON
			res.decode(t, &s)
			return s
		}
		draft := st("gov.head", "leakjuliet")
		released := st("chair", "leakkilo")
		if res := w.do(t, "chair", "POST", "/api/v1/statements/"+released.ID+"/release", nil); res.status != 200 {
			t.Fatalf("release: %d %s", res.status, res.body)
		}
		statements := []item{
			{name: "draft statement", id: draft.ID, token: "leakjuliet", readers: []string{"gov", "un"}},
			{name: "released statement", id: released.ID, token: "leakkilo", readers: allOrgs},
		}
		marker := post("chair", map[string]any{"to": []string{"plenary"}, "body": "end of the test"})

		users := make([]string, 0, len(demo.Accounts))
		for _, a := range demo.Accounts {
			users = append(users, a.Username)
		}
		for _, u := range users {
			org := w.user[u]
			t.Run(u, func(t *testing.T) {
				var list struct{ Messages []api.MessageJSON }
				w.do(t, u, "GET", "/api/v1/rounds/"+w.round+"/messages", nil).decode(t, &list)
				listed := map[string]api.MessageJSON{}
				for _, m := range list.Messages {
					listed[m.ID] = m
				}
				evs := w.readStream(t, u, "-1", func(e sseEvent) bool { return strings.Contains(string(e.data), marker.ID) })
				streamed := map[string]bool{}
				consentSeen := false
				for _, e := range evs {
					var ev struct {
						ObjectType string           `json:"object_type"`
						ObjectID   string           `json:"object_id"`
						Message    *api.MessageJSON `json:"message"`
					}
					if err := json.Unmarshal(e.data, &ev); err != nil {
						t.Fatalf("event %s: %v", e.data, err)
					}
					if ev.ObjectType == "consent" {
						consentSeen = true
					}
					if ev.ObjectType == "relay" && org != "un" {
						t.Errorf("%s sees a relay link event", u)
					}
					if ev.ObjectType == "message" {
						streamed[ev.ObjectID] = true
						if ev.Message == nil {
							t.Errorf("%s gets event %s for message %s without the message", u, e.id, ev.ObjectID)
						} else if ev.Message.RelayedFrom != "" && org != "un" {
							t.Errorf("%s sees relayed_from in the stream", u)
						}
					}
				}
				// A consent record's event reaches the two parties, the host and
				// the mediation, and no one else.
				if want := slices.Contains([]string{"opp", "gov", "host", "un"}, org); consentSeen != want {
					t.Errorf("%s: stream has the consent event: %v, want %v", u, consentSeen, want)
				}
				for _, it := range items {
					want := slices.Contains(it.readers, org)
					one := w.do(t, u, "GET", "/api/v1/messages/"+it.id, nil)
					if got := one.status == 200; got != want || (!want && one.status != 404) {
						t.Errorf("%s: single fetch of %s: %d, want readable=%v", u, it.name, one.status, want)
					}
					if _, got := listed[it.id]; got != want {
						t.Errorf("%s: list has %s: %v, want %v", u, it.name, got, want)
					}
					if got := streamed[it.id]; got != want {
						t.Errorf("%s: stream has %s: %v, want %v", u, it.name, got, want)
					}
					found := w.do(t, u, "GET", "/api/v1/search?q="+url.QueryEscape(strings.ToUpper(it.token)), nil)
					if got := bytes.Contains(found.body, []byte(it.id)); got != want {
						t.Errorf("%s: search finds %s: %v, want %v", u, it.name, got, want)
					}
					if it.attach != "" {
						dl := w.do(t, u, "GET", "/api/v1/attachments/"+it.attach, nil)
						if got := dl.status == 200; got != want || (!want && dl.status != 404) {
							t.Errorf("%s: attachment of %s: %d, want readable=%v", u, it.name, dl.status, want)
						}
						if dl.status == 200 && (!strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") || dl.header.Get("X-Content-Type-Options") != "nosniff") {
							t.Errorf("attachment served as %v", dl.header)
						}
					}
					if want && it.relayed && org != "un" {
						var m api.MessageJSON
						one.decode(t, &m)
						if m.RelayedFrom != "" || m.ShowOrigin != nil {
							t.Errorf("%s sees the relay link of %s", u, it.name)
						}
					}
					if want && slices.Contains(it.hideFrom, org) {
						for _, b := range [][]byte{one.body, found.body} {
							if bytes.Contains(b, []byte(w.org["opp"])) {
								t.Errorf("%s learns the origin of %s: %s", u, it.name, b)
							}
						}
					}
				}
				var sts struct{ Statements []api.StatementJSON }
				w.do(t, u, "GET", "/api/v1/statements", nil).decode(t, &sts)
				for _, it := range statements {
					want := slices.Contains(it.readers, org)
					one := w.do(t, u, "GET", "/api/v1/statements/"+it.id, nil)
					if got := one.status == 200; got != want || (!want && one.status != 404) {
						t.Errorf("%s: statement %s: %d, want readable=%v", u, it.name, one.status, want)
					}
					inList := slices.ContainsFunc(sts.Statements, func(s api.StatementJSON) bool { return s.ID == it.id })
					if inList != want {
						t.Errorf("%s: statement list has %s: %v, want %v", u, it.name, inList, want)
					}
					found := w.do(t, u, "GET", "/api/v1/search?q="+it.token, nil)
					if got := bytes.Contains(found.body, []byte(it.id)); got != want {
						t.Errorf("%s: search finds statement %s: %v, want %v", u, it.name, got, want)
					}
				}
			})
		}
		// Without a token, nothing.
		for _, p := range []string{"/api/v1/rounds/" + w.round + "/messages", "/api/v1/messages/" + opp.ID, "/api/v1/search?q=leakalpha",
			"/api/v1/attachments/" + opp.Attachments[0].ID, "/api/v1/rounds/" + w.round + "/events", "/api/v1/statements/" + draft.ID} {
			if res := w.do(t, "", "GET", p, nil); res.status != 401 {
				t.Errorf("anonymous %s: %d", p, res.status)
			}
		}
		// Ids that were never issued answer like unreadable ones.
		for _, p := range []string{"/api/v1/messages/" + store.NewID(), "/api/v1/messages/nope", "/api/v1/attachments/" + store.NewID(),
			"/api/v1/statements/" + store.NewID(), "/api/v1/rounds/" + store.NewID() + "/messages"} {
			if res := w.do(t, "gov.head", "GET", p, nil); res.status != 404 || res.errorCode() != "not_found" {
				t.Errorf("%s: %d %s", p, res.status, res.body)
			}
		}
	})
}
