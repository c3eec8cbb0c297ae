-- Detainees (internal/detainees, docs/detainees.md). Lists, their records,
-- matching runs and their pairs, review decisions and exchanges are read
-- through the audience table: a record through its list's id, a pair
-- through its run's id, a person of an exchange through the exchange's id.
-- The personal data of records and of the people of exchanges is sealed
-- (XChaCha20-Poly1305 under a key derived from the master key).

-- +goose Up
-- The neutral agency of a process: set once by the process's mediation.
CREATE TABLE detainee_agencies (
    process_id TEXT PRIMARY KEY REFERENCES processes(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    set_by     TEXT NOT NULL,
    set_at     BIGINT NOT NULL,
    ledger_idx BIGINT NOT NULL
);

CREATE TABLE detainee_lists (
    id          TEXT PRIMARY KEY,
    process_id  TEXT NOT NULL REFERENCES processes(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    kind        TEXT NOT NULL,
    name_enc    BYTEA NOT NULL,
    records     BIGINT NOT NULL,
    file_sha256 TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    ledger_idx  BIGINT NOT NULL
);
CREATE INDEX detainee_lists_process ON detainee_lists(process_id, created_at);

CREATE TABLE detainee_records (
    id        TEXT PRIMARY KEY,
    list_id   TEXT NOT NULL REFERENCES detainee_lists(id),
    row_no    BIGINT NOT NULL,
    data_enc  BYTEA NOT NULL
);
CREATE INDEX detainee_records_list ON detainee_records(list_id, row_no);

CREATE TABLE detainee_runs (
    id         TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id),
    records    BIGINT NOT NULL,
    pairs      BIGINT NOT NULL,
    review     BIGINT NOT NULL,
    decided    BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    ledger_idx BIGINT NOT NULL
);
CREATE INDEX detainee_runs_process ON detainee_runs(process_id, created_at);

-- band is 'match' (the model, or a person, accepts the pair) or 'review'.
-- probability is in millionths.
CREATE TABLE detainee_pairs (
    id          TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES detainee_runs(id),
    record_a    TEXT NOT NULL REFERENCES detainee_records(id),
    record_b    TEXT NOT NULL REFERENCES detainee_records(id),
    probability BIGINT NOT NULL,
    band        TEXT NOT NULL
);
CREATE INDEX detainee_pairs_run ON detainee_pairs(run_id, band);

-- Every decision is kept; the latest for a pair of records wins.
CREATE TABLE detainee_decisions (
    id         TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id),
    record_a   TEXT NOT NULL REFERENCES detainee_records(id),
    record_b   TEXT NOT NULL REFERENCES detainee_records(id),
    decision   TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    ledger_idx BIGINT NOT NULL
);
CREATE INDEX detainee_decisions_pair ON detainee_decisions(process_id, record_a, record_b, decided_at);

CREATE TABLE detainee_exchanges (
    id         TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id),
    kind       TEXT NOT NULL,
    sides      TEXT NOT NULL, -- the two parties' org ids, space-separated
    title_enc  BYTEA NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    ledger_idx BIGINT NOT NULL
);
CREATE INDEX detainee_exchanges_process ON detainee_exchanges(process_id, created_at);

-- A person an exchange promises to release: the identifying fields of the
-- records that name them, sealed; the side that releases them; the release
-- once the neutral agency has verified it.
CREATE TABLE detainee_people (
    id            TEXT PRIMARY KEY,
    exchange_id   TEXT NOT NULL REFERENCES detainee_exchanges(id),
    seq           BIGINT NOT NULL,
    released_by   TEXT NOT NULL REFERENCES orgs(id),
    data_enc      BYTEA NOT NULL,
    released_at   BIGINT,
    place_enc     BYTEA,
    verified_by   TEXT,
    verified_at   BIGINT,
    release_idx   BIGINT
);
CREATE INDEX detainee_people_exchange ON detainee_people(exchange_id, seq);

CREATE TABLE detainee_person_records (
    person_id TEXT NOT NULL REFERENCES detainee_people(id),
    record_id TEXT NOT NULL REFERENCES detainee_records(id),
    PRIMARY KEY (person_id, record_id)
);

-- +goose Down
DROP TABLE detainee_person_records;
DROP TABLE detainee_people;
DROP TABLE detainee_exchanges;
DROP TABLE detainee_decisions;
DROP TABLE detainee_pairs;
DROP TABLE detainee_runs;
DROP TABLE detainee_records;
DROP TABLE detainee_lists;
DROP TABLE detainee_agencies;
