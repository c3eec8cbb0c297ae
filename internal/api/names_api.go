package api

import (
	"fmt"
	"net/http"

	"parley/internal/localized"
	"parley/internal/router"
)

// The names of items in other languages (internal/localized): GET reads an
// item's names under the item's own audience (404 when the caller does
// not read the item), PUT changes them for whoever edits the item.

func (a *API) registerNames(mux *router.Mux) {
	route := func(h errorFunc) http.Handler {
		return a.serve(needs(a.localized != nil, "names in other languages", h))
	}
	mux.Handle("GET "+Prefix+"/names/{kind}/{id}", route(a.showNames))
	mux.Handle("PUT "+Prefix+"/names/{kind}/{id}", route(a.setNames))
}

// namesRequest is the body of PUT /names/{kind}/{id}.
type namesRequest struct {
	Authoritative string                       `json:"authoritative"`
	Values        map[string]map[string]string `json:"values"`
}

// Validate leaves the rules to the domain, which knows each kind's fields.
func (namesRequest) Validate() error { return nil }

// namesJSON is an item's names: its own values, their language, and the
// values in other languages.
func namesJSON(e localized.Entry) map[string]any {
	values := map[string]map[string]string{}
	for _, f := range e.Kind.Fields {
		values[f.Name] = map[string]string{}
		for lang, v := range e.Values.By[f.Name] {
			values[f.Name][lang] = v
		}
	}
	auth := e.Values.Authoritative
	if e.Item.Authoritative != "" {
		auth = e.Item.Authoritative
	}
	return map[string]any{"kind": e.Kind.Name, "id": e.ID, "authoritative": auth,
		"original": e.Item.Values, "values": values, "editable": e.Item.Editable}
}

func (a *API) showNames(w http.ResponseWriter, r *http.Request, c call) error {
	e, err := a.localized.Get(r.Context(), c.Actor, r.PathValue("kind"), r.PathValue("id"))
	return reply(w, http.StatusOK, e, err, namesJSON)
}

func (a *API) setNames(w http.ResponseWriter, r *http.Request, c call) error {
	var req namesRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	in := localized.Input{Authoritative: req.Authoritative, Values: req.Values}
	e, err := a.localized.Set(r.Context(), c.Actor, r.PathValue("kind"), r.PathValue("id"), in)
	return reply(w, http.StatusOK, e, err, namesJSON)
}

func init() {
	doc, err := mergeOpenAPI(openAPIDoc, namesPaths(), namesSchemas())
	if err != nil {
		panic(fmt.Sprintf("api: names OpenAPI: %v", err))
	}
	openAPIDoc = doc
}

func namesPaths() map[string]map[string]any {
	kind := tobj{"name": "kind", "in": "path", "required": true,
		"schema": tobj{"type": "string", "enum": []string{"round", "session", "agenda", "org", "statement", "text"}}}
	params := []tobj{kind, textIDParam}
	return map[string]map[string]any{
		Prefix + "/names/{kind}/{id}": {
			"get": textOp("showNames", "an item's names in other languages (en, ar, ru, tr), read by those who read the item, with its authoritative language", params, "", "200", textRef("Names")),
			"put": textOp("setNames", "give an item its names in other languages (whoever edits the item); an empty value removes a language", params, "NamesRequest", "200", textRef("Names"), "400", "403", "413", "415"),
		},
	}
}

func namesSchemas() map[string]any {
	str := tobj{"type": "string"}
	lang := tobj{"type": "string", "enum": localized.Languages}
	byLang := tobj{"type": "object", "additionalProperties": tobj{"type": "object", "additionalProperties": str},
		"description": "field (name, title, description, body) → language → value"}
	return map[string]any{
		"Names": tobj{"type": "object", "required": []string{"kind", "id", "values"}, "properties": tobj{
			"kind": str, "id": str, "authoritative": tobj{"type": "string", "description": "the language of the item's own value, empty when not given"},
			"original": tobj{"type": "object", "additionalProperties": str}, "values": byLang, "editable": tobj{"type": "boolean"}}},
		"NamesRequest": tobj{"type": "object", "properties": tobj{"authoritative": lang, "values": byLang}},
	}
}
