//! The REST API: sessions, rooms, history, posting, errors.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_response, spawn_app, spawn_app_with};

#[tokio::test]
async fn guest_sign_in_sets_an_http_only_cookie_that_authenticates() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url("/api/v1/auth/guest"))
        .json(&json!({"name": "  ann  "}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (_, body) = json_response(response).await;
    assert_eq!(body["user"]["name"], "ann");
    assert_eq!(body["user"]["guest"], true);
    let token = body["token"].as_str().expect("token");
    assert!(token.len() >= 22, "at least 128 bits");

    let pair = cookie.split(';').next().expect("name=value");
    let me = app
        .http
        .get(app.url("/api/v1/me"))
        .header("cookie", pair)
        .send()
        .await
        .expect("request");
    let (status, me) = json_response(me).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me, body["user"]);

    let (status, me) = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], body["user"]["id"]);
}

#[tokio::test]
async fn requests_without_a_valid_session_get_401_json() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = app.get("/api/v1/rooms", Some("not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let (status, _) = app
        .post("/api/v1/auth/logout", Some(&ann.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get("/api/v1/me", Some(&ann.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_guest_requests_get_clear_errors() {
    let app = spawn_app().await;
    for body in [
        json!({"name": "   "}),
        json!({"name": "x".repeat(33)}),
        json!({"nom": "ann"}),
        json!([1]),
    ] {
        let (status, answer) = app.post("/api/v1/auth/guest", None, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"]["code"], "bad_request");
    }
    let response = app
        .http
        .post(app.url("/api/v1/auth/guest"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    let (status, answer) = json_response(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "bad_request");
    let huge = json!({"name": "x".repeat(100_000)});
    let (status, answer) = app.post("/api/v1/auth/guest", None, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"]["code"], "too_large");
}

#[tokio::test]
async fn guests_can_be_disabled() {
    let app = spawn_app_with(|c| c.guests_enabled = false).await;
    let (status, body) = app
        .post("/api/v1/auth/guest", None, json!({"name": "ann"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn lobby_exists_from_the_first_start_and_is_public() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let (status, body) = app.get("/api/v1/rooms/public", Some(&ann.token)).await;
    assert_eq!(status, StatusCode::OK);
    let rooms = body["rooms"].as_array().expect("rooms");
    let lobby = rooms
        .iter()
        .find(|r| r["id"] == "lobby")
        .expect("lobby listed");
    assert_eq!(lobby["visibility"], "public");
    let (status, room) = app.get("/api/v1/rooms/lobby", Some(&ann.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(room["id"], "lobby");
}

#[tokio::test]
async fn rooms_are_created_joined_listed_and_left() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let (status, room) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "rust", "name": "Rust", "topic": "crabs", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{room}");
    assert_eq!(room["name"], "Rust");
    assert_eq!(room["member_count"], 1);
    assert_eq!(room["head"], 1, "the creator's join is the first event");

    let (status, again) = app
        .post(
            "/api/v1/rooms",
            Some(&bob.token),
            json!({"id": "rust", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"]["code"], "conflict");

    for bad in [
        json!({"id": "Bad Id", "visibility": "public"}),
        json!({"id": "ok", "visibility": "secret"}),
        json!({"id": "ok", "visibility": "dm"}),
    ] {
        let (status, _) = app
            .post("/api/v1/rooms", Some(&bob.token), bad.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let (status, joined) = app
        .post("/api/v1/rooms/rust/join", Some(&bob.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(joined["member_count"], 2);
    let (_, mine) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    let ids: Vec<_> = mine["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!("rust")]);
    assert!(mine["rooms"][0]["unread"].is_u64() && mine["rooms"][0]["last_read"].is_u64());

    let (status, _) = app
        .post("/api/v1/rooms/rust/leave", Some(&bob.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, mine) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    assert_eq!(mine["rooms"], json!([]));
    let (_, events) = app.get("/api/v1/rooms/rust/events", Some(&ann.token)).await;
    let kinds: Vec<_> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("join"), json!("join"), json!("leave")]);
}

#[tokio::test]
async fn private_rooms_do_not_leak_to_non_members() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let eve = app.guest("eve").await;
    let (status, _) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "secret", "visibility": "private"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, public) = app.get("/api/v1/rooms/public", Some(&eve.token)).await;
    assert!(
        !public["rooms"]
            .as_array()
            .expect("rooms")
            .iter()
            .any(|r| r["id"] == "secret")
    );
    for path in ["/api/v1/rooms/secret", "/api/v1/rooms/secret/events"] {
        let (status, body) = app.get(path, Some(&eve.token)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (status, _) = app
        .post("/api/v1/rooms/secret/join", Some(&eve.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            "/api/v1/rooms/secret/messages",
            Some(&eve.token),
            json!({"body": "hi", "nonce": "n"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get("/api/v1/rooms/secret/events", Some(&ann.token))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn history_pages_backwards_and_forwards_with_has_more() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    app.post("/api/v1/rooms/lobby/join", Some(&ann.token), json!({}))
        .await;
    for i in 1..=9 {
        let (status, event) = app
            .post(
                "/api/v1/rooms/lobby/messages",
                Some(&ann.token),
                json!({"body": format!("m{i}"), "nonce": format!("n{i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
    }
    // seq 1 is ann's join; messages are seq 2..=10.
    let seqs = |body: &serde_json::Value| -> Vec<u64> {
        body["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["seq"].as_u64().expect("seq"))
            .collect()
    };
    let (_, latest) = app
        .get("/api/v1/rooms/lobby/events?limit=4", Some(&ann.token))
        .await;
    assert_eq!(seqs(&latest), vec![7, 8, 9, 10]);
    assert_eq!(latest["has_more"], true);
    let (_, older) = app
        .get(
            "/api/v1/rooms/lobby/events?before=7&limit=4",
            Some(&ann.token),
        )
        .await;
    assert_eq!(seqs(&older), vec![3, 4, 5, 6]);
    assert_eq!(older["has_more"], true);
    let (_, oldest) = app
        .get(
            "/api/v1/rooms/lobby/events?before=3&limit=4",
            Some(&ann.token),
        )
        .await;
    assert_eq!(seqs(&oldest), vec![1, 2]);
    assert_eq!(oldest["has_more"], false);
    let (_, newer) = app
        .get(
            "/api/v1/rooms/lobby/events?after=8&limit=4",
            Some(&ann.token),
        )
        .await;
    assert_eq!(seqs(&newer), vec![9, 10]);
    assert_eq!(newer["has_more"], false);
    let (_, newer) = app
        .get(
            "/api/v1/rooms/lobby/events?after=2&limit=3",
            Some(&ann.token),
        )
        .await;
    assert_eq!(seqs(&newer), vec![3, 4, 5]);
    assert_eq!(newer["has_more"], true);
    let message = &latest["events"][3];
    assert_eq!(message["kind"], "message");
    assert_eq!(message["body"], "m9");
    assert_eq!(
        message["author"],
        json!({"id": ann.id, "name": "ann", "guest": true})
    );
    assert!(message["ts"].as_str().expect("ts").ends_with('Z'));

    for bad in [
        "limit=0",
        "limit=201",
        "limit=x",
        "before=1&after=1",
        "before=-1",
    ] {
        let (status, body) = app
            .get(
                &format!("/api/v1/rooms/lobby/events?{bad}"),
                Some(&ann.token),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, _) = app
        .get("/api/v1/rooms/nowhere/events", Some(&ann.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn posting_needs_membership_valid_bodies_and_is_idempotent_per_nonce() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&ann.token),
            json!({"body": "hi", "nonce": "a"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    app.post("/api/v1/rooms/lobby/join", Some(&ann.token), json!({}))
        .await;
    let (status, first) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&ann.token),
            json!({"body": "hi", "nonce": "a"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, second) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&ann.token),
            json!({"body": "hi again", "nonce": "a"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first, second, "a repeated nonce answers the first event");
    let (status, body) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&ann.token),
            json!({"body": "  ", "nonce": "b"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("bad_request"))
    );
    let (status, body) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&ann.token),
            json!({"body": "x".repeat(4001), "nonce": "c"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::PAYLOAD_TOO_LARGE, json!("too_large"))
    );
    let (status, _) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&ann.token),
            json!({"body": "ok", "nonce": "x".repeat(65)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, history) = app
        .get("/api/v1/rooms/lobby/events", Some(&ann.token))
        .await;
    let messages = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "message")
        .count();
    assert_eq!(messages, 1);
}

#[tokio::test]
async fn root_answers_json_to_api_clients_and_html_to_browsers() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("request");
    let (status, body) = json_response(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("webchat")
    );
    let response = app
        .http
        .get(app.url("/"))
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let page = response.text().await.expect("text");
    assert!(page.to_lowercase().contains("<!doctype html>"));
    // The built client itself, from inside the binary (the test command
    // builds `web/` first; `npm run build` there does it by hand).
    assert!(
        page.contains("id=\"root\""),
        "the web client is not embedded; build it with `npm run build` in web/: {page}"
    );
    let script = page
        .split("src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|src| src.starts_with("/assets/") && src.ends_with(".js"))
        .expect("the page loads its script from /assets/");
    let response = app.http.get(app.url(script)).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .contains("javascript")
    );
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .expect("cache")
            .contains("immutable"),
        "hashed assets are cached for good"
    );
    // A client route after a reload gets the client too, not a 404.
    let response = app
        .http
        .get(app.url("/rooms/lobby"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("text").contains("id=\"root\""));
}

#[tokio::test]
async fn health_readiness_and_unknown_api_routes() {
    let app = spawn_app().await;
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("ok"))
    );
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("ready"))
    );
    let (status, body) = app.get("/api/v1/nope", None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
}

#[tokio::test]
async fn metrics_are_served_in_prometheus_text_format() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    app.post("/api/v1/rooms/lobby/join", Some(&ann.token), json!({}))
        .await;
    let _ws = app.ws_ready(&ann.token).await;
    let response = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain")
    );
    let text = response.text().await.expect("text");
    assert!(text.contains("webchat_events_committed_total"), "{text}");
    assert!(text.contains("webchat_websocket_connections"), "{text}");
}

#[tokio::test]
async fn a_wrong_method_gets_a_json_405() {
    let app = spawn_app().await;
    let response = app
        .http
        .put(app.url("/api/v1/me"))
        .send()
        .await
        .expect("request");
    let (status, body) = json_response(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body["error"]["message"].as_str().is_some());
}

#[tokio::test]
async fn a_loopback_server_answers_only_to_loopback_host_names() {
    // DNS rebinding: a page on evil.example pointed at 127.0.0.1 sends its own Host.
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/api/v1/rooms/public"))
        .header("host", format!("evil.example:{}", app.addr.port()))
        .send()
        .await
        .expect("request");
    let (status, body) = json_response(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "bad_request");
    let response = app
        .http
        .get(app.url("/healthz"))
        .header("host", format!("localhost:{}", app.addr.port()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn cookie_authenticated_writes_from_another_origin_are_refused() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let cookie = format!("webchat_session={}", ann.token);
    let own = format!("http://127.0.0.1:{}", app.addr.port());
    let leave = |origin: Option<&str>, site: Option<&str>| {
        let mut request = app
            .http
            .post(app.url("/api/v1/rooms/lobby/leave"))
            .header("cookie", &cookie)
            // A form post: no JSON needed on a route without a body.
            .header("content-type", "text/plain");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    for (origin, site) in [
        (Some("http://127.0.0.1:3000"), None),
        (Some("http://evil.example"), Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let (status, body) = json_response(leave(origin, site).await.expect("request")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?} {site:?}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let (status, body) = json_response(
        leave(Some(&own), Some("same-origin"))
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the page itself: {body}");
    // A bearer token is never sent by a browser on its own: any origin may use one.
    let response = app
        .http
        .post(app.url("/api/v1/rooms/lobby/join"))
        .bearer_auth(&ann.token)
        .header("origin", "http://bot.example")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_request_body_that_trickles_is_refused_with_json_in_time() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|c| c.request_deadline = std::time::Duration::from_millis(500)).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connects");
    let head = format!(
        "POST /api/v1/auth/guest HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\nConnection: close\r\n\r\n{{\"name\":",
        app.addr.port()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    let mut answer = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_string(&mut answer),
    )
    .await
    .expect("answered in time")
    .expect("reads");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains(r#""code":"bad_request""#), "{answer}");
    assert!(answer.contains("timeout"), "says why: {answer}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app =
        spawn_app_with(|c| c.header_read_timeout = std::time::Duration::from_millis(300)).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connects");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .expect("writes");
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut rest),
    )
    .await;
    assert!(ended.is_ok(), "the server closed the connection in time");
}

#[tokio::test]
async fn open_http_connections_are_capped_and_a_freed_slot_is_used() {
    let app = spawn_app_with(|c| c.max_http_connections = 2).await;
    let idle_one = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connects");
    let _idle_two = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connects");
    // Both slots are taken: a third connection waits in the backlog.
    let fresh = reqwest::Client::new();
    let waiting = tokio::spawn({
        let url = app.url("/healthz");
        async move { fresh.get(url).send().await.map(|r| r.status()) }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "served beyond the cap");
    drop(idle_one);
    let status = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
        .await
        .expect("served once a slot is free")
        .expect("joins")
        .expect("request");
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_and_every_answer_nosniff() {
    let app = spawn_app().await;
    for path in ["/", "/room/lobby", "/assets/missing.js"] {
        let response = app
            .http
            .get(app.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request");
        let policy = response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        for directive in [
            "script-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    }
    for path in ["/", "/api/v1/me", "/healthz"] {
        let response = app.http.get(app.url(path)).send().await.expect("request");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn answers_are_compressed_as_the_client_accepts() {
    let app = spawn_app().await;
    for (accepted, expected) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let response = app
            .http
            .get(app.url("/api/openapi.json"))
            .header("accept-encoding", accepted)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let encoding = response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        assert_eq!(encoding.as_deref(), expected, "{accepted}");
    }
}
