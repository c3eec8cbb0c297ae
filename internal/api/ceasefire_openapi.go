package api

import (
	"fmt"

	"parley/internal/ceasefire"
)

// The ceasefire's part of the OpenAPI document, added to the document
// served (and checked by TestOpenAPIMatchesRoutes) the way the channel
// and the text add theirs.

func init() {
	doc, err := mergeChannelOpenAPI(openAPIDoc, ceasefireOpenAPI())
	if err != nil {
		panic(fmt.Sprintf("api: ceasefire OpenAPI: %v", err))
	}
	openAPIDoc = doc
}

func cfEnum(vals []string) tobj { return tobj{"type": "string", "enum": vals} }

func cfArr(items tobj) tobj { return tobj{"type": "array", "items": items} }

// cfBody sets an operation's request body to a non-JSON media type.
func cfBody(op tobj, mediaType string, schema tobj) tobj {
	op["requestBody"] = tobj{"required": true, "content": tobj{mediaType: tobj{"schema": schema}}}
	return op
}

func ceasefireOpenAPI() map[string]map[string]any {
	str, num, integer := tobj{"type": "string"}, tobj{"type": "number"}, tobj{"type": "integer"}
	est := textRef("CeasefireEstimate")
	q := func(name, desc string, schema tobj) tobj {
		return tobj{"name": name, "in": "query", "required": false, "schema": schema, "description": desc}
	}
	filters := []tobj{textIDParam,
		q("bbox", "minLon,minLat,maxLon,maxLat", str),
		q("from", "occurred at or after (date or RFC 3339)", str), q("to", "occurred before (date or RFC 3339)", str),
		q("type", "comma-separated types", str), q("status", "comma-separated verification states", str),
		q("perpetrator", "organisation id or unknown", str), q("limit", "at most this many, newest first", integer)}
	schemas := map[string]any{
		"CeasefireEstimate": chObj([]string{"low", "best", "high"}, map[string]any{"low": integer, "best": integer, "high": integer}),
		"CeasefireReportRequest": chObj([]string{"occurred_at", "lat", "lon", "type", "narrative"}, map[string]any{
			"occurred_at": tobj{"type": "string", "format": "date-time"}, "time_precision": cfEnum(ceasefire.TimePrecisions),
			"lat": num, "lon": num, "location_precision": cfEnum(ceasefire.LocationPrecisions), "place": str, "admin1": str, "admin2": str,
			"type": cfEnum(ceasefire.Types), "perpetrator": tobj{"type": "string", "description": "organisation id or unknown"},
			"affected": tobj{"type": "string", "description": "organisation id, civilians or unknown"},
			"killed":   est, "injured": est, "knowledge": cfEnum(ceasefire.Knowledges), "platform": cfEnum(ceasefire.Platforms), "narrative": str}),
		"CeasefireEvidence": chObj([]string{"id", "sha256", "size", "content_type"}, map[string]any{
			"id": str, "report_id": str, "name": str, "content_type": str, "size": integer, "sha256": str, "captured_at": str,
			"created_at": str, "ledger_index": integer}),
		"CeasefireReport": chObj([]string{"id", "incident_id"}, map[string]any{
			"id": str, "incident_id": str, "process_id": str, "org": str, "occurred_at": str, "time_precision": str, "lat": num, "lon": num,
			"location_precision": str, "place": str, "admin1": str, "admin2": str, "type": str, "perpetrator": str, "affected": str,
			"killed": est, "injured": est, "knowledge": str, "platform": str, "narrative": str, "reliability": str,
			"evidence": cfArr(textRef("CeasefireEvidence")), "grades": cfArr(textRef("CeasefireGrade")), "created_at": str, "ledger_index": integer}),
		"CeasefireGrade": chObj([]string{"id", "reliability", "reason"}, map[string]any{
			"id": str, "report_id": str, "reliability": cfEnum(ceasefire.Reliabilities), "reason": str, "actor": str, "org": str, "at": str, "ledger_index": integer}),
		"CeasefireGradeRequest": chObj([]string{"reliability", "reason"}, map[string]any{"reliability": cfEnum(ceasefire.Reliabilities), "reason": str}),
		"CeasefireAnswer": chObj([]string{"id", "body"}, map[string]any{
			"id": str, "incident_id": str, "org": str, "org_name": str, "author": str, "body": str, "at": str, "ledger_index": integer}),
		"CeasefireStep": chObj([]string{"action", "reason"}, map[string]any{
			"action": str, "from": str, "to": str, "reason": str, "reliability": str, "attribution": str, "other": str,
			"actor": str, "org": str, "at": str, "ledger_index": integer}),
		"CeasefireIncident": chObj([]string{"id", "status", "type"}, map[string]any{
			"id": str, "process_id": str, "status": cfEnum(ceasefire.Statuses), "type": str, "occurred_at": str, "time_precision": str,
			"lat": num, "lon": num, "location_precision": str, "place": str, "admin1": str, "admin2": str, "perpetrator": str,
			"perpetrator_name": str, "affected": str, "killed": integer, "injured": integer, "reliability": str, "attribution": str,
			"merged_into": str, "published": tobj{"type": "boolean"}, "published_at": str, "created_at": str, "ledger_index": integer,
			"reports": cfArr(textRef("CeasefireReport")), "history": cfArr(textRef("CeasefireStep")), "answers": cfArr(textRef("CeasefireAnswer"))}),
		"CeasefireMergeRequest":        chObj([]string{"incidents", "reason"}, map[string]any{"incidents": cfArr(str), "reason": str}),
		"CeasefireSplitRequest":        chObj([]string{"report", "reason"}, map[string]any{"report": str, "reason": str}),
		"CeasefireVerificationRequest": chObj([]string{"status", "reason"}, map[string]any{"status": cfEnum(ceasefire.Statuses), "reason": str, "reliability": cfEnum(ceasefire.Reliabilities), "attribution": cfEnum(ceasefire.Attributions)}),
		"CeasefireAnswerRequest":       chObj([]string{"body"}, map[string]any{"body": str}),
		"CeasefireSummaryRequest":      chObj([]string{"enabled"}, map[string]any{"enabled": tobj{"type": "boolean"}}),
		"CeasefireCount":               chObj([]string{"key", "all"}, map[string]any{"key": str, "name": str, "all": integer, "confirmed": integer}),
		"CeasefireCandidate": chObj([]string{"incidents", "score"}, map[string]any{"incidents": cfArr(str), "reports": cfArr(str), "type": str,
			"score": num, "similarity": num, "distance_m": num, "gap_seconds": integer}),
	}
	counts := cfArr(textRef("CeasefireCount"))
	p, c := Prefix+"/processes/{id}/ceasefire", Prefix+"/ceasefire"
	id := []tobj{textIDParam}
	body := []string{"400", "413", "415"}
	geo := tobj{"type": "object", "description": "GeoJSON FeatureCollection"}
	paths := map[string]any{
		p + "/reports": tobj{"post": textOp("createCeasefireReport", "file a report; it starts its own incident (parties, monitors, guarantors, mediation)", id,
			"CeasefireReportRequest", "201", textRef("CeasefireReport"), append(body, "403")...)},
		p + "/reports/import": tobj{"post": cfBody(textOp("importCeasefireReports", "bulk CSV import, all rows or none; a refused file lists every bad row by line in error.rows", id,
			"", "201", chObj([]string{"imported"}, map[string]any{"imported": integer, "reports": cfArr(textRef("CeasefireReport"))}), append(body, "403")...),
			"text/csv", tobj{"type": "string", "description": "header: " + fmt.Sprint(ceasefire.ImportColumns)})},
		p + "/incidents": tobj{"get": textOp("listCeasefireIncidents", "the map query: incidents the caller reads, newest first", filters, "", "200",
			chObj([]string{"incidents"}, map[string]any{"incidents": cfArr(textRef("CeasefireIncident"))}), "400")},
		p + "/incidents/export": tobj{"get": textOp("exportCeasefireIncidents", "CSV with ACLED columns, GeoJSON or HXL-tagged CSV of what the caller reads",
			append(filters, q("format", "csv (default), geojson or hxl", cfEnum([]string{"csv", "geojson", "hxl"}))), "", "200", nil, "400")},
		p + "/duplicates": tobj{"get": textOp("ceasefireDuplicates", "likely duplicate incidents (monitors)", []tobj{textIDParam,
			q("distance", "metres, default 1000", num), q("window", "duration, default 2h", str), q("similarity", "0–1, default 0.2", num), q("limit", "default 100", integer)},
			"", "200", chObj([]string{"candidates"}, map[string]any{"candidates": cfArr(textRef("CeasefireCandidate"))}), "400", "403")},
		p + "/zones": tobj{
			"get":  textOp("ceasefireZones", "ceasefire and de-escalation zones as GeoJSON", id, "", "200", geo),
			"post": cfBody(textOp("importCeasefireZones", "import zones (mediation, monitors)", id, "", "201", geo, append(body, "403")...), "application/geo+json", geo)},
		p + "/statistics": tobj{"get": textOp("ceasefireStatistics", "counts per day, perpetrator, zone and type; verification turnaround; before/after a date",
			[]tobj{textIDParam, q("split", "date to compare before and after", str)}, "", "200", tobj{"type": "object"}, "400")},
		p + "/public-summary": tobj{"put": textOp("setCeasefireSummary", "switch the public summary (mediation)", id, "CeasefireSummaryRequest", "200",
			chObj([]string{"enabled"}, map[string]any{"enabled": tobj{"type": "boolean"}}), append(body, "403")...)},
		p + "/summary": tobj{"get": textOp("ceasefireSummary", "public: counts of published incidents by day, area and type while switched on", id, "", "200",
			chObj([]string{"days", "areas", "types"}, map[string]any{"days": counts, "areas": counts, "types": counts}))},
		p + "/events": tobj{"get": textOp("ceasefireUpdates", "live updates: the process's ceasefire events the caller reads after a ledger index; with Accept: text/event-stream a stream resuming after Last-Event-ID",
			[]tobj{textIDParam, q("after", "ledger index", integer)}, "", "200", chObj([]string{"updates"}, map[string]any{"updates": cfArr(tobj{"type": "object"})}), "400")},
		c + "/reports/{id}": tobj{"get": textOp("showCeasefireReport", "a report with its evidence", id, "", "200", textRef("CeasefireReport"))},
		c + "/reports/{id}/evidence": tobj{"post": cfBody(textOp("addCeasefireEvidence", "upload an evidence file; its SHA-256 is the upload event's content hash", id,
			"", "201", textRef("CeasefireEvidence"), append(body, "403")...), "multipart/form-data",
			chObj([]string{"file"}, map[string]any{"file": tobj{"type": "string", "contentMediaType": "application/octet-stream"}}))},
		c + "/reports/{id}/grades": tobj{"post": textOp("gradeCeasefireSource", "grade the reliability of a report's source, A–F, with a reason (monitors)", id,
			"CeasefireGradeRequest", "201", textRef("CeasefireGrade"), append(body, "403")...)},
		c + "/evidence/{id}":  tobj{"get": textOp("downloadCeasefireEvidence", "an evidence file, byte for byte as uploaded", id, "", "200", nil)},
		c + "/incidents/{id}": tobj{"get": textOp("showCeasefireIncident", "an incident with its reports, evidence, history and answers as far as the caller reads them", id, "", "200", textRef("CeasefireIncident"))},
		c + "/incidents/{id}/merge": tobj{"post": textOp("mergeCeasefireIncidents", "merge incidents into this one, with a reason (monitors)", id,
			"CeasefireMergeRequest", "200", textRef("CeasefireIncident"), append(body, "403", "409")...)},
		c + "/incidents/{id}/split": tobj{"post": textOp("splitCeasefireIncident", "split a report out into a new incident, with a reason (monitors)", id,
			"CeasefireSplitRequest", "201", textRef("CeasefireIncident"), append(body, "403", "409")...)},
		c + "/incidents/{id}/verification": tobj{"post": textOp("verifyCeasefireIncident", "a verification step with its reason (monitors)", id,
			"CeasefireVerificationRequest", "200", textRef("CeasefireIncident"), append(body, "403", "409")...)},
		c + "/incidents/{id}/publish": tobj{"post": textOp("publishCeasefireIncident", "publish a finding to every organisation of the process (monitors)", id,
			"", "200", textRef("CeasefireIncident"), "403", "409")},
		c + "/incidents/{id}/answers": tobj{"post": textOp("answerCeasefireIncident", "the accused party's answer, kept beside the finding", id,
			"CeasefireAnswerRequest", "201", textRef("CeasefireAnswer"), append(body, "403")...)},
	}
	paths[p+"/summary"].(tobj)["get"].(tobj)["security"] = []tobj{} // public
	return map[string]map[string]any{"paths": paths, "schemas": schemas}
}
