-- The mediated message channel (internal/channel, docs/channel.md):
-- messages with their audiences, the mediation-only link between a relayed
-- message and its source, attachments, public statements and the blind
-- search index. Bodies, names and statement texts are sealed with
-- XChaCha20-Poly1305 under the master key kept outside the database; the
-- columns holding them end in _enc.

-- +goose Up
CREATE TABLE messages (
    id             TEXT PRIMARY KEY,
    round_id       TEXT NOT NULL REFERENCES rounds(id),
    kind           TEXT NOT NULL CHECK (kind IN ('internal','mediation','direct','plenary','relayed')),
    author_user    TEXT NOT NULL,
    author_name    TEXT NOT NULL DEFAULT '',
    author_org     TEXT NOT NULL REFERENCES orgs(id),
    -- For a relayed message: the originating organisation when the
    -- mediation chose to attribute it, else ''.
    attributed_org TEXT NOT NULL DEFAULT '',
    -- The organisations the author addressed (space-separated ids), which
    -- is not always the whole audience: see docs/channel.md.
    recipients     TEXT NOT NULL DEFAULT '',
    reply_to       TEXT NOT NULL DEFAULT '',
    body_enc       BLOB NOT NULL,
    created_at     BIGINT NOT NULL,
    ledger_idx     BIGINT NOT NULL
);
CREATE INDEX messages_round ON messages(round_id, ledger_idx);

-- The link from a relayed message to the message it was made from. Its
-- audience item is 'relay:' || message_id: the mediation only.
CREATE TABLE message_relays (
    message_id TEXT PRIMARY KEY REFERENCES messages(id),
    source_id  TEXT NOT NULL REFERENCES messages(id),
    show_origin BOOLEAN NOT NULL
);
CREATE INDEX message_relays_source ON message_relays(source_id);

-- Attachments: the sealed content lives in the attachment folder under the
-- attachment's id; readable exactly when the message is.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES messages(id),
    name_enc     BLOB NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       BLOB NOT NULL,
    position     INTEGER NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_id, position);

-- Public statements. The audience item id is the statement: the author
-- organisation and the mediation. Once released, the item
-- 'public:' || id is granted to everyone, and released_at (the later of
-- the release and the embargo) gates it in every query.
CREATE TABLE statements (
    id          TEXT PRIMARY KEY,
    author_user TEXT NOT NULL,
    author_org  TEXT NOT NULL REFERENCES orgs(id),
    title_enc   BLOB NOT NULL,
    body_enc    BLOB NOT NULL,
    embargo_until BIGINT NOT NULL DEFAULT 0,
    released_at BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    ledger_idx  BIGINT NOT NULL
);
CREATE INDEX statements_released ON statements(released_at);

-- The blind search index: one row per distinct normalised token of an
-- item, the token replaced by a keyed HMAC so that the database never
-- holds the words.
CREATE TABLE search_terms (
    term    BLOB NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (term, item_id)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE search_terms;
DROP TABLE statements;
DROP TABLE attachments;
DROP TABLE message_relays;
DROP TABLE messages;
