-- The embedded store's schema. Every room is an append-only log of events
-- numbered by a per-room seq; rooms.head is the newest seq, advanced in the
-- same transaction that inserts the event.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    guest INTEGER NOT NULL,
    -- The seed endpoint's client id, for the guest that stands behind it.
    seed_client_id TEXT UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the token: a stolen database does not yield usable tokens.
    token_hash BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    topic TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'dm')),
    head INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE members (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    last_read INTEGER NOT NULL DEFAULT 0,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members(user_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT,
    target INTEGER,
    nonce TEXT,
    ts INTEGER NOT NULL,
    UNIQUE (room_id, seq)
);
-- Idempotent sends: one event per (author, nonce), whatever the room.
CREATE UNIQUE INDEX events_by_nonce ON events(author_id, nonce) WHERE nonce IS NOT NULL;

INSERT INTO rooms (id, name, topic, visibility, head, created_at)
VALUES ('lobby', 'Lobby', 'Say hello', 'public', 0, 0);
