//! The PostgreSQL store: several webchat nodes on one database.
//!
//! - `seq` is assigned inside the committing transaction by `UPDATE rooms
//!   SET head = head + 1 … RETURNING head`, which holds the room row's lock
//!   until commit: concurrent writers on different nodes get dense, unique
//!   seqs, one after the other.
//! - Nonce idempotency holds across nodes: the append transaction takes a
//!   transaction-scoped advisory lock on (author, nonce) before it looks the
//!   nonce up, so a second node sending the same nonce waits, then finds the
//!   first event; the unique index `events_by_nonce` is the last word.
//! - Full-text search with `tsvector` and a GIN index ([`search`]).
//! - Migrations of its own (`migrations/`), embedded and run at start-up.
//! - Only bound parameters: no SQL is ever built from input.
//! - No domain rules: as for SQLite, what an event changes, the unread
//!   counters, imports and the first admin are `webchat_core`'s
//!   ([`webchat_core::effects`], [`webchat_core::append`],
//!   [`webchat_core::unread`], [`webchat_core::import`],
//!   [`webchat_core::accounts`]); this crate executes them as SQL.
//!
//! - Creating guests and accounts takes one advisory lock across nodes, so
//!   look-alike names and the first account's admin are decided as SQLite's
//!   one writer decides them.
//!
//! One file per concern, as in the SQLite store: [`open`], [`users`],
//! [`sessions`], [`rooms`], [`members`], [`append`], [`events`], [`search`],
//! [`import`]; rows become domain types and the `Store` implementation hands
//! each call to its concern as in every SQL backend ([`webchat_store_sql`]).
//! `scratch` (feature `test-support`) makes throwaway databases for tests.

#[macro_use]
extern crate webchat_store_sql;

mod append;
mod events;
mod import;
mod members;
mod open;
mod rooms;
#[cfg(feature = "test-support")]
pub mod scratch;
mod search;
mod sessions;
mod users;

use sqlx::PgPool;
use webchat_core::store::StoreError;

pub struct PgStore {
    /// Connections shared by reads and writes: PostgreSQL has many writers,
    /// and each append transaction locks only the rows it moves.
    pool: PgPool,
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Postgres>;

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

webchat_store_sql::delegate_store!(PgStore);
