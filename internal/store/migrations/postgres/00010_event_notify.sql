-- Live streams across processes (internal/channel/listen.go, docs/channel.md
-- "Live updates"). Every statement that inserts events notifies channel
-- parley_events with the highest index it inserted; each parley process
-- LISTENs on it and reads the committed events above the last one its
-- streams were handed. PostgreSQL delivers a notification only when the
-- transaction commits, and a trigger adds no round trip to the write path:
-- a batch of sends is still one INSERT statement, and so one notification.
-- The payload is a hint (a process skips the read when it already has that
-- index); the events table is the truth.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION parley_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    high BIGINT;
BEGIN
    SELECT max(idx) INTO high FROM inserted_events;
    IF high IS NOT NULL THEN
        PERFORM pg_notify('parley_events', high::text);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER events_notify AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted_events
    FOR EACH STATEMENT EXECUTE FUNCTION parley_events_notify();

-- +goose Down
DROP TRIGGER events_notify ON events;
DROP FUNCTION parley_events_notify();
