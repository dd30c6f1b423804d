//! The rules of importing a room from an export, decided here once for every
//! backend: [`plan`] turns the exported log and rules into the rows to write
//! (events, members with their counters and roles, bans), and the backend
//! writes them in one transaction
//! ([`Store::import_room`](crate::store::Store::import_room)).
//!
//! The rules: seqs must ascend; tombstones stay tombstones (no text of a
//! deleted message, nor of its edits, is written, whatever the file says);
//! edit and delete targets follow the events they point to; membership
//! follows the log's joins and leaves as the append path would make it
//! (a joiner has read everything before their join); the room's creator owns
//! it and any other owner in the rules becomes a moderator (a room has one
//! owner); a role is given only to a member; and a ban wins over a
//! membership the log still shows (a server stopped between a ban and its
//! leave), as the server treats a banned member.

use std::collections::{BTreeMap, HashMap, HashSet};

use thiserror::Error;
use webchat_protocol::views::EventKind;

use crate::effects;
use crate::model::{Event, EventId, NewRoom, Role, UserId};
use crate::store::{Ban, RoomRules};
use crate::unread::Recount;

/// Why an export cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    #[error("import: seq {seq} is not ascending")]
    SeqNotAscending { seq: u64 },
}

/// One event as it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEvent<'a> {
    /// The exported event: seq, kind, author, actor, timestamp, `edited` and
    /// `deleted` are kept as they are; its id is not (the backend assigns a
    /// new one) and it has no nonce.
    pub source: &'a Event,
    /// The text to write; `None` for a tombstone and the edits of one.
    pub body: Option<&'a str>,
    /// The position in [`ImportPlan::events`] of the event it targets,
    /// which comes earlier; `None` when the file has no such earlier event.
    pub target: Option<usize>,
    /// Its number among the room's messages, for messages.
    pub message_no: Option<u64>,
    /// Whether its text goes into the search index (live messages only).
    pub indexed: bool,
}

/// A member of the imported room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMember {
    pub user: UserId,
    pub role: Role,
    pub joined_at_ms: i64,
    /// Their join's seq: what was before it counts as read.
    pub last_read: u64,
    pub counters: Recount,
}

/// Everything an import writes, in the order to write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan<'a> {
    pub head: u64,
    pub message_count: u64,
    pub events: Vec<ImportedEvent<'a>>,
    /// By user id.
    pub members: Vec<ImportedMember>,
    /// One per user, the first the rules name; by the rules' order.
    pub bans: Vec<Ban>,
}

