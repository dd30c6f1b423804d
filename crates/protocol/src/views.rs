//! The shapes of the things the protocol talks about (users, rooms, events),
//! shared by REST bodies and WebSocket frames so both always agree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A user as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub guest: bool,
    /// The account's unique login name (accounts only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(nullable = false)]
    pub username: Option<String>,
    /// A server administrator (shown only when true).
    #[serde(skip_serializing_if = "is_false", default)]
    pub admin: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The author of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuthorView {
    pub id: i64,
    pub name: String,
    /// A guest (shown only when true): a guest's name is not reserved the way
    /// an account's username is, so clients show guests as guests.
    #[serde(skip_serializing_if = "is_false", default)]
    pub guest: bool,
}

/// The kinds of events in a room's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Message,
    Edit,
    Delete,
    Join,
    Leave,
    Topic,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Message => "message",
            EventKind::Edit => "edit",
            EventKind::Delete => "delete",
            EventKind::Join => "join",
            EventKind::Leave => "leave",
            EventKind::Topic => "topic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "message" => EventKind::Message,
            "edit" => EventKind::Edit,
            "delete" => EventKind::Delete,
            "join" => EventKind::Join,
            "leave" => EventKind::Leave,
            "topic" => EventKind::Topic,
            _ => return None,
        })
    }
}

/// One event of a room's log: the body of an `event` frame and an item of
/// `GET /rooms/{room}/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    pub room: String,
    pub seq: u64,
    pub id: i64,
    /// RFC 3339, UTC, millisecond precision.
    pub ts: String,
    pub kind: EventKind,
    pub author: AuthorView,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(nullable = false)]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(nullable = false)]
    pub target: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(nullable = false)]
    pub nonce: Option<String>,
    /// Who caused a membership change when it was not the member (kick, ban, invite).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(nullable = false)]
    pub actor: Option<AuthorView>,
    /// A message edited since it was sent; `body` is its current text.
    #[serde(skip_serializing_if = "is_false", default)]
    pub edited: bool,
    /// A deleted message (a tombstone): it has no `body`.
    #[serde(skip_serializing_if = "is_false", default)]
    pub deleted: bool,
}

/// Who may see and join a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Public,
    Private,
    Dm,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Dm => "dm",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "public" => Visibility::Public,
            "private" => Visibility::Private,
            "dm" => Visibility::Dm,
            _ => return None,
        })
    }
}

/// A room. `unread` and `last_read` are present only in `GET /rooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RoomView {
    pub id: String,
    pub name: String,
    pub topic: String,
    pub visibility: Visibility,
    pub head: u64,
    pub member_count: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(nullable = false)]
    pub unread: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(nullable = false)]
    pub last_read: Option<u64>,
}
