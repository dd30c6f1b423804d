//! People: guests (seed guests included), accounts with their credentials
//! and admin flag, and the block lists between them.
//!
//! Account usernames are reserved against look-alikes through the
//! `username_skeleton` column and its unique index: the checks are made in
//! the same statement as the write, under a lock all creations of users take
//! across nodes ([`names_locked`]; docs/decisions/0005-look-alike-names.md). Which account is an admin is
//! the core's rule ([`accounts::admin_on_creation`]), read and written in
//! one transaction.

use webchat_core::accounts;
use webchat_core::clock;
use webchat_core::model::{User, UserId};
use webchat_core::store::{Credentials, StoreError};
use webchat_protocol::validate::{name_skeleton, name_skeletons};

use crate::{PgStore, Tx, backend};
use webchat_store_sql::rows::user_from;

pub(crate) async fn create_guest(store: &PgStore, name: &str) -> Result<User, StoreError> {
    let [lower, as_written] = name_skeletons(name);
    let mut tx = names_locked(store).await?;
    let row = sqlx::query(concat!(
        "INSERT INTO users (name, guest, created_at) SELECT $1, TRUE, $2 \
         WHERE NOT EXISTS (SELECT 1 FROM users WHERE username_skeleton IN ($3, $4))",
        returning_user!()
    ))
    .bind(name)
    .bind(clock::now_ms())
    .bind(lower)
    .bind(as_written)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    .ok_or(StoreError::Conflict)?;
    let user = user_from(&row).map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(user)
}

pub(crate) async fn seed_guest(store: &PgStore, client_id: &str) -> Result<User, StoreError> {
    let [lower, as_written] = name_skeletons(client_id);
    let mut tx = names_locked(store).await?;
    let row = sqlx::query(concat!(
        "INSERT INTO users (name, guest, seed_client_id, created_at) SELECT $1, TRUE, $1, $2 \
         WHERE NOT EXISTS (SELECT 1 FROM users WHERE username_skeleton IN ($3, $4)) \
         ON CONFLICT (seed_client_id) DO UPDATE SET name = users.name",
        returning_user!()
    ))
    .bind(client_id)
    .bind(clock::now_ms())
    .bind(lower)
    .bind(as_written)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    match row {
        Some(row) => user_from(&row).map_err(backend),
        // Nothing inserted: the id looks like an account's username. A seed
        // guest made before that account keeps its id, though.
        None => find_seed_guest(store, client_id)
            .await?
            .ok_or(StoreError::Conflict),
    }
}

pub(crate) async fn find_seed_guest(
    store: &PgStore,
    client_id: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.seed_client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.map(|row| user_from(&row).map_err(backend)).transpose()
}

pub(crate) async fn user(store: &PgStore, id: UserId) -> Result<User, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?
    .ok_or(StoreError::NotFound)?;
    user_from(&row).map_err(backend)
}

/// A transaction holding the lock every creation of a guest or an account
/// takes first, across nodes: the look-alike checks and "is this the first
/// account" then read what every earlier creation committed, as SQLite's
/// one writer makes them do. Sign-ins are rate-limited, so one lock costs
/// little.
async fn names_locked(store: &PgStore) -> Result<Tx<'static>, StoreError> {
    /// Any fixed key, the same on every node ("webchat" and 1, in ASCII).
    const NAMES: i64 = 0x7765_6263_6861_7401;
    let mut tx = store.pool.begin().await.map_err(backend)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(NAMES)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    Ok(tx)
}

/// Whether the server has an account yet, read in the writing transaction.
async fn accounts_exist(tx: &mut Tx<'_>) -> Result<bool, StoreError> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username IS NOT NULL)")
        .fetch_one(&mut **tx)
        .await
        .map_err(backend)
}

pub(crate) async fn create_account(
    store: &PgStore,
    username: &str,
    password_hash: &str,
) -> Result<User, StoreError> {
    let mut tx = names_locked(store).await?;
    let admin = accounts::admin_on_creation(accounts_exist(&mut tx).await?);
    let row = sqlx::query(concat!(
        "INSERT INTO users (name, guest, username, password_hash, is_admin, created_at, username_skeleton) \
         VALUES ($1, FALSE, $1, $2, $3, $4, $5)",
        returning_user!()
    ))
    .bind(username)
    .bind(password_hash)
    .bind(admin)
    .bind(clock::now_ms())
    .bind(name_skeleton(username))
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    let user = user_from(&row).map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(user)
}

pub(crate) async fn upgrade_guest(
    store: &PgStore,
    user: UserId,
    username: &str,
    password_hash: &str,
) -> Result<User, StoreError> {
    let mut tx = names_locked(store).await?;
    let admin = accounts::admin_on_creation(accounts_exist(&mut tx).await?);
    let row = sqlx::query(concat!(
        "UPDATE users SET name = $1, guest = FALSE, username = $1, password_hash = $2, \
         is_admin = $3, username_skeleton = $4 \
         WHERE id = $5 AND guest",
        returning_user!()
    ))
    .bind(username)
    .bind(password_hash)
    .bind(admin)
    .bind(name_skeleton(username))
    .bind(user)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    .ok_or(StoreError::NotFound)?;
    let user = user_from(&row).map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(user)
}

pub(crate) async fn credentials(
    store: &PgStore,
    username: &str,
) -> Result<Option<Credentials>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        ", u.password_hash FROM users u WHERE u.username = $1 AND u.password_hash IS NOT NULL"
    ))
    .bind(username)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.map(|row| {
        Ok(Credentials {
            user: user_from(&row)?,
            password_hash: sqlx::Row::try_get(&row, "password_hash")?,
        })
    })
    .transpose()
    .map_err(backend)
}

pub(crate) async fn user_by_username(
    store: &PgStore,
    username: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.username = $1"
    ))
    .bind(username)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(user_from).transpose().map_err(backend)
}

pub(crate) async fn set_admin(
    store: &PgStore,
    user: UserId,
    admin: bool,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET is_admin = $1 WHERE id = $2")
        .bind(admin)
        .bind(user)
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) async fn block(
    store: &PgStore,
    user: UserId,
    blocked: UserId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO blocks (user_id, blocked_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(blocked)
    .bind(clock::now_ms())
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn unblock(
    store: &PgStore,
    user: UserId,
    blocked: UserId,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2")
        .bind(user)
        .bind(blocked)
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn blocked(store: &PgStore, user: UserId) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.user_id = $1 ORDER BY u.id"
    ))
    .bind(user)
    .fetch_all(&store.pool)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(user_from)
        .collect::<Result<_, _>>()
        .map_err(backend)
}

pub(crate) async fn blocks(
    store: &PgStore,
    user: UserId,
    other: UserId,
) -> Result<bool, StoreError> {
    let found: Option<bool> =
        sqlx::query_scalar("SELECT TRUE FROM blocks WHERE user_id = $1 AND blocked_id = $2")
            .bind(user)
            .bind(other)
            .fetch_optional(&store.pool)
            .await
            .map_err(backend)?;
    Ok(found.is_some())
}
