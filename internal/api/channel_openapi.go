package api

import (
	"encoding/json"
	"fmt"
)

// The channel's part of the OpenAPI document. openapi.json is being edited
// by hand elsewhere; until these paths and schemas move into it, init adds
// them to the document served (and checked by TestOpenAPIMatchesRoutes).

func init() {
	doc, err := mergeChannelOpenAPI(openAPIDoc, channelOpenAPI())
	if err != nil {
		panic(fmt.Sprintf("api: channel OpenAPI: %v", err))
	}
	openAPIDoc = doc
}

// mergeChannelOpenAPI adds paths and component schemas to doc, refusing to replace
// any that doc already has (once openapi.json holds them, the chMerge stops
// being needed and says so).
func mergeChannelOpenAPI(doc []byte, add map[string]map[string]any) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	paths, _ := d["paths"].(map[string]any)
	comps, _ := d["components"].(map[string]any)
	if paths == nil || comps == nil {
		return nil, fmt.Errorf("document has no paths or components")
	}
	schemas, _ := comps["schemas"].(map[string]any)
	for p, ops := range add["paths"] {
		existing, _ := paths[p].(map[string]any)
		if existing == nil {
			existing = map[string]any{}
			paths[p] = existing
		}
		for m, o := range ops.(map[string]any) {
			if _, ok := existing[m]; ok {
				continue // already documented in openapi.json
			}
			existing[m] = o
		}
	}
	for n, s := range add["schemas"] {
		if _, ok := schemas[n]; !ok {
			schemas[n] = s
		}
	}
	return json.MarshalIndent(d, "", "  ")
}

func chRef(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func chResp(name string) map[string]any {
	return map[string]any{"$ref": "#/components/responses/" + name}
}

func chJSONBody(schema any) map[string]any {
	return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
}

func chOK(status, desc string, schema any) map[string]any {
	return map[string]any{status: map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}}
}

