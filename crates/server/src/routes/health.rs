//! `GET /healthz` (the process answers) and `GET /readyz` (the store answers too).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

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
