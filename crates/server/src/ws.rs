//! WebSocket endpoints.
//!
//! Every connection is two tasks: a *reader* that parses and handles what
//! the client sends, and a *writer* ([`writer`]) that owns the socket's sink
//! and drains the connection's bounded outbound queue. Replies, hub events
//! and replays all go through that one queue, so their order on the wire is
//! the order they were queued in.
//!
//! - [`v1`]: `/api/v1/ws`, the protocol.
//! - [`seed`]: `/ws/{client_id}`, the seed tutorial's endpoint, bridged with `lobby`.
//! - [`slots`]: the caps on open sockets (per user, per address, in all),
//!   checked before either endpoint upgrades.

pub mod seed;
pub mod slots;
pub mod v1;
pub mod writer;

use axum::extract::ws::WebSocketUpgrade;
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

use crate::config::Config;

/// Cross-site WebSocket hijacking guard: a browser always sends `Origin`; it
/// must be the server's own origin or one configured with `--allow-origin`.
/// Non-browser clients send none and are authenticated by their token.
///
/// The server's own origin is the origin of `--public-url` when it is set
/// (whatever `Host` a proxy passes on), else the page's own `Host` under
/// http or https. With a public URL, a page whose origin merely shares the
/// `Host` (say `http://` beside an `https://` URL) is not the server's own;
/// only loopback pages still count by their `Host`, for use on the machine
/// itself.
pub fn origin_allowed(headers: &HeaderMap, config: &Config) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if config
        .allowed_origins
        .iter()
        .any(|allowed| allowed == origin)
    {
        return true;
    }
    if let Some(url) = &config.public_url
        && origin.eq_ignore_ascii_case(&url.origin())
    {
        return true;
    }
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    if config.public_url.is_some() && !crate::guard::is_loopback_name(crate::guard::host_name(host))
    {
        return false;
    }
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host))
}

/// Buffer and size limits set on purpose (tungstenite's defaults are a
/// 128 KiB read buffer per connection, 64 MiB messages and an unbounded
/// write buffer); the frame limit is the protocol's.
///
/// Both buffers are per connection and never shrink, so they are most of
/// what an idle connection costs: the read buffer is allocated and zeroed
/// whole at the first read, and the write buffer keeps the size of the
/// largest batch it ever held. Client frames are small (a command), and a
/// larger one grows the read buffer for itself; 4 KiB of writes per syscall
/// keeps a burst's batching (measured in docs/benchmarks.md).
pub const READ_BUFFER: usize = 1024;
pub const WRITE_BUFFER: usize = 4 * 1024;

pub fn configure(ws: WebSocketUpgrade, config: &Config) -> WebSocketUpgrade {
    let max_frame = config.limits.max_frame_bytes;
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(max_frame)
        .max_frame_size(max_frame)
}

/// True when a read error means the client sent a frame over the size limit.
pub fn is_too_large(error: axum::Error) -> bool {
    let inner = error.into_inner();
    matches!(
        inner.downcast_ref::<tungstenite::Error>(),
        Some(tungstenite::Error::Capacity(_))
    )
}

/// The reader's side of a freshly started connection.
pub struct Started {
    pub conn: webchat_core::hub::ConnId,
    pub stream: futures_util::stream::SplitStream<axum::extract::ws::WebSocket>,
    pub outbound: tokio::sync::mpsc::Sender<crate::fanout::Outbound>,
    /// Lets the hub and the registry ask this connection to close.
    pub control: std::sync::Arc<webchat_core::hub::Control>,
    /// Cancelled when the writer has ended.
    pub writer_done: tokio_util::sync::CancellationToken,
    pub writer: tokio::task::JoinHandle<()>,
}

/// Splits the socket and starts its writer task.
pub fn start(
    socket: axum::extract::ws::WebSocket,
    state: &crate::state::AppState,
    dialect: writer::Dialect,
) -> Started {
    use futures_util::StreamExt;
    metrics::gauge!(crate::metrics::CONNECTIONS_OPEN).increment(1);
    let (sink, stream) = socket.split();
    let (outbound, queue) = tokio::sync::mpsc::channel(state.config.outbound_queue);
    let control = webchat_core::hub::Control::new();
    let writer_done = tokio_util::sync::CancellationToken::new();
    let writer = tokio::spawn(
        writer::Writer {
            sink,
            queue,
            dialect,
            store: state.store.clone(),
            control: control.clone(),
            shutdown: state.shutdown.clone(),
            done: writer_done.clone(),
            heartbeat: state.config.heartbeat,
        }
        .run(),
    );
    Started {
        conn: state.next_conn_id(),
        stream,
        outbound,
        control,
        writer_done,
        writer,
    }
}

/// Waits (bounded) for the writer to finish its goodbye after the reader ended.
pub async fn finish(writer: tokio::task::JoinHandle<()>) {
    metrics::gauge!(crate::metrics::CONNECTIONS_OPEN).decrement(1);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), writer).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::path::PathBuf;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            h.insert(ORIGIN, HeaderValue::from_static(origin));
        }
        h
    }

    #[test]
    fn own_origin_and_configured_origins_pass_others_do_not() {
        let mut config = Config::for_tests(PathBuf::from("/nonexistent"));
        config.allowed_origins = vec!["https://chat.example".into()];
        assert!(origin_allowed(&headers(None, "127.0.0.1:8000"), &config));
        assert!(origin_allowed(
            &headers(Some("http://127.0.0.1:8000"), "127.0.0.1:8000"),
            &config
        ));
        assert!(origin_allowed(
            &headers(Some("https://chat.example"), "127.0.0.1:8000"),
            &config
        ));
        assert!(!origin_allowed(
            &headers(Some("http://evil.example"), "127.0.0.1:8000"),
            &config
        ));
        assert!(!origin_allowed(
            &headers(Some("http://127.0.0.1:8001"), "127.0.0.1:8000"),
            &config
        ));
        assert!(!origin_allowed(
            &headers(Some("null"), "127.0.0.1:8000"),
            &config
        ));
    }

    #[test]
    fn a_public_url_is_the_own_origin_whatever_host_is_passed_on() {
        let mut config = Config::for_tests(PathBuf::from("/nonexistent"));
        config.public_url = crate::config::PublicUrl::parse("https://chat.example").ok();
        for host in ["chat.example", "127.0.0.1:8000"] {
            assert!(origin_allowed(
                &headers(Some("https://chat.example"), host),
                &config
            ));
        }
        assert!(!origin_allowed(
            &headers(Some("http://chat.example"), "chat.example"),
            &config
        ));
        assert!(!origin_allowed(
            &headers(Some("https://evil.example"), "chat.example"),
            &config
        ));
        assert!(origin_allowed(
            &headers(Some("http://localhost:8000"), "localhost:8000"),
            &config
        ));
    }
}
