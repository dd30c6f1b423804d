//! The webchat HTTP and WebSocket server (axum).
//!
//! This layer is thin on purpose: it authenticates, parses and validates
//! requests, then hands them to the chat core (`webchat-core`): the
//! committer for anything that goes into a room's log, the hub for fan-out,
//! the store for reads.
//!
//! - [`app`]: `Application::build` (binds, opens the store, starts the
//!   committer) and `run_until` (serves, then shuts down gracefully).
//! - [`config`]: the settings the binary passes in.
//! - [`descriptors`]: the file-descriptor limit and how sockets share it.
//! - [`state`]: what every handler shares.
//! - [`error`]: the one error type of the boundary, mapped to protocol codes.
//! - [`access`]: who may read and write which room.
//! - [`auth`]: tokens, cookies, the authenticated-user extractor.
//! - [`fanout`]: the queued item type and the once-serialized event.
//! - [`metrics`]: Prometheus metrics (`GET /metrics`).
//! - [`openapi`]: the OpenAPI document and the Swagger UI page (`/api/docs`).
//! - [`passwords`]: argon2id hashing and the username/password rules.
//! - [`password_pool`]: the bounded pool argon2id runs on.
//! - [`routes`]: REST handlers and the embedded web client.
//! - [`sessions`]: session expiry (idle, maximum age) and its sweep.
//! - [`ws`]: the protocol v1 socket, the seed endpoint and the shared writer.

pub mod access;
pub mod app;
pub mod auth;
pub mod config;
pub mod descriptors;
pub mod error;
pub mod fanout;
pub mod guard;
pub mod metrics;
pub mod openapi;
pub mod password_pool;
pub mod passwords;
pub mod routes;
pub mod sessions;
pub mod state;
pub mod ws;

pub use app::Application;
pub use config::{Config, PublicUrl, Quotas};
pub use state::AppState;
