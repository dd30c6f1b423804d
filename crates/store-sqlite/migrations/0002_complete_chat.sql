-- Accounts, tokens, roles, bans, read markers, edits and deletes, search.

-- Accounts: a unique (lower-case) username and an argon2id hash.
ALTER TABLE users ADD COLUMN username TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_by_username ON users(username) WHERE username IS NOT NULL;

-- Sessions get a public id (to list and revoke them), a kind (a browser
-- session or a personal access token) and a name.
CREATE TABLE sessions_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash BLOB NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'token')),
    name TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
INSERT INTO sessions_v2 (token_hash, user_id, kind, created_at)
    SELECT token_hash, user_id, 'session', created_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
CREATE INDEX sessions_by_user ON sessions(user_id, kind);

-- Roles and read markers. Unread counts are kept without scanning the log:
-- rooms.message_count counts messages; a member's read_count is that count
-- at their marker and own_unread their own messages after it, so
-- unread = message_count - read_count - own_unread.
ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
    CHECK (role IN ('owner', 'moderator', 'member'));
ALTER TABLE members ADD COLUMN read_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN own_unread INTEGER NOT NULL DEFAULT 0;
UPDATE members SET role = 'owner'
    WHERE EXISTS (SELECT 1 FROM rooms r WHERE r.id = members.room_id AND r.created_by = members.user_id);
ALTER TABLE rooms ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET message_count = (SELECT COUNT(*) FROM events e WHERE e.room_id = rooms.id AND e.kind = 'message');

-- Messages carry their number in the room, their edit and delete state, and
-- membership changes who caused them.
ALTER TABLE events ADD COLUMN message_no INTEGER;
UPDATE events SET message_no = (
    SELECT COUNT(*) FROM events e2
    WHERE e2.room_id = events.room_id AND e2.kind = 'message' AND e2.seq <= events.seq
) WHERE kind = 'message';
ALTER TABLE events ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN actor_id INTEGER REFERENCES users(id);
CREATE INDEX events_by_room_author ON events(room_id, author_id, seq);
CREATE INDEX events_by_target ON events(target) WHERE target IS NOT NULL;

CREATE TABLE bans (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    banned_by INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;

-- Full-text search over live messages; rowid = events.id.
CREATE VIRTUAL TABLE message_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO message_search (rowid, body)
    SELECT id, body FROM events WHERE kind = 'message' AND body IS NOT NULL;
