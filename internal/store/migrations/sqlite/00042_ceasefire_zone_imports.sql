-- Each import of ceasefire zones keeps the GeoJSON file as imported: its
-- ceasefire.zones event hashes the file, so parley verify checks the file
-- against the event and every zone against the file (docs/ledger.md, "The
-- state"). Zones imported before this table came have no file and are
-- checked for their audience only.

-- +goose Up
CREATE TABLE ceasefire_zone_imports (
    ledger_idx BIGINT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id),
    file       BLOB NOT NULL
);

-- +goose Down
DROP TABLE ceasefire_zone_imports;
