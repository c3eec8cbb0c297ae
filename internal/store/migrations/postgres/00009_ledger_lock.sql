-- The ledger's append lock and tree size in one round trip (internal/ledger,
-- docs/ledger.md "Concurrency"). A write that appends events first takes a
-- transaction-scoped advisory lock, which serialises appends across every
-- process on the database, and then reads the tree size. The size must be
-- read after the lock is granted: in one plain statement its snapshot would
-- be taken before the wait and miss what the previous holder committed. A
-- VOLATILE function takes a fresh snapshot for each query inside it, so the
-- reads below see everything committed before the lock was granted.

-- +goose Up
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

-- +goose Down
DROP FUNCTION parley_ledger_lock(BIGINT);
