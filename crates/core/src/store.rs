//! The storage boundary. Every backend (SQLite embedded, PostgreSQL later)
//! implements [`Store`]; the rest of the server only ever sees
//! `Arc<dyn Store>`, so the backend is picked once, at start-up.
//!
//! The store is the authority for `seq`: [`Store::append_batch`] assigns the
//! next seq of each room inside one transaction and must make the whole batch
//! durable before it returns (that is what lets an `ack` promise durability).

use async_trait::async_trait;
use thiserror::Error;

use crate::model::{Event, MemberRoom, NewEvent, NewRoom, Page, Room, User, UserId};

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

/// Why one item of a batch was not appended.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AppendError {
    #[error("room not found")]
    RoomNotFound,
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

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks that the backend answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    async fn create_guest(&self, name: &str) -> Result<User, StoreError>;
    /// The guest behind a seed endpoint `client_id`, made on first use.
    async fn seed_guest(&self, client_id: &str) -> Result<User, StoreError>;
    async fn user(&self, id: UserId) -> Result<User, StoreError>;

    /// Stores a session by the hash of its token (the token itself is never stored).
    async fn create_session(&self, user: UserId, token_hash: &[u8]) -> Result<(), StoreError>;
    async fn session_user(&self, token_hash: &[u8]) -> Result<Option<User>, StoreError>;
    async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError>;

    async fn create_room(&self, room: &NewRoom) -> Result<Room, StoreError>;
    async fn room(&self, id: &str) -> Result<Option<Room>, StoreError>;
    async fn public_rooms(&self) -> Result<Vec<Room>, StoreError>;
    async fn member_rooms(&self, user: UserId) -> Result<Vec<MemberRoom>, StoreError>;
    async fn is_member(&self, room: &str, user: UserId) -> Result<bool, StoreError>;

    /// Events of a room, ascending, and whether more exist beyond the page.
    async fn events(&self, room: &str, page: Page) -> Result<(Vec<Event>, bool), StoreError>;

    /// Appends events in one durable transaction, in order. A `join` also
    /// makes its author a member and a `leave` removes them, in the same
    /// transaction. The result has one entry per input, in input order.
    /// `Err` means the whole batch failed and nothing was written.
    async fn append_batch(
        &self,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Appended, AppendError>>, StoreError>;

    /// Flushes and closes the backend (at shutdown).
    async fn close(&self);
}
