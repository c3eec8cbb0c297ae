package ceasefire

// IncidentRule is incidentRule, for the test that compares it with the
// audience table.
var IncidentRule = incidentRule
