package api

import "fmt"

// The detainee track's part of the OpenAPI document, added at start the
// way the channel's is (mergeChannelOpenAPI: what openapi.json already
// holds wins).

func init() {
	doc, err := mergeChannelOpenAPI(openAPIDoc, detaineesOpenAPI())
	if err != nil {
		panic(fmt.Sprintf("api: detainees OpenAPI: %v", err))
	}
	openAPIDoc = doc
}

func detaineesOpenAPI() map[string]map[string]any {
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	arr := func(items any) map[string]any { return map[string]any{"type": "array", "items": items} }
	side := chObj([]string{"id", "name"}, map[string]any{"id": chStr, "name": chStr})
	record := map[string]any{"type": "object", "required": []string{"id", "row", "record_id", "status"}, "properties": map[string]any{
		"id": str("parley's id of the record"), "row": chInt, "record_id": chStr, "name_ar": chStr, "name_latin": chStr,
		"given_name": chStr, "father_name": chStr, "grandfather_name": chStr, "family_name": chStr, "mother_name": chStr,
		"sex": map[string]any{"type": "string", "enum": []string{"M", "F"}}, "birth_date": chStr, "birth_year": chStr,
		"birth_place": chStr, "national_id": chStr, "arrest_date": chStr, "arrest_place": chStr, "holding_party": chStr,
		"status": map[string]any{"type": "string", "enum": []string{"held", "released", "deceased", "unknown"}}}}
	pairRecord := map[string]any{"allOf": []any{chRef("DetaineeRecord"), chObj([]string{"list_id", "list_name", "list_kind", "org"},
		map[string]any{"list_id": chStr, "list_name": chStr, "list_kind": chStr, "org": chStr})}}
	identity := chObj(nil, map[string]any{"name_ar": chStr, "name_latin": chStr, "given_name": chStr, "father_name": chStr,
		"grandfather_name": chStr, "family_name": chStr, "sex": chStr, "birth_year": chStr})
	run := chObj([]string{"records", "pairs", "review", "decided"}, map[string]any{"id": chStr, "records": chInt, "pairs": chInt,
		"review": chInt, "decided": chInt, "created_at": chStr, "ledger_index": chInt})
	schemas := map[string]any{
		"DetaineeSide": side,
		"DetaineeList": chObj([]string{"id", "process_id", "org", "kind", "name", "records", "sha256", "created_at", "ledger_index"}, map[string]any{
			"id": chStr, "process_id": chStr, "org": chRef("DetaineeSide"), "kind": map[string]any{"type": "string", "enum": []string{"held", "sought"}},
			"name": chStr, "records": chInt, "sha256": chStr, "created_at": chStr, "ledger_index": chInt}),
		"DetaineeRecord": record,
		"DetaineeListUpload": chObj([]string{"file", "kind", "name"}, map[string]any{
			"file":    map[string]any{"type": "string", "contentMediaType": "application/octet-stream", "description": "CSV (UTF-8) or XLSX"},
			"kind":    map[string]any{"type": "string", "enum": []string{"held", "sought"}},
			"name":    chStr,
			"mapping": str(`JSON object from the file's headers to canonical columns or "ignore"`)}),
		"DetaineeFileError": chObj([]string{"error"}, map[string]any{"error": chObj([]string{"code", "message", "rows"}, map[string]any{
			"code": chStr, "message": chStr, "field": chStr, "more": chInt,
			"rows": arr(chObj([]string{"row", "message"}, map[string]any{"row": chInt, "column": chStr, "message": chStr}))})}),
		"DetaineeRun": run,
		"DetaineePair": chObj([]string{"id", "probability", "band", "a", "b"}, map[string]any{
			"id": chStr, "probability": map[string]any{"type": "number"}, "band": map[string]any{"type": "string", "enum": []string{"match", "review"}},
			"decision": chStr, "a": pairRecord, "b": pairRecord}),
		"DetaineePairs":    chObj([]string{"run", "pairs"}, map[string]any{"run": chRef("DetaineeRun"), "pairs": arr(chRef("DetaineePair"))}),
		"DetaineeIdentity": identity,
		"DetaineePerson": chObj([]string{"id", "seq", "released_by", "identity"}, map[string]any{
			"id": chStr, "seq": chInt, "released_by": chRef("DetaineeSide"), "identity": chRef("DetaineeIdentity"),
			"records": map[string]any{"type": "array", "items": chStr, "description": "the mediation and the neutral agency only"},
			"release": chObj([]string{"at", "place", "verified_at", "ledger_index"}, map[string]any{"at": chStr, "place": chStr, "verified_at": chStr, "ledger_index": chInt})}),
		"DetaineeExchange": chObj([]string{"id", "process_id", "kind", "title", "sides", "promised", "verified", "people", "created_at", "ledger_index"}, map[string]any{
			"id": chStr, "process_id": chStr, "kind": map[string]any{"type": "string", "enum": []string{"swap", "unilateral"}}, "title": chStr,
			"sides": arr(chRef("DetaineeSide")), "promised": chInt, "verified": chInt, "people": arr(chRef("DetaineePerson")),
			"created_at": chStr, "ledger_index": chInt}),
		"DetaineeExchangeRequest": chObj([]string{"kind", "title", "sides", "people"}, map[string]any{
			"kind": map[string]any{"type": "string", "enum": []string{"swap", "unilateral"}}, "title": chStr,
			"sides":  map[string]any{"type": "array", "items": chStr, "minItems": 2, "maxItems": 2, "description": "the two parties' organisation ids"},
			"people": arr(chObj([]string{"records"}, map[string]any{"records": chStrArr, "released_by": chStr}))}),
		"DetaineeReleaseRequest": chObj([]string{"person", "at", "place"}, map[string]any{
			"person": chStr, "at": map[string]any{"type": "string", "format": "date-time"}, "place": chStr}),
		"DetaineeDashboard": chObj([]string{"process_id", "promised", "verified", "sides"}, map[string]any{
			"process_id": chStr, "agency": chRef("DetaineeSide"), "promised": chInt, "verified": chInt,
			"sides": arr(chObj([]string{"org", "promised", "verified", "series"}, map[string]any{
				"org": chRef("DetaineeSide"), "promised": chInt, "verified": chInt,
				"series": arr(chObj([]string{"at", "promised", "verified"}, map[string]any{"at": chStr, "promised": chInt, "verified": chInt}))}))}),
	}
	forbidden := map[string]any{"responses": map[string]any{"403": chResp("Forbidden")}}
	withBody := func(schema string, extra map[string]any) map[string]any {
		out := map[string]any{"parameters": chIDParam, "requestBody": chJSONBody(chRef(schema))}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	id := map[string]any{"parameters": chIDParam}
	idForbidden := map[string]any{"parameters": chIDParam, "responses": forbidden["responses"]}
	p := "/api/v1/processes/{id}/detainees"
	paths := map[string]any{
		p + "/agency": map[string]any{
			"get": chOp("getDetaineeAgency", "The process's neutral agency (null until the mediation names it)", chOK("200", "the agency",
				chObj([]string{"agency"}, map[string]any{"agency": chRef("DetaineeSide")})), id),
			"put": chOp("setDetaineeAgency", "The head of the mediation names the neutral agency, once", chOK("200", "the agency",
				chObj([]string{"agency"}, map[string]any{"agency": chRef("DetaineeSide")})),
				withBody("DetaineeAgencyRequest", map[string]any{"responses": map[string]any{"403": chResp("Forbidden"), "409": chResp("Conflict")}})),
		},
		p + "/lists": map[string]any{
			"get": chOp("listDetaineeLists", "The process's lists the caller may read", chOK("200", "lists",
				chObj([]string{"lists"}, map[string]any{"lists": arr(chRef("DetaineeList"))})), id),
			"post": chOp("submitDetaineeList", "Import a list (CSV or XLSX); 400 lists every bad row and nothing is stored", chOK("201", "the list", chRef("DetaineeList")),
				map[string]any{"parameters": chIDParam, "requestBody": map[string]any{"required": true, "content": map[string]any{
					"multipart/form-data": map[string]any{"schema": chRef("DetaineeListUpload")}}},
					"responses": map[string]any{"403": chResp("Forbidden"), "400": map[string]any{"description": "the file's bad rows",
						"content": map[string]any{"application/json": map[string]any{"schema": chRef("DetaineeFileError")}}}}}),
		},
		p + "/matching": map[string]any{"post": chOp("runDetaineeMatching", "Match the process's records across and within lists (mediation, neutral agency)",
			chOK("201", "the run's counts", chRef("DetaineeRun")), idForbidden)},
		p + "/review": map[string]any{"get": chOp("detaineeReviewQueue", "The latest run's review band (mediation, neutral agency)",
			chOK("200", "the review queue", chRef("DetaineePairs")), id)},
		p + "/pairs": map[string]any{"get": chOp("detaineePairs", "The latest run's pairs, ?band=match|review (mediation, neutral agency)",
			chOK("200", "pairs", chRef("DetaineePairs")), id)},
		p + "/decisions": map[string]any{"post": chOp("linkDetaineeRecords", "A reviewer decides on two records by their ids, paired by a run or not (mediation, neutral agency)",
			chOK("201", "the decision", chRef("DetaineeDecision")), withBody("DetaineeLinkRequest", forbidden))},
		p + "/exchanges": map[string]any{
			"get": chOp("listDetaineeExchanges", "The process's exchanges the caller may read", chOK("200", "exchanges",
				chObj([]string{"exchanges"}, map[string]any{"exchanges": arr(chRef("DetaineeExchange"))})), id),
			"post": chOp("recordDetaineeExchange", "The mediation records an agreed exchange", chOK("201", "the exchange", chRef("DetaineeExchange")),
				withBody("DetaineeExchangeRequest", forbidden)),
		},
		p + "/dashboard": map[string]any{"get": chOp("detaineeDashboard", "Promised against verified releases per side, over the exchanges the caller may read",
			chOK("200", "the dashboard", chRef("DetaineeDashboard")), id)},
		"/api/v1/detainees/lists/{id}": map[string]any{"get": chOp("getDetaineeList", "A list with its records",
			chOK("200", "the list", chObj([]string{"list", "records"}, map[string]any{"list": chRef("DetaineeList"), "records": arr(chRef("DetaineeRecord"))})), id)},
		"/api/v1/detainees/pairs/{id}/decision": map[string]any{"post": chOp("decideDetaineePair", "A reviewer confirms (match) or rejects (no_match) a pair",
			chOK("201", "the decision", chRef("DetaineeDecision")),
			withBody("DetaineeDecisionRequest", forbidden))},
		"/api/v1/detainees/exchanges/{id}": map[string]any{"get": chOp("getDetaineeExchange", "An exchange with its people",
			chOK("200", "the exchange", chRef("DetaineeExchange")), id)},
		"/api/v1/detainees/exchanges/{id}/releases": map[string]any{"post": chOp("confirmDetaineeRelease",
			"The neutral agency confirms a person's release (403 for anyone else; 400 for a person not in the exchange)",
			chOK("201", "the person", chRef("DetaineePerson")),
			withBody("DetaineeReleaseRequest", map[string]any{"responses": map[string]any{"403": chResp("Forbidden"), "409": chResp("Conflict")}}))},
	}
	schemas["DetaineeDecision"] = chObj([]string{"id", "decision", "decided_at", "ledger_index"}, map[string]any{
		"id": chStr, "pair_id": chStr, "decision": chStr, "decided_at": chStr, "ledger_index": chInt})
	schemas["DetaineeLinkRequest"] = chObj([]string{"a", "b", "decision"}, map[string]any{"a": chStr, "b": chStr,
		"decision": map[string]any{"type": "string", "enum": []string{"match", "no_match"}}})
	schemas["DetaineeAgencyRequest"] = chObj([]string{"org"}, map[string]any{"org": chStr})
	schemas["DetaineeDecisionRequest"] = chObj([]string{"decision"}, map[string]any{"decision": map[string]any{"type": "string", "enum": []string{"match", "no_match"}}})
	return map[string]map[string]any{"paths": paths, "schemas": schemas}
}
