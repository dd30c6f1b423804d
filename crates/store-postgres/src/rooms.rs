//! Rooms: creation, lookups, the public directory and a member's room list.
//!
//! Unread counts in the room list come from counters, one row per room,
//! never from the log; the formula is the core's
//! ([`webchat_core::unread::Counters`]).

use sqlx::Row;
use webchat_core::clock;
use webchat_core::model::{DirectoryKey, MemberRoom, NewRoom, Role, Room, RoomAccess, UserId};
use webchat_core::store::StoreError;
use webchat_core::unread::Counters;
use webchat_protocol::views::Visibility;

use crate::{PgStore, backend};
use webchat_store_sql::rows::{room_from, seq_value};

pub(crate) async fn create_room(store: &PgStore, room: &NewRoom) -> Result<Room, StoreError> {
    sqlx::query(
        "INSERT INTO rooms (id, name, topic, visibility, head, created_by, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(&room.id)
    .bind(&room.name)
    .bind(&room.topic)
    .bind(room.visibility.as_str())
    .bind(room.created_by)
    .bind(clock::now_ms())
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    Ok(Room {
        id: room.id.clone(),
        name: room.name.clone(),
        topic: room.topic.clone(),
        visibility: room.visibility,
        head: 0,
        member_count: 0,
        owner: Some(room.created_by).filter(|_| room.visibility != Visibility::Dm),
    })
}

pub(crate) async fn room(store: &PgStore, id: &str) -> Result<Option<Room>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        room_columns!(),
        " FROM rooms r WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(room_from).transpose().map_err(backend)
}

/// One query for what every write checks (the trait's default makes three).
pub(crate) async fn room_access(
    store: &PgStore,
    room: &str,
    user: UserId,
) -> Result<Option<RoomAccess>, StoreError> {
    let row = sqlx::query(
        "SELECT r.visibility, r.created_by, r.head, m.role, (b.user_id IS NOT NULL) AS banned \
         FROM rooms r \
         LEFT JOIN members m ON m.room_id = r.id AND m.user_id = $2 \
         LEFT JOIN bans b ON b.room_id = r.id AND b.user_id = $2 \
         WHERE r.id = $1",
    )
    .bind(room)
    .bind(user)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    let Some(row) = row else { return Ok(None) };
    let visibility: String = row.try_get("visibility").map_err(backend)?;
    let visibility = Visibility::parse(&visibility).unwrap_or(Visibility::Private);
    let created_by: Option<i64> = row.try_get("created_by").map_err(backend)?;
    let role: Option<String> = row.try_get("role").map_err(backend)?;
    Ok(Some(RoomAccess {
        visibility,
        owner: created_by.filter(|_| visibility != Visibility::Dm),
        role: role.as_deref().and_then(Role::parse),
        banned: row.try_get("banned").map_err(backend)?,
        head: seq_value(row.try_get("head").map_err(backend)?),
    }))
}

pub(crate) async fn rooms_created(store: &PgStore, user: UserId) -> Result<u64, StoreError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rooms WHERE created_by = $1 AND visibility != 'dm'",
    )
    .bind(user)
    .fetch_one(&store.pool)
    .await
    .map_err(backend)?;
    Ok(seq_value(count))
}

pub(crate) async fn public_rooms(
    store: &PgStore,
    after: Option<&DirectoryKey>,
    limit: u32,
) -> Result<Vec<Room>, StoreError> {
    // Keyset paging over (member_count DESC, head DESC, id ASC); without a
    // cursor the key compares as "before everything".
    let sql = concat!(
        "SELECT * FROM (SELECT ",
        room_columns!(),
        " FROM rooms r WHERE r.visibility = 'public') \
         AS directory WHERE $1::BIGINT IS NULL \
            OR member_count < $1 \
            OR (member_count = $1 AND head < $2) \
            OR (member_count = $1 AND head = $2 AND id > $3) \
         ORDER BY member_count DESC, head DESC, id ASC LIMIT $4"
    );
    let rows = sqlx::query(sql)
        .bind(after.map(|k| i64::try_from(k.member_count).unwrap_or(i64::MAX)))
        .bind(after.map(|k| i64::try_from(k.head).unwrap_or(i64::MAX)))
        .bind(after.map(|k| k.id.as_str()))
        .bind(i64::from(limit))
        .fetch_all(&store.pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(room_from)
        .collect::<Result<_, _>>()
        .map_err(backend)
}

pub(crate) async fn all_rooms(store: &PgStore) -> Result<Vec<Room>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        room_columns!(),
        " FROM rooms r ORDER BY r.id"
    ))
    .fetch_all(&store.pool)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(room_from)
        .collect::<Result<_, _>>()
        .map_err(backend)
}

pub(crate) async fn member_rooms(
    store: &PgStore,
    user: UserId,
) -> Result<Vec<MemberRoom>, StoreError> {
    // O(1) per room: unread comes from counters, not from the log.
    let sql = concat!(
        "SELECT ",
        room_columns!(),
        ", m.last_read, m.role, r.message_count, m.read_count, m.own_unread, m.deleted_unread, \
         (SELECT p.name FROM members pm JOIN users p ON p.id = pm.user_id \
            WHERE r.visibility = 'dm' AND pm.room_id = r.id AND pm.user_id != m.user_id LIMIT 1) AS peer_name \
         FROM members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = $1 ORDER BY r.id"
    );
    let rows = sqlx::query(sql)
        .bind(user)
        .fetch_all(&store.pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|row| {
            let last_read: i64 = row.try_get("last_read")?;
            let role: String = row.try_get("role")?;
            let counters = Counters {
                message_count: row.try_get("message_count")?,
                read_count: row.try_get("read_count")?,
                own_unread: row.try_get("own_unread")?,
                deleted_unread: row.try_get("deleted_unread")?,
            };
            Ok(MemberRoom {
                room: room_from(row)?,
                last_read: seq_value(last_read),
                unread: counters.unread(),
                role: Role::parse(&role).unwrap_or(Role::Member),
                peer_name: row.try_get("peer_name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(backend)
}
