-- An incident's reporter: the one organisation whose reports it holds, or
-- '' once reports of more than one organisation have been in it (a merge;
-- a split does not give it back, as nothing narrows an audience). The
-- map's audience rule (access.ProcessRule.Reporter) reads it to skip the
-- audience table for a reporting organisation's rows that name another
-- reporter: such a row's audience names that reporter alone among those
-- who file reports, so only published it is read by another (docs/ceasefire.md,
-- "The map's query"). A row whose reporter is the reader's, or '', is still
-- checked against the audience table: a changed column can hide an
-- incident from its reporter, never show one to another organisation.
-- Incidents written before this column keep '' and are read as before.

-- +goose Up
ALTER TABLE ceasefire_incidents ADD COLUMN reporter TEXT NOT NULL DEFAULT '';
DROP INDEX ceasefire_incidents_cell;
CREATE INDEX ceasefire_incidents_cell ON ceasefire_incidents(process_id, cell, occurred_at, type, status, perpetrator, merged_into, published, reporter, lat, lon, id);

-- +goose Down
DROP INDEX ceasefire_incidents_cell;
CREATE INDEX ceasefire_incidents_cell ON ceasefire_incidents(process_id, cell, occurred_at, type, status, perpetrator, merged_into, published, lat, lon, id);
ALTER TABLE ceasefire_incidents DROP COLUMN reporter;
