-- The SHA-256 of what a detainee item's rows hold beyond its own columns,
-- which its event's content names since this column came ("digest"), so
-- that parley verify checks them against the event (docs/ledger.md, "The
-- state"): a list's name and records, a matching run's pairs, an
-- exchange's title and people, a verified release's place. Items made
-- before have none and are checked for the content their event hashed
-- then.

-- +goose Up
ALTER TABLE detainee_lists ADD COLUMN digest TEXT;
ALTER TABLE detainee_runs ADD COLUMN digest TEXT;
ALTER TABLE detainee_exchanges ADD COLUMN digest TEXT;
ALTER TABLE detainee_people ADD COLUMN release_digest TEXT;

-- +goose Down
ALTER TABLE detainee_people DROP COLUMN release_digest;
ALTER TABLE detainee_exchanges DROP COLUMN digest;
ALTER TABLE detainee_runs DROP COLUMN digest;
ALTER TABLE detainee_lists DROP COLUMN digest;
