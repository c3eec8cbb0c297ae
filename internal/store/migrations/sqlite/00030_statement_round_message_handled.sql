-- A statement may name the round it is about (channel.Statement.Round,
-- docs/channel.md "The statements desk"): '' when it names none. The
-- public page shows the round's name beside a released statement.
--
-- The mediation's inbox (docs/channel.md "The inbox"): which messages an
-- organisation has marked handled. A row is the mark of one organisation
-- on one message it reads; its audience item is
-- 'handled:' || message_id || ':' || org_id, granted to that organisation.
--
-- Notifications (internal/notify): the ledger index up to which a user has
-- seen the events that concern it. It is the reader's own place in the
-- list, not content: the notifications themselves are events, read through
-- their audience.

-- +goose Up
ALTER TABLE statements ADD COLUMN round_id TEXT NOT NULL DEFAULT '';

CREATE TABLE message_handled (
    message_id TEXT NOT NULL REFERENCES messages(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    handled_at BIGINT NOT NULL,
    handled_by TEXT NOT NULL,
    ledger_idx BIGINT NOT NULL,
    PRIMARY KEY (message_id, org_id)
);

CREATE TABLE notification_seen (
    user_id  TEXT PRIMARY KEY,
    seen_idx BIGINT NOT NULL
);

-- +goose Down
DROP TABLE notification_seen;
DROP TABLE message_handled;
ALTER TABLE statements DROP COLUMN round_id;
