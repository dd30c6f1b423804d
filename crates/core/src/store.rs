//! The storage boundary. Every backend (SQLite embedded, PostgreSQL later)
//! implements [`Store`]; the rest of the server only ever sees
//! `Arc<dyn Store>`, so the backend is picked once, at start-up.
//!
//! The store is the authority for `seq`: [`Store::append_batch`] assigns the
//! next seq of each room inside one transaction and must make the whole batch
//! durable before it returns (that is what lets an `ack` promise durability).

use async_trait::async_trait;
use thiserror::Error;

use crate::model::{
    DirectoryKey, Event, EventId, MemberRoom, NewEvent, NewRoom, Page, Role, Room, RoomAccess,
    SessionInfo, SessionKind, User, UserId,
};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    /// The backend failed (I/O, connection, corruption). The cause is logged
    /// by the caller and never shown to clients.
    #[error("storage backend failed: {0}")]
    Backend(String),
}

/// How far a commit goes before [`EventLog::append_batch`] returns, chosen
/// by the operator (`--durability`). Both survive a crash of the process:
/// a committed transaction is in the operating system's hands either way.
/// They differ on a power loss or a kernel crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit is on disk (fsync) before it is acknowledged: an `ack`
    /// survives a power loss. Each group commit pays one fsync.
    #[default]
    Full,
    /// Commits are written to the journal but synced only at checkpoints:
    /// an `ack` survives a crash of the process, but the last commits
    /// before a power loss or kernel crash may be lost (never half of one:
    /// the database stays consistent).
    Normal,
}

/// Why one item of a batch was not appended.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AppendError {
    #[error("room not found")]
    RoomNotFound,
    /// An edit or delete whose target is not a live message of the room.
    #[error("message not found")]
    TargetNotFound,
    #[error("storage unavailable")]
    Unavailable,
}

/// The result of appending one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub event: Event,
    /// True when the (author, nonce) pair was already in the log: `event` is
    /// the first one, and nothing new was written.
    pub duplicate: bool,
}

/// An account's stored credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// One page of search results, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub events: Vec<Event>,
    pub has_more: bool,
}

/// A ban: who is kept out of a room, and who decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ban {
    pub user: UserId,
    pub by: UserId,
}

/// What a room holds beside its log that decides who may do what there:
/// roles above plain member, and bans. Export and import carry it, so that a
/// moved room keeps its moderators and keeps its banned users out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomRules {
    pub roles: Vec<(UserId, Role)>,
    pub bans: Vec<Ban>,
}

/// A member of a room and their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

/// The one write path into room logs, split out of [`Store`] so that the
/// committer (its only caller) depends on nothing else.
#[async_trait]
pub trait EventLog: Send + Sync + 'static {
    /// Appends events in one durable transaction, in order. A `join` also
    /// makes its author a member and a `leave` removes them; an `edit`
    /// replaces its target's text and a `delete` erases it and its edits;
    /// all in the same transaction. The result has one entry per input, in
    /// input order. `Err` means the whole batch failed and nothing was written.
    async fn append_batch(
        &self,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Appended, AppendError>>, StoreError>;
}

#[async_trait]
pub trait Store: EventLog {
    /// Checks that the backend answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    // --- users -----------------------------------------------------------
    //
    // Account usernames are reserved against look-alikes: names are compared
    // by `webchat_protocol::validate::name_skeleton`, which a backend stores
    // for each account's username, so the checks below are indexed lookups
    // made atomically with the write (docs/decisions/0005-look-alike-names.md).

    /// A new guest. `Conflict` when `name` has the skeleton of an account's
    /// username.
    async fn create_guest(&self, name: &str) -> Result<User, StoreError>;
    /// The guest behind a seed endpoint `client_id`, made on first use.
    /// `Conflict` when it is not made yet and `client_id` has the skeleton of
    /// an account's username (a seed guest made before the account stays).
    async fn seed_guest(&self, client_id: &str) -> Result<User, StoreError>;
    /// The guest behind `client_id` if the seed endpoint has made one.
    async fn find_seed_guest(&self, client_id: &str) -> Result<Option<User>, StoreError>;
    async fn user(&self, id: UserId) -> Result<User, StoreError>;
    /// A new account; the first account of the server is made an admin.
    /// `Conflict` when the username is taken, or another account's username
    /// has its skeleton. A guest of that name may exist: accounts win.
    async fn create_account(&self, username: &str, password_hash: &str)
    -> Result<User, StoreError>;
    /// Turns a guest into an account, keeping its id (and so its history).
    /// `Conflict` as for [`Store::create_account`].
    async fn upgrade_guest(
        &self,
        user: UserId,
        username: &str,
        password_hash: &str,
    ) -> Result<User, StoreError>;
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError>;
    async fn set_admin(&self, user: UserId, admin: bool) -> Result<(), StoreError>;

