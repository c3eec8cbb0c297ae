-- The working inbox (docs/channel.md "The inbox"): how far each user has
-- read each thread of a round, a thread being the organisation the
-- messages come from. It is the reader's own place, not content: the
-- unread counts are queries of the messages, filtered by their audience.

-- +goose Up
CREATE TABLE thread_read (
    user_id     TEXT NOT NULL,
    round_id    TEXT NOT NULL,
    counterpart TEXT NOT NULL,
    read_idx    BIGINT NOT NULL,
    PRIMARY KEY (user_id, round_id, counterpart)
);

-- +goose Down
DROP TABLE thread_read;
