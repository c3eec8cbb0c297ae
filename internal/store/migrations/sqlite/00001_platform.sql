-- parley platform schema. Times are Unix microseconds (BIGINT) on both
-- dialects; ids are random 128-bit hex strings (store.NewID).

-- +goose Up
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    short_name TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL CHECK (kind IN ('host','mediation','party','guarantor','observer','monitor','agency')),
    created_at BIGINT NOT NULL
);

-- Which organisation kinds must enrol a second factor.
CREATE TABLE org_kind_policy (
    kind         TEXT PRIMARY KEY,
    require_totp BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL DEFAULT '',
    org_id              TEXT NOT NULL REFERENCES orgs(id),
    role                TEXT NOT NULL CHECK (role IN ('head','member','spokesperson','adviser','clerk')),
    password_hash       TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    locale              TEXT NOT NULL DEFAULT '',
    totp_secret         TEXT NOT NULL DEFAULT '',
    totp_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step      BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, code_hash)
);

-- Web sessions and API tokens. Only the SHA-256 of the token is stored.
CREATE TABLE auth_sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL CHECK (kind IN ('web','api')),
    mfa_pending  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

CREATE TABLE security_events (
    id       TEXT PRIMARY KEY,
    at       BIGINT NOT NULL,
    kind     TEXT NOT NULL,
    user_id  TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL DEFAULT '',
    remote   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_events_at ON security_events(at);

CREATE TABLE processes (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE rounds (
    id         TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id),
    name       TEXT NOT NULL,
    location   TEXT NOT NULL DEFAULT '',
    starts_on  TEXT NOT NULL DEFAULT '',
    ends_on    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE participation (
    round_id TEXT NOT NULL REFERENCES rounds(id),
    org_id   TEXT NOT NULL REFERENCES orgs(id),
    capacity TEXT NOT NULL,
    PRIMARY KEY (round_id, org_id)
);
CREATE INDEX participation_org ON participation(org_id);

-- A sitting of a round. For bilateral and direct sessions, session_orgs names
-- the parties at the table.
CREATE TABLE round_sessions (
    id         TEXT PRIMARY KEY,
    round_id   TEXT NOT NULL REFERENCES rounds(id),
    title      TEXT NOT NULL,
    format     TEXT NOT NULL CHECK (format IN ('plenary','proximity','bilateral','direct')),
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX round_sessions_round ON round_sessions(round_id);

CREATE TABLE session_orgs (
    session_id TEXT NOT NULL REFERENCES round_sessions(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (session_id, org_id)
);

CREATE TABLE agenda_items (
    id          TEXT PRIMARY KEY,
    round_id    TEXT NOT NULL REFERENCES rounds(id),
    track       TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX agenda_items_round ON agenda_items(round_id, position);

CREATE TABLE agenda_stances (
    item_id    TEXT NOT NULL REFERENCES agenda_items(id),
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    stance     TEXT NOT NULL CHECK (stance IN ('accept','refuse')),
    reason     TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (item_id, org_id)
);

-- Each party's consent to direct talks with one counterpart in one round.
CREATE TABLE consents (
    round_id       TEXT NOT NULL REFERENCES rounds(id),
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    counterpart_id TEXT NOT NULL REFERENCES orgs(id),
    direct         BOOLEAN NOT NULL,
    updated_at     BIGINT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (round_id, org_id, counterpart_id)
);

-- The audience of every item that carries content: the organisations allowed
-- to read it. org_id '*' marks an item public (subject to its own release
-- time). internal/access is the only package that writes or reads this table.
CREATE TABLE audience (
    item_id TEXT NOT NULL,
    org_id  TEXT NOT NULL,
    PRIMARY KEY (item_id, org_id)
);
CREATE INDEX audience_org ON audience(org_id, item_id);

-- Every state change appends one event, in the same transaction. idx is the
-- leaf index in the ledger's hash tree; record is the canonical encoding
-- whose tlog.RecordHash is that leaf.
CREATE TABLE events (
    idx          BIGINT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    at           BIGINT NOT NULL,
    actor_user   TEXT NOT NULL DEFAULT '',
    actor_org    TEXT NOT NULL DEFAULT '',
    round_id     TEXT NOT NULL DEFAULT '',
    object_type  TEXT NOT NULL DEFAULT '',
    object_id    TEXT NOT NULL DEFAULT '',
    content_hash BLOB NOT NULL,
    salt         BLOB NOT NULL,
    record       BLOB NOT NULL
);
CREATE INDEX events_round ON events(round_id, idx);

-- +goose Down
DROP TABLE events;
DROP TABLE audience;
DROP TABLE consents;
DROP TABLE agenda_stances;
DROP TABLE agenda_items;
DROP TABLE session_orgs;
DROP TABLE round_sessions;
DROP TABLE participation;
DROP TABLE rounds;
DROP TABLE processes;
DROP TABLE security_events;
DROP TABLE auth_sessions;
DROP TABLE recovery_codes;
DROP TABLE users;
DROP TABLE org_kind_policy;
DROP TABLE orgs;
DROP TABLE meta;
