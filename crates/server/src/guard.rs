//! Request guards that browsers need and non-browser clients never notice.
//!
//! - **Host.** A server bound to a loopback address answers only to loopback
//!   names (`127.0.0.1`, `localhost`, `[::1]`) and the hosts of
//!   `--allow-origin`. Otherwise a web page on any domain could point that
//!   domain at 127.0.0.1 (DNS rebinding) and, being "same-origin" with the
//!   server in the browser's eyes, read everything and open sockets. With
//!   `--public-url`, wherever it is bound, the server answers to that URL's
//!   host and port, and to the same names as on loopback (no rebinding page
//!   can send those: a browser sends a loopback `Host` only for a loopback
//!   page; they keep health checks and a local proxy that passes its upstream
//!   address working). Any other `Host` gets `400 bad_request`, as on
//!   loopback. A server on a public address without `--public-url` takes any
//!   `Host` and warns once at start (`app::Application::build`).
//! - **Cross-site writes with the cookie.** SameSite=Lax still sends the
//!   session cookie from sibling origins of the same site (another port on
//!   localhost, a sibling subdomain), and routes without a JSON body accept a
//!   plain form post. So a state-changing request authenticated by the cookie
//!   must come from an allowed origin (the `Origin` header, as for sockets) or,
//!   without one, not be marked cross-site or same-site by `Sec-Fetch-Site`.
//!   A bearer token is never sent by a browser on its own, so requests with
//!   one are not checked.
//! - **A deadline for request bodies.** A client that trickles its body would
//!   hold its task forever; reading a body stops after
//!   `Config::request_deadline` (the handler then answers `400`). Only the
//!   read is timed, never the handler's work after it, which may be several
//!   writes that must not be cut in half (a ban and its leave).
//! - **Requests run to completion** ([`run_to_completion`]): a client that
//!   hangs up does not cut a handler half-way.
//! - **A hard stop at shutdown** ([`until_hard_stop`]).
//! - **The client's address** ([`ClientAddress`]), which keys the sign-in
//!   limit: the peer, or, when the peer is a trusted reverse proxy, the
//!   address it reports in `X-Forwarded-For`.

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, HOST};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;

/// Runs the rest of the request (extractors and handler) on a task of its
/// own and waits for it. hyper drops the future of a request whose client
/// hangs up; without this, a kick would commit its `leave` but never end the
/// victim's subscriptions, a logout would delete the session but leave its
/// sockets open, a room would be made with nobody in it. On its own task the
/// handler runs to its end whatever the client does, so every multi-step
/// change completes or never starts: the class of bug, not one instance.
/// Only the answer is lost, which the client gave up on.
pub async fn run_to_completion(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(error) => {
            // A panic in a handler: the task is gone, answer as axum would.
            ApiError::Internal(format!("request task failed: {error}")).into_response()
        }
    }
}

/// Past the shutdown deadline, requests still running are answered `503`
/// and dropped: each connection runs on its own task, which stopping the
/// server's accept loop does not end, and the store is about to close.
pub async fn until_hard_stop(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    tokio::select! {
        response = next.run(request) => response,
        () = state.hard_stop.cancelled() => ApiError::Unavailable.into_response(),
    }
}

/// Refuses requests whose `Host` the server does not answer to (see the module docs).
pub async fn known_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if host_allowed(request.headers(), &state.config) {
        return next.run(request).await;
    }
    let message = match &state.config.public_url {
        Some(url) => format!(
            "unknown Host: this server answers to {} (its --public-url); use that address",
            url.origin()
        ),
        None => "unknown Host: this server answers to 127.0.0.1 and localhost; to serve other \
                 names, set --public-url, listen on another address (--addr) or allow an \
                 origin (--allow-origin)"
            .to_owned(),
    };
    ApiError::BadRequest(message).into_response()
}

/// Refuses cookie-authenticated writes from other origins (see the module docs).
pub async fn same_origin_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    if is_write(request.method())
        && uses_session_cookie(headers)
        && !from_allowed_page(headers, &state.config)
    {
        return ApiError::Forbidden(
            "cross-site request refused: send it from the chat's own page, or use a bearer token"
                .into(),
        )
        .into_response();
    }
    next.run(request).await
}

fn host_allowed(headers: &HeaderMap, config: &Config) -> bool {
    if !config.addr.ip().is_loopback() && config.public_url.is_none() {
        return true;
    }
    // HTTP/1.0 clients may send none; they are not browsers.
    let Some(host) = headers.get(HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    if config
        .public_url
        .as_ref()
        .is_some_and(|url| url.matches_host(host))
    {
        return true;
    }
    let name = host_name(host);
    is_loopback_name(name)
        || config.allowed_origins.iter().any(|origin| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| host_name(rest).eq_ignore_ascii_case(name))
        })
}

/// `host[:port]` or `[v6]:port` without the port, and without the trailing
/// dot of a fully qualified name (`localhost.`).
pub(crate) fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    name.strip_suffix('.').unwrap_or(name)
}

/// Names that always mean this machine: `localhost` and its subdomains
/// (RFC 6761; browsers resolve them to loopback themselves), loopback IPs.
pub(crate) fn is_loopback_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "localhost"
        || lower.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The request would be authenticated by the cookie: it carries the session
