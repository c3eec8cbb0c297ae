-- Whom a party shared its own message with (channel.Share,
-- docs/channel.md "Sharing"). The audience of the list is the item
-- 'shares:' || message_id, granted to the author organisation only: the
-- organisations a message was shared with do not learn of each other.

-- +goose Up
CREATE TABLE message_shares (
    message_id TEXT NOT NULL REFERENCES messages(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    shared_at  BIGINT NOT NULL,
    ledger_idx BIGINT NOT NULL,
    PRIMARY KEY (message_id, org_id)
);

-- +goose Down
DROP TABLE message_shares;
