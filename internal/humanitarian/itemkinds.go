package humanitarian

import (
	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
)

// ItemKinds describes the humanitarian track's items for parley verify
// (ledger.ItemKind):
//
//   - locations and their status history: their audience against the
//     location's events (its creation, each status change) and every
//     organisation but an observer joining a round of the process after
//     them (Joined); a location's content against its creating event,
//     with the status it was created with (the first entry of its
//     history);
//   - commitments: their audience against their event and the same joins;
//     their content (round, location, title, cadence, start);
//   - convoys and their steps: their audience against the convoy's events
//     and a mediation organisation joining after them; content not
//     checked yet (the request's items and approvals are spread over
//     other tables).
//
// The dashboard's and the public summary's audience items have no event
// of their own (the dashboard is made by the process's first write, about
// something else) and are not checked. Everything is stored in clear, so
// content needs no key; it is checked when the content is (content true).
func ItemKinds(content bool) []ledger.ItemKind {
	// Joined: the figures to all but an observer, convoys to a mediation.
	figures, mediation := "o.kind <> '"+string(access.Observer)+"'", "o.kind = '"+string(access.Mediation)+"'"
	kinds := []ledger.ItemKind{
		{Name: "location", ObjectType: "location",
			Items:  "SELECT id, id AS object_id, ledger_idx AS idx FROM hum_locations",
			Grants: ledger.JoinGrants("SELECT id, ledger_idx AS idx, process_id FROM hum_locations", "process", figures)},
		{Name: "location status", ObjectType: "location",
			Items: "SELECT id, location_id AS object_id, ledger_idx AS idx FROM hum_location_status",
			Grants: ledger.JoinGrants(`SELECT h.id, h.ledger_idx AS idx, l.process_id FROM hum_location_status h
				JOIN hum_locations l ON l.id = h.location_id`, "process", figures)},
		{Name: "commitment", ObjectType: "commitment",
			Items:  "SELECT id, id AS object_id, ledger_idx AS idx FROM hum_commitments",
			Grants: ledger.JoinGrants("SELECT id, ledger_idx AS idx, process_id FROM hum_commitments", "process", figures)},
		{Name: "convoy", ObjectType: "convoy",
			Items:  "SELECT id, id AS object_id, ledger_idx AS idx FROM hum_convoys",
			Grants: ledger.JoinGrants("SELECT id, ledger_idx AS idx, process_id FROM hum_convoys", "process", mediation)},
		{Name: "convoy step", ObjectType: "convoy",
			Items: "SELECT id, convoy_id AS object_id, ledger_idx AS idx FROM hum_steps",
			Grants: ledger.JoinGrants(`SELECT st.id, st.ledger_idx AS idx, c.process_id FROM hum_steps st
				JOIN hum_convoys c ON c.id = st.convoy_id`, "process", mediation)},
	}
	if content {
		kinds[0].Contents = locationContents
		kinds[2].Contents = commitmentContents
	}
	return kinds
}

// locationContents rebuilds each location's location.created content.
var locationContents = ledger.RowContents(`SELECT l.id, l.process_id, l.name, l.admin1, l.admin2, l.lat, l.lon, l.polygon, l.population,
	l.population_source, l.population_date, l.controlled_by, l.besieged_by,
	COALESCE((SELECT h.status FROM hum_location_status h WHERE h.location_id = l.id AND h.ledger_idx = l.ledger_idx), '')
	FROM hum_locations l`, func(r ledger.Scanner) (string, any, error) {
	var l Location
	err := r.Scan(&l.ID, &l.ProcessID, &l.Name, &l.Admin1, &l.Admin2, &l.Lat, &l.Lon, &l.Polygon, &l.Population,
		&l.PopulationSource, &l.PopulationDate, &l.ControlledBy, &l.BesiegedBy, &l.Status)
	return l.ID, locationContent(l), err
})

// commitmentContents rebuilds each commitment's commitment.created content.
var commitmentContents = ledger.RowContents("SELECT id, round_id, location_id, title, cadence_days, starts_at FROM hum_commitments",
	func(r ledger.Scanner) (string, any, error) {
		var m Commitment
		var starts int64
		err := r.Scan(&m.ID, &m.RoundID, &m.LocationID, &m.Title, &m.CadenceDays, &starts)
		m.StartsAt = store.Time(starts)
		return m.ID, commitmentContent(m), err
	})
