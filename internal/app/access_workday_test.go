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

func workdayRows(w *world) []row {
	const (
		ok        = http.StatusOK
		seeOther  = http.StatusSeeOther
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
	)
	return []row{
		// Sharing a text with the guarantors: the round's administrators
		// (the host's and the mediation's heads); the parties, who read the
		// text, are refused, and so is the guarantor once the chair has
		// shared it (its cell runs after the chair's); whoever does not read
		// it finds nothing. The review row runs after: the guarantor reads
		// the text then, and is refused.
		{route: "POST /texts/{id}/guarantors", object: "text with Rev.1", path: "/texts/" + w.text1 + "/guarantors", body: func(string) any { return url.Values{} },
			want: cells{toLogin, seeOther, seeOther, forbidden, forbidden, forbidden, notFound, notFound}},
		{route: "POST /texts/{id}/issue/preview", object: "text with Rev.1", path: "/texts/" + w.text1 + "/issue/preview", body: func(string) any { return url.Values{} },
			want: cells{toLogin, forbidden, ok, forbidden, forbidden, forbidden, notFound, notFound}},
	}
}
