//! The HTTP routes: the REST API under `/api/v1`, health checks, and the
//! embedded web client for everything else.

pub mod auth;
pub mod health;
pub mod rooms;
pub mod search;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};

use crate::state::AppState;
use crate::ws;

/// REST bodies are small JSON documents; a message body is at most a few KiB.
const MAX_REST_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/guest", post(auth::guest))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/sessions", get(auth::sessions))
        .route("/sessions/{id}", delete(auth::revoke))
        .route("/tokens", get(auth::tokens).post(auth::create_token))
        .route("/tokens/{id}", delete(auth::revoke))
        .route("/rooms", get(rooms::my_rooms).post(rooms::create))
        .route("/rooms/public", get(rooms::public))
        .route("/rooms/{room}", get(rooms::get_room))
        .route("/rooms/{room}/join", post(rooms::join))
        .route("/rooms/{room}/leave", post(rooms::leave))
        .route("/rooms/{room}/events", get(rooms::events))
        .route("/rooms/{room}/messages", post(rooms::post_message))
        .route(
            "/rooms/{room}/messages/{id}",
            axum::routing::patch(rooms::edit_message).delete(rooms::delete_message),
        )
        .route("/rooms/{room}/invite", post(rooms::invite))
        .route("/rooms/{room}/members", get(rooms::members))
        .route("/rooms/{room}/kick", post(rooms::kick))
        .route("/rooms/{room}/ban", post(rooms::ban))
        .route("/rooms/{room}/moderators", post(rooms::add_moderator))
        .route("/dm/{username}", post(rooms::direct_message))
        .route("/search", get(search::search))
        .route("/ws", get(ws::v1::upgrade))
        .fallback(web::api_not_found);
    Router::new()
        .nest("/api/v1", api)
        .route("/ws/{client_id}", get(ws::seed::upgrade))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(crate::metrics::render))
        .route("/", get(web::root))
        .fallback(web::asset)
        .method_not_allowed_fallback(web::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_REST_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
