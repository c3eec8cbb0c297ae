-- Whether the round's administrators share a negotiating text's issued
-- revisions with the round's guarantors (internal/text, docs/text.md
-- "Sharing with the guarantors"). Once on, it stays on: what the
-- guarantors have read cannot be unread.

-- +goose Up
ALTER TABLE texts ADD COLUMN guarantors BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE texts DROP COLUMN guarantors;
