package api

import (
	"net/http"

	"parley/internal/router"
	"parley/internal/text"
)

// Parallel language versions of the negotiating text (docs/text.md): the
// mediation's translations of an issued revision, linked to it paragraph by
// paragraph.

// registerTranslations adds the translation routes.
func (a *API) registerTranslations(mux *router.Mux) {
	mux.Handle("GET "+Prefix+"/texts/{id}/revisions/{n}/translations", a.textRoute(a.listTranslations))
	mux.Handle("GET "+Prefix+"/texts/{id}/revisions/{n}/translations/{lang}", a.textRoute(a.showTranslation))
	mux.Handle("PUT "+Prefix+"/texts/{id}/revisions/{n}/translations/{lang}", a.textRoute(a.setTranslation))
}

// TranslationParagraphJSON is a paragraph of a translation, numbered like
// the authoritative paragraph it translates.
type TranslationParagraphJSON struct {
	Number  int          `json:"number"`
	Section string       `json:"section,omitempty"`
	Text    string       `json:"text"` // markup
	Spans   []text.Span  `json:"spans"`
	Options []OptionJSON `json:"alternatives"`
}

// TranslationJSON is an issued revision in another language.
type TranslationJSON struct {
	ID          string                     `json:"id"`
	TextID      string                     `json:"text_id"`
	Revision    int                        `json:"revision"`
	Language    string                     `json:"language"`
	Dir         string                     `json:"dir"`
	Title       string                     `json:"title"`
	Preamble    []string                   `json:"preamble"`
	Paragraphs  []TranslationParagraphJSON `json:"paragraphs"`
	Source      string                     `json:"source"`
	SHA256      string                     `json:"sha256"`
	AddedAt     string                     `json:"added_at"`
	LedgerIndex int64                      `json:"ledger_index"`
}

func translationJSON(tr text.Translation) TranslationJSON {
	out := TranslationJSON{ID: tr.ID, TextID: tr.TextID, Revision: tr.Revision, Language: tr.Language, Dir: tr.Dir,
		Title: tr.Document.Title, Preamble: tr.Document.Preamble, Paragraphs: []TranslationParagraphJSON{},
		Source: tr.Source, SHA256: tr.SHA256, AddedAt: jsonTime(tr.AddedAt), LedgerIndex: tr.LedgerIndex}
	for _, sec := range tr.Document.Sections {
		for _, p := range sec.Paragraphs {
			pj := TranslationParagraphJSON{Number: p.Number, Section: sec.Heading, Text: text.FormatSpans(p.Spans), Spans: p.Spans, Options: []OptionJSON{}}
			for _, o := range p.Options {
				pj.Options = append(pj.Options, OptionJSON{Label: o.Label, Text: text.FormatSpans(o.Spans), Spans: o.Spans})
			}
			out.Paragraphs = append(out.Paragraphs, pj)
		}
	}
	return out
}

// TranslationRequest is the markup of a translation.
type TranslationRequest = DraftRequest

func (a *API) listTranslations(w http.ResponseWriter, r *http.Request, c call) error {
	n, err := pathNumber(r, "n", "revision")
	if err != nil {
		return err
	}
	ts, err := a.text.Translations(r.Context(), c.Actor, r.PathValue("id"), n)
	return reply(w, http.StatusOK, ts, err, listOf("translations", translationJSON))
}

func (a *API) showTranslation(w http.ResponseWriter, r *http.Request, c call) error {
	n, err := pathNumber(r, "n", "revision")
	if err != nil {
		return err
	}
	tr, err := a.text.Translation(r.Context(), c.Actor, r.PathValue("id"), n, r.PathValue("lang"))
	return reply(w, http.StatusOK, tr, err, translationJSON)
}

func (a *API) setTranslation(w http.ResponseWriter, r *http.Request, c call) error {
	n, err := pathNumber(r, "n", "revision")
	if err != nil {
		return err
	}
	var q TranslationRequest
	if err := decode(w, r, &q, MaxBody); err != nil {
		return err
	}
	tr, err := a.text.SetTranslation(r.Context(), c.Actor, r.PathValue("id"), n, r.PathValue("lang"), q.Source)
	return reply(w, http.StatusOK, tr, err, translationJSON)
}
