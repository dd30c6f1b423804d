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
//! One file per concern, as in the SQLite store: [`rows`], [`users`],
//! [`sessions`], [`rooms`], [`members`], [`append`], [`events`], [`search`],
//! [`import`]; this file opens the pool and hands each [`Store`] call on.
//! `scratch` (feature `test-support`) makes throwaway databases for tests.

#[macro_use]
mod rows;
mod append;
mod events;
mod import;
mod members;
mod rooms;
#[cfg(feature = "test-support")]
pub mod scratch;
mod search;
mod sessions;
mod users;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use webchat_core::model::{
    DirectoryKey, Event, EventId, MemberRoom, NewEvent, NewRoom, Page, Role, Room, RoomAccess,
    SessionInfo, SessionKind, User, UserId,
};
use webchat_core::store::{
    AppendError, Appended, Credentials, Durability, EventLog, Member, RoomRules, SearchPage, Store,
    StoreError,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

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

impl PgStore {
    /// Connects to the database `url` names and migrates it; every commit
    /// is flushed to PostgreSQL's disk before it returns.
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        Self::open_with(url, Durability::Full).await
    }

    /// [`PgStore::open`] with the durability the operator chose: `Normal`
    /// turns `synchronous_commit` off for this store's sessions, so a commit
    /// returns before PostgreSQL flushes its WAL (it survives a crash of
    /// webchat, not one of the database's machine).
    pub async fn open_with(url: &str, durability: Durability) -> Result<PgStore, StoreError> {
        let mut options = PgConnectOptions::from_str(url).map_err(backend)?;
        if durability == Durability::Normal {
            options = options.options([("synchronous_commit", "off")]);
        }
        // A database that does not answer fails requests within seconds
        // (sqlx waits 30 s by default), so clients hear `unavailable` soon.
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(backend)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(PgStore { pool })
    }
}

#[async_trait]
impl EventLog for PgStore {
    async fn append_batch(
        &self,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
        append::append_batch(self, events).await
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        // A real query, not just an open connection.
        sqlx::query("SELECT head FROM rooms WHERE id = 'lobby'")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn create_guest(&self, name: &str) -> Result<User, StoreError> {
        users::create_guest(self, name).await
    }

    async fn seed_guest(&self, client_id: &str) -> Result<User, StoreError> {
        users::seed_guest(self, client_id).await
    }

    async fn find_seed_guest(&self, client_id: &str) -> Result<Option<User>, StoreError> {
        users::find_seed_guest(self, client_id).await
    }

    async fn user(&self, id: UserId) -> Result<User, StoreError> {
        users::user(self, id).await
    }

    async fn create_account(
        &self,
        username: &str,
        password_hash: &str,
    ) -> Result<User, StoreError> {
        users::create_account(self, username, password_hash).await
    }

    async fn upgrade_guest(
        &self,
        user: UserId,
        username: &str,
        password_hash: &str,
    ) -> Result<User, StoreError> {
        users::upgrade_guest(self, user, username, password_hash).await
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        users::credentials(self, username).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        users::user_by_username(self, username).await
    }

    async fn set_admin(&self, user: UserId, admin: bool) -> Result<(), StoreError> {
        users::set_admin(self, user, admin).await
    }

    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        kind: SessionKind,
        name: &str,
    ) -> Result<i64, StoreError> {
        sessions::create_session(self, user, token_hash, kind, name).await
    }

