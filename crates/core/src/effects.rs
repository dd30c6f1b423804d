//! What one appended event does besides adding itself to its room's log:
//! the domain rules of edits, deletes, joins, leaves and topics, and of the
//! unread counters they move, decided here once for every backend.
//!
//! A backend reads what the rules need (the target message of an edit or
//! delete, the room's creator), asks [`effects_of`] what to change, and
//! executes each [`Change`] as a storage primitive inside the same
//! transaction that appends the event. So SQLite and PostgreSQL cannot
//! disagree on what a delete erases or who counts a message as unread: the
//! decision is not in their SQL.
//!
//! Unread counts are kept without scanning the log (see [`crate::unread`]):
//! a room counts its messages, and each member keeps the count at their read
//! marker plus what after it is not unread to them (their own messages, and
//! others' messages deleted since).

use webchat_protocol::views::EventKind;

use crate::model::{EventId, NewEvent, Role, UserId};

/// The live message an edit or delete acts on, as the store read it inside
/// the appending transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub id: EventId,
    pub seq: u64,
    pub author: UserId,
}

/// Where an event landed: what the store assigned while appending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub id: EventId,
    pub seq: u64,
    pub ts_ms: i64,
    /// The room's message count after this event (it counts itself when it
    /// is a message, see [`counts_as_message`]).
    pub message_count: u64,
    /// Who created the room (`rooms.created_by`), if anyone.
    pub room_creator: Option<UserId>,
}

/// One primitive change a backend makes in the appending transaction. Each
/// is about the event's own room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The message's current text becomes `text` and it is marked edited.
    SetText {
        message: EventId,
        text: String,
    },
    /// The message becomes a tombstone: no text, marked deleted.
    Tombstone {
        message: EventId,
    },
    /// Every edit of `message` loses its text too: a deleted message's old
    /// versions must not survive in the log.
    EraseEdits {
        message: EventId,
    },
    /// The search index gets `text` for `message`, which it does not hold
    /// (a new message, or one just unindexed).
    Index {
        message: EventId,
        text: String,
    },
    /// The search index forgets `message`.
    Unindex {
        message: EventId,
    },
    /// `user` becomes a member unless they already are one. A new member has
    /// everything up to `last_read` read: `read_count` is the room's message
    /// count there.
    AddMember {
        user: UserId,
        role: Role,
        joined_at_ms: i64,
        last_read: u64,
        read_count: u64,
    },
    RemoveMember {
        user: UserId,
    },
    SetTopic {
        topic: String,
    },
    /// `user`'s own new message is not unread to them: their `own_unread`
    /// grows by one.
    CountOwnMessage {
        user: UserId,
    },
    /// A message at `seq` by `author` was deleted: every member other than
    /// the author whose marker is below `seq` had it unread, and now counts
    /// it in `deleted_unread` instead.
    CountDeletedUnread {
        seq: u64,
        author: UserId,
    },
}

/// Whether `kind` counts in the room's message count (and so in unread
/// counts): messages only, not edits, deletes or membership.
pub fn counts_as_message(kind: EventKind) -> bool {
    kind == EventKind::Message
}

/// Whether `kind` acts on a target that must be a live message of the room
/// (not deleted, not another kind of event); without one the event is
/// refused with [`crate::store::AppendError::TargetNotFound`].
pub fn needs_live_target(kind: EventKind) -> bool {
    matches!(kind, EventKind::Edit | EventKind::Delete)
}

/// The role someone joining gets: the room's creator owns it, whoever else
/// joins is a member (roles above that are given on purpose).
pub fn role_on_join(user: UserId, room_creator: Option<UserId>) -> Role {
    if room_creator == Some(user) {
        Role::Owner
    } else {
        Role::Member
    }
}

