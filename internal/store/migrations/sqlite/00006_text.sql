-- The single negotiating text (internal/text, docs/text.md). Each table's
-- content is readable through the audience table: texts, drafts and
-- revisions by their id; positions, summaries and adoption confirmations by
-- ids derived from their keys (see internal/text/store.go).

-- +goose Up
CREATE TABLE texts (
    id            TEXT PRIMARY KEY,
    round_id      TEXT NOT NULL REFERENCES rounds(id),
    title         TEXT NOT NULL,
    ad_referendum BOOLEAN NOT NULL DEFAULT FALSE,
    adopted_rev   INTEGER NOT NULL DEFAULT 0,
    adopted_at    BIGINT NOT NULL DEFAULT 0,
    adopted_hash  TEXT NOT NULL DEFAULT '',
    adopted_idx   BIGINT NOT NULL DEFAULT -1,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    ledger_idx    BIGINT NOT NULL
);
CREATE INDEX texts_round ON texts(round_id);

-- Every save of the mediation's draft, kept.
CREATE TABLE text_drafts (
    id         TEXT PRIMARY KEY,
    text_id    TEXT NOT NULL REFERENCES texts(id),
    seq        INTEGER NOT NULL,
    source     TEXT NOT NULL,
    saved_at   BIGINT NOT NULL,
    saved_by   TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL,
    UNIQUE (text_id, seq)
);

-- Issued revisions: Rev.1, Rev.2, … The source is the canonical form.
CREATE TABLE text_revisions (
    id         TEXT PRIMARY KEY,
    text_id    TEXT NOT NULL REFERENCES texts(id),
    number     INTEGER NOT NULL,
    draft_id   TEXT NOT NULL REFERENCES text_drafts(id),
    source     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    issued_by  TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL,
    UNIQUE (text_id, number)
);

-- A party's stance on a paragraph of a revision, or on one of its
-- alternatives ('' = the paragraph as a whole).
CREATE TABLE text_positions (
    revision_id TEXT NOT NULL REFERENCES text_revisions(id),
    paragraph   INTEGER NOT NULL,
    alternative TEXT NOT NULL DEFAULT '',
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    stance      TEXT NOT NULL CHECK (stance IN ('accept','reject','reserve','amend')),
    wording     TEXT NOT NULL DEFAULT '',
    comment     TEXT NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    ledger_idx  BIGINT NOT NULL,
    PRIMARY KEY (revision_id, paragraph, alternative, org_id)
);

-- Whether the mediation shows a party the summary of every party's
-- stances on a text.
CREATE TABLE text_summaries (
    text_id    TEXT NOT NULL REFERENCES texts(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    shared     BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (text_id, org_id)
);

-- A party head's confirmation of the adoption of a revision.
CREATE TABLE text_confirmations (
    revision_id  TEXT NOT NULL REFERENCES text_revisions(id),
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    user_id      TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    ledger_idx   BIGINT NOT NULL,
    PRIMARY KEY (revision_id, org_id)
);

-- +goose Down
DROP TABLE text_confirmations;
DROP TABLE text_summaries;
DROP TABLE text_positions;
DROP TABLE text_revisions;
DROP TABLE text_drafts;
DROP TABLE texts;
