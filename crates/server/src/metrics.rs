//! Prometheus metrics, served at `GET /metrics`.
//!
//! The recorder is process-wide (the `metrics` facade has one global
//! recorder), installed on first use; every server in the process shares it.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub const CONNECTIONS_OPEN: &str = "webchat_websocket_connections";
pub const EVENTS_COMMITTED: &str = "webchat_events_committed_total";
pub const SLOW_CONSUMERS_CLOSED: &str = "webchat_slow_consumers_closed_total";
pub const SOCKETS_REFUSED: &str = "webchat_websockets_refused_total";

/// The handle that renders the metrics text, installing the recorder once.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => {
                metrics::describe_gauge!(
                    CONNECTIONS_OPEN,
                    "Open WebSocket connections (v1 and seed)"
                );
                metrics::describe_counter!(EVENTS_COMMITTED, "Events appended to room logs");
                metrics::describe_counter!(
                    SOCKETS_REFUSED,
                    "WebSocket upgrades refused for a full cap (label cap: user, address, total)"
                );
                metrics::describe_counter!(
                    SLOW_CONSUMERS_CLOSED,
                    "Connections closed with 1013 for lagging"
                );
                Some(handle)
            }
            Err(error) => {
                tracing::warn!(%error, "metrics recorder not installed");
                None
            }
        })
        .as_ref()
}

/// `GET /metrics`: the Prometheus text format.
pub async fn render() -> impl axum::response::IntoResponse {
    let body = handle().map(PrometheusHandle::render).unwrap_or_default();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        body,
    )
}