var chIDParam = []any{map[string]any{"name": "id", "in": "path", "required": true,
	"schema": map[string]any{"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "random 128-bit id, hex"}}}

func chOp(id, summary string, ok map[string]any, extra map[string]any) map[string]any {
	responses := map[string]any{"401": chResp("Unauthorized"), "404": chResp("NotFound"), "400": chResp("BadRequest"), "500": chResp("Internal")}
	for k, v := range ok {
		responses[k] = v
	}
	o := map[string]any{"operationId": id, "summary": summary, "responses": responses}
	for k, v := range extra {
		if k == "responses" {
			for rk, rv := range v.(map[string]any) {
				responses[rk] = rv
			}
			continue
		}
		o[k] = v
	}
	return o
}

func chObj(required []string, props map[string]any) map[string]any {
	return map[string]any{"type": "object", "required": required, "properties": props}
}

var (
	chStr    = map[string]any{"type": "string"}
	chBool   = map[string]any{"type": "boolean"}
	chInt    = map[string]any{"type": "integer", "format": "int64"}
	chStrArr = map[string]any{"type": "array", "items": chStr}
)

func channelOpenAPI() map[string]map[string]any {
	damaged := map[string]any{"type": "boolean", "description": "the stored content did not open: it is shown without it (id and ledger_index name it); the operator's parley verify says more"}
	orgRef := chObj([]string{"id", "name"}, map[string]any{"id": chStr, "name": chStr})
	schemas := map[string]any{
		"OrgRef": orgRef,
		"Attachment": chObj([]string{"id", "name", "content_type", "size", "sha256", "url"}, map[string]any{
			"id": chStr, "name": chStr, "content_type": chStr, "size": chInt, "sha256": chStr, "url": chStr, "damaged": damaged}),
		"Message": chObj([]string{"id", "round_id", "kind", "from", "attributed", "to", "body", "created_at", "ledger_index", "attachments"}, map[string]any{
			"id": chStr, "round_id": chStr,
			"kind":       map[string]any{"type": "string", "enum": []string{"internal", "mediation", "direct", "plenary", "relayed"}},
			"from":       chRef("OrgRef"),
			"from_user":  chStr,
			"attributed": chBool,
			"to":         map[string]any{"type": "array", "items": chRef("OrgRef")},
			"reply_to":   chStr, "body": chStr, "created_at": chStr, "ledger_index": chInt,
			"attachments":  map[string]any{"type": "array", "items": chRef("Attachment")},
			"relayed_from": map[string]any{"type": "string", "description": "the mediation only"},
			"shared_with":  map[string]any{"type": "array", "items": chRef("OrgRef"), "description": "the organisations the author's party shared it with; the author's organisation only"},
			"show_origin":  map[string]any{"type": "boolean", "description": "the mediation only"},
			"damaged":      damaged,
		}),
		"MessageRequest": chObj([]string{"body"}, map[string]any{
			"to":       map[string]any{"type": "array", "items": chStr, "description": `["mediation"] (default), ["plenary"], ["internal"] or organisation ids`},
			"body":     map[string]any{"type": "string", "maxLength": 65536},
			"reply_to": chStr}),
		"MessageMultipart": chObj([]string{"body"}, map[string]any{
			"to": chStrArr, "body": chStr, "reply_to": chStr,
			"attachment": map[string]any{"type": "array", "items": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}),
		"RelayRequest": chObj([]string{"to"}, map[string]any{
			"to": chStrArr, "body": map[string]any{"type": "string", "description": "empty relays the original wording"},
			"attributed": chBool, "show_origin": map[string]any{"type": "boolean", "default": true},
			"attachments": map[string]any{"type": "array", "items": chStr, "maxItems": 4, "description": "ids of the source's attachments to pass on, as copies"}}),
		"ShareRequest": chObj([]string{"with"}, map[string]any{
			"with": map[string]any{"type": "array", "items": chStr, "minItems": 1, "maxItems": 64, "description": "organisation ids of the round"}}),
		"Statement": chObj([]string{"id", "org", "title", "body", "public", "created_at", "ledger_index"}, map[string]any{
			"id": chStr, "org": chRef("OrgRef"), "title": chStr, "body": chStr, "embargo_until": chStr, "released_at": chStr,
			"public": chBool, "created_at": chStr, "ledger_index": chInt, "damaged": damaged}),
		"StatementRequest": chObj([]string{"title", "body"}, map[string]any{"title": chStr, "body": chStr, "embargo_until": map[string]any{"type": "string", "format": "date-time"}, "round": map[string]any{"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "the round the statement is about: only its mediation reads the draft"}}),
		"SearchResult": chObj([]string{"messages", "statements"}, map[string]any{
			"messages":   map[string]any{"type": "array", "items": chRef("Message")},
			"statements": map[string]any{"type": "array", "items": chRef("Statement")}}),
	}
	list := func(key, item string) map[string]any {
		return chObj([]string{key}, map[string]any{key: map[string]any{"type": "array", "items": chRef(item)}})
	}
	conflict := map[string]any{"responses": map[string]any{"409": chResp("Conflict"), "413": chResp("TooLarge"), "415": chResp("UnsupportedMediaType"), "403": chResp("Forbidden")}}
	paths := map[string]any{
		"/api/v1/rounds/{id}/messages": map[string]any{
			"post": chOp("sendMessage", "write a message in a round; its audience follows from to (409 no_direct_consent for a party writing to another without mutual consent)",
				chOK("201", "Created", chRef("Message")), chMerge(conflict, map[string]any{"parameters": chIDParam, "requestBody": map[string]any{"required": true, "content": map[string]any{
					"application/json":    map[string]any{"schema": chRef("MessageRequest")},
					"multipart/form-data": map[string]any{"schema": chRef("MessageMultipart")}}}})),
			"get": chOp("listMessages", "the messages of the round the caller reads, oldest first",
				chOK("200", "OK", list("messages", "Message")), map[string]any{"parameters": append(append([]any{}, chIDParam...),
					map[string]any{"name": "after", "in": "query", "schema": chInt},
					map[string]any{"name": "limit", "in": "query", "schema": chInt})}),
		},
		"/api/v1/rounds/{id}/events": map[string]any{
			"get": chOp("roundEvents", "Server-Sent Events: the round's committed events the caller reads; id is the ledger index, Last-Event-ID resumes",
				map[string]any{"200": map[string]any{"description": "event stream", "content": map[string]any{"text/event-stream": map[string]any{"schema": chStr}}}},
				map[string]any{"parameters": append(append([]any{}, chIDParam...), map[string]any{"name": "Last-Event-ID", "in": "header", "schema": chStr})}),
		},
		"/api/v1/messages/{id}": map[string]any{
			"get": chOp("showMessage", "one message; 404 when absent or not readable", chOK("200", "OK", chRef("Message")), map[string]any{"parameters": chIDParam}),
		},
		"/api/v1/messages/{id}/relay": map[string]any{
			"post": chOp("relayMessage", "the mediation relays a message it received as a new message", chOK("201", "Created", chRef("Message")),
				chMerge(conflict, map[string]any{"parameters": chIDParam, "requestBody": chJSONBody(chRef("RelayRequest"))})),
		},
		"/api/v1/messages/{id}/share": map[string]any{
			"post": chOp("shareMessage", "a party widens the audience of its own message to organisations of the round (409 no_direct_consent for another party without mutual consent)",
				chOK("200", "OK", chRef("Message")),
				chMerge(conflict, map[string]any{"parameters": chIDParam, "requestBody": chJSONBody(chRef("ShareRequest"))})),
		},
		"/api/v1/attachments/{id}": map[string]any{
			"get": chOp("downloadAttachment", "an attachment, as a download (Content-Disposition: attachment, nosniff)",
				map[string]any{"200": map[string]any{"description": "the file", "content": map[string]any{"application/octet-stream": map[string]any{"schema": chStr}}},
					"410": chResp("Damaged")},
				map[string]any{"parameters": chIDParam}),
		},
		"/api/v1/search": map[string]any{
			"get": chOp("search", "whole-word search over what the caller reads (Arabic letter variants and diacritics folded)", chOK("200", "OK", chRef("SearchResult")),
				map[string]any{"parameters": []any{map[string]any{"name": "q", "in": "query", "required": true, "schema": chStr}}}),
		},
		"/api/v1/statements": map[string]any{
			"get":  chOp("listStatements", "public statements and the drafts the caller reads", chOK("200", "OK", list("statements", "Statement")), nil),
			"post": chOp("createStatement", "draft a statement of the caller's organisation", chOK("201", "Created", chRef("Statement")), chMerge(conflict, map[string]any{"requestBody": chJSONBody(chRef("StatementRequest"))})),
		},
		"/api/v1/statements/{id}": map[string]any{
			"get": chOp("showStatement", "one statement", chOK("200", "OK", chRef("Statement")), map[string]any{"parameters": chIDParam}),
			"put": chOp("editStatement", "replace a draft of the caller's organisation (title, body, embargo; a draft keeps the round it names); 403 to another organisation that reads it, 409 once released",
				chOK("200", "OK", chRef("Statement")), chMerge(conflict, map[string]any{"parameters": chIDParam, "requestBody": chJSONBody(chRef("StatementRequest"))})),
			"delete": chOp("deleteStatement", "delete a draft of the caller's organisation; 403 to another organisation that reads it, 409 once released",
				map[string]any{"204": map[string]any{"description": "deleted"}}, chMerge(conflict, map[string]any{"parameters": chIDParam})),
		},
		"/api/v1/statements/{id}/release": map[string]any{
			"post": chOp("releaseStatement", "release a statement: public now, or when its embargo ends", chOK("200", "OK", chRef("Statement")), chMerge(conflict, map[string]any{"parameters": chIDParam})),
		},
	}
	return map[string]map[string]any{"paths": paths, "schemas": schemas}
}

func chMerge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
