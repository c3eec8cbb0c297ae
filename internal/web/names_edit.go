package web

import (
	"net/http"

	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/localized"
	"parley/internal/router"
)

const pageNamesEdit = "names_edit"

func init() { pageNames = append(pageNames, pageNamesEdit) }

func (w *Web) registerNames(mux *router.Mux) {
	mux.HandleFunc("GET /names/{kind}/{id}", w.user(w.namesShow))
	mux.HandleFunc("POST /names/{kind}/{id}", w.user(w.namesSave))
}

// namesPage is the data of the "names in other languages" page of one item.
type namesPage struct {
	page
	forms
	Entry     localized.Entry
	Fields    []nameField
	Languages []i18n.Language
	// Authoritative is the language of the item's own value; Fixed when
	// the domain says it (a negotiating text's language).
	Authoritative string
	Fixed         bool
	Back          string // the item's page
	Saved         bool
}

// nameField is one field of the item: its own value and one input per
// other language.
type nameField struct {
	Name      string
	Original  string
	Multiline bool
	Values    map[string]string // language → value
}

// Input is the form field of a value in one language.
func (f nameField) Input(lang string) string { return f.Name + "." + lang }

func (w *Web) namesShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	e, err := w.localized.Get(r.Context(), v.Actor(), r.PathValue("kind"), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.namesPage(r, v, e, nil)
	p.Saved = r.URL.Query().Get("saved") == "1"
	w.renderPage(rw, r, http.StatusOK, pageNamesEdit, p)
}

func (w *Web) namesSave(rw http.ResponseWriter, r *http.Request, v *viewer) {
	kind, id := r.PathValue("kind"), r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	k, err := w.localized.Kind(kind)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	in := localized.Input{Authoritative: r.PostForm.Get("authoritative"), Values: map[string]map[string]string{}}
	var inputs []string
	for _, f := range k.Fields {
		in.Values[f.Name] = map[string]string{}
		for _, lang := range localized.Languages {
			name := nameField{Name: f.Name}.Input(lang)
			if r.PostForm.Has(name) {
				in.Values[f.Name][lang] = r.PostForm.Get(name)
				inputs = append(inputs, name)
			}
		}
	}
	_, err = w.localized.Set(r.Context(), v.Actor(), kind, id, in)
	if err == nil {
		redirect(rw, r, "/names/"+kind+"/"+id+"?saved=1")
		return
	}
	f := newForm("names", r)
	if !f.fail(v.L, err, append(inputs, "authoritative")...) {
		w.fail(rw, r, err)
		return
	}
	e, gerr := w.localized.Get(r.Context(), v.Actor(), kind, id)
	if gerr != nil {
		w.fail(rw, r, gerr)
		return
	}
	w.renderPage(rw, r, f.status(), pageNamesEdit, w.namesPage(r, v, e, f))
}

// namesPage lays out the form: the item's own value of each field, marked
// authoritative, and an input per other language, refilled from failed.
func (w *Web) namesPage(r *http.Request, v *viewer, e localized.Entry, failed *form) namesPage {
	p := namesPage{page: w.page(r, v), forms: forms{failed: failed}, Entry: e, Languages: i18n.Languages,
		Authoritative: e.Values.Authoritative, Back: namesBack(e)}
	if e.Item.Authoritative != "" {
		p.Authoritative, p.Fixed = e.Item.Authoritative, true
	}
	for _, f := range e.Kind.Fields {
		nf := nameField{Name: f.Name, Original: e.Item.Values[f.Name], Multiline: f.Multiline, Values: map[string]string{}}
		for _, lang := range localized.Languages {
			nf.Values[lang] = e.Values.By[f.Name][lang]
			if failed != nil {
				nf.Values[lang] = failed.Value(nf.Input(lang))
			}
		}
		p.Fields = append(p.Fields, nf)
	}
	if failed != nil && failed.Values.Has("authoritative") {
		p.Authoritative = failed.Value("authoritative")
	}
	return p
}

// namesBack is the page an item is shown on.
func namesBack(e localized.Entry) string {
	switch e.Kind.Name {
	case "round":
		return "/rounds/" + e.ID
	case "text":
		return "/texts/" + e.ID
	case "statement":
		return "/statements/desk"
	}
	if e.Item.Round != "" {
		return "/rounds/" + e.Item.Round
	}
	return "/"
}
