//! Unread counts without scanning the log: the counters a backend keeps and
//! the rules that read and move them, decided here once for every backend.
//!
//! A room counts its messages (`message_count`). Each member keeps, at their
//! read marker, how many of the room's messages were at or before it
//! (`read_count`), and how many after it are not unread to them: their own
//! (`own_unread`) and others' that were deleted (`deleted_unread`). The
//! append transaction moves them as [`crate::effects`] says; moving the
//! marker recounts the last three ([`Recount`]), which is bounded by what
//! lies after the new marker.

/// The counters behind one member's unread count in one room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub message_count: i64,
    pub read_count: i64,
    pub own_unread: i64,
    pub deleted_unread: i64,
}

impl Counters {
    /// Others' live messages after the marker. Never below zero, whatever
    /// the stored counters say (a counter repaired by hand, an old import).
    pub fn unread(&self) -> u64 {
        let unread = self.message_count - self.read_count - self.own_unread - self.deleted_unread;
        u64::try_from(unread).unwrap_or(0)
    }
}

/// Where a read marker moves when a member asks for `requested`: never past
/// the room's head, never backwards. `None` when it does not move.
pub fn marker_target(requested: u64, last_read: u64, head: u64) -> Option<u64> {
    let target = requested.min(head);
    (target > last_read).then_some(target)
}

/// What a backend counts in the log when a marker moves to `seq`, for the
/// member `user`; these become the member's counters as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recount {
    /// The number of the last message at or before the marker among the
    /// room's messages (its `message_no`), 0 when none.
    pub read_count: i64,
    /// Messages by `user` after the marker, deleted or not.
    pub own_unread: i64,
    /// Messages by others after the marker that are deleted.
    pub deleted_unread: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_is_others_live_messages_after_the_marker() {
        let counters = Counters {
            message_count: 10,
            read_count: 4,
            own_unread: 2,
            deleted_unread: 1,
        };
        assert_eq!(counters.unread(), 3);
    }

    #[test]
    fn unread_never_goes_below_zero() {
        let counters = Counters {
            message_count: 3,
            read_count: 3,
            own_unread: 1,
            deleted_unread: 0,
        };
        assert_eq!(counters.unread(), 0);
    }

    #[test]
    fn a_marker_moves_forward_only_and_stops_at_the_head() {
        assert_eq!(marker_target(5, 2, 10), Some(5));
        assert_eq!(marker_target(50, 2, 10), Some(10), "clamped to the head");
        assert_eq!(marker_target(2, 2, 10), None, "no move");
        assert_eq!(marker_target(1, 2, 10), None, "never backwards");
        assert_eq!(marker_target(50, 10, 10), None, "already at the head");
    }
}
