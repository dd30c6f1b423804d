//! Users, rooms and events as the core handles them, and their views on the wire.

use webchat_protocol::views::{AuthorView, EventKind, EventView, RoomView, UserView, Visibility};

use crate::clock;

pub type UserId = i64;
pub type EventId = i64;

/// A user: a guest (a name only) or, later, an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub guest: bool,
}

impl User {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            name: self.name.clone(),
            guest: self.guest,
        }
    }

    pub fn author(&self) -> Author {
        Author {
            id: self.id,
            name: self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub id: UserId,
    pub name: String,
}

/// A room and its current head (the newest seq).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: String,
    pub name: String,
    pub topic: String,
    pub visibility: Visibility,
    pub head: u64,
    pub member_count: u64,
}

impl Room {
    pub fn view(&self) -> RoomView {
        RoomView {
            id: self.id.clone(),
            name: self.name.clone(),
            topic: self.topic.clone(),
            visibility: self.visibility,
            head: self.head,
            member_count: self.member_count,
            unread: None,
            last_read: None,
        }
    }
}

/// A room as one member sees it in their room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRoom {
    pub room: Room,
    pub last_read: u64,
    pub unread: u64,
}

/// What a caller asks to append to a room's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub room: String,
    pub kind: EventKind,
    pub author: Author,
    pub body: Option<String>,
    pub target: Option<EventId>,
    pub nonce: Option<String>,
}

/// A committed event of a room's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub room: String,
    pub seq: u64,
    pub id: EventId,
    pub ts_ms: i64,
    pub kind: EventKind,
    pub author: Author,
    pub body: Option<String>,
    pub target: Option<EventId>,
    pub nonce: Option<String>,
}

impl Event {
    pub fn view(&self) -> EventView {
        EventView {
            room: self.room.clone(),
            seq: self.seq,
            id: self.id,
            ts: clock::rfc3339_ms(self.ts_ms),
            kind: self.kind,
            author: AuthorView {
                id: self.author.id,
                name: self.author.name.clone(),
            },
            body: self.body.clone(),
            target: self.target,
            nonce: self.nonce.clone(),
        }
    }
}

/// New room parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoom {
    pub id: String,
    pub name: String,
    pub topic: String,
    pub visibility: Visibility,
    pub created_by: UserId,
}

/// Which slice of a room's log to read. Results are always in ascending seq.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The newest `limit` events.
    Latest { limit: u32 },
    /// The newest `limit` events with seq < `before`.
    Before { before: u64, limit: u32 },
    /// The oldest `limit` events with seq > `after`.
    After { after: u64, limit: u32 },
}
