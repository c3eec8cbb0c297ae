package ceasefire

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Zone is a ceasefire or de-escalation zone: a polygon or multipolygon.
type Zone struct {
	ID          string
	Name        string
	Kind        string // ceasefire, de-escalation
	Geometry    json.RawMessage
	LedgerIndex int64
	polys       [][][][2]float64 // polygons → rings → points (lon, lat)
}

// ZoneKinds are the kinds of zone.
var ZoneKinds = []string{"ceasefire", "de-escalation"}

type geoFeature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"properties"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// parseGeometry reads a Polygon or MultiPolygon.
func parseGeometry(raw json.RawMessage) ([][][][2]float64, error) {
	var g geometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	var polys [][][][2]float64
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, err
		}
		polys = append(polys, p)
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("geometry %q is not a Polygon or MultiPolygon", g.Type)
	}
	for _, p := range polys {
		if len(p) == 0 {
			return nil, fmt.Errorf("a polygon without rings")
		}
		for _, ring := range p {
			if len(ring) < 4 {
				return nil, fmt.Errorf("a ring has fewer than 4 positions")
			}
			for _, pt := range ring {
				if pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
					return nil, fmt.Errorf("a position is out of range")
				}
			}
		}
	}
	return polys, nil
}

// Contains reports whether the point is inside the zone (even-odd rule
// over every ring, so holes are holes).
func (z Zone) Contains(lat, lon float64) bool {
	for _, p := range z.polys {
		in := false
		for _, ring := range p {
			for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
				a, b := ring[i], ring[j]
				if (a[1] > lat) != (b[1] > lat) && lon < (b[0]-a[0])*(lat-a[1])/(b[1]-a[1])+a[0] {
					in = !in
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}

// parseZones reads the zones of a GeoJSON FeatureCollection, new ids
// given.
func parseZones(data []byte) (zones []Zone, err error) {
	var fc struct {
		Type     string       `json:"type"`
		Features []geoFeature `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil || fc.Type != "FeatureCollection" {
		return nil, errs.Field("file", "zones are a GeoJSON FeatureCollection")
	}
	if len(fc.Features) == 0 || len(fc.Features) > 500 {
		return nil, errs.Field("features", "between 1 and 500 zones")
	}
	for i, f := range fc.Features {
		polys, err := parseGeometry(f.Geometry)
		if err != nil {
			return nil, errs.Field(fmt.Sprintf("features[%d].geometry", i), "%v", err)
		}
		name, err := text(fmt.Sprintf("features[%d].properties.name", i), f.Properties.Name, 1, MaxName, false)
		if err != nil {
			return nil, err
		}
		kind, err := enum(fmt.Sprintf("features[%d].properties.kind", i), f.Properties.Kind, ZoneKinds, "ceasefire")
		if err != nil {
			return nil, err
		}
		zones = append(zones, Zone{ID: store.NewID(), Name: name, Kind: kind, Geometry: f.Geometry, polys: polys})
	}
	return zones, nil
}

// zonesContent is the content of an import's ceasefire.zones event: the
// names of its zones and the file.
func zonesContent(zones []Zone, data []byte) map[string]any {
	names := make([]string, len(zones))
	for i, z := range zones {
		names[i] = z.Name
	}
	return map[string]any{"zones": names, "file": string(data)}
}

// ImportZones adds the zones of a GeoJSON FeatureCollection (Polygon and
// MultiPolygon features, properties "name" and "kind") to the process.
// The mediation and the monitors import zones; every organisation of the
// process reads them.
func (s *Service) ImportZones(ctx context.Context, actor access.Actor, processID string, data []byte) (zones []Zone, err error) {
	defer errs.Wrap(&err, "ceasefire.ImportZones")
	if zones, err = parseZones(data); err != nil {
		return nil, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := capacity(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !c.In(access.Mediation, access.Monitor) {
			return errs.New(errs.Forbidden, "the mediation and the monitors import zones")
		}
		aud, err := access.ProcessOrgs(ctx, tx, processID)
		if err != nil {
			return err
		}
		e, err := event(ctx, rec, actor, "ceasefire.zones", "process", processID, aud, zonesContent(zones, data))
		if err != nil {
			return err
		}
		// The file as imported, which the event hashes (parley verify).
		if _, err := tx.ExecContext(ctx, "INSERT INTO ceasefire_zone_imports(ledger_idx, process_id, file) VALUES ($1, $2, $3)",
			e.Index, processID, data); err != nil {
			return err
		}
		for i := range zones {
			zones[i].LedgerIndex = e.Index
			if _, err := tx.ExecContext(ctx, `INSERT INTO ceasefire_zones(id, process_id, name, kind, geometry, created_at, ledger_idx)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, zones[i].ID, processID, zones[i].Name, zones[i].Kind, string(zones[i].Geometry), store.Now(), e.Index); err != nil {
				return err
			}
			if err := rec.Grant(zones[i].ID, aud); err != nil {
				return err
			}
		}
		return nil
	})
	return zones, err
}

// Zones lists the zones of the process that actor reads.
func (s *Service) Zones(ctx context.Context, actor access.Actor, processID string) (zones []Zone, err error) {
	defer errs.Wrap(&err, "ceasefire.Zones")
	if _, err := capacity(ctx, s.db.R, actor, processID); err != nil {
		return nil, err
	}
	cond, arg := access.ReadableBy(actor, "z.id", 2)
	rows, err := s.db.R.QueryContext(ctx, "SELECT z.id, z.name, z.kind, z.geometry, z.ledger_idx FROM ceasefire_zones z WHERE z.process_id = $1 AND "+cond+" ORDER BY z.name, z.id", processID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var z Zone
		var g string
		if err := rows.Scan(&z.ID, &z.Name, &z.Kind, &g, &z.LedgerIndex); err != nil {
			return nil, err
		}
		z.Geometry = json.RawMessage(g)
		if z.polys, err = parseGeometry(z.Geometry); err != nil {
			return nil, fmt.Errorf("stored zone %s: %w", z.ID, err)
		}
		zones = append(zones, z)
	}
	return zones, rows.Err()
}

// ZonesGeoJSON is the zones as a FeatureCollection.
func ZonesGeoJSON(zones []Zone) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, z := range zones {
		if i > 0 {
			b.WriteByte(',')
		}
		props, _ := json.Marshal(map[string]string{"name": z.Name, "kind": z.Kind})
		fmt.Fprintf(&b, `{"type":"Feature","id":%q,"geometry":%s,"properties":%s}`, z.ID, z.Geometry, props)
	}
	b.WriteString("]}")
	return []byte(b.String())
}
