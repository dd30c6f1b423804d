//! From rows to domain types, for any SQL backend whose rows decode the
//! column types both schemas use (BIGINT or INTEGER as `i64`, TEXT as
//! `String`, booleans as `bool`), and the column lists the queries share.
//!
//! The column lists are macros so that every query stays one `&'static
//! str` (`concat!`): SQL is never built at run time, which is the point.
//! They are the same text for SQLite and PostgreSQL.

use sqlx::{ColumnIndex, Decode, Row, Type};
use webchat_core::model::{Author, Event, Room, SessionInfo, SessionKind, User};
use webchat_protocol::views::{EventKind, Visibility};

#[macro_export]
macro_rules! room_columns {
    () => {
        "r.id, r.name, r.topic, r.visibility, r.head, r.created_by, \
         (SELECT COUNT(*) FROM members m2 WHERE m2.room_id = r.id) AS member_count"
    };
}

#[macro_export]
macro_rules! user_columns {
    () => {
        "u.id, u.name, u.guest, (u.guest AND u.seed_client_id IS NOT NULL) AS seed, u.username, u.is_admin"
    };
}

/// The same columns for `RETURNING` (no table alias there).
#[macro_export]
macro_rules! returning_user {
    () => {
        " RETURNING id, name, guest, (guest AND seed_client_id IS NOT NULL) AS seed, username, is_admin"
    };
}

#[macro_export]
macro_rules! select_events {
    () => {
        "SELECT e.id, e.room_id, e.seq, e.kind, e.author_id, u.name AS author_name, \
         u.guest AS author_guest, (u.guest AND u.seed_client_id IS NOT NULL) AS author_seed, \
         e.body, e.target, e.nonce, e.ts, e.edited, e.deleted, \
         e.actor_id, a.name AS actor_name, a.guest AS actor_guest, \
         (a.guest AND a.seed_client_id IS NOT NULL) AS actor_seed \
         FROM events e JOIN users u ON u.id = e.author_id LEFT JOIN users a ON a.id = e.actor_id "
    };
}

/// A row of a backend that decodes what the shared schemas hold; every
/// sqlx row type of such a backend is one.
pub trait DomainRow {
    fn user(&self) -> Result<User, sqlx::Error>;
    fn room(&self) -> Result<Room, sqlx::Error>;
    fn event(&self) -> Result<Event, sqlx::Error>;
    fn session(&self) -> Result<SessionInfo, sqlx::Error>;
}

impl<R: Row> DomainRow for R
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn user(&self) -> Result<User, sqlx::Error> {
        Ok(User {
            id: self.try_get("id")?,
            name: self.try_get("name")?,
            guest: self.try_get("guest")?,
            seed: self.try_get("seed")?,
            username: self.try_get("username")?,
            admin: self.try_get("is_admin")?,
        })
    }

    fn room(&self) -> Result<Room, sqlx::Error> {
        let visibility: String = self.try_get("visibility")?;
        let head: i64 = self.try_get("head")?;
        let member_count: i64 = self.try_get("member_count")?;
        let visibility = Visibility::parse(&visibility).unwrap_or(Visibility::Private);
        let created_by: Option<i64> = self.try_get("created_by")?;
        Ok(Room {
            id: self.try_get("id")?,
            name: self.try_get("name")?,
            topic: self.try_get("topic")?,
            visibility,
            head: seq_value(head),
            member_count: seq_value(member_count),
            owner: created_by.filter(|_| visibility != Visibility::Dm),
        })
    }

    fn event(&self) -> Result<Event, sqlx::Error> {
        let kind: String = self.try_get("kind")?;
        let seq: i64 = self.try_get("seq")?;
        let actor_id: Option<i64> = self.try_get("actor_id")?;
        let actor_name: Option<String> = self.try_get("actor_name")?;
        let actor_guest: Option<bool> = self.try_get("actor_guest")?;
        let actor_seed: Option<bool> = self.try_get("actor_seed")?;
        Ok(Event {
            room: self.try_get("room_id")?,
            seq: seq_value(seq),
            id: self.try_get("id")?,
            ts_ms: self.try_get("ts")?,
            kind: EventKind::parse(&kind)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown event kind {kind}").into()))?,
            author: Author {
                id: self.try_get("author_id")?,
                name: self.try_get("author_name")?,
                guest: self.try_get("author_guest")?,
                seed: self.try_get("author_seed")?,
            },
            body: self.try_get("body")?,
            target: self.try_get("target")?,
            nonce: self.try_get("nonce")?,
            actor: actor_id.map(|id| Author {
                id,
                name: actor_name.unwrap_or_default(),
                guest: actor_guest.unwrap_or_default(),
                seed: actor_seed.unwrap_or_default(),
            }),
            edited: self.try_get("edited")?,
            deleted: self.try_get("deleted")?,
        })
    }

    fn session(&self) -> Result<SessionInfo, sqlx::Error> {
        let kind: String = self.try_get("kind")?;
        Ok(SessionInfo {
            id: self.try_get("session_id")?,
            user: self.try_get("user_id")?,
            kind: if kind == "token" {
                SessionKind::Token
            } else {
                SessionKind::Session
            },
            name: self.try_get("session_name")?,
            created_at_ms: self.try_get("created_at")?,
            last_used_at_ms: self.try_get("last_used_at")?,
        })
    }
}

pub fn user_from<R: DomainRow>(row: &R) -> Result<User, sqlx::Error> {
    row.user()
}

pub fn room_from<R: DomainRow>(row: &R) -> Result<Room, sqlx::Error> {
    row.room()
}

pub fn event_from<R: DomainRow>(row: &R) -> Result<Event, sqlx::Error> {
    row.event()
}

pub fn session_from<R: DomainRow>(row: &R) -> Result<SessionInfo, sqlx::Error> {
    row.session()
}

/// A seq (or count) as both schemas store it: an `i64`, saturating.
pub fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// A stored seq (or count) back; a negative one (never written) reads as 0.
pub fn seq_value(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}
