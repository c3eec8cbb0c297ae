-- Sessions and agenda items change after they are written (docs/talks.md
-- "Changing sessions and the agenda"): a round administrator edits a
-- session or an item, cancels a session, or withdraws an item. Neither is
-- deleted: a cancelled session and a withdrawn item stay in the round's
-- record, marked, with the reason given. 0 means "not cancelled",
-- "not withdrawn", "never edited".
--
-- agenda_items.edited_at tells a party's stance given before the item's
-- wording changed (agenda_stances.updated_at < edited_at) from one given
-- on the wording shown.

-- +goose Up
ALTER TABLE round_sessions ADD COLUMN cancelled_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE round_sessions ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE round_sessions ADD COLUMN edited_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agenda_items ADD COLUMN withdrawn_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agenda_items ADD COLUMN withdraw_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE agenda_items ADD COLUMN edited_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE agenda_items DROP COLUMN edited_at;
ALTER TABLE agenda_items DROP COLUMN withdraw_reason;
ALTER TABLE agenda_items DROP COLUMN withdrawn_at;
ALTER TABLE round_sessions DROP COLUMN edited_at;
ALTER TABLE round_sessions DROP COLUMN cancel_reason;
ALTER TABLE round_sessions DROP COLUMN cancelled_at;
