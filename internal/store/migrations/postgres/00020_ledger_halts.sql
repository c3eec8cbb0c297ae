-- The ledger's halts (internal/ledger/guard.go, docs/ledger.md "Never
-- backwards"): each row says why the server stopped appending, when the
-- record was found damaged (a tree smaller than one it signed, a root not
-- consistent with a signed checkpoint, a record that no longer hashes to its
-- stored leaf). While a row has no cleared_at, every write is refused, in
-- every process on the database, until an operator clears it ("parley
-- ledger resume").
--
-- The append lock function also returns the latest signed size and the
-- number of open halts, so that the first append of a transaction checks
-- both in the same round trip as the lock.

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

DROP FUNCTION parley_ledger_lock(BIGINT);

-- +goose StatementBegin
CREATE FUNCTION parley_ledger_lock(lock_key BIGINT, OUT size BIGINT, OUT stored BIGINT, OUT signed BIGINT, OUT halted BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT COALESCE(MAX(idx) + 1, 0) INTO size FROM events;
    SELECT COALESCE(MAX(id) + 1, 0) INTO stored FROM ledger_hashes;
    SELECT COALESCE(MAX(c.size), 0) INTO signed FROM checkpoints c;
    SELECT COUNT(*) INTO halted FROM ledger_halts WHERE cleared_at IS NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION parley_ledger_lock(BIGINT);

-- +goose StatementBegin
CREATE FUNCTION parley_ledger_lock(lock_key BIGINT, OUT size BIGINT, OUT stored BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT COALESCE(MAX(idx) + 1, 0) INTO size FROM events;
    SELECT COALESCE(MAX(id) + 1, 0) INTO stored FROM ledger_hashes;
END
$$;
-- +goose StatementEnd

DROP TABLE ledger_halts;