/// cookie and no bearer token (which wins when both are sent). Any other
/// `Authorization` (Basic, added by browsers and proxies on their own) leaves
/// the cookie in charge, exactly as `auth::request_token` reads it.
fn uses_session_cookie(headers: &HeaderMap) -> bool {
    crate::auth::bearer_token(headers).is_none()
        && headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|cookies| {
                cookies.split(';').any(|pair| {
                    pair.trim_start()
                        .strip_prefix(crate::auth::SESSION_COOKIE)
                        .is_some_and(|rest| rest.starts_with('='))
                })
            })
}

fn from_allowed_page(headers: &HeaderMap, config: &Config) -> bool {
    if headers.contains_key(axum::http::header::ORIGIN) {
        return crate::ws::origin_allowed(headers, config);
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => true,
    }
}

/// The address a request comes from, for per-address limits: the TCP peer,
/// unless that peer is one of `Config::trusted_proxies`; then the nearest
/// address in `X-Forwarded-For` that is not a trusted proxy (the header is
/// read from the right, where each proxy appends what it saw, so a client
/// cannot choose its own address by sending the header itself).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip())
            .ok_or_else(|| ApiError::Internal("no peer address".into()))?;
        Ok(ClientAddress(client_address(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

fn client_address(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map_while(|item| item.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|address| !trusted.contains(address))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config(addr: &str, allowed: &[&str]) -> Config {
        let mut config = Config::for_tests(std::path::PathBuf::from("/tmp/unused"));
        config.addr = addr.parse().expect("addr");
        config.allowed_origins = allowed.iter().map(|s| (*s).to_owned()).collect();
        config
    }

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_client_address_is_the_peer_unless_a_trusted_proxy_forwards_one() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().expect("ip");
        let client: std::net::IpAddr = "203.0.113.7".parse().expect("ip");
        let forged = with(&[("x-forwarded-for", "198.51.100.1, 203.0.113.7")]);
        // Not from a proxy: the header is the client's own words.
        assert_eq!(client_address(client, &forged, &[proxy]), client);
        // From the proxy: the rightmost address it saw, not the forged one.
        assert_eq!(client_address(proxy, &forged, &[proxy]), client);
        let chained = with(&[("x-forwarded-for", "203.0.113.7, 10.0.0.2")]);
        let second: std::net::IpAddr = "10.0.0.2".parse().expect("ip");
        assert_eq!(client_address(proxy, &chained, &[proxy, second]), client);
        assert_eq!(client_address(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn loopback_servers_answer_only_to_loopback_names_and_allowed_hosts() {
        let local = config("127.0.0.1:8000", &["http://chat.example:3000"]);
        for host in [
            "127.0.0.1:8000",
            "localhost:8000",
            "LOCALHOST",
            "[::1]:8000",
            "127.0.0.2",
            "localhost.:8000",
            "app.localhost:8000",
        ] {
            assert!(host_allowed(&with(&[("host", host)]), &local), "{host}");
        }
        assert!(host_allowed(
            &with(&[("host", "chat.example:8000")]),
            &local
        ));
        for host in [
            "evil.example:8000",
            "evil.example",
            "localhost.evil.example:8000",
        ] {
            assert!(!host_allowed(&with(&[("host", host)]), &local), "{host}");
        }
        let public = config("0.0.0.0:8000", &[]);
        assert!(host_allowed(&with(&[("host", "chat.example")]), &public));
    }

    #[test]
    fn with_a_public_url_only_its_host_and_loopback_names_are_answered() {
        for addr in ["0.0.0.0:8000", "127.0.0.1:8000"] {
            let mut named = config(addr, &[]);
            named.public_url = crate::config::PublicUrl::parse("https://chat.example").ok();
            for host in [
                "chat.example",
                "chat.example:443",
                "localhost:8000",
                "127.0.0.1",
            ] {
                assert!(
                    host_allowed(&with(&[("host", host)]), &named),
                    "{addr} {host}"
                );
            }
            for host in ["evil.example", "chat.example:8000", "10.0.0.5:8000"] {
                assert!(
                    !host_allowed(&with(&[("host", host)]), &named),
                    "{addr} {host}"
                );
            }
        }
    }

    #[test]
    fn cookie_writes_need_an_allowed_origin_and_bearer_writes_do_not() {
        let config = config("127.0.0.1:8000", &[]);
        let cookie = ("cookie", "theme=dark; webchat_session=abc");
        let own = with(&[
            cookie,
            ("host", "127.0.0.1:8000"),
            ("origin", "http://127.0.0.1:8000"),
        ]);
        assert!(uses_session_cookie(&own) && from_allowed_page(&own, &config));
        let foreign = with(&[
            cookie,
            ("host", "127.0.0.1:8000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(uses_session_cookie(&foreign) && !from_allowed_page(&foreign, &config));
        let sibling = with(&[cookie, ("sec-fetch-site", "same-site")]);
        assert!(!from_allowed_page(&sibling, &config));
        let typed = with(&[cookie, ("sec-fetch-site", "none")]);
        assert!(from_allowed_page(&typed, &config));
        let bearer = with(&[
            cookie,
            ("authorization", "Bearer xyz"),
            ("origin", "http://elsewhere"),
        ]);
        assert!(!uses_session_cookie(&bearer));
        // Basic credentials do not authenticate here: the cookie does, so it is checked.
        let basic = with(&[
            cookie,
            ("authorization", "Basic dTpw"),
            ("origin", "http://elsewhere"),
        ]);
        assert!(uses_session_cookie(&basic) && !from_allowed_page(&basic, &config));
        assert!(is_write(&Method::POST) && is_write(&Method::DELETE) && !is_write(&Method::GET));
    }
}
