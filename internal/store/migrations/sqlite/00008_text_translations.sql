-- Parallel language versions of the negotiating text (internal/text,
-- docs/text.md "Parallel language versions"). An issued revision is the
-- authoritative text, in its text's language; a translation is the same
-- revision in another language, with the same paragraphs and alternatives,
-- so that the two are linked paragraph by paragraph. A translation is
-- readable through the audience table by its id, with the revision's
-- audience.

-- +goose Up
ALTER TABLE texts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

CREATE TABLE text_translations (
    id          TEXT PRIMARY KEY,
    revision_id TEXT NOT NULL REFERENCES text_revisions(id),
    language    TEXT NOT NULL,
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    added_at    BIGINT NOT NULL,
    added_by    TEXT NOT NULL,
    ledger_idx  BIGINT NOT NULL,
    UNIQUE (revision_id, language)
);

-- +goose Down
DROP TABLE text_translations;
ALTER TABLE texts DROP COLUMN language;
