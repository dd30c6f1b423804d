-- Browser sessions expire after an idle period (last_used_at) and at a
-- maximum age (created_at); the server decides the durations, the sweep
-- deletes what has expired. Access tokens keep no expiry of their own.
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;

-- When existing sessions were last used is unknown: count from this upgrade,
-- so active users are not signed out by the idle rule at once (the maximum
-- age still counts from created_at).
UPDATE sessions SET last_used_at = MAX(created_at, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

-- The sweep's two conditions, each with its index.
CREATE INDEX sessions_by_last_use ON sessions(kind, last_used_at);
CREATE INDEX sessions_by_age ON sessions(kind, created_at);
