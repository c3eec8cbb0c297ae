-- The package analysis (internal/bargain, docs/bargain.md). Each row's
-- content is readable through the audience table by its id: a domain by the
-- round's mediation and parties, a profile by its party (and the mediation
-- when the party shares it), the draft package and the analysis by the
-- mediation. A profile gets a new id on every save, so that withdrawing the
-- share narrows its audience: the old id's audience rows name nothing.

-- +goose Up
CREATE TABLE bargain_domains (
    round_id   TEXT PRIMARY KEY REFERENCES rounds(id),
    id         TEXT NOT NULL UNIQUE,
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL
);

CREATE TABLE bargain_profiles (
    id         TEXT PRIMARY KEY,
    round_id   TEXT NOT NULL REFERENCES rounds(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    document   TEXT NOT NULL,
    answers    TEXT NOT NULL DEFAULT '[]',
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL,
    UNIQUE (round_id, org_id)
);

CREATE TABLE bargain_drafts (
    round_id   TEXT PRIMARY KEY REFERENCES rounds(id),
    id         TEXT NOT NULL UNIQUE,
    bid        TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL
);

-- The analysis is computed in the transaction that changes one of its
-- inputs and kept here, so that reading it never touches a profile.
CREATE TABLE bargain_analyses (
    round_id    TEXT PRIMARY KEY REFERENCES rounds(id),
    id          TEXT NOT NULL UNIQUE,
    document    TEXT NOT NULL,
    computed_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE bargain_analyses;
DROP TABLE bargain_drafts;
DROP TABLE bargain_profiles;
DROP TABLE bargain_domains;
