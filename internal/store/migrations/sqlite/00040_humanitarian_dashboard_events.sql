-- The events of the humanitarian dashboard's audience items, so that
-- parley verify checks their audience rows (docs/ledger.md, "The state"):
-- dashboard_idx is the event that made the dashboard
-- (humanitarian.dashboard_created), summary_idx the humanitarian.summary
-- event that switched the current public summary on. A summary switched
-- on before this column came is given its switch's event here, read from
-- the events; a dashboard made before has no event of its own, and the
-- server records one at start (humanitarian.dashboard_recorded, with the
-- audience its rows have then).

-- +goose Up
ALTER TABLE hum_processes ADD COLUMN dashboard_idx BIGINT;
ALTER TABLE hum_processes ADD COLUMN summary_idx BIGINT;
UPDATE hum_processes SET summary_idx = (SELECT MAX(e.idx) FROM events e
    WHERE e.type = 'humanitarian.summary' AND e.object_type = 'dashboard' AND e.object_id = hum_processes.dashboard_id)
    WHERE summary_id <> '';

-- +goose Down
ALTER TABLE hum_processes DROP COLUMN summary_idx;
ALTER TABLE hum_processes DROP COLUMN dashboard_idx;
