//! `GET /healthz` (the process answers), `GET /readyz` (the store answers
//! too) and `GET /metrics` (Prometheus).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use webchat_protocol::rest::ErrorBody;

use crate::state::AppState;

/// The body of a successful health check.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    /// `ok` (healthz) or `ready` (readyz).
    #[schema(value_type = String, example = "ok")]
    pub status: &'static str,
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process answers", body = HealthStatus))
)]
pub async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus { status: "ok" })
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "The store answers too", body = HealthStatus),
        (status = 503, description = "The store is unreachable", body = ErrorBody),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Err(error) => {
            tracing::warn!(%error, "store not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": {"code": "unavailable", "message": "store unreachable"}})),
            )
        }
    }
}

/// `GET /metrics`, documented here; the rendering lives in [`crate::metrics`].
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", body = String,
            content_type = "text/plain; version=0.0.4"),
    )
)]
pub async fn metrics() -> impl IntoResponse {
    crate::metrics::render().await
}
