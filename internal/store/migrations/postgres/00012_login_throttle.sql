-- The login throttle's per-account state (internal/auth/throttle.go), in
-- the database so that every parley process on it counts the same
-- failures and honours the same lock: behind a load balancer, an attacker
-- spreading guesses over the processes gets no more attempts than against
-- one. Keyed by the username as typed, whether or not the account exists.
-- failures holds the failure times inside the window (Unix microseconds,
-- space-separated).

-- +goose Up
CREATE TABLE login_throttle (
    account      TEXT PRIMARY KEY,
    failures     TEXT NOT NULL DEFAULT '',
    locks        INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_failure BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE login_throttle;
