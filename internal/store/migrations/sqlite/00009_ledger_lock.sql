-- Version 9 adds the ledger's append lock function on PostgreSQL
-- (postgres/00009_ledger_lock.sql). SQLite needs none: a write transaction
-- there is BEGIN IMMEDIATE on the one writer connection, which already
-- excludes every other writer, so the ledger reads the tree size directly.
-- The file keeps both dialects at the same schema version.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
