//! Membership beside what the log's joins and leaves do: roles, bans, the
//! rules export carries, and read markers.
//!
//! Moving a read marker follows the core's rules
//! ([`webchat_core::unread::marker_target`]: forward only, clamped to the
//! head) and recounts the member's counters as
//! [`webchat_core::unread::Recount`] defines them.

use webchat_core::clock;
use webchat_core::model::{Role, UserId};
use webchat_core::store::{Ban, Member, RoomRules, StoreError};
use webchat_core::unread::{self, Recount};

use crate::{PgStore, Tx, backend};
use webchat_store_sql::rows::{seq_param, seq_value, user_from};

pub(crate) async fn role(
    store: &PgStore,
    room: &str,
    user: UserId,
) -> Result<Option<Role>, StoreError> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM members WHERE room_id = $1 AND user_id = $2")
            .bind(room)
            .bind(user)
            .fetch_optional(&store.pool)
            .await
            .map_err(backend)?;
    Ok(role.as_deref().and_then(Role::parse))
}

pub(crate) async fn set_role(
    store: &PgStore,
    room: &str,
    user: UserId,
    role: Role,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE members SET role = $1 WHERE room_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(room)
        .bind(user)
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) async fn members(store: &PgStore, room: &str) -> Result<Vec<Member>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        ", m.role FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 ORDER BY u.id LIMIT 10000"
    ))
    .bind(room)
    .fetch_all(&store.pool)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|row| {
            let role: String = sqlx::Row::try_get(row, "role")?;
            Ok(Member {
                user: user_from(row)?,
                role: Role::parse(&role).unwrap_or(Role::Member),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(backend)
}

pub(crate) async fn ban(
    store: &PgStore,
    room: &str,
    user: UserId,
    by: UserId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO bans (room_id, user_id, banned_by, at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(room)
    .bind(user)
    .bind(by)
    .bind(clock::now_ms())
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn banned_by(
    store: &PgStore,
    room: &str,
    user: UserId,
) -> Result<Option<UserId>, StoreError> {
    sqlx::query_scalar("SELECT banned_by FROM bans WHERE room_id = $1 AND user_id = $2")
        .bind(room)
        .bind(user)
        .fetch_optional(&store.pool)
        .await
        .map_err(backend)
}

pub(crate) async fn unban(store: &PgStore, room: &str, user: UserId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM bans WHERE room_id = $1 AND user_id = $2")
        .bind(room)
        .bind(user)
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn room_rules(store: &PgStore, room: &str) -> Result<RoomRules, StoreError> {
    let roles = sqlx::query_as::<_, (UserId, String)>(
        "SELECT user_id, role FROM members WHERE room_id = $1 AND role != 'member' ORDER BY user_id",
    )
    .bind(room)
    .fetch_all(&store.pool)
    .await
    .map_err(backend)?
    .into_iter()
    .filter_map(|(user, role)| Some((user, Role::parse(&role)?)))
    .collect();
    let bans = sqlx::query_as::<_, (UserId, UserId)>(
        "SELECT user_id, banned_by FROM bans WHERE room_id = $1 ORDER BY user_id",
    )
    .bind(room)
    .fetch_all(&store.pool)
    .await
    .map_err(backend)?
    .into_iter()
    .map(|(user, by)| Ban { user, by })
    .collect();
    Ok(RoomRules { roles, bans })
}

pub(crate) async fn mark_read(
    store: &PgStore,
    room: &str,
    user: UserId,
    seq: u64,
) -> Result<Option<u64>, StoreError> {
    let mut tx = store.pool.begin().await.map_err(backend)?;
    // FOR UPDATE: two markers of one member moved at once on two nodes
    // recount one after the other.
    let current: Option<(i64, i64)> = sqlx::query_as(
        "SELECT m.last_read, r.head FROM members m JOIN rooms r ON r.id = m.room_id \
         WHERE m.room_id = $1 AND m.user_id = $2 FOR UPDATE OF m",
    )
    .bind(room)
    .bind(user)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?;
    let Some((last_read, head)) = current else {
        return Err(StoreError::NotFound);
    };
    let Some(target) = unread::marker_target(seq, seq_value(last_read), seq_value(head)) else {
        return Ok(None);
    };
    let counters = recount(&mut tx, room, user, seq_param(target)).await?;
    sqlx::query(
        "UPDATE members SET last_read = $1, read_count = $2, own_unread = $3, deleted_unread = $4 \
         WHERE room_id = $5 AND user_id = $6",
    )
    .bind(seq_param(target))
    .bind(counters.read_count)
    .bind(counters.own_unread)
    .bind(counters.deleted_unread)
    .bind(room)
    .bind(user)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(Some(target))
}

/// `user`'s counters with their marker at `seq`. Bounded by what lies after
/// the marker (indexes on author and on deleted messages), not by the log.
async fn recount(
    tx: &mut Tx<'_>,
    room: &str,
    user: UserId,
    seq: i64,
) -> Result<Recount, StoreError> {
    let read_count: i64 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT message_no FROM events WHERE room_id = $1 AND seq <= $2 AND kind = 'message' \
         ORDER BY seq DESC LIMIT 1), 0)",
    )
    .bind(room)
    .bind(seq)
    .fetch_one(&mut **tx)
    .await
    .map_err(backend)?;
    let own_unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE room_id = $1 AND author_id = $2 AND seq > $3 AND kind = 'message'",
    )
    .bind(room)
    .bind(user)
    .bind(seq)
    .fetch_one(&mut **tx)
    .await
    .map_err(backend)?;
    let deleted_unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE room_id = $1 AND seq > $2 AND deleted AND author_id != $3",
    )
    .bind(room)
    .bind(seq)
    .bind(user)
    .fetch_one(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(Recount {
        read_count,
        own_unread,
        deleted_unread,
    })
}
