//! From rows to domain types, and the column lists the queries share.
//!
//! The column lists are macros so that every query stays one `&'static
//! str` (`concat!`): SQL is never built at run time, which is the point.

use sqlx::Row;
use sqlx::postgres::PgRow;
use webchat_core::model::{Author, Event, Room, SessionInfo, SessionKind, User};
use webchat_protocol::views::{EventKind, Visibility};

macro_rules! room_columns {
    () => {
        "r.id, r.name, r.topic, r.visibility, r.head, r.created_by, \
         (SELECT COUNT(*) FROM members m2 WHERE m2.room_id = r.id) AS member_count"
    };
}

macro_rules! user_columns {
    () => {
        "u.id, u.name, u.guest, (u.guest AND u.seed_client_id IS NOT NULL) AS seed, u.username, u.is_admin"
    };
}

/// The same columns for `RETURNING` (no table alias there).
macro_rules! returning_user {
    () => {
        " RETURNING id, name, guest, (guest AND seed_client_id IS NOT NULL) AS seed, username, is_admin"
    };
}

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

pub(crate) fn user_from(row: &PgRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        guest: row.try_get("guest")?,
        seed: row.try_get("seed")?,
        username: row.try_get("username")?,
        admin: row.try_get("is_admin")?,
    })
}

pub(crate) fn room_from(row: &PgRow) -> Result<Room, sqlx::Error> {
    let visibility: String = row.try_get("visibility")?;
    let head: i64 = row.try_get("head")?;
    let member_count: i64 = row.try_get("member_count")?;
    let visibility = Visibility::parse(&visibility).unwrap_or(Visibility::Private);
    let created_by: Option<i64> = row.try_get("created_by")?;
    Ok(Room {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        topic: row.try_get("topic")?,
        visibility,
        head: seq_value(head),
        member_count: seq_value(member_count),
        owner: created_by.filter(|_| visibility != Visibility::Dm),
    })
}

pub(crate) fn event_from(row: &PgRow) -> Result<Event, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let seq: i64 = row.try_get("seq")?;
    let actor_id: Option<i64> = row.try_get("actor_id")?;
    let actor_name: Option<String> = row.try_get("actor_name")?;
    let actor_guest: Option<bool> = row.try_get("actor_guest")?;
    let actor_seed: Option<bool> = row.try_get("actor_seed")?;
    Ok(Event {
        room: row.try_get("room_id")?,
        seq: seq_value(seq),
        id: row.try_get("id")?,
        ts_ms: row.try_get("ts")?,
        kind: EventKind::parse(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown event kind {kind}").into()))?,
        author: Author {
            id: row.try_get("author_id")?,
            name: row.try_get("author_name")?,
            guest: row.try_get("author_guest")?,
            seed: row.try_get("author_seed")?,
        },
        body: row.try_get("body")?,
        target: row.try_get("target")?,
        nonce: row.try_get("nonce")?,
        actor: actor_id.map(|id| Author {
            id,
            name: actor_name.unwrap_or_default(),
            guest: actor_guest.unwrap_or_default(),
            seed: actor_seed.unwrap_or_default(),
        }),
        edited: row.try_get("edited")?,
        deleted: row.try_get("deleted")?,
    })
}

pub(crate) fn session_from(row: &PgRow) -> Result<SessionInfo, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(SessionInfo {
        id: row.try_get("session_id")?,
        user: row.try_get("user_id")?,
        kind: if kind == "token" {
            SessionKind::Token
        } else {
            SessionKind::Session
        },
        name: row.try_get("session_name")?,
        created_at_ms: row.try_get("created_at")?,
        last_used_at_ms: row.try_get("last_used_at")?,
    })
}

/// A seq (or count) as PostgreSQL stores it (BIGINT): an `i64`, saturating.
pub(crate) fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// A stored seq (or count) back; a negative one (never written) reads as 0.
pub(crate) fn seq_value(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}
