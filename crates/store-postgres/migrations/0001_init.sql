-- The PostgreSQL store's schema: the same tables as the SQLite store's,
-- in one migration (there is no older PostgreSQL schema to upgrade). Every
-- room is an append-only log numbered by a per-room seq; rooms.head is the
-- newest seq, advanced under the room row's lock in the transaction that
-- inserts the event, so seqs are dense whichever node writes.

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    guest BOOLEAN NOT NULL,
    -- The seed endpoint's client id, for the guest that stands behind it.
    seed_client_id TEXT UNIQUE,
    username TEXT UNIQUE,
    password_hash TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    -- docs/decisions/0005-look-alike-names.md; NULL for guests.
    username_skeleton TEXT UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    -- SHA-256 of the token: a stolen database does not yield usable tokens.
    token_hash BYTEA NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'token')),
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id, kind);
-- The expiry sweep's two conditions, each with its index.
CREATE INDEX sessions_by_last_use ON sessions(kind, last_used_at);
CREATE INDEX sessions_by_age ON sessions(kind, created_at);

CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    topic TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'dm')),
    head BIGINT NOT NULL DEFAULT 0,
    message_count BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);

-- Unread counters, as webchat_core::unread defines them.
CREATE TABLE members (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    joined_at BIGINT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
    last_read BIGINT NOT NULL DEFAULT 0,
    read_count BIGINT NOT NULL DEFAULT 0,
    own_unread BIGINT NOT NULL DEFAULT 0,
    deleted_unread BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX members_by_user ON members(user_id);

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users(id),
    body TEXT,
    target BIGINT,
    nonce TEXT,
    ts BIGINT NOT NULL,
    message_no BIGINT,
    actor_id BIGINT REFERENCES users(id),
    edited BOOLEAN NOT NULL DEFAULT FALSE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    -- The search index of a live message's current text; NULL otherwise.
    search TSVECTOR,
    UNIQUE (room_id, seq)
);
-- Idempotent sends: one event per (author, nonce), whatever the room or node.
CREATE UNIQUE INDEX events_by_nonce ON events(author_id, nonce) WHERE nonce IS NOT NULL;
CREATE INDEX events_by_room_author ON events(room_id, author_id, seq);
CREATE INDEX events_by_target ON events(target) WHERE target IS NOT NULL;
CREATE INDEX events_deleted_messages ON events(room_id, seq) WHERE deleted;
CREATE INDEX events_search ON events USING GIN (search);

CREATE TABLE bans (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    banned_by BIGINT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

CREATE TABLE blocks (
    user_id BIGINT NOT NULL REFERENCES users(id),
    blocked_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);

INSERT INTO rooms (id, name, topic, visibility, head, created_at)
VALUES ('lobby', 'Lobby', 'Say hello', 'public', 0, 0);
