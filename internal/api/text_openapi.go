package api

import (
	"encoding/json"
	"fmt"
)

// The negotiating text's part of the OpenAPI document. openapi.json is
// edited by the API's owner; until these paths and schemas move into it,
// init adds them to the document served (and checked by
// TestOpenAPIMatchesRoutes). A path or schema already in openapi.json wins.

func init() {
	doc, err := addTextOpenAPI(openAPIDoc)
	if err != nil {
		panic(fmt.Sprintf("api: text OpenAPI: %v", err))
	}
	openAPIDoc = doc
}

func addTextOpenAPI(doc []byte) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	paths, _ := d["paths"].(map[string]any)
	comps, _ := d["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	if paths == nil || schemas == nil {
		return nil, fmt.Errorf("document has no paths or schemas")
	}
	for p, ops := range textPaths() {
		existing, _ := paths[p].(map[string]any)
		if existing == nil {
			existing = map[string]any{}
			paths[p] = existing
		}
		for m, op := range ops {
			if _, ok := existing[m]; !ok {
				existing[m] = op
			}
		}
	}
	for n, s := range textSchemas() {
		if _, ok := schemas[n]; !ok {
			schemas[n] = s
		}
	}
	return json.MarshalIndent(d, "", "  ")
}

type tobj = map[string]any

func textRef(name string) tobj { return tobj{"$ref": "#/components/schemas/" + name} }

func textResp(name string) tobj { return tobj{"$ref": "#/components/responses/" + name} }

