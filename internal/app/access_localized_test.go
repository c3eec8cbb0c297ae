package app_test

// Names in other languages (internal/localized) in the access table: an
// item's names are read by exactly those who read the item (404 for the
// others, like the item itself) and given by those who edit it: the
// round's administrators for a round, the organisation's own head for an
// organisation, the organisation that wrote a draft statement.

import (
	"net/http"
	"net/url"
)

func localizedRows(w *world) []row {
	const (
		ok        = http.StatusOK
		seeOther  = http.StatusSeeOther
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
		unauth    = http.StatusUnauthorized
	)
	api := "/api/v1"
	none := func(string) any { return nil }
	form := func(string) any { return url.Values{"name.tr": {"Birinci tur"}} }
	body := func(string) any {
		return map[string]any{"values": map[string]map[string]string{"name": {"tr": "Birinci tur"}}}
	}
	draft := workdayDraft(w, "Draft to translate")
	// Round 2 has the host, the government and the Russian guarantor; the
	// mediation, the opposition, the observer and the monitor find nothing.
	round2 := cells{toLogin, ok, notFound, ok, notFound, ok, notFound, notFound}
	return []row{
		{route: "GET /names/{kind}/{id}", object: "round 1", path: "/names/round/" + w.round1, body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /names/{kind}/{id}", object: "round 2", path: "/names/round/" + w.round2, body: none, want: round2},
		{route: "GET /names/{kind}/{id}", object: "an agenda item of round 2", path: "/names/agenda/" + w.item2, body: none, want: round2},
		{route: "GET /names/{kind}/{id}", object: "the government", path: "/names/org/" + w.org["gov"], body: none, want: loggedIn(toLogin, ok)},
		{route: "GET /names/{kind}/{id}", object: "the government's draft", path: "/names/statement/" + draft, body: none,
			want: cells{toLogin, notFound, ok, ok, notFound, notFound, notFound, notFound}},
		{route: "GET /names/{kind}/{id}", object: "an unknown kind", path: "/names/planet/" + w.round1, body: none, want: loggedIn(toLogin, notFound)},
		{route: "POST /names/{kind}/{id}", object: "round 1", path: "/names/round/" + w.round1, body: form,
			want: cells{toLogin, seeOther, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /names/{kind}/{id}", object: "round 2", path: "/names/round/" + w.round2, body: form,
			want: cells{toLogin, seeOther, notFound, forbidden, notFound, forbidden, notFound, notFound}},
		{route: "POST /names/{kind}/{id}", object: "the government", path: "/names/org/" + w.org["gov"], body: form,
			want: cells{toLogin, forbidden, forbidden, seeOther, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /names/{kind}/{id}", object: "the government's draft", path: "/names/statement/" + draft,
			body: func(string) any { return url.Values{"title.ar": {"مسودة للترجمة"}} },
			want: cells{toLogin, notFound, forbidden, seeOther, notFound, notFound, notFound, notFound}},
		{route: "GET " + api + "/names/{kind}/{id}", object: "round 1", path: api + "/names/round/" + w.round1, body: none, want: loggedIn(unauth, ok)},
		{route: "GET " + api + "/names/{kind}/{id}", object: "round 2", path: api + "/names/round/" + w.round2, body: none,
			want: cells{unauth, ok, notFound, ok, notFound, ok, notFound, notFound}},
		{route: "PUT " + api + "/names/{kind}/{id}", object: "round 1", path: api + "/names/round/" + w.round1, body: body,
			want: cells{unauth, ok, ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
		{route: "PUT " + api + "/names/{kind}/{id}", object: "the government", path: api + "/names/org/" + w.org["gov"], body: body,
			want: cells{unauth, forbidden, forbidden, ok, forbidden, forbidden, forbidden, forbidden}},
	}
}
