-- The talks model (internal/talks): the ledger index of the event that
-- created each round, session and agenda item, so that pages and the API can
-- show "ledger_index" without searching the events table. -1 marks a row
-- written before this column existed.

-- +goose Up
ALTER TABLE rounds ADD COLUMN ledger_idx BIGINT NOT NULL DEFAULT -1;
ALTER TABLE round_sessions ADD COLUMN ledger_idx BIGINT NOT NULL DEFAULT -1;
ALTER TABLE agenda_items ADD COLUMN ledger_idx BIGINT NOT NULL DEFAULT -1;
-- Positions are assigned MAX+1 under the round lock; the index makes a
-- duplicate impossible even so.
CREATE UNIQUE INDEX agenda_items_position ON agenda_items(round_id, position);

-- +goose Down
DROP INDEX agenda_items_position;
ALTER TABLE agenda_items DROP COLUMN ledger_idx;
ALTER TABLE round_sessions DROP COLUMN ledger_idx;
ALTER TABLE rounds DROP COLUMN ledger_idx;
