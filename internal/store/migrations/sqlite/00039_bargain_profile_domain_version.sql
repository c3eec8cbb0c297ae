-- The version of the round's domain a party's profile was saved against,
-- which its bargain.profile.saved event hashes: with it parley verify
-- rebuilds the event's content from the row (docs/ledger.md, "The
-- state"). Profiles saved before this column came have none and are
-- checked for their audience only.

-- +goose Up
ALTER TABLE bargain_profiles ADD COLUMN domain_version INTEGER;

-- +goose Down
ALTER TABLE bargain_profiles DROP COLUMN domain_version;
