-- A deleted message is no longer unread. Each member counts the messages by
-- others after their marker that were deleted, so
-- unread = message_count - read_count - own_unread - deleted_unread,
-- still without scanning the log when rooms are listed.
ALTER TABLE members ADD COLUMN deleted_unread INTEGER NOT NULL DEFAULT 0;

-- Deletes are rare: a partial index keeps recounting them on `read` cheap.
CREATE INDEX events_deleted_messages ON events(room_id, seq) WHERE deleted = 1;

-- Existing members: own messages and deleted ones after each marker.
UPDATE members SET
    own_unread = (
        SELECT COUNT(*) FROM events e
        WHERE e.room_id = members.room_id AND e.kind = 'message'
          AND e.author_id = members.user_id AND e.seq > members.last_read),
    deleted_unread = (
        SELECT COUNT(*) FROM events e
        WHERE e.room_id = members.room_id AND e.kind = 'message' AND e.deleted = 1
          AND e.author_id != members.user_id AND e.seq > members.last_read);
