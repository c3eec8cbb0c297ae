package api

import (
	"encoding/json"
	"fmt"

	"parley/internal/humanitarian"
)

// Humanitarian access's part of the OpenAPI document, added to the
// document served (and checked by TestOpenAPIMatchesRoutes) the way the
// negotiating text adds its own: a path or schema already in openapi.json
// wins.

func init() {
	doc, err := mergeOpenAPI(openAPIDoc, humPaths(), humSchemas())
	if err != nil {
		panic(fmt.Sprintf("api: humanitarian OpenAPI: %v", err))
	}
	openAPIDoc = doc
}

// mergeOpenAPI adds paths and schemas to an OpenAPI document, keeping
// what it already holds.
func mergeOpenAPI(doc []byte, paths map[string]map[string]any, schemas map[string]any) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	dp, _ := d["paths"].(map[string]any)
	comps, _ := d["components"].(map[string]any)
	ds, _ := comps["schemas"].(map[string]any)
	if dp == nil || ds == nil {
		return nil, fmt.Errorf("document has no paths or schemas")
	}
	for p, ops := range paths {
		existing, _ := dp[p].(map[string]any)
		if existing == nil {
			existing = map[string]any{}
			dp[p] = existing
		}
		for m, op := range ops {
			if _, ok := existing[m]; !ok {
				existing[m] = op
			}
		}
	}
	for n, s := range schemas {
		if _, ok := ds[n]; !ok {
			ds[n] = s
		}
	}
	return json.MarshalIndent(d, "", "  ")
}

func humPaths() map[string]map[string]any {
	p, h := Prefix+"/processes/{id}/humanitarian", Prefix+"/humanitarian"
	body := []string{"400", "413", "415"}
	id := []tobj{textIDParam}
	list := func(key, schema string) tobj {
		return tobj{"type": "object", "properties": tobj{key: tobj{"type": "array", "items": textRef(schema)}}}
	}
	format := tobj{"name": "format", "in": "query", "schema": tobj{"type": "string", "enum": []string{"hxl", "csv", "geojson"}, "default": "hxl"}}
	location := tobj{"name": "location", "in": "query", "schema": tobj{"type": "string"}, "description": "only the convoys to this location"}
	export := textOp("exportConvoys", "the convoys' item lines the caller may read as CSV (hxl: with the HXL hashtags in the second row), or the locations with their figures as GeoJSON (read like the dashboard)",
		[]tobj{textIDParam, format}, "", "200", nil, "400")
	export["responses"].(tobj)["200"] = tobj{"description": "OK", "content": tobj{
		"text/csv":             tobj{"schema": tobj{"type": "string"}},
		"application/geo+json": tobj{"schema": tobj{"type": "object"}},
	}}
	return map[string]map[string]any{
		p + "/locations": {
			"get":  textOp("listHumLocations", "the process's besieged and hard-to-reach locations the caller may read (none for observers)", id, "", "200", list("locations", "HumLocation")),
			"post": textOp("createHumLocation", "an agency or the mediation records a location", id, "HumLocationRequest", "201", textRef("HumLocation"), append(body, "403", "409")...),
		},
		h + "/locations/{id}": {
			"get": textOp("showHumLocation", "a location with its status history", id, "", "200", textRef("HumLocation")),
		},
		h + "/locations/{id}/status": {
			"post": textOp("setHumLocationStatus", "an agency or the mediation changes a location's status", id, "HumStatusRequest", "200", textRef("HumLocation"), append(body, "403", "409")...),
		},
		p + "/convoys": {
			"get": textOp("listConvoys", "the newest convoys of the process the caller may read", []tobj{textIDParam, location}, "", "200", list("convoys", "ConvoySummary")),
			"post": textOp("requestConvoy", "an agency requests a convoy: items, route, approvals with deadlines", id, "ConvoyRequest", "201", textRef("Convoy"),
				append(body, "403")...),
		},
		p + "/convoys/export": {"get": export},
		h + "/convoys/{id}": {
			"get": textOp("showConvoy", "a convoy with its items, approvals, steps and state; 404 when the caller may not read it", id, "", "200", textRef("Convoy")),
		},
		h + "/convoys/{id}/steps": {
			"post": textOp("recordConvoyStep", "record a step: approval (a named party's head), dispatched, checkpoint, delivered, partially_delivered, turned_back (the requesting agency); 409 invalid_transition names the current state",
				id, "ConvoyStepRequest", "201", textRef("Convoy"), append(body, "403", "409")...),
		},
		p + "/commitments": {
			"post": textOp("createCommitment", "the mediation records a round's commitment: a location and a cadence in days", id, "CommitmentRequest", "201", textRef("Commitment"), append(body, "403")...),
		},
		p + "/dashboard": {
			"get": textOp("humDashboard", "per location: the item funnel, days since the last delivery, approval times, obstacles, commitments; observers read the public summary while it is on", id, "", "200", textRef("HumDashboard")),
		},
		p + "/public-summary": {
			"put": textOp("setPublicSummary", "the mediation switches the public summary for observers on or off", id, "PublicSummaryRequest", "200",
				tobj{"type": "object", "properties": tobj{"public": tobj{"type": "boolean"}}}, append(body, "403")...),
		},
	}
}

