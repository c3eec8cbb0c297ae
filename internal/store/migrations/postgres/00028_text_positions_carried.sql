-- A party's position on a paragraph that a new revision leaves unchanged
-- carries over to the new revision (internal/text, docs/text.md "Positions
-- carried over"). carried_from is the number of the revision the position
-- was first recorded on, 0 for a position recorded on this revision.

-- +goose Up
ALTER TABLE text_positions ADD COLUMN carried_from INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE text_positions DROP COLUMN carried_from;
