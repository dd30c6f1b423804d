//! The HTTP routes: the REST API under `/api/v1`, health checks, the API
//! contract (`/api/openapi.json`, `/api/docs`), and the embedded web client
//! for everything else.
//!
//! Every route but the fallbacks is mounted through utoipa-axum's `routes!`,
//! which takes the path and method from the handler's `#[utoipa::path]`: the
//! OpenAPI document ([`crate::openapi`]) describes exactly what is served.

pub mod auth;
pub mod blocks;
pub mod direct;
pub mod health;
pub mod members;
pub mod messages;
pub mod rooms;
pub mod search;
pub mod sockets;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::http::header::{REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::guard;
use crate::openapi;
use crate::state::AppState;

/// REST bodies are small JSON documents; a message body is at most a few KiB.
const MAX_REST_BODY_BYTES: usize = 64 * 1024;

/// The empty object `{}`, answered by actions that have nothing to report.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Empty {}

/// Every documented route, with the document describing them; no state,
/// fallbacks or layers yet (see [`router`]).
pub fn api_router() -> OpenApiRouter<AppState> {
    // One `routes!` per path: it mounts every method of its handlers on one path.
    let api = OpenApiRouter::new()
        .routes(routes!(auth::guest))
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::sessions))
        .routes(routes!(auth::revoke_session))
        .routes(routes!(auth::tokens, auth::create_token))
        .routes(routes!(auth::revoke_token))
        .routes(routes!(rooms::my_rooms, rooms::create))
        .routes(routes!(rooms::public))
        .routes(routes!(rooms::get_room))
        .routes(routes!(rooms::join))
        .routes(routes!(rooms::leave))
        .routes(routes!(messages::events))
        .routes(routes!(messages::post_message))
        .routes(routes!(messages::edit_message, messages::delete_message))
        .routes(routes!(members::invite))
        .routes(routes!(members::members))
        .routes(routes!(members::kick))
        .routes(routes!(members::ban))
        .routes(routes!(members::unban))
        .routes(routes!(members::bans))
        .routes(routes!(rooms::set_topic))
        .routes(routes!(members::add_moderator))
        .routes(routes!(direct::direct_message))
        .routes(routes!(blocks::list, blocks::block))
        .routes(routes!(blocks::unblock))
        .routes(routes!(search::search))
        .routes(routes!(sockets::v1_socket))
        .fallback(web::api_not_found);
    OpenApiRouter::with_openapi(openapi::base())
        .nest("/api/v1", api)
        .routes(routes!(sockets::seed_socket))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(web::root))
}

pub fn router(state: AppState) -> Router {
    let (routes, document) = api_router().split_for_parts();
    routes
        .merge(openapi::docs(document))
        .fallback(web::asset)
        .method_not_allowed_fallback(web::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_REST_BODY_BYTES))
        .layer(axum::middleware::from_fn(guard::run_to_completion))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::known_host,
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.request_deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::until_hard_stop,
        ))
        // Every answer, JSON or page: no MIME sniffing (a JSON body is never
        // run as a script or styles), and no address of ours leaks to the
        // sites a message links to.
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // gzip or brotli as the client accepts (brotli at level 4, the
        // on-the-fly default of tower-http and nginx: level 11 would cost a
        // page load seconds of CPU); bodies under 32 bytes, images and
        // WebSocket upgrades are left alone.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
