package web

import (
	"encoding/xml"
	"errors"
	"net/http"
	"time"

	"parley/internal/access"
	"parley/internal/channel"
)

// statementsPage is the data of the public statements page.
type statementsPage struct {
	page
	Statements []channel.Statement
}

// statementsShow is the public page of released statements: no login. A
// logged-in viewer sees the same public list (drafts are on the statements
// desk, statements_desk.go, never on the public page).
func (w *Web) statementsShow(rw http.ResponseWriter, r *http.Request) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	v, r := w.publicViewer(r)
	sts, err := w.channel.Statements(r.Context(), access.Actor{}, 0)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := statementsPage{page: w.page(r, v), Statements: sts}
	p.Names = w.loadNames(r, access.Actor{}, statementNameItems(sts...))
	w.renderPage(rw, r, http.StatusOK, pageStatements, p)
}

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Author    atomAuthor `xml:"author"`
	Content   atomText   `xml:"content"`
	Link      atomLink   `xml:"link"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// statementsFeed is the Atom feed of released statements: no login.
func (w *Web) statementsFeed(rw http.ResponseWriter, r *http.Request) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	sts, err := w.channel.Statements(r.Context(), access.Actor{}, 0)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	base := w.baseURL
	feed := atomFeed{Title: "parley: statements", ID: base + "/statements", Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Link: []atomLink{{Href: base + "/statements.atom", Rel: "self"}, {Href: base + "/statements"}}}
	for i, st := range sts {
		at := st.ReleasedAt.UTC().Format(time.RFC3339)
		if i == 0 {
			feed.Updated = at
		}
		feed.Entries = append(feed.Entries, atomEntry{
			Title: st.Title, ID: "urn:parley:statement:" + st.ID, Updated: at, Published: at,
			Author: atomAuthor{Name: st.Org.Name}, Content: atomText{Type: "text", Body: st.Body},
			Link: atomLink{Href: base + "/statements#s-" + st.ID},
		})
	}
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rw.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	rw.Header().Set("Cache-Control", "public, max-age=60")
	rw.Write([]byte(xml.Header))
	rw.Write(out)
}
