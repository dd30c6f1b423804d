//! Browser sessions and personal access tokens, stored by the hash of their
//! secret, with their throttled record of use and the expiry sweep.

use webchat_core::clock;
use webchat_core::model::{SessionInfo, SessionKind, User, UserId};
use webchat_core::store::StoreError;

use crate::{PgStore, backend};
use webchat_store_sql::rows::{session_from, user_from};

pub(crate) async fn create_session(
    store: &PgStore,
    user: UserId,
    token_hash: &[u8],
    kind: SessionKind,
    name: &str,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO sessions (token_hash, user_id, kind, name, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(token_hash)
    .bind(user)
    .bind(kind.as_str())
    .bind(name)
    .bind(clock::now_ms())
    .fetch_one(&store.pool)
    .await
    .map_err(backend)
}

pub(crate) async fn session_user(
    store: &PgStore,
    token_hash: &[u8],
) -> Result<Option<(User, SessionInfo)>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        ", s.id AS session_id, s.user_id, s.kind, s.name AS session_name, s.created_at, s.last_used_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.map(|row| Ok((user_from(&row)?, session_from(&row)?)))
        .transpose()
        .map_err(backend)
}

pub(crate) async fn sessions(
    store: &PgStore,
    user: UserId,
    kind: SessionKind,
) -> Result<Vec<SessionInfo>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.id AS session_id, s.user_id, s.kind, s.name AS session_name, s.created_at, s.last_used_at \
         FROM sessions s WHERE s.user_id = $1 AND s.kind = $2 ORDER BY s.id",
    )
    .bind(user)
    .bind(kind.as_str())
    .fetch_all(&store.pool)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(session_from)
        .collect::<Result<_, _>>()
        .map_err(backend)
}

pub(crate) async fn delete_session(
    store: &PgStore,
    user: UserId,
    id: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn touch_session(
    store: &PgStore,
    id: i64,
    now_ms: i64,
    unless_since_ms: i64,
) -> Result<(), StoreError> {
    // Conditional, so concurrent requests of one session write at most once.
    sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2 AND last_used_at < $3")
        .bind(now_ms)
        .bind(id)
        .bind(unless_since_ms)
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn delete_expired_sessions(
    store: &PgStore,
    idle_before_ms: i64,
    created_before_ms: i64,
) -> Result<Vec<i64>, StoreError> {
    // Both sides of the OR have an index (migration 0004), so the sweep
    // does not scan every session on the one write connection.
    sqlx::query_scalar(
        "DELETE FROM sessions WHERE kind = 'session' \
         AND (last_used_at < $1 OR created_at < $2) RETURNING id",
    )
    .bind(idle_before_ms)
    .bind(created_before_ms)
    .fetch_all(&store.pool)
    .await
    .map_err(backend)
}
