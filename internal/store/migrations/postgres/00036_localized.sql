-- Names and texts in several languages (internal/localized, docs/localized.md).
-- The domain's own column (a round's name, a statement's title) stays the
-- authoritative value; these rows hold the same field in other languages.
-- localized_source says which language the domain's own value is written
-- in. A row is read under the audience of its item (item_id), so a draft's
-- translations are read exactly by those who read the draft.

-- +goose Up
CREATE TABLE localized (
    item_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    field      TEXT NOT NULL,
    lang       TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    ledger_idx BIGINT NOT NULL,
    PRIMARY KEY (item_id, field, lang)
);

CREATE TABLE localized_source (
    item_id    TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    lang       TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL
);

-- +goose Down
DROP TABLE localized_source;
DROP TABLE localized;
