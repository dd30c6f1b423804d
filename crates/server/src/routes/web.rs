//! The web client, embedded in the binary, and the seed's welcome object.
//!
//! Every build carries `web/dist` inside the binary (rust-embed, with
//! `debug-embed` so that debug builds and their tests serve exactly what a
//! release would); `build.rs` makes cargo rebuild when `web/dist` changes.
//! For hot reload use `npm run dev`. A build without the web client still
//! compiles and serves a short page that says how to build it.

use axum::http::header::{
    ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY as CONTENT_SECURITY_POLICY_HEADER, CONTENT_TYPE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiJson};

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct WebAssets;

/// The web client's pages may run only the client's own scripts and
/// styles, load nothing from elsewhere, and never be framed: a message that
/// got past the client's rendering as markup still could not run (the
/// client renders user text as text, never as HTML; this is the second
/// wall). `img-src data:` is the unread badge on the favicon, drawn by the
/// client; `connect-src 'self'` covers its REST calls and its WebSocket.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn with_page_policy(mut response: Response) -> Response {
    response.headers_mut().insert(
        CONTENT_SECURITY_POLICY_HEADER,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>webchat</title></head>\
<body><h1>webchat</h1><p>The web client is not built. Run <code>npm run build</code> in <code>web/</code>, \
or start the server with <code>./scripts/run</code>.</p></body></html>";

/// The seed's welcome object, answered by `GET /` to API clients.
#[derive(Debug, Serialize, ToSchema)]
// Fields in alphabetical order: the bytes on the wire stay what `json!` made.
pub struct Welcome {
    /// Where the REST API lives.
    #[schema(value_type = String, example = "/api/v1")]
    pub api: &'static str,
    #[schema(value_type = String, example = "Welcome to webchat")]
    pub message: &'static str,
    #[schema(value_type = String, example = "webchat")]
    pub name: &'static str,
    #[schema(value_type = String)]
    pub version: &'static str,
    /// Where the protocol v1 socket lives.
    #[schema(value_type = String, example = "/api/v1/ws")]
    pub websocket: &'static str,
}

/// `GET /`: the seed's welcome JSON to API clients, the web client to browsers.
#[utoipa::path(
    get,
    path = "/",
    tag = "web",
    responses(
        (status = 200, description = "The welcome object when `Accept` asks for JSON (and not HTML); the web client otherwise", content(
            (Welcome = "application/json"),
            (String = "text/html"),
        )),
    )
)]
pub async fn root(headers: HeaderMap) -> Response {
    let accept = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("application/json") && !accept.contains("text/html") {
        return ApiJson(Welcome {
            api: "/api/v1",
            message: "Welcome to webchat",
            name: "webchat",
            version: env!("CARGO_PKG_VERSION"),
            websocket: "/api/v1/ws",
        })
        .into_response();
    }
    index()
}

fn index() -> Response {
    with_page_policy(match WebAssets::get("index.html") {
        Some(file) => (
            [
                (
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            file.data,
        )
            .into_response(),
        None => Html(NOT_BUILT).into_response(),
    })
}

/// Any other path: a file of the web client, or the client's index so that
/// its own routes work after a reload.
pub async fn asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return ApiError::NotFound("no such route".into()).into_response();
    }
    match WebAssets::get(path) {
        Some(file) => {
            let mime = file.metadata.mimetype().to_owned();
            // Vite puts content hashes in the names of everything under assets/.
            let cache = if path.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            let mut response = (StatusCode::OK, file.data).into_response();
            if let Ok(value) = HeaderValue::from_str(&mime) {
                response.headers_mut().insert(CONTENT_TYPE, value);
            }
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
            with_page_policy(response)
        }
        None => index(),
    }
}

/// Unknown routes under `/api/v1` answer a JSON 404, never the web client.
pub async fn api_not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

/// A known path with the wrong method answers the protocol's JSON error too.
pub async fn method_not_allowed() -> Response {
    let mut response =
        ApiError::BadRequest("method not allowed on this route".into()).into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
