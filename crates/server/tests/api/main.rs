//! Integration tests of the server over real sockets: each test starts its
//! own server on port 0 with its own temporary data folder.

mod accounts;
mod chat;
mod churn;
mod hangups;
mod helpers;
mod identity;
mod lifecycle;
mod limits;
mod moderation;
mod public_url;
mod rest;
mod review;
mod seed;
mod sessions;
mod websocket;
