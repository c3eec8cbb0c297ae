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
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
	)
	return []row{
		{route: "POST /texts/{id}/issue/preview", object: "text with Rev.1", path: "/texts/" + w.text1 + "/issue/preview", body: func(string) any { return url.Values{} },
			want: cells{toLogin, forbidden, ok, forbidden, forbidden, notFound, notFound, notFound}},
	}
}
