-- The ledger's halts (internal/ledger/guard.go, docs/ledger.md "Never
-- backwards"): each row says why the server stopped appending. While a row
-- has no cleared_at, every write is refused until an operator clears it
-- ("parley ledger resume"). postgres/00020_ledger_halts.sql also extends the
-- append lock function; SQLite reads the same values directly.

-- +goose Up
CREATE TABLE ledger_halts (
    id           TEXT PRIMARY KEY,
    at           BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    cleared_at   BIGINT,
    cleared_by   TEXT NOT NULL DEFAULT '',
    cleared_note TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE ledger_halts;
