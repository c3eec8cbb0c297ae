-- The tamper-evident ledger (internal/ledger, docs/ledger.md): the stored
-- hashes of the hash tree over the events table, the signed checkpoints, the
-- witness keys registered by participants and the cosignatures they send.

-- +goose Up
-- Stored hashes of the tlog tree (golang.org/x/mod/sumdb/tlog): id is
-- tlog.StoredHashIndex(level, n). Written in the transaction that appends
-- the event they cover, never updated.
CREATE TABLE ledger_hashes (
    id   BIGINT PRIMARY KEY,
    hash BLOB NOT NULL
);

-- Signed checkpoints (C2SP checkpoint as a signed note). note holds the
-- body and the log's own signature; cosignatures are kept apart and appended
-- when the checkpoint is served.
CREATE TABLE checkpoints (
    size      BIGINT PRIMARY KEY,
    root      BLOB NOT NULL,
    note      BLOB NOT NULL,
    signed_at BIGINT NOT NULL
);

-- Witness keys (C2SP tlog-cosignature vkeys) registered by a party, a
-- guarantor or an agency. A cosignature is accepted only from a key
-- registered by the organisation that submits it.
CREATE TABLE witnesses (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    name          TEXT NOT NULL,
    key_name      TEXT NOT NULL,
    key_hash      BIGINT NOT NULL,
    vkey          TEXT NOT NULL UNIQUE,
    registered_by TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    ledger_idx    BIGINT NOT NULL,
    UNIQUE (key_name, key_hash)
);

CREATE TABLE cosignatures (
    checkpoint_size BIGINT NOT NULL REFERENCES checkpoints(size),
    witness_id      TEXT NOT NULL REFERENCES witnesses(id),
    signature       TEXT NOT NULL,
    cosigned_at     BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    PRIMARY KEY (checkpoint_size, witness_id)
);

-- +goose Down
DROP TABLE cosignatures;
DROP TABLE witnesses;
DROP TABLE checkpoints;
DROP TABLE ledger_hashes;
