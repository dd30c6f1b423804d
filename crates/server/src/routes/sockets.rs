//! The WebSocket endpoints as the OpenAPI document shows them. OpenAPI cannot
//! describe a socket's frames; these handlers only document the upgrade
//! request and hand it, unchanged, to [`crate::ws`]. The frames are specified
//! in `docs/protocol.md`.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use webchat_protocol::rest::ErrorBody;

use crate::error::{ApiError, ApiPath};
use crate::guard::ClientAddress;
use crate::state::AppState;
use crate::ws;

/// The protocol v1 socket.
#[utoipa::path(
    get,
    path = "/ws",
    tag = "websocket",
    description = "Upgrades to the protocol v1 WebSocket. The session may come with the upgrade \
(cookie or bearer token) or in the first `hello` frame. Frames, close codes and ordering rules: \
`docs/protocol.md` §3.",
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 101, description = "Switching Protocols: the socket is open"),
        (status = 400, description = "Not a WebSocket upgrade request", body = ErrorBody),
        (status = 403, description = "The `Origin` is neither the server's own nor an allowed one", body = ErrorBody),
        (status = 429, description = "Too many open WebSockets for this user or from this address; `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "The store is unavailable, or the server has too many open WebSockets", body = ErrorBody),
    )
)]
pub async fn v1_socket(
    state: State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match upgrade {
        Ok(upgrade) => ws::v1::upgrade(state, address, headers, upgrade).await,
        Err(rejection) => ApiError::from(rejection).into_response(),
    }
}

/// The seed tutorial's socket, bridged with the `lobby` room.
#[utoipa::path(
    get,
    path = "/ws/{client_id}",
    tag = "websocket",
    description = "Upgrades to the seed tutorial's WebSocket: the connection is the guest named \
`client_id`, in the `lobby` room. Frames: `docs/protocol.md` §5.",
    params(("client_id" = String, Path, description = "The seed client's id, also its display name")),
    responses(
        (status = 101, description = "Switching Protocols: the socket is open"),
        (status = 400, description = "A bad client id (or a new one that is an account's username or looks like one), or not a WebSocket upgrade request", body = ErrorBody),
        (status = 403, description = "The `Origin` is not allowed, or guest access is disabled", body = ErrorBody),
        (status = 429, description = "Too many sign-ins from this address (each new client id is one), or too many open WebSockets for this user or from this address; `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "The store is unavailable, or the server has too many open WebSockets", body = ErrorBody),
    )
)]
pub async fn seed_socket(
    state: State<AppState>,
    client_id: ApiPath<String>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match upgrade {
        Ok(upgrade) => ws::seed::upgrade(state, client_id, address, headers, upgrade).await,
        Err(rejection) => ApiError::from(rejection).into_response(),
    }
}