/// The changes `new`, appended at `placed`, makes to its room beside its
/// own row. `target` is the live message it acts on, when
/// [`needs_live_target`] (the caller has refused the event without one).
pub fn effects_of(new: &NewEvent, placed: &Placed, target: Option<Target>) -> Vec<Change> {
    let text = || new.body.clone().unwrap_or_default();
    match new.kind {
        EventKind::Message => vec![
            Change::CountOwnMessage {
                user: new.author.id,
            },
            Change::Index {
                message: placed.id,
                text: text(),
            },
        ],
        EventKind::Edit => match target {
            Some(target) => vec![
                Change::SetText {
                    message: target.id,
                    text: text(),
                },
                Change::Unindex { message: target.id },
                Change::Index {
                    message: target.id,
                    text: text(),
                },
            ],
            None => Vec::new(),
        },
        EventKind::Delete => match target {
            Some(target) => vec![
                Change::Tombstone { message: target.id },
                Change::CountDeletedUnread {
                    seq: target.seq,
                    author: target.author,
                },
                Change::EraseEdits { message: target.id },
                Change::Unindex { message: target.id },
            ],
            None => Vec::new(),
        },
        EventKind::Join => vec![Change::AddMember {
            user: new.author.id,
            role: role_on_join(new.author.id, placed.room_creator),
            joined_at_ms: placed.ts_ms,
            last_read: placed.seq,
            read_count: placed.message_count,
        }],
        EventKind::Leave => vec![Change::RemoveMember {
            user: new.author.id,
        }],
        EventKind::Topic => vec![Change::SetTopic { topic: text() }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Author;

    fn new(
        kind: EventKind,
        author: UserId,
        body: Option<&str>,
        target: Option<EventId>,
    ) -> NewEvent {
        NewEvent {
            room: "r".into(),
            kind,
            author: Author::test_guest(author),
            body: body.map(str::to_owned),
            target,
            nonce: None,
            actor: None,
        }
    }

    /// A live message of user 2.
    const TARGET: Target = Target {
        id: 7,
        seq: 3,
        author: 2,
    };

    const PLACED: Placed = Placed {
        id: 50,
        seq: 9,
        ts_ms: 1_000,
        message_count: 4,
        room_creator: Some(1),
    };

    #[test]
    fn a_message_is_indexed_and_not_unread_to_its_author() {
        assert_eq!(
            effects_of(&new(EventKind::Message, 2, Some("hi"), None), &PLACED, None),
            vec![
                Change::CountOwnMessage { user: 2 },
                Change::Index {
                    message: 50,
                    text: "hi".into()
                }
            ]
        );
    }

    #[test]
    fn an_edit_replaces_the_targets_text_and_index_not_its_own() {
        assert_eq!(
            effects_of(
                &new(EventKind::Edit, 2, Some("new"), Some(7)),
                &PLACED,
                Some(TARGET)
            ),
            vec![
                Change::SetText {
                    message: 7,
                    text: "new".into()
                },
                Change::Unindex { message: 7 },
                Change::Index {
                    message: 7,
                    text: "new".into()
                }
            ]
        );
    }

    #[test]
    fn a_delete_tombstones_erases_edits_unindexes_and_moves_unread_counts() {
        // A moderator (3) deletes 2's message: the rule about unread counts
        // follows the message's author, not the deleter.
        assert_eq!(
            effects_of(
                &new(EventKind::Delete, 3, None, Some(7)),
                &PLACED,
                Some(TARGET)
            ),
            vec![
                Change::Tombstone { message: 7 },
                Change::CountDeletedUnread { seq: 3, author: 2 },
                Change::EraseEdits { message: 7 },
                Change::Unindex { message: 7 },
            ]
        );
    }

    #[test]
    fn edits_and_deletes_without_a_live_target_change_nothing() {
        for kind in [EventKind::Edit, EventKind::Delete] {
            assert!(needs_live_target(kind));
            assert_eq!(
                effects_of(&new(kind, 2, Some("x"), Some(7)), &PLACED, None),
                []
            );
        }
        for kind in [
            EventKind::Message,
            EventKind::Join,
            EventKind::Leave,
            EventKind::Topic,
        ] {
            assert!(!needs_live_target(kind), "{kind:?}");
        }
    }

    #[test]
    fn a_joiner_has_read_everything_before_their_join_and_the_creator_owns() {
        let changes = |user| effects_of(&new(EventKind::Join, user, None, None), &PLACED, None);
        assert_eq!(
            changes(2),
            vec![Change::AddMember {
                user: 2,
                role: Role::Member,
                joined_at_ms: 1_000,
                last_read: 9,
                read_count: 4,
            }]
        );
        assert!(matches!(
            changes(1)[..],
            [Change::AddMember {
                role: Role::Owner,
                ..
            }]
        ));
        let no_creator = Placed {
            room_creator: None,
            ..PLACED
        };
        assert_eq!(role_on_join(1, no_creator.room_creator), Role::Member);
    }

    #[test]
    fn leave_removes_the_member_and_topic_sets_the_topic() {
        assert_eq!(
            effects_of(&new(EventKind::Leave, 2, None, None), &PLACED, None),
            vec![Change::RemoveMember { user: 2 }]
        );
        assert_eq!(
            effects_of(&new(EventKind::Topic, 2, Some("news"), None), &PLACED, None),
            vec![Change::SetTopic {
                topic: "news".into()
            }]
        );
        assert_eq!(
            effects_of(&new(EventKind::Topic, 2, None, None), &PLACED, None),
            vec![Change::SetTopic {
                topic: String::new()
            }],
            "no body clears the topic"
        );
    }

    #[test]
    fn only_messages_count_as_messages() {
        assert!(counts_as_message(EventKind::Message));
        for kind in [
            EventKind::Edit,
            EventKind::Delete,
            EventKind::Join,
            EventKind::Leave,
            EventKind::Topic,
        ] {
            assert!(!counts_as_message(kind), "{kind:?}");
        }
    }
}