    // --- sessions and tokens ----------------------------------------------
    /// Stores a session or token by the hash of its secret (the secret itself
    /// is never stored); its id.
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        kind: SessionKind,
        name: &str,
    ) -> Result<i64, StoreError>;
    async fn session_user(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<(User, SessionInfo)>, StoreError>;
    async fn sessions(
        &self,
        user: UserId,
        kind: SessionKind,
    ) -> Result<Vec<SessionInfo>, StoreError>;
    /// Deletes one of `user`'s sessions or tokens; false when there was none.
    async fn delete_session(&self, user: UserId, id: i64) -> Result<bool, StoreError>;
    /// Records that session or token `id` was used at `now_ms`, unless its
    /// last use is already recorded at or after `unless_since_ms`. Callers
    /// pass `now - interval`, so a busy session costs one write per interval,
    /// not one per request, and concurrent requests write at most once.
    async fn touch_session(
        &self,
        id: i64,
        now_ms: i64,
        unless_since_ms: i64,
    ) -> Result<(), StoreError>;
    /// Deletes the browser sessions (never tokens) last used before
    /// `idle_before_ms` or created before `created_before_ms`; their ids, so
    /// that their live sockets can be closed.
    async fn delete_expired_sessions(
        &self,
        idle_before_ms: i64,
        created_before_ms: i64,
    ) -> Result<Vec<i64>, StoreError>;

    // --- rooms and membership ---------------------------------------------
    async fn create_room(&self, room: &NewRoom) -> Result<Room, StoreError>;
    async fn room(&self, id: &str) -> Result<Option<Room>, StoreError>;
    /// The room's visibility and owner with `user`'s role and ban there;
    /// `None` when there is no such room. One read for what every write
    /// checks; backends may answer it with one query (the default makes three).
    async fn room_access(
        &self,
        room: &str,
        user: UserId,
    ) -> Result<Option<RoomAccess>, StoreError> {
        let Some(found) = self.room(room).await? else {
            return Ok(None);
        };
        Ok(Some(RoomAccess {
            visibility: found.visibility,
            owner: found.owner,
            role: self.role(room, user).await?,
            banned: self.is_banned(room, user).await?,
            head: found.head,
        }))
    }
    /// How many rooms (not DMs) `user` has created.
    async fn rooms_created(&self, user: UserId) -> Result<u64, StoreError>;
    /// A page of the public room directory: at most `limit` rooms after
    /// `after` (from the start when `None`), most members first, then most
    /// events (activity), then by id.
    async fn public_rooms(
        &self,
        after: Option<&DirectoryKey>,
        limit: u32,
    ) -> Result<Vec<Room>, StoreError>;
    /// Every room (for the admin command).
    async fn all_rooms(&self) -> Result<Vec<Room>, StoreError>;
    async fn member_rooms(&self, user: UserId) -> Result<Vec<MemberRoom>, StoreError>;
    /// The member's role, `None` when not a member.
    async fn role(&self, room: &str, user: UserId) -> Result<Option<Role>, StoreError>;
    async fn is_member(&self, room: &str, user: UserId) -> Result<bool, StoreError> {
        Ok(self.role(room, user).await?.is_some())
    }
    async fn set_role(&self, room: &str, user: UserId, role: Role) -> Result<(), StoreError>;
    async fn members(&self, room: &str) -> Result<Vec<Member>, StoreError>;
    async fn ban(&self, room: &str, user: UserId, by: UserId) -> Result<(), StoreError>;
    /// Who banned `user` from `room`, if anyone did.
    async fn banned_by(&self, room: &str, user: UserId) -> Result<Option<UserId>, StoreError>;
    async fn is_banned(&self, room: &str, user: UserId) -> Result<bool, StoreError> {
        Ok(self.banned_by(room, user).await?.is_some())
    }
    /// Lifts a ban; false when there was none.
    async fn unban(&self, room: &str, user: UserId) -> Result<bool, StoreError>;
    /// `user` blocks `blocked` (idempotent).
    async fn block(&self, user: UserId, blocked: UserId) -> Result<(), StoreError>;
    /// Lifts a block; false when there was none.
    async fn unblock(&self, user: UserId, blocked: UserId) -> Result<bool, StoreError>;
    /// The users `user` blocks, by id.
    async fn blocked(&self, user: UserId) -> Result<Vec<User>, StoreError>;
    /// Whether `user` blocks `other`.
    async fn blocks(&self, user: UserId, other: UserId) -> Result<bool, StoreError>;
    /// The room's roles above member and its bans, ordered by user id.
    async fn room_rules(&self, room: &str) -> Result<RoomRules, StoreError>;
    /// Moves `user`'s read marker in `room` forward to `seq` (clamped to the
    /// head); the new marker, or `None` when it did not move.
    async fn mark_read(
        &self,
        room: &str,
        user: UserId,
        seq: u64,
    ) -> Result<Option<u64>, StoreError>;

    // --- the log ----------------------------------------------------------
    /// Events of a room, ascending, and whether more exist beyond the page.
    async fn events(&self, room: &str, page: Page) -> Result<(Vec<Event>, bool), StoreError>;
    /// The event `author` sent with `nonce`, if any (idempotent sends).
    async fn event_by_nonce(
        &self,
        author: UserId,
        nonce: &str,
    ) -> Result<Option<Event>, StoreError>;
    /// One event by id, if it is in `room`.
    async fn event(&self, room: &str, id: EventId) -> Result<Option<Event>, StoreError>;

    /// Full-text search over the live messages `user` may read (public rooms
    /// and rooms they are a member of), best match first. `query` is plain
    /// words; every word must match.
    async fn search(
        &self,
        user: UserId,
        query: &str,
        room: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<SearchPage, StoreError>;

    /// Writes a whole room with its log, as exported (`events` keep their
    /// seq and timestamps; ids are new, and edit/delete targets follow them),
    /// and its rules, all in one transaction. Membership follows the log's
    /// joins and leaves; `room.created_by` owns the room, a role is given
    /// only to a member, and any other `Owner` in `rules` becomes a
    /// moderator (a room has one owner); a banned user is no member, whatever
    /// the log says. `Conflict` when the room exists.
    async fn import_room(
        &self,
        room: &NewRoom,
        events: &[Event],
        rules: &RoomRules,
    ) -> Result<Room, StoreError>;

    /// Flushes and closes the backend (at shutdown).
    async fn close(&self);
}
