package app_test

// The mediation's working pages in the access table (issue 11): the
// review before issuing a revision. Only the round's mediation reviews and
// issues; the host and the parties, who read the text, are refused (403);
// whoever does not read the text finds nothing (404).

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// latestDraft is the body confirming the issue of text 1's latest draft,
// as the review page's form sends it.
func latestDraft(w *world) func(string) any {
	return func(string) any {
		ds, err := w.a.Text.Drafts(context.Background(), w.user["mediator"].Actor(), w.text1)
		if err != nil || len(ds) == 0 {
			w.t.Fatalf("text 1's drafts: %v", err)
		}
		return url.Values{"seq": {strconv.Itoa(ds[0].Seq)}}
	}
}

// workdayDraft is a draft statement of the government, for one row.
func workdayDraft(w *world, title string) string { return statementDraft(w, "gov.head", title) }

func workdayRows(w *world) []row {
	edit, del := workdayDraft(w, "Draft to edit"), workdayDraft(w, "Draft to delete")
	s := channelSeeds[w]
	// A draft is its organisation's to edit or delete: the mediation reads
	// it and is refused; nobody else finds it. The public page of a
	// statement answers anyone once it is public, and no one before.
	draftCells := cells{toLogin, notFound, forbidden, seeOther, notFound, notFound, notFound, notFound}
	return []row{
		{route: "POST /statements/{id}/edit", object: "the government's draft", path: "/statements/" + edit + "/edit",
			body: func(string) any { return url.Values{"title": {"Draft, edited"}, "body": {"Edited for the table."}} }, want: draftCells},
		{route: "POST /statements/{id}/delete", object: "the government's draft", path: "/statements/" + del + "/delete",
			body: func(string) any { return url.Values{} }, want: draftCells},
		// The inbox's handled mark: the mediation's own; the opposition,
		// which wrote the message, may not mark it; others do not read it.
		{route: "POST /messages/{id}/handled", object: "the opposition's message to the mediation", path: "/messages/" + s.msg + "/handled",
			body: func(string) any { return url.Values{"handled": {"yes"}} },
			want: cells{toLogin, notFound, seeOther, notFound, forbidden, notFound, notFound, notFound}},
		// Each user's notifications: its own list, filtered by the events'
		// audience.
		{route: "GET /notifications", object: "the viewer's own", path: "/notifications", body: func(string) any { return nil },
			want: cells{toLogin, ok, ok, ok, ok, ok, ok, ok}},
		// Every page's live stream of the viewer's own count and the
		// events its organisation reads.
		{route: "GET /notifications/events", object: "the viewer's own", path: "/notifications/events", body: func(string) any { return nil },
			want: cells{toLogin, ok, ok, ok, ok, ok, ok, ok}},
		{route: "GET /statements/{id}", object: "the host's, public", path: "/statements/" + s.public, body: func(string) any { return nil },
			want: cells{ok, ok, ok, ok, ok, ok, ok, ok}},
		{route: "GET /statements/{id}", object: "the government's, embargoed", path: "/statements/" + s.statement, body: func(string) any { return nil },
			want: cells{notFound, notFound, notFound, notFound, notFound, notFound, notFound, notFound}},
		// Sharing a text with the guarantors: the round's administrators
		// (the host's and the mediation's heads); the parties, who read the
		// text, are refused, and so is the guarantor once the chair has
		// shared it (its cell runs after the chair's); whoever does not read
		// it finds nothing. The review row runs after: the guarantor reads
		// the text then, and is refused.
		{route: "POST /api/v1/texts/{id}/guarantors", object: "text with Rev.1", path: "/api/v1/texts/" + w.text1 + "/guarantors", body: func(string) any { return nil },
			want: cells{http.StatusUnauthorized, ok, ok, forbidden, forbidden, forbidden, notFound, notFound}},
		{route: "POST /texts/{id}/guarantors", object: "text with Rev.1", path: "/texts/" + w.text1 + "/guarantors", body: func(string) any { return url.Values{} },
			want: cells{toLogin, seeOther, seeOther, forbidden, forbidden, forbidden, notFound, notFound}},
		// The editor's live preview renders markup for the mediation; it
		// saves nothing.
		{route: "POST /texts/{id}/preview", object: "text with Rev.1", path: "/texts/" + w.text1 + "/preview", body: func(string) any { return url.Values{"source": {"# T\n\n1. A paragraph.\n"}} },
			want: cells{toLogin, forbidden, ok, forbidden, forbidden, forbidden, notFound, notFound}},
		{route: "POST /texts/{id}/issue/preview", object: "text with Rev.1", path: "/texts/" + w.text1 + "/issue/preview", body: func(string) any { return url.Values{} },
			want: cells{toLogin, forbidden, ok, forbidden, forbidden, forbidden, notFound, notFound}},
	}
}
