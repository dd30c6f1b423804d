//! The HTTP routes: the REST API under `/api/v1`, health checks, and the
//! embedded web client for everything else.

pub mod auth;
pub mod health;
pub mod rooms;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;
use crate::ws;

/// REST bodies are small JSON documents; a message body is at most a few KiB.
const MAX_REST_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/guest", post(auth::guest))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/rooms", get(rooms::my_rooms).post(rooms::create))
        .route("/rooms/public", get(rooms::public))
        .route("/rooms/{room}", get(rooms::get_room))
        .route("/rooms/{room}/join", post(rooms::join))
        .route("/rooms/{room}/leave", post(rooms::leave))
        .route("/rooms/{room}/events", get(rooms::events))
        .route("/rooms/{room}/messages", post(rooms::post_message))
        .route("/ws", get(ws::v1::upgrade))
        .fallback(web::api_not_found);
    Router::new()
        .nest("/api/v1", api)
        .route("/ws/{client_id}", get(ws::seed::upgrade))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/", get(web::root))
        .fallback(web::asset)
        .layer(DefaultBodyLimit::max(MAX_REST_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
