//! Users, rooms and events as the core handles them, and their views on the wire.

use webchat_protocol::views::{AuthorView, EventKind, EventView, RoomView, UserView, Visibility};

use crate::clock;

pub type UserId = i64;
pub type EventId = i64;

/// A user: a guest (a display name only) or an account (a unique username
/// and a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub guest: bool,
    /// A guest of the seed endpoint, whose name is its client id: only its
    /// events are sent to seed clients with a numeric `clientId` (spec §4).
    pub seed: bool,
    pub username: Option<String>,
    pub admin: bool,
}

impl User {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            name: self.name.clone(),
            guest: self.guest,
            username: self.username.clone(),
            admin: self.admin,
        }
    }

    pub fn author(&self) -> Author {
        Author {
            id: self.id,
            name: self.name.clone(),
            guest: self.guest,
            seed: self.seed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub id: UserId,
    pub name: String,
    pub guest: bool,
    /// See [`User::seed`]; not on the v1 wire.
    pub seed: bool,
}

impl Author {
    /// A guest named after its id, for the core's unit tests.
    #[cfg(test)]
    pub(crate) fn test_guest(id: UserId) -> Author {
        Author {
            id,
            name: format!("u{id}"),
            guest: true,
            seed: false,
        }
    }

    pub fn view(&self) -> AuthorView {
        AuthorView {
            id: self.id,
            name: self.name.clone(),
            guest: self.guest,
        }
    }
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
    /// Who made the room and owns it, member or not: ownership moves only
    /// on purpose. `None` for direct-message rooms, which have no owner.
    pub owner: Option<UserId>,
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

/// A member's standing in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Moderator,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "member" => Role::Member,
            "moderator" => Role::Moderator,
            "owner" => Role::Owner,
            _ => return None,
        })
    }
}

/// A session (a browser sign-in) or a personal access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Session,
    Token,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Session => "session",
            SessionKind::Token => "token",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: i64,
    pub user: UserId,
    pub kind: SessionKind,
    pub name: String,
    pub created_at_ms: i64,
    /// When it last authenticated something, as recorded by
    /// [`Store::touch_session`](crate::store::Store::touch_session): that write
    /// is throttled, so this lags real use by up to the throttle interval.
    pub last_used_at_ms: i64,
}

/// A room as one member sees it in their room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRoom {
    pub room: Room,
    pub last_read: u64,
    pub unread: u64,
    pub role: Role,
    /// For direct-message rooms: the other member's name.
    pub peer_name: Option<String>,
}

/// What a caller asks to append to a room's log.
///
/// `author` is whom the event is about (the sender of a message, the member
/// who joins or leaves); `actor` is who caused it when that is someone else
/// (the moderator who kicks, the member who invites).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub room: String,
    pub kind: EventKind,
    pub author: Author,
    pub body: Option<String>,
    pub target: Option<EventId>,
    pub nonce: Option<String>,
    pub actor: Option<Author>,
}

impl NewEvent {
    /// An event with only a kind and an author (joins, leaves).
    pub fn simple(room: &str, kind: EventKind, author: &User) -> Self {
        NewEvent {
            room: room.to_owned(),
            kind,
            author: author.author(),
            body: None,
            target: None,
            nonce: None,
            actor: None,
        }
    }
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
    pub actor: Option<Author>,
    /// For messages: edited since sent (the body is the current text).
    pub edited: bool,
    /// For messages: deleted; the body (and the bodies of its edits) are gone.
    pub deleted: bool,
}

impl Event {
    pub fn view(&self) -> EventView {
        EventView {
            room: self.room.clone(),
            seq: self.seq,
            id: self.id,
            ts: clock::rfc3339_ms(self.ts_ms),
            kind: self.kind,
            author: self.author.view(),
            body: self.body.clone(),
            target: self.target,
            nonce: self.nonce.clone(),
            actor: self.actor.as_ref().map(Author::view),
            edited: self.edited,
            deleted: self.deleted,
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

/// What decides what a user may do in a room, read in one go on the hot
/// path (every message a user sends checks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomAccess {
    pub visibility: Visibility,
    /// See [`Room::owner`].
    pub owner: Option<UserId>,
    /// The user's role, if they are a member.
    pub role: Option<Role>,
    pub banned: bool,
    /// The room's newest seq.
    pub head: u64,
}

/// Where a page of the public room directory starts: after the room with
/// this key, in directory order (most members first, then most events, then
/// id). Clients see it as an opaque cursor (see [`DirectoryKey::cursor`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryKey {
    pub member_count: u64,
    pub head: u64,
    pub id: String,
}

impl DirectoryKey {
    /// The key of `room`, after which the next page starts.
    pub fn of(room: &Room) -> Self {
        DirectoryKey {
            member_count: room.member_count,
            head: room.head,
            id: room.id.clone(),
        }
    }

    /// The cursor a client passes back: `members.head.id` (room ids have no dot).
    pub fn cursor(&self) -> String {
        format!("{}.{}.{}", self.member_count, self.head, self.id)
    }

    /// Reads a cursor made by [`DirectoryKey::cursor`]; `None` if it is not one.
    pub fn parse(cursor: &str) -> Option<Self> {
        let mut parts = cursor.splitn(3, '.');
        let member_count = parts.next()?.parse().ok()?;
        let head = parts.next()?.parse().ok()?;
        let id = parts.next()?.to_owned();
        (!id.is_empty()).then_some(DirectoryKey {
            member_count,
            head,
            id,
        })
    }
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
