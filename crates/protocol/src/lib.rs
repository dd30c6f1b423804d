//! Wire types of the webchat protocol, version 1 (see `docs/protocol.md`).
//!
//! This crate is the contract in code: the frames a client sends and receives
//! over `/api/v1/ws`, the JSON bodies of the REST API, the seed endpoint's
//! frame, the error codes, and the validation rules for what a client may
//! send (room ids, bodies, nonces, names). It does no I/O and knows nothing of
//! HTTP frameworks or storage, so the server, the load tool and tests share it.

pub mod client;
pub mod error;
pub mod rest;
pub mod seed;
pub mod server;
pub mod validate;
pub mod views;

pub use error::ErrorCode;
