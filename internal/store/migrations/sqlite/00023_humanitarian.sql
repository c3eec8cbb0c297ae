-- Humanitarian access (internal/humanitarian, docs/humanitarian.md):
-- besieged and hard-to-reach locations, convoys and their steps, the
-- round's commitments, and the aggregates the dashboard reads so that it
-- never scans convoys. Quantities are stored in thousandths of their unit
-- (BIGINT), so sums and comparisons are exact. Every row with content is
-- readable through the audience table: a location, a status change, a
-- commitment and the dashboard by the process (without its observers), a
-- convoy and each of its steps by the convoy's audience; item lines,
-- approvals and the route are read through their convoy's id.

-- +goose Up
CREATE TABLE hum_processes (
    process_id   TEXT PRIMARY KEY REFERENCES processes(id),
    dashboard_id TEXT NOT NULL UNIQUE,
    summary_id   TEXT NOT NULL DEFAULT '',
    updated_at   BIGINT NOT NULL
);

CREATE TABLE hum_locations (
    id                TEXT PRIMARY KEY,
    process_id        TEXT NOT NULL REFERENCES processes(id),
    name              TEXT NOT NULL,
    admin1            TEXT NOT NULL,
    admin2            TEXT NOT NULL,
    lat               DOUBLE PRECISION NOT NULL,
    lon               DOUBLE PRECISION NOT NULL,
    polygon           TEXT NOT NULL DEFAULT '',
    population        BIGINT NOT NULL,
    population_source TEXT NOT NULL,
    population_date   TEXT NOT NULL,
    controlled_by     TEXT NOT NULL DEFAULT '',
    besieged_by       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    convoys           BIGINT NOT NULL DEFAULT 0,
    last_delivery_at  BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL,
    ledger_idx        BIGINT NOT NULL,
    UNIQUE (process_id, name)
);

CREATE TABLE hum_location_status (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES hum_locations(id),
    status      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    by_user     TEXT NOT NULL,
    by_org      TEXT NOT NULL,
    ledger_idx  BIGINT NOT NULL
);
CREATE INDEX hum_location_status_loc ON hum_location_status(location_id, at);

CREATE TABLE hum_convoys (
    id            TEXT PRIMARY KEY,
    process_id    TEXT NOT NULL REFERENCES processes(id),
    location_id   TEXT NOT NULL REFERENCES hum_locations(id),
    agency_org    TEXT NOT NULL REFERENCES orgs(id),
    state         TEXT NOT NULL,
    passed        INTEGER NOT NULL DEFAULT 0,
    requested_at  BIGINT NOT NULL,
    requested_by  TEXT NOT NULL,
    approval_us   BIGINT,
    delivered_at  BIGINT,
    updated_at    BIGINT NOT NULL,
    steps         INTEGER NOT NULL DEFAULT 0,
    ledger_idx    BIGINT NOT NULL
);
CREATE INDEX hum_convoys_loc ON hum_convoys(location_id, requested_at, id);
CREATE INDEX hum_convoys_process ON hum_convoys(process_id, requested_at, id);

CREATE TABLE hum_convoy_items (
    convoy_id TEXT NOT NULL REFERENCES hum_convoys(id),
    pos       INTEGER NOT NULL,
    name      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    requested BIGINT NOT NULL,
    approved  BIGINT,
    loaded    BIGINT,
    removed   BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT,
    PRIMARY KEY (convoy_id, pos)
);

CREATE TABLE hum_convoy_route (
    convoy_id TEXT NOT NULL REFERENCES hum_convoys(id),
    pos       INTEGER NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (convoy_id, pos)
);

CREATE TABLE hum_approvals (
    convoy_id  TEXT NOT NULL REFERENCES hum_convoys(id),
    party_org  TEXT NOT NULL REFERENCES orgs(id),
    process_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    pos        INTEGER NOT NULL,
    due        BIGINT NOT NULL,
    decision   TEXT NOT NULL DEFAULT 'pending',
    decided_at BIGINT NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (convoy_id, party_org)
);
-- The dashboard counts the approvals still pending past their deadline
-- (no_answer, computed when read) from this index alone.
CREATE INDEX hum_approvals_pending ON hum_approvals(process_id, decision, due, location_id, party_org);

CREATE TABLE hum_steps (
    id         TEXT PRIMARY KEY,
    convoy_id  TEXT NOT NULL REFERENCES hum_convoys(id),
    seq        INTEGER NOT NULL,
    step       TEXT NOT NULL,
    outcome    TEXT NOT NULL DEFAULT '',
    checkpoint TEXT NOT NULL DEFAULT '',
    by_org     TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    items      TEXT NOT NULL DEFAULT '[]',
    at         BIGINT NOT NULL,
    actor_user TEXT NOT NULL,
    actor_org  TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL,
    UNIQUE (convoy_id, seq)
);

-- The dashboard's aggregates, changed in the transaction of each step.
CREATE TABLE hum_location_items (
    location_id TEXT NOT NULL REFERENCES hum_locations(id),
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    requested   BIGINT NOT NULL DEFAULT 0,
    approved    BIGINT NOT NULL DEFAULT 0,
    loaded      BIGINT NOT NULL DEFAULT 0,
    removed     BIGINT NOT NULL DEFAULT 0,
    delivered   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, name, unit)
);

CREATE TABLE hum_location_states (
    location_id TEXT NOT NULL REFERENCES hum_locations(id),
    state       TEXT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, state)
);

-- How long approvals took, in whole hours, counted per area: the
-- medians come from these counts.
CREATE TABLE hum_approval_hours (
    location_id TEXT NOT NULL REFERENCES hum_locations(id),
    hours       BIGINT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, hours)
);

CREATE TABLE hum_obstacles (
    location_id TEXT NOT NULL REFERENCES hum_locations(id),
    kind        TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    checkpoint  TEXT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, kind, org_id, checkpoint)
);

CREATE TABLE hum_commitments (
    id           TEXT PRIMARY KEY,
    process_id   TEXT NOT NULL REFERENCES processes(id),
    round_id     TEXT NOT NULL REFERENCES rounds(id),
    location_id  TEXT NOT NULL REFERENCES hum_locations(id),
    title        TEXT NOT NULL,
    cadence_days INTEGER NOT NULL,
    starts_at    BIGINT NOT NULL,
    max_gap_us   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    ledger_idx   BIGINT NOT NULL
);
CREATE INDEX hum_commitments_loc ON hum_commitments(location_id, starts_at);
CREATE INDEX hum_commitments_process ON hum_commitments(process_id);

-- +goose Down
DROP TABLE hum_commitments;
DROP TABLE hum_obstacles;
DROP TABLE hum_approval_hours;
DROP TABLE hum_location_states;
DROP TABLE hum_location_items;
DROP TABLE hum_steps;
DROP TABLE hum_approvals;
DROP TABLE hum_convoy_route;
DROP TABLE hum_convoy_items;
DROP TABLE hum_convoys;
DROP TABLE hum_location_status;
DROP TABLE hum_locations;
DROP TABLE hum_processes;