    async fn session_user(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<(User, SessionInfo)>, StoreError> {
        sessions::session_user(self, token_hash).await
    }

    async fn sessions(
        &self,
        user: UserId,
        kind: SessionKind,
    ) -> Result<Vec<SessionInfo>, StoreError> {
        sessions::sessions(self, user, kind).await
    }

    async fn delete_session(&self, user: UserId, id: i64) -> Result<bool, StoreError> {
        sessions::delete_session(self, user, id).await
    }

    async fn touch_session(
        &self,
        id: i64,
        now_ms: i64,
        unless_since_ms: i64,
    ) -> Result<(), StoreError> {
        sessions::touch_session(self, id, now_ms, unless_since_ms).await
    }

    async fn delete_expired_sessions(
        &self,
        idle_before_ms: i64,
        created_before_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        sessions::delete_expired_sessions(self, idle_before_ms, created_before_ms).await
    }

    async fn create_room(&self, room: &NewRoom) -> Result<Room, StoreError> {
        rooms::create_room(self, room).await
    }

    async fn room(&self, id: &str) -> Result<Option<Room>, StoreError> {
        rooms::room(self, id).await
    }

    async fn room_access(
        &self,
        room: &str,
        user: UserId,
    ) -> Result<Option<RoomAccess>, StoreError> {
        rooms::room_access(self, room, user).await
    }

    async fn rooms_created(&self, user: UserId) -> Result<u64, StoreError> {
        rooms::rooms_created(self, user).await
    }

    async fn public_rooms(
        &self,
        after: Option<&DirectoryKey>,
        limit: u32,
    ) -> Result<Vec<Room>, StoreError> {
        rooms::public_rooms(self, after, limit).await
    }

    async fn all_rooms(&self) -> Result<Vec<Room>, StoreError> {
        rooms::all_rooms(self).await
    }

    async fn member_rooms(&self, user: UserId) -> Result<Vec<MemberRoom>, StoreError> {
        rooms::member_rooms(self, user).await
    }

    async fn role(&self, room: &str, user: UserId) -> Result<Option<Role>, StoreError> {
        members::role(self, room, user).await
    }

    async fn set_role(&self, room: &str, user: UserId, role: Role) -> Result<(), StoreError> {
        members::set_role(self, room, user, role).await
    }

    async fn members(&self, room: &str) -> Result<Vec<Member>, StoreError> {
        members::members(self, room).await
    }

    async fn ban(&self, room: &str, user: UserId, by: UserId) -> Result<(), StoreError> {
        members::ban(self, room, user, by).await
    }

    async fn banned_by(&self, room: &str, user: UserId) -> Result<Option<UserId>, StoreError> {
        members::banned_by(self, room, user).await
    }

    async fn unban(&self, room: &str, user: UserId) -> Result<bool, StoreError> {
        members::unban(self, room, user).await
    }

    async fn block(&self, user: UserId, blocked: UserId) -> Result<(), StoreError> {
        users::block(self, user, blocked).await
    }

    async fn unblock(&self, user: UserId, blocked: UserId) -> Result<bool, StoreError> {
        users::unblock(self, user, blocked).await
    }

    async fn blocked(&self, user: UserId) -> Result<Vec<User>, StoreError> {
        users::blocked(self, user).await
    }

    async fn blocks(&self, user: UserId, other: UserId) -> Result<bool, StoreError> {
        users::blocks(self, user, other).await
    }

    async fn room_rules(&self, room: &str) -> Result<RoomRules, StoreError> {
        members::room_rules(self, room).await
    }

    async fn mark_read(
        &self,
        room: &str,
        user: UserId,
        seq: u64,
    ) -> Result<Option<u64>, StoreError> {
        members::mark_read(self, room, user, seq).await
    }

    async fn events(&self, room: &str, page: Page) -> Result<(Vec<Event>, bool), StoreError> {
        events::events(self, room, page).await
    }

    async fn event_by_nonce(
        &self,
        author: UserId,
        nonce: &str,
    ) -> Result<Option<Event>, StoreError> {
        events::event_by_nonce(&self.pool, author, nonce).await
    }

    async fn event(&self, room: &str, id: EventId) -> Result<Option<Event>, StoreError> {
        events::event(self, room, id).await
    }

    async fn search(
        &self,
        user: UserId,
        query: &str,
        room: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<SearchPage, StoreError> {
        search::search(self, user, query, room, limit, offset).await
    }

    async fn import_room(
        &self,
        room: &NewRoom,
        events: &[Event],
        rules: &RoomRules,
    ) -> Result<Room, StoreError> {
        import::import_room(self, room, events, rules).await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
