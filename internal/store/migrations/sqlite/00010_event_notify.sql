-- Nothing on SQLite. On PostgreSQL this version adds the trigger that
-- notifies other parley processes of committed events (LISTEN/NOTIFY), so
-- that a live stream hears of events written by another process at once.
-- SQLite has no such channel, and several processes serving live streams
-- over one SQLite file is not a supported deployment (docs/operations.md):
-- the one process that serves the streams hears of its own writes. The
-- version exists so that both dialects keep the same numbers.

-- +goose Up

-- +goose Down
