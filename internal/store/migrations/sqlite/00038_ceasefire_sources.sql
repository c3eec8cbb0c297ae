-- Ceasefire monitoring, second part (docs/ceasefire.md).
--
-- A report's narrative is sealed at rest (XChaCha20-Poly1305 under the
-- master key, as the channel's messages): narrative_enc holds it, and the
-- clear narrative column stays empty (ceasefire.SealNarratives seals the
-- narratives an earlier version kept in clear, on start).
--
-- Each report's source has a reliability grade (A–F) from the monitors:
-- reliability is the current one, ceasefire_grades every grading with its
-- reason and actor, read through the report's audience (report_id).

-- +goose Up
ALTER TABLE ceasefire_reports ADD COLUMN narrative_enc BLOB NOT NULL DEFAULT X'';
ALTER TABLE ceasefire_reports ADD COLUMN reliability TEXT NOT NULL DEFAULT '';

CREATE TABLE ceasefire_grades (
    id          TEXT PRIMARY KEY,
    report_id   TEXT NOT NULL REFERENCES ceasefire_reports(id),
    reliability TEXT NOT NULL,
    reason      TEXT NOT NULL,
    actor_user  TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    actor_org   TEXT NOT NULL,
    at          BIGINT NOT NULL,
    ledger_idx  BIGINT NOT NULL
);
CREATE INDEX ceasefire_grades_report ON ceasefire_grades(report_id, at);

-- +goose Down
DROP TABLE ceasefire_grades;
ALTER TABLE ceasefire_reports DROP COLUMN reliability;
ALTER TABLE ceasefire_reports DROP COLUMN narrative_enc;
