//! Session expiry: a maximum age and an idle period, checked at every
//! authentication and swept, with the sweep closing live sockets (1008).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{WAIT, spawn_app_with};

#[tokio::test]
async fn a_session_past_its_max_age_gets_401_and_its_open_socket_closes_with_1008() {
    let app = spawn_app_with(|config| {
        config.session_max_age = Duration::from_secs(2);
    })
    .await;
    let (status, body, headers) = app
        .call_with_headers(
            reqwest::Method::POST,
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
    assert!(
        cookie.contains("Max-Age=2"),
        "the cookie lives as long as the session: {cookie}"
    );
    let token = body["token"].as_str().expect("token").to_owned();
    let mut ws = app.ws_ready(&token).await;
    // Used all along, and still it ends at its maximum age.
    let keep_using = async {
        loop {
            let (status, body) = app.get("/api/v1/me", Some(&token)).await;
            if status == StatusCode::UNAUTHORIZED {
                return;
            }
            assert_eq!(status, StatusCode::OK, "{body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let (code, ()) =
        tokio::time::timeout(WAIT, async { tokio::join!(ws.expect_close(), keep_using) })
            .await
            .expect("the session ends in time");
    assert_eq!(code, 1008, "closed as a session that ended");
    let (status, body) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(!app.session_exists(&token).await, "the sweep deleted it");
    assert_eq!(
        app.hello_with(&token).await.err(),
        Some(1008),
        "hello fails as for a bad token"
    );
}

#[tokio::test]
async fn an_idle_session_expires_while_a_used_one_does_not() {
    let app = spawn_app_with(|config| {
        config.session_idle = Duration::from_secs(1);
    })
    .await;
    let idle = app.guest("idle").await;
    let rest = app.guest("rest").await;
    let socket = app.guest("socket").await;
    // Only its socket uses this one: pings over it count as use.
    let mut ws = app.ws_ready(&socket.token).await;
    // Use the other two until the sweep has taken the idle one.
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut rounds = 0u32;
    while app.session_exists(&idle.token).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle session is not swept within {WAIT:?}"
        );
        let (status, body) = app.get("/api/v1/me", Some(&rest.token)).await;
        assert_eq!(status, StatusCode::OK, "a used session stays: {body}");
        let pong = ws.request(json!({"type": "ping"})).await;
        assert_eq!(pong["type"], "pong", "{pong}");
        rounds += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        rounds > 3,
        "the idle period passed while the others were used"
    );
    let (status, body) = app.get("/api/v1/me", Some(&idle.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Well past the idle period, the used ones still work.
    let (status, body) = app.get("/api/v1/me", Some(&rest.token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(app.session_exists(&socket.token).await);
    let pong = ws.request(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "pong", "{pong}");
}

#[tokio::test]
async fn an_expired_session_is_refused_before_any_sweep_and_tokens_do_not_expire() {
    let app = spawn_app_with(|config| {
        config.session_idle = Duration::from_millis(1000);
        config.session_max_age = Duration::from_millis(1500);
        // No sweep during the test: the check at authentication alone refuses.
        config.session_sweep_interval = Duration::from_secs(3600);
    })
    .await;
    let owner = app.account("owner").await;
    let (status, body) = app
        .post("/api/v1/tokens", Some(&owner.token), json!({"name": "bot"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bot = body["token"].as_str().expect("token").to_owned();
    // The precondition is time itself: both limits pass, untouched.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert!(app.session_exists(&owner.token).await, "not swept");
    let (status, body) = app.get("/api/v1/me", Some(&owner.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(app.hello_with(&owner.token).await.err(), Some(1008));
    // The cookie on the upgrade is refused as well: hello without a token fails.
    let mut ws = crate::helpers::WsClient::connect(
        app.ws_request_with_headers(&[("cookie", &format!("webchat_session={}", owner.token))]),
    )
    .await;
    let answer = ws.request(json!({"type": "hello"})).await;
    assert_eq!(answer["code"], "unauthorized", "{answer}");
    assert_eq!(ws.expect_close().await, 1008);
    // An access token has no such limits.
    let (status, body) = app.get("/api/v1/me", Some(&bot)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(app.hello_with(&bot).await.is_ok());
}

#[tokio::test]
async fn an_expired_session_is_no_longer_listed_even_before_the_sweep() {
    let app = spawn_app_with(|config| {
        config.session_idle = Duration::from_millis(600);
        config.session_sweep_interval = Duration::from_secs(3600);
    })
    .await;
    let first = app.account("owner").await;
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "owner", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["token"].as_str().expect("token").to_owned();
    // Only the second one is used; the first goes idle but stays stored.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, body) = app.get("/api/v1/sessions", Some(&second)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let listed = body["sessions"].as_array().expect("sessions").len();
        if listed == 1 {
            assert_eq!(body["sessions"][0]["current"], true, "{body}");
            break;
        }
        assert_eq!(listed, 2, "{body}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle session is still listed after {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(app.session_exists(&first.token).await, "not swept");
    let (status, _) = app.get("/api/v1/me", Some(&first.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
