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
//! One file per concern: [`open`] (options, pools, migrations), [`rows`]
//! (rows to domain types), [`users`], [`sessions`], [`rooms`], [`members`]
//! (roles, bans, read markers), [`append`] (the write path), [`events`]
//! (reading logs), [`search`] (FTS5), [`import`]. This file holds the
//! [`Store`] implementation, which only hands each call to its concern.

#[macro_use]
mod rows;
mod append;
mod events;
mod import;
mod members;
mod open;
mod rooms;
mod search;
mod sessions;
mod users;

use async_trait::async_trait;
use sqlx::SqlitePool;
use webchat_core::model::{
    DirectoryKey, Event, EventId, MemberRoom, NewEvent, NewRoom, Page, Role, Room, RoomAccess,
    SessionInfo, SessionKind, User, UserId,
};
use webchat_core::store::{
    AppendError, Appended, Credentials, EventLog, Member, RoomRules, SearchPage, Store, StoreError,
};

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

#[async_trait]
impl EventLog for SqliteStore {
    async fn append_batch(
        &self,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
        append::append_batch(self, events).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        // A real read of the database file, not just of an open connection.
        sqlx::query("SELECT head FROM rooms WHERE id = 'lobby'")
            .fetch_one(&self.readers)
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
        events::event_by_nonce(&self.readers, author, nonce).await
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
        self.readers.close().await;
        self.writer.close().await;
    }
}
