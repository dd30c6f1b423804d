//! `--public-url`: only its host is answered, its origin is the server's
//! own for the origin checks, and with https the cookie is `Secure`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, refused_upgrade, spawn_app_with};

async fn public_app() -> TestApp {
    spawn_app_with(|config| {
        config.public_url = webchat_server::PublicUrl::parse("https://chat.example.com").ok();
    })
    .await
}

#[tokio::test]
async fn with_a_public_url_other_hosts_are_refused_and_its_own_is_answered() {
    let app = public_app().await;
    for host in [
        "evil.example",
        "chat.example.com:8443",
        "chat.example.com.evil",
    ] {
        let (status, body, _) = app
            .call_with_headers(Method::GET, "/api/v1/rooms/public", &[("host", host)], None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{host}: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains("https://chat.example.com"), "{message}");
    }
    let ann = app.guest("ann").await;
    let bearer = format!("Bearer {}", ann.token);
    for host in ["chat.example.com", "CHAT.example.com:443"] {
        let headers = [("host", host), ("authorization", bearer.as_str())];
        let (status, body, _) = app
            .call_with_headers(Method::GET, "/api/v1/rooms/public", &headers, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }
    // Loopback names stay answered (health checks, a local proxy).
    let port = app.addr.port().to_string();
    let local = format!("127.0.0.1:{port}");
    let (status, _, _) = app
        .call_with_headers(Method::GET, "/healthz", &[("host", &local)], None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_public_origin_is_the_servers_own_for_cookie_writes_and_sockets() {
    let app = public_app().await;
    let ann = app.guest("ann").await;
    let cookie = format!("webchat_session={}", ann.token);
    // A proxy that passes on its upstream address as Host, as nginx does by default.
    let upstream = format!("127.0.0.1:{}", app.addr.port());
    let leave = |host: String, origin: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let headers = [
                ("cookie", cookie.as_str()),
                ("host", host.as_str()),
                ("origin", origin),
                ("content-type", "text/plain"),
            ];
            app.call_with_headers(Method::POST, "/api/v1/rooms/lobby/leave", &headers, None)
                .await
        }
    };
    let (status, body, _) = leave(upstream.clone(), "https://chat.example.com").await;
    assert_eq!(status, StatusCode::OK, "the public page itself: {body}");
    for (host, origin) in [
        // Shares the Host but not the scheme: not the server's page.
        ("chat.example.com", "http://chat.example.com"),
        ("chat.example.com", "https://evil.example"),
    ] {
        let (status, body, _) = leave(host.to_owned(), origin).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host} {origin}: {body}");
    }
    let bearer = format!("Bearer {}", ann.token);
    let upgrade = |origin: &'static str| {
        app.ws_request_with_headers(&[
            ("host", upstream.as_str()),
            ("origin", origin),
            ("authorization", bearer.as_str()),
        ])
    };
    assert_eq!(
        refused_upgrade(upgrade("https://chat.example.com")).await,
        None
    );
    assert_eq!(
        refused_upgrade(upgrade("https://evil.example")).await,
        Some(403)
    );
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let app = public_app().await;
    // No Origin and no X-Forwarded-Proto: only the public URL says https.
    let (status, body, headers) = app
        .call_with_headers(
            Method::POST,
            "/api/v1/auth/guest",
            &[],
            Some(json!({"name": "ann"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cookie = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie");
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}