func humSchemas() map[string]any {
	str := tobj{"type": "string"}
	num := tobj{"type": "number", "minimum": 0}
	nullNum := tobj{"type": []string{"number", "null"}}
	integer := tobj{"type": "integer"}
	boolean := tobj{"type": "boolean"}
	arr := func(s tobj) tobj { return tobj{"type": "array", "items": s} }
	enum := func(v []string) tobj { return tobj{"type": "string", "enum": v} }
	object := func(required []string, props tobj) tobj {
		o := tobj{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	unit := enum(humanitarian.Units)
	status := enum(humanitarian.Statuses)
	states := enum(humanitarian.States)
	summary := object(nil, tobj{"id": str, "destination": str, "state": states, "requested_at": str, "approval_hours": nullNum, "delivered_at": str})
	commitment := object([]string{"id", "round_id", "location_id", "title", "cadence_days"}, tobj{
		"id": str, "round_id": str, "location_id": str, "title": str, "cadence_days": integer, "starts_at": str,
		"longest_wait_days": num, "kept": boolean, "ledger_index": integer})
	return map[string]any{
		"HumLocationRequest": object([]string{"name", "admin1", "lat", "lon"}, tobj{
			"name": str, "admin1": str, "admin2": str, "lat": tobj{"type": "number"}, "lon": tobj{"type": "number"},
			"polygon":    tobj{"type": "object", "description": "a GeoJSON Polygon or MultiPolygon geometry"},
			"population": integer, "population_source": str, "population_date": str, "controlled_by": str, "besieged_by": str, "status": status}),
		"HumLocation": object([]string{"id", "name", "status"}, tobj{
			"id": str, "process_id": str, "name": str, "admin1": str, "admin2": str, "lat": tobj{"type": "number"}, "lon": tobj{"type": "number"},
			"polygon": tobj{"type": "object"}, "population": integer, "population_source": str, "population_date": str,
			"controlled_by": str, "besieged_by": str, "status": status, "created_at": str, "ledger_index": integer,
			"history": arr(object(nil, tobj{"status": status, "reason": str, "by": str, "at": str, "ledger_index": integer}))}),
		"HumStatusRequest": object([]string{"status"}, tobj{"status": status, "reason": str}),
		"ConvoyRequest": object([]string{"destination", "items", "approvals"}, tobj{
			"destination": str,
			"items":       arr(object([]string{"name", "unit", "requested"}, tobj{"name": str, "unit": unit, "requested": num})),
			"route":       arr(str),
			"approvals":   arr(object([]string{"party", "due"}, tobj{"party": str, "due": str}))}),
		"ConvoyStepRequest": object([]string{"step"}, tobj{
			"step":       enum(humanitarian.StepKinds),
			"decision":   enum(humanitarian.Decisions),
			"checkpoint": str, "outcome": enum(humanitarian.Outcomes), "by": str, "reason": str,
			"items":   arr(object([]string{"name"}, tobj{"name": str, "approved": num, "loaded": num, "delivered": num})),
			"removed": arr(object([]string{"name", "quantity"}, tobj{"name": str, "quantity": num, "reason": str}))}),
		"Convoy": object([]string{"id", "state", "items", "steps"}, tobj{
			"id": str, "process_id": str, "destination": str, "destination_name": str, "agency": str, "state": states,
			"route": arr(str), "checkpoints_passed": integer,
			"items": arr(object(nil, tobj{"name": str, "unit": unit, "requested": num, "approved": nullNum, "loaded": nullNum,
				"removed": num, "delivered": nullNum})),
			"approvals": arr(object(nil, tobj{"party": str, "due": str,
				"decision":   enum([]string{humanitarian.Pending, humanitarian.NoAnswer, humanitarian.Approved, humanitarian.PartiallyApproved, humanitarian.Denied}),
				"decided_at": str, "reason": str})),
			"steps": arr(object(nil, tobj{"id": str, "step": str, "outcome": str, "checkpoint": str, "by": str, "reason": str,
				"items": arr(object(nil, tobj{"name": str, "quantity": num, "reason": str})), "at": str, "actor_org": str, "ledger_index": integer})),
			"requested_at": str, "approval_hours": nullNum, "delivered_at": str, "ledger_index": integer}),
		"ConvoySummary":        summary,
		"CommitmentRequest":    object([]string{"round", "location", "title", "cadence_days"}, tobj{"round": str, "location": str, "title": str, "cadence_days": integer, "starts": str}),
		"Commitment":           commitment,
		"PublicSummaryRequest": object([]string{"public"}, tobj{"public": boolean}),
		"HumDashboard": object([]string{"locations"}, tobj{
			"process_id": str, "summary": boolean, "public_summary": boolean, "generated_at": str, "convoys": integer, "median_approval_hours": nullNum,
			"locations": arr(object([]string{"id", "name", "items"}, tobj{
				"id": str, "name": str, "admin1": str, "status": status, "population": integer, "controlled_by": str, "besieged_by": str,
				"convoys": integer, "states": tobj{"type": "object", "additionalProperties": integer},
				"items":                    arr(object(nil, tobj{"name": str, "unit": unit, "requested": num, "approved": num, "loaded": num, "removed": num, "delivered": num})),
				"days_since_last_delivery": tobj{"type": []string{"integer", "null"}}, "last_delivery_at": str, "median_approval_hours": nullNum,
				"obstacles":      arr(object(nil, tobj{"kind": str, "org": str, "checkpoint": str, "count": integer})),
				"commitments":    arr(commitment),
				"recent_convoys": arr(summary)}))}),
	}
}