var (
	textIDParam   = tobj{"name": "id", "in": "path", "required": true, "schema": tobj{"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "random 128-bit id, hex"}}
	textOrgParam  = tobj{"name": "org", "in": "path", "required": true, "schema": tobj{"type": "string", "pattern": "^[0-9a-f]{32}$"}}
	textRevParam  = tobj{"name": "n", "in": "path", "required": true, "schema": tobj{"type": "integer", "minimum": 1}, "description": "revision number (Rev.n)"}
	textParParam  = tobj{"name": "p", "in": "path", "required": true, "schema": tobj{"type": "integer", "minimum": 1}, "description": "paragraph number"}
	textLangParam = tobj{"name": "lang", "in": "path", "required": true, "schema": tobj{"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"}, "description": "BCP 47 language tag of the translation"}
)

// textOp builds one operation: its parameters, request schema (or ""), the
// success status and schema, and the error responses it can give.
func textOp(id, summary string, params []tobj, req string, status string, res tobj, errors ...string) tobj {
	op := tobj{"operationId": id, "summary": summary, "security": []tobj{{"bearer": []string{}}}}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if req != "" {
		op["requestBody"] = tobj{"required": true, "content": tobj{"application/json": tobj{"schema": textRef(req)}}}
	}
	responses := tobj{status: tobj{"description": "OK"}}
	if res != nil {
		responses[status] = tobj{"description": "OK", "content": tobj{"application/json": tobj{"schema": res}}}
	}
	codes := map[string]string{"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "409": "Conflict", "413": "TooLarge", "415": "UnsupportedMediaType", "500": "Internal"}
	for _, e := range append([]string{"401", "404", "500"}, errors...) {
		responses[e] = textResp(codes[e])
	}
	op["responses"] = responses
	return op
}

func textPaths() map[string]map[string]any {
	p := Prefix
	body := []string{"400", "413", "415"}
	return map[string]map[string]any{
		p + "/rounds/{id}/texts": {
			"get": textOp("listTexts", "the negotiating texts of a round the caller may read", []tobj{textIDParam}, "", "200",
				tobj{"type": "object", "properties": tobj{"texts": tobj{"type": "array", "items": textRef("Text")}}}),
			"post": textOp("createText", "the mediation starts a text with its first draft (title or markup)", []tobj{textIDParam}, "TextRequest", "201", textRef("Text"), append(body, "403")...),
		},
		p + "/texts/{id}": {
			"get": textOp("showText", "a text", []tobj{textIDParam}, "", "200", textRef("Text")),
		},
		p + "/texts/{id}/draft": {
			"get": textOp("showDraft", "the latest draft (mediation only)", []tobj{textIDParam}, "", "200", textRef("Draft")),
			"put": textOp("saveDraft", "save a draft; bad markup is refused with line:column (code unbalanced_bracket for brackets) and nothing is saved", []tobj{textIDParam}, "DraftRequest", "200", textRef("Draft"), append(body, "403", "409")...),
		},
		p + "/texts/{id}/draft/from-amendment": {
			"post": textOp("draftFromAmendment", "start the next draft from a party's proposed amendment", []tobj{textIDParam}, "AmendmentDraftRequest", "201", textRef("Draft"), append(body, "403", "409")...),
		},
		p + "/texts/{id}/issue": {
			"post": textOp("issueText", "issue the latest draft as the next revision (Rev.n)", []tobj{textIDParam}, "", "201", textRef("Revision"), "403", "409"),
		},
		p + "/texts/{id}/settings": {
			"put": textOp("textSettings", "the \"nothing is agreed until everything is agreed\" setting", []tobj{textIDParam}, "TextSettingsRequest", "200", textRef("Text"), append(body, "403", "409")...),
		},
		p + "/texts/{id}/guarantors": {
			"post": textOp("shareWithGuarantors", "share the text's issued revisions with the round's guarantors (the round's administrators; it cannot be withdrawn)", []tobj{textIDParam}, "", "200", textRef("Text"), "403", "409"),
		},
		p + "/texts/{id}/summaries/{org}": {
			"put": textOp("textSummary", "whether a party sees the summary of every party's stances", []tobj{textIDParam, textOrgParam}, "SummaryRequest", "200",
				tobj{"type": "object", "properties": tobj{"org": tobj{"type": "string"}, "shared": tobj{"type": "boolean"}}}, append(body, "403", "409")...),
		},
		p + "/texts/{id}/revisions/{n}": {
			"get": textOp("showRevision", "an issued revision: paragraphs, alternatives, the positions visible to the caller, the derived status", []tobj{textIDParam, textRevParam}, "", "200", textRef("Revision")),
		},
		p + "/texts/{id}/revisions/{n}/paragraphs/{p}/position": {
			"put": textOp("setPosition", "the caller's party's stance on a paragraph or alternative; 409 superseded_revision names the current revision", []tobj{textIDParam, textRevParam, textParParam}, "PositionRequest", "200", textRef("Position"), append(body, "403", "409")...),
		},
		p + "/texts/{id}/revisions/{n}/export": {
			"get": tobj{
				"operationId": "exportRevision", "summary": "a revision as print-ready HTML, Markdown or Akoma Ntoso XML",
				"security":   []tobj{{"bearer": []string{}}},
				"parameters": []tobj{textIDParam, textRevParam, {"name": "format", "in": "query", "required": true, "schema": tobj{"type": "string", "enum": []string{"html", "md", "akn", "docx"}}}},
				"responses": tobj{
					"200": tobj{"description": "the export", "content": tobj{
						"text/html": tobj{"schema": tobj{"type": "string"}}, "text/markdown": tobj{"schema": tobj{"type": "string"}},
						"application/akn+xml": tobj{"schema": tobj{"type": "string"}}}},
					"400": textResp("BadRequest"), "401": textResp("Unauthorized"), "404": textResp("NotFound"), "500": textResp("Internal"),
				},
			},
		},
		p + "/texts/{id}/compare": {
			"get": tobj{
				"operationId": "compareRevisions", "summary": "word-level insertions and deletions between two revisions",
				"security": []tobj{{"bearer": []string{}}},
				"parameters": []tobj{textIDParam,
					{"name": "from", "in": "query", "required": true, "schema": tobj{"type": "integer", "minimum": 1}},
					{"name": "to", "in": "query", "required": true, "schema": tobj{"type": "integer", "minimum": 1}}},
				"responses": tobj{
					"200": tobj{"description": "OK", "content": tobj{"application/json": tobj{"schema": textRef("Comparison")}}},
					"400": textResp("BadRequest"), "401": textResp("Unauthorized"), "404": textResp("NotFound"), "500": textResp("Internal"),
				},
			},
		},
		p + "/texts/{id}/adoption": {
			"get": textOp("showAdoption", "who has confirmed the adoption of the latest revision", []tobj{textIDParam}, "", "200", textRef("Adoption")),
		},
		p + "/texts/{id}/publish": {
			"post": textOp("publishText", "the mediation publishes the adopted text as a public statement (created and released at once)", []tobj{textIDParam}, "", "201", textRef("Statement"), "403", "409"),
		},
		p + "/texts/{id}/revisions/{n}/translations": {
			"get": textOp("listTranslations", "the translations of a revision (parallel language versions), each linked paragraph by paragraph", []tobj{textIDParam, textRevParam}, "", "200",
				tobj{"type": "object", "properties": tobj{"translations": tobj{"type": "array", "items": textRef("Translation")}}}),
		},
		p + "/texts/{id}/revisions/{n}/translations/{lang}": {
			"get": textOp("showTranslation", "a revision's translation into one language", []tobj{textIDParam, textRevParam, textLangParam}, "", "200", textRef("Translation")),
			"put": textOp("setTranslation", "the mediation adds or corrects the translation of a revision; 400 translation_mismatch names the first paragraph or alternative that does not match", []tobj{textIDParam, textRevParam, textLangParam}, "DraftRequest", "200", textRef("Translation"), append(body, "403")...),
		},
		p + "/texts/{id}/adopt": {
			"post": textOp("adoptText", "a party head confirms the adoption with the password (and second factor); 409 brackets_remain lists the bracketed paragraphs", []tobj{textIDParam}, "AdoptRequest", "200", textRef("Adoption"), append(body, "403", "409")...),
		},
	}
}

func textSchemas() map[string]any {
	str := tobj{"type": "string"}
	integer := tobj{"type": "integer"}
	boolean := tobj{"type": "boolean"}
	arr := func(s tobj) tobj { return tobj{"type": "array", "items": s} }
	object := func(required []string, props tobj) tobj {
		o := tobj{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	stance := tobj{"type": "string", "enum": []string{"accept", "reject", "reserve", "amend"}}
	return map[string]any{
		"Text": object([]string{"id", "round_id", "title", "revision", "ledger_index"}, tobj{
			"id": str, "round_id": str, "title": str, "ad_referendum": boolean, "revision": integer,
			"adopted_revision": integer, "adopted_at": str, "adopted_sha256": str, "created_at": str, "ledger_index": integer, "language": str, "guarantors": boolean}),
		"Draft": object([]string{"id", "seq", "source"}, tobj{
			"id": str, "text_id": str, "seq": integer, "source": str, "saved_at": str, "ledger_index": integer}),
		"Span": object(nil, tobj{
			"kind":     tobj{"type": "string", "enum": []string{"contentious", "pending", "alternative"}},
			"text":     str,
			"children": arr(textRef("Span"))}),
		"Position": object([]string{"paragraph", "org", "stance"}, tobj{
			"paragraph": integer, "alternative": str, "org": str, "org_name": str, "stance": stance,
			"wording": str, "comment": str, "updated_at": str, "ledger_index": integer, "carried_from": integer}),
		"Paragraph": object([]string{"number", "status"}, tobj{
			"number": integer, "section": str, "text": str, "spans": arr(textRef("Span")),
			"alternatives":       arr(object(nil, tobj{"label": str, "text": str, "spans": arr(textRef("Span"))})),
			"bracketed":          boolean,
			"wholly_bracketed":   boolean,
			"status":             tobj{"type": "string", "enum": []string{"agreed", "agreed_ad_referendum", "bracketed", "open"}},
			"agreed_alternative": str,
			"positions":          arr(textRef("Position")),
			"summary":            arr(object(nil, tobj{"alternative": str, "org": str, "org_name": str, "stance": stance}))}),
		"Confirmation": object(nil, tobj{"org": str, "org_name": str, "at": str, "ledger_index": integer}),
		"Revision": object([]string{"id", "number", "paragraphs", "ledger_index"}, tobj{
			"id": str, "text_id": str, "round_id": str, "number": integer, "label": str, "latest": integer, "superseded": boolean,
			"issued_at": str, "title": str, "preamble": arr(str), "paragraphs": arr(textRef("Paragraph")),
			"source": str, "sha256": str, "ad_referendum": boolean, "adopted": boolean,
			"parties":       arr(object(nil, tobj{"id": str, "name": str})),
			"confirmations": arr(textRef("Confirmation")), "ledger_index": integer}),
		"Adoption": object([]string{"revision", "adopted"}, tobj{
			"text_id": str, "revision": integer, "confirmations": arr(textRef("Confirmation")),
			"pending": arr(object(nil, tobj{"id": str, "name": str})), "adopted": boolean, "adopted_at": str,
			"sha256": tobj{"type": "string", "description": "SHA-256 of the canonical adopted text, hex"}, "ledger_index": integer}),
		"Comparison": object(nil, tobj{"text_id": str, "from": integer, "to": integer,
			"lines": arr(arr(object(nil, tobj{"op": tobj{"type": "string", "enum": []string{"equal", "insert", "delete"}}, "text": str})))}),
		"TextRequest": object(nil, tobj{"title": str, "source": str, "ad_referendum": boolean, "language": str}),
		"Translation": object([]string{"id", "revision", "language", "dir", "paragraphs"}, tobj{
			"id": str, "text_id": str, "revision": integer, "language": str, "dir": tobj{"type": "string", "enum": []string{"ltr", "rtl"}},
			"title": str, "preamble": arr(str),
			"paragraphs": arr(object([]string{"number"}, tobj{"number": integer, "section": str, "text": str, "spans": arr(textRef("Span")),
				"alternatives": arr(object(nil, tobj{"label": str, "text": str, "spans": arr(textRef("Span"))}))})),
			"source": str, "sha256": str, "added_at": str, "ledger_index": integer}),
		"DraftRequest":          object([]string{"source"}, tobj{"source": str}),
		"PositionRequest":       object([]string{"stance"}, tobj{"alternative": str, "stance": stance, "wording": str, "comment": str}),
		"AdoptRequest":          object([]string{"password"}, tobj{"password": str, "otp": str}),
		"TextSettingsRequest":   object([]string{"ad_referendum"}, tobj{"ad_referendum": boolean}),
		"SummaryRequest":        object([]string{"shared"}, tobj{"shared": boolean}),
		"AmendmentDraftRequest": object([]string{"revision", "paragraph", "org"}, tobj{"revision": integer, "paragraph": integer, "alternative": str, "org": str}),
	}
}
