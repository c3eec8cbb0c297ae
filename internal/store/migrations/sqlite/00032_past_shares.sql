-- A head's grant, for its organisation, of what it sent to the mediation
-- of a round before a later mediation joined (internal/talks/pastshare.go):
-- one row per (round, organisation, newcomer). The items themselves are
-- widened in the same write; the row lets the round page say the grant was
-- made and lets parley verify accept the audience rows it added. capacity
-- is the granting organisation's capacity in the round when it granted.

-- +goose Up
CREATE TABLE past_shares (
    round_id    TEXT NOT NULL REFERENCES rounds(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    newcomer_id TEXT NOT NULL REFERENCES orgs(id),
    capacity    TEXT NOT NULL,
    shared_at   BIGINT NOT NULL,
    shared_by   TEXT NOT NULL,
    ledger_idx  BIGINT NOT NULL,
    PRIMARY KEY (round_id, org_id, newcomer_id)
);

-- +goose Down
DROP TABLE past_shares;
