-- Ceasefire monitoring (internal/ceasefire, docs/ceasefire.md). Reports
-- belong to a process; each starts its own incident, and monitors merge
-- incidents and split reports back out. Every row's content is read through
-- the audience table: a report (and its evidence, by report_id) by the
-- monitors, mediation and guarantors of the process and the reporting
-- organisation; an incident (and its verification history and answers, by
-- incident_id) by those and the reporters of its reports, and by every
-- organisation of the process once published.
--
-- cell is the incident's 0.25-degree grid square (see ceasefire.Cell): a
-- map query for a bounding box asks for the squares it covers, so that the
-- index (process_id, cell, occurred_at, ...) reads only the rows in the box
-- and the time window. The map's other filters, the coordinates and the id
-- are in the index too: the query picks the newest matching ids from the
-- index alone and reads only those rows from the table.

-- +goose Up
CREATE TABLE ceasefire_incidents (
    id                 TEXT PRIMARY KEY,
    process_id         TEXT NOT NULL REFERENCES processes(id),
    status             TEXT NOT NULL,
    type               TEXT NOT NULL,
    occurred_at        BIGINT NOT NULL,
    time_precision     TEXT NOT NULL,
    lat                REAL NOT NULL,
    lon                REAL NOT NULL,
    cell               BIGINT NOT NULL,
    location_precision TEXT NOT NULL,
    place              TEXT NOT NULL,
    admin1             TEXT NOT NULL,
    admin2             TEXT NOT NULL,
    perpetrator        TEXT NOT NULL,
    affected           TEXT NOT NULL,
    killed             INTEGER NOT NULL,
    injured            INTEGER NOT NULL,
    reliability        TEXT NOT NULL DEFAULT '',
    attribution        TEXT NOT NULL DEFAULT '',
    merged_into        TEXT NOT NULL DEFAULT '',
    published          BOOLEAN NOT NULL DEFAULT FALSE,
    published_at       BIGINT NOT NULL DEFAULT 0,
    decided_at         BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    ledger_idx         BIGINT NOT NULL
);
CREATE INDEX ceasefire_incidents_cell ON ceasefire_incidents(process_id, cell, occurred_at, type, status, perpetrator, merged_into, published, lat, lon, id);
CREATE INDEX ceasefire_incidents_time ON ceasefire_incidents(process_id, occurred_at);

CREATE TABLE ceasefire_reports (
    id                 TEXT PRIMARY KEY,
    process_id         TEXT NOT NULL REFERENCES processes(id),
    incident_id        TEXT NOT NULL REFERENCES ceasefire_incidents(id),
    org_id             TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    occurred_at        BIGINT NOT NULL,
    time_precision     TEXT NOT NULL,
    lat                REAL NOT NULL,
    lon                REAL NOT NULL,
    location_precision TEXT NOT NULL,
    place              TEXT NOT NULL,
    admin1             TEXT NOT NULL,
    admin2             TEXT NOT NULL,
    type               TEXT NOT NULL,
    perpetrator        TEXT NOT NULL,
    affected           TEXT NOT NULL,
    killed_low         INTEGER NOT NULL,
    killed_best        INTEGER NOT NULL,
    killed_high        INTEGER NOT NULL,
    injured_low        INTEGER NOT NULL,
    injured_best       INTEGER NOT NULL,
    injured_high       INTEGER NOT NULL,
    knowledge          TEXT NOT NULL,
    platform           TEXT NOT NULL,
    narrative          TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    ledger_idx         BIGINT NOT NULL
);
CREATE INDEX ceasefire_reports_incident ON ceasefire_reports(incident_id);
CREATE INDEX ceasefire_reports_time ON ceasefire_reports(process_id, occurred_at);

CREATE TABLE ceasefire_evidence (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES ceasefire_reports(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    captured_at  BIGINT NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    ledger_idx   BIGINT NOT NULL
);
CREATE INDEX ceasefire_evidence_report ON ceasefire_evidence(report_id);

-- One row per change of an incident: a verification step, a merge, a split,
-- the publication. The reason and the actor are kept with it.
CREATE TABLE ceasefire_history (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES ceasefire_incidents(id),
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    reliability TEXT NOT NULL DEFAULT '',
    attribution TEXT NOT NULL DEFAULT '',
    other       TEXT NOT NULL DEFAULT '',
    actor_user  TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    actor_org   TEXT NOT NULL,
    at          BIGINT NOT NULL,
    ledger_idx  BIGINT NOT NULL
);
CREATE INDEX ceasefire_history_incident ON ceasefire_history(incident_id, at);

CREATE TABLE ceasefire_answers (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES ceasefire_incidents(id),
    org_id      TEXT NOT NULL,
    author      TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    at          BIGINT NOT NULL,
    ledger_idx  BIGINT NOT NULL
);
CREATE INDEX ceasefire_answers_incident ON ceasefire_answers(incident_id, at);

-- Ceasefire and de-escalation zones, drawn on the map and counted in the
-- statistics; read by every organisation of the process.
CREATE TABLE ceasefire_zones (
    id         TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    geometry   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    ledger_idx BIGINT NOT NULL
);
CREATE INDEX ceasefire_zones_process ON ceasefire_zones(process_id);

-- The public summary's switch, per process. item_id is public in the
-- audience table once the mediation first switches it on; the summary
-- query checks both, as a statement checks its embargo.
CREATE TABLE ceasefire_settings (
    process_id     TEXT PRIMARY KEY REFERENCES processes(id),
    item_id        TEXT NOT NULL,
    public_summary BOOLEAN NOT NULL DEFAULT FALSE
);

-- +goose Down
DROP TABLE ceasefire_settings;
DROP TABLE ceasefire_zones;
DROP TABLE ceasefire_answers;
DROP TABLE ceasefire_history;
DROP TABLE ceasefire_evidence;
DROP TABLE ceasefire_reports;
DROP TABLE ceasefire_incidents;
