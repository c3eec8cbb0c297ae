-- A round administrator proposes a new participant; it joins when every
-- party of the round has accepted (internal/talks/proposals.go). One row
-- per pending proposal, and one per party that has accepted it. A refusal
-- deletes the proposal and its acceptances.

-- +goose Up
CREATE TABLE participant_proposals (
    round_id    TEXT NOT NULL REFERENCES rounds(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    proposed_by TEXT NOT NULL,
    proposed_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, org_id)
);

CREATE TABLE participant_acceptances (
    round_id    TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    party_id    TEXT NOT NULL REFERENCES orgs(id),
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, org_id, party_id),
    FOREIGN KEY (round_id, org_id) REFERENCES participant_proposals(round_id, org_id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE participant_acceptances;
DROP TABLE participant_proposals;
