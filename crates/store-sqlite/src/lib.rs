//! The embedded store: SQLite through sqlx, in one file of the data folder.
//!
//! - WAL journal, so readers never block the writer, with `synchronous =
//!   FULL` by default: a commit is on disk when `append_batch` returns, so an
//!   `ack` survives even a power cut. `Durability::Normal` (`synchronous =
//!   NORMAL`) syncs only at checkpoints: an `ack` then survives a crash of
//!   the process but not a power loss (see
//!   [`Durability`](webchat_core::store::Durability)).
//! - Two pools: one connection for every write (SQLite has one writer
//!   anyway; funnelling writes through one connection avoids `SQLITE_BUSY`
//!   upgrades), and a few connections for reads.
//! - Migrations are embedded in the binary and run at start-up; then the
//!   accounts without a username skeleton get one (SQL cannot compute it).
//! - Only bound parameters: no SQL is ever built from input.
//! - No domain rules: what an edit, delete, join or leave changes, how
//!   unread counters move, what an import writes and who is the first admin
//!   are decided by `webchat_core` ([`webchat_core::effects`],
//!   [`webchat_core::append`], [`webchat_core::unread`],
//!   [`webchat_core::import`], [`webchat_core::accounts`]); this crate
//!   executes them as SQL.
//!
//! One file per concern: [`open`] (options, pools, migrations, ping and
//! close), [`users`], [`sessions`], [`rooms`], [`members`]
//! (roles, bans, read markers), [`append`] (the write path), [`events`]
//! (reading logs), [`search`] (FTS5), [`import`]. Rows become domain types
//! and the `Store` implementation hands each call to its concern as in every
//! SQL backend ([`webchat_store_sql`]).

#[macro_use]
extern crate webchat_store_sql;

mod append;
mod events;
mod import;
mod members;
mod open;
mod rooms;
mod search;
mod sessions;
mod users;

use sqlx::SqlitePool;
use webchat_core::store::StoreError;

pub struct SqliteStore {
    /// The one connection every write goes through (see the module doc).
    writer: SqlitePool,
    /// Read-only connections: WAL lets them read while the writer commits.
    readers: SqlitePool,
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// The one mapping from sqlx's errors to the store's: a unique index says
/// `Conflict`, a missing row `NotFound`, anything else is the backend's
/// failure (logged by the caller, never shown to clients).
fn backend(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::RowNotFound => StoreError::NotFound,
        _ => StoreError::Backend(error.to_string()),
    }
}

webchat_store_sql::delegate_store!(SqliteStore);