/// What importing `events` and `rules` as `room` writes.
pub fn plan<'a>(
    room: &NewRoom,
    events: &'a [Event],
    rules: &RoomRules,
) -> Result<ImportPlan<'a>, ImportError> {
    let deleted: HashSet<EventId> = events.iter().filter(|e| e.deleted).map(|e| e.id).collect();
    let mut positions: HashMap<EventId, usize> = HashMap::new();
    let mut members: BTreeMap<UserId, ImportedMember> = BTreeMap::new();
    let mut written = Vec::with_capacity(events.len());
    let mut message_count = 0u64;
    let mut head = 0u64;
    for (position, event) in events.iter().enumerate() {
        if event.seq <= head {
            return Err(ImportError::SeqNotAscending { seq: event.seq });
        }
        head = event.seq;
        let is_message = effects::counts_as_message(event.kind);
        if is_message {
            message_count += 1;
        }
        let erased = event.deleted || event.target.is_some_and(|t| deleted.contains(&t));
        written.push(ImportedEvent {
            source: event,
            body: if erased { None } else { event.body.as_deref() },
            target: event.target.and_then(|t| positions.get(&t).copied()),
            message_no: is_message.then_some(message_count),
            indexed: is_message && !event.deleted,
        });
        positions.insert(event.id, position);
        match event.kind {
            EventKind::Join => {
                members
                    .entry(event.author.id)
                    .or_insert_with(|| ImportedMember {
                        user: event.author.id,
                        role: Role::Member,
                        joined_at_ms: event.ts_ms,
                        last_read: event.seq,
                        counters: Recount {
                            read_count: count(message_count),
                            ..Recount::default()
                        },
                    });
            }
            EventKind::Leave => {
                members.remove(&event.author.id);
            }
            _ => {}
        }
    }
    // What after each member's marker is not unread to them, as the append
    // path would have counted it.
    for member in members.values_mut() {
        let after_marker = events
            .iter()
            .filter(|e| e.kind == EventKind::Message && e.seq > member.last_read);
        for event in after_marker {
            if event.author.id == member.user {
                member.counters.own_unread += 1;
            } else if event.deleted {
                member.counters.deleted_unread += 1;
            }
        }
    }
    for &(user, role) in &rules.roles {
        if let Some(member) = members.get_mut(&user) {
            member.role = match role {
                Role::Owner if user != room.created_by => Role::Moderator,
                role => role,
            };
        }
    }
    if let Some(creator) = members.get_mut(&room.created_by) {
        creator.role = Role::Owner;
    }
    let mut bans: Vec<Ban> = Vec::with_capacity(rules.bans.len());
    for ban in &rules.bans {
        if !bans.iter().any(|b| b.user == ban.user) {
            bans.push(*ban);
        }
        members.remove(&ban.user);
    }
    Ok(ImportPlan {
        head,
        message_count,
        events: written,
        members: members.into_values().collect(),
        bans,
    })
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use webchat_protocol::views::Visibility;

    use super::*;
    use crate::model::Author;

    const KIM: UserId = 1;
    const LEE: UserId = 2;
    const MAX: UserId = 3;

    fn event(id: EventId, seq: u64, kind: EventKind, author: UserId) -> Event {
        Event {
            room: "old".into(),
            seq,
            id,
            ts_ms: 1_000 + id,
            kind,
            author: Author::test_guest(author),
            body: (kind == EventKind::Message || kind == EventKind::Edit)
                .then(|| format!("text {id}")),
            target: None,
            nonce: Some("dropped".into()),
            actor: None,
            edited: false,
            deleted: false,
        }
    }

    fn targeting(mut e: Event, target: EventId) -> Event {
        e.target = Some(target);
        e
    }

    fn room() -> NewRoom {
        NewRoom {
            id: "copy".into(),
            name: "copy".into(),
            topic: String::new(),
            visibility: Visibility::Public,
            created_by: KIM,
        }
    }

    /// kim joins and writes, lee joins, kim writes twice (one later deleted,
    /// with an edit), lee writes, max joins and leaves.
    fn log() -> Vec<Event> {
        let mut deleted = event(14, 5, EventKind::Message, KIM);
        deleted.deleted = true;
        deleted.body = Some("forged".into());
        vec![
            event(10, 1, EventKind::Join, KIM),
            event(11, 2, EventKind::Message, KIM),
            event(12, 3, EventKind::Join, LEE),
            event(13, 4, EventKind::Message, KIM),
            deleted,
            targeting(event(15, 6, EventKind::Edit, KIM), 14),
            targeting(event(16, 7, EventKind::Delete, KIM), 14),
            event(17, 8, EventKind::Message, LEE),
            event(18, 9, EventKind::Join, MAX),
            event(19, 10, EventKind::Leave, MAX),
        ]
    }

    #[test]
    fn tombstones_stay_tombstones_and_targets_follow_positions() {
        let log = log();
        let plan = plan(&room(), &log, &RoomRules::default()).expect("plans");
        let bodies: Vec<_> = plan.events.iter().map(|e| e.body).collect();
        assert_eq!(bodies[4], None, "the deleted message's text is not written");
        assert_eq!(bodies[5], None, "nor its edit's");
        assert_eq!(bodies[3], Some("text 13"));
        assert_eq!(plan.events[5].target, Some(4));
        assert_eq!(plan.events[6].target, Some(4));
        assert!(!plan.events[4].indexed && plan.events[3].indexed);
        let numbers: Vec<_> = plan.events.iter().filter_map(|e| e.message_no).collect();
        assert_eq!(
            numbers,
            vec![1, 2, 3, 4],
            "deleted messages keep their number"
        );
        assert_eq!((plan.head, plan.message_count), (10, 4));
    }

    #[test]
    fn a_target_not_earlier_in_the_file_is_dropped() {
        let log = vec![
            targeting(event(20, 1, EventKind::Edit, KIM), 21),
            event(21, 2, EventKind::Message, KIM),
        ];
        let plan = plan(&room(), &log, &RoomRules::default()).expect("plans");
        assert_eq!(plan.events[0].target, None);
    }

    #[test]
    fn members_follow_the_log_with_counters_as_the_append_path_keeps_them() {
        let log = log();
        let plan = plan(&room(), &log, &RoomRules::default()).expect("plans");
        assert_eq!(
            plan.members,
            vec![
                ImportedMember {
                    user: KIM,
                    role: Role::Owner,
                    joined_at_ms: 1_010,
                    last_read: 1,
                    // All four messages after the join: three kim's own, one lee's.
                    counters: Recount {
                        read_count: 0,
                        own_unread: 3,
                        deleted_unread: 0,
                    },
                },
                ImportedMember {
                    user: LEE,
                    role: Role::Member,
                    joined_at_ms: 1_012,
                    last_read: 3,
                    counters: Recount {
                        read_count: 1,
                        own_unread: 1,
                        deleted_unread: 1,
                    },
                },
            ],
            "max left"
        );
    }

    #[test]
    fn one_owner_roles_for_members_only_and_bans_win() {
        let log = log();
        let rules = RoomRules {
            roles: vec![
                (KIM, Role::Moderator),
                (LEE, Role::Owner),
                (MAX, Role::Moderator),
            ],
            bans: vec![Ban { user: MAX, by: KIM }, Ban { user: MAX, by: LEE }],
        };
        let plan = plan(&room(), &log, &rules).expect("plans");
        let roles: Vec<_> = plan.members.iter().map(|m| (m.user, m.role)).collect();
        assert_eq!(roles, vec![(KIM, Role::Owner), (LEE, Role::Moderator)]);
        assert_eq!(plan.bans, vec![Ban { user: MAX, by: KIM }], "the first ban");
        let banned_member = RoomRules {
            roles: Vec::new(),
            bans: vec![Ban { user: LEE, by: KIM }],
        };
        let plan = super::plan(&room(), &log, &banned_member).expect("plans");
        assert!(plan.members.iter().all(|m| m.user != LEE));
    }

    #[test]
    fn seqs_must_ascend() {
        let mut log = log();
        log[3].seq = 2;
        assert_eq!(
            plan(&room(), &log, &RoomRules::default()),
            Err(ImportError::SeqNotAscending { seq: 2 })
        );
        let zero = vec![event(1, 0, EventKind::Join, KIM)];
        assert_eq!(
            plan(&room(), &zero, &RoomRules::default()),
            Err(ImportError::SeqNotAscending { seq: 0 })
        );
    }
}
