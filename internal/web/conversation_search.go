package web

import (
	"errors"
	"net/http"
	"strings"

	"parley/internal/channel"
	"parley/internal/errs"
)

// pageSearch is the search page: whole words over everything the viewer
// reads (docs/channel.md, "Search").
const pageSearch = "conversation_search"

func init() { pageNames = append(pageNames, pageSearch) }

// searchPage is the data of the search page.
type searchPage struct {
	page
	Query    string
	Searched bool
	Error    string
	Messages []messageView
	Results  channel.SearchResult
}

func (w *Web) searchShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	p := searchPage{page: w.page(r, v), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	status := http.StatusOK
	if p.Query != "" {
		p.Searched = true
		res, err := w.channel.Search(r.Context(), v.Actor(), p.Query, 0)
		if e, ok := errs.As(err); ok && errs.Status(e.Code) < 500 {
			p.Error = errorMessage(v.L, e)
			status = errs.Status(e.Code)
		} else if err != nil {
			w.fail(rw, r, err)
			return
		}
		p.Results = res
		for _, m := range res.Messages {
			p.Messages = append(p.Messages, w.messageView(v, m, messageForms{}))
		}
	}
	w.renderPage(rw, r, status, pageSearch, p)
}
