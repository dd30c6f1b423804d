//! Integration tests of the server over real sockets: each test starts its
//! own server on port 0 with its own temporary data folder.

mod accounts;
mod chat;
mod helpers;
mod identity;
mod lifecycle;
mod moderation;
mod rest;
mod seed;
mod websocket;
