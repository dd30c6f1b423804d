//! The chat core: what a room is and how an event travels through it, with
//! no HTTP and no SQL in it.
//!
//! - [`model`]: users, rooms and events as the server handles them.
//! - [`store`]: the [`store::Store`] trait every storage backend implements
//!   (SQLite embedded today, PostgreSQL for scale-out later).
//! - [`committer`]: the single writer that group-commits appends and then
//!   publishes them in `seq` order; an `ack` is only ever built from its result.
//! - [`hub`]: the in-process fan-out registry (room → subscribers, each with a
//!   bounded queue) and the presence bookkeeping that rides on it.
//! - [`registry`]: live connections by user and session (for per-user frames
//!   and closing revoked sessions).
//! - [`clock`]: timestamps as the protocol writes them.
//! - The domain rules of storage, decided once for every backend (which then
//!   only executes storage primitives): [`effects`] (what an edit, delete,
//!   join, leave or topic changes), [`append`] (the append algorithm over a
//!   backend's transaction), [`unread`] (the counters behind unread counts),
//!   [`import`] (importing an exported room), [`accounts`].

pub mod accounts;
pub mod append;
pub mod clock;
pub mod committer;
pub mod effects;
pub mod hub;
pub mod import;
pub mod model;
pub mod presence;
pub mod registry;
pub mod store;
#[cfg(feature = "contract-tests")]
pub mod store_contract;
pub mod unread;
