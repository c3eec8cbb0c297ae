package api

import (
	"encoding/json"
	"fmt"
)

// The administration routes' part of the OpenAPI document
// (administration.go), added at init like the channel's and the text's
// until openapi.json holds them. It also adds the new optional fields of
// Session, AgendaItem and Stance to their schemas, which openapi.json
// closes with additionalProperties: false.

func init() {
	doc, err := mergeChannelOpenAPI(openAPIDoc, administrationOpenAPI())
	if err == nil {
		doc, err = addProperties(doc, map[string]tobj{
			"Session": {
				"cancelled_at":  tobj{"type": "string", "format": "date-time", "description": "the session was called off"},
				"cancel_reason": tobj{"type": "string"},
				"edited_at":     tobj{"type": "string", "format": "date-time"},
			},
			"AgendaItem": {
				"withdrawn_at":    tobj{"type": "string", "format": "date-time", "description": "the item was taken off the agenda; it stays, marked"},
				"withdraw_reason": tobj{"type": "string"},
				"edited_at":       tobj{"type": "string", "format": "date-time"},
			},
			"Stance": {
				"earlier": tobj{"type": "boolean", "description": "given before the item's wording last changed"},
			},
		})
	}
	if err != nil {
		panic(fmt.Sprintf("api: administration OpenAPI: %v", err))
	}
	openAPIDoc = doc
}

// addProperties adds optional properties to existing component schemas,
// keeping any the document already has.
func addProperties(doc []byte, add map[string]tobj) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	comps, _ := d["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	for name, props := range add {
		schema, _ := schemas[name].(map[string]any)
		if schema == nil {
			return nil, fmt.Errorf("no schema %s", name)
		}
		have, _ := schema["properties"].(map[string]any)
		if have == nil {
			have = map[string]any{}
			schema["properties"] = have
		}
		for p, v := range props {
			if _, ok := have[p]; !ok {
				have[p] = v
			}
		}
	}
	return json.MarshalIndent(d, "", "  ")
}

func administrationOpenAPI() map[string]map[string]any {
	p := Prefix
	id := []tobj{textIDParam}
	body := []string{"400", "403", "413", "415"}
	done := func(opID, summary, req string, errors ...string) tobj {
		return textOp(opID, summary, id, req, "204", nil, errors...)
	}
	return map[string]map[string]any{
		"paths": {
			p + "/users/{id}/enable": tobj{"post": done("enableUser",
				"give a disabled account its logins back (the heads of its organisation; another organisation's account is 404)", "", "403")},
			p + "/users/{id}/role": tobj{"put": done("setUserRole",
				"change a member's role (the heads of its organisation; another organisation's account is 404)", "RoleRequest", body...)},
			p + "/users/{id}/password": tobj{"put": done("resetUserPassword",
				"set a member's password and end all its sessions (the heads of its organisation)", "PasswordResetRequest", body...)},
			p + "/users/{id}/totp/reset": tobj{"post": done("resetUserTOTP",
				"remove a member's second factor and end all its sessions (the heads of its organisation)", "", "403")},
			p + "/users/{id}/sessions": tobj{"delete": done("endUserSessions",
				"end every session and token of a user (the heads of its organisation, or the user)", "", "403")},
			p + "/sessions/{id}": tobj{"put": textOp("updateSession",
				"edit a session (the round's administrators); a direct session needs mutual consent; a cancelled one is 409",
				id, "SessionRequest", "200", textRef("Session"), append(body, "409")...)},
			p + "/sessions/{id}/cancel": tobj{"post": done("cancelSession",
				"call a session off, with an optional reason; it stays in the round, marked (the round's administrators)", "CallOffRequest", append(body, "409")...)},
			p + "/agenda/{id}": tobj{"put": textOp("updateAgendaItem",
				"edit an agenda item's track, title and description (the round's administrators); stances given before are marked earlier",
				id, "AgendaRequest", "200", textRef("AgendaItem"), append(body, "409")...)},
			p + "/agenda/{id}/withdraw": tobj{"post": done("withdrawAgendaItem",
				"take an item off the agenda, with an optional reason; it stays, marked, and takes no new stance (the round's administrators)", "CallOffRequest", append(body, "409")...)},
		},
		"schemas": {
			"RoleRequest": tobj{"type": "object", "additionalProperties": false, "required": []string{"role"},
				"properties": tobj{"role": textRef("Role")}},
			"PasswordResetRequest": tobj{"type": "object", "additionalProperties": false, "required": []string{"password"},
				"properties": tobj{"password": tobj{"type": "string", "minLength": 12, "maxLength": 128}}},
			"CallOffRequest": tobj{"type": "object", "additionalProperties": false,
				"properties": tobj{"reason": tobj{"type": "string", "maxLength": 2000}}},
		},
	}
}
