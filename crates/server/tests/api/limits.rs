//! Caps on what one client may hold or cost: open WebSockets (per user, per
//! address, in all) and replays.

use serde_json::json;

use crate::helpers::{spawn_app_with, upgrade_refusal};

#[tokio::test]
async fn sockets_over_the_per_user_cap_are_refused_and_closing_one_frees_a_slot() {
    let app = spawn_app_with(|c| c.max_sockets_per_user = 2).await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let first = app.ws_ready(&ann.token).await;
    let _second = app.ws_ready(&ann.token).await;

    let (status, body) = upgrade_refusal(app.ws_request("/api/v1/ws", Some(&ann.token)))
        .await
        .expect("a third socket of ann is refused before the upgrade");
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert_eq!(
        body["error"]["message"], "too many open WebSockets for this user",
        "{body}"
    );
    app.assert_healthy().await;
    // Other users are not affected.
    let _bob = app.ws_ready(&bob.token).await;

    // Signed in only by `hello`: refused there, with 1013 (not 1008: the
    // session is fine).
    let mut late = app.ws_anonymous("/api/v1/ws").await;
    let refused = late
        .request(json!({"type": "hello", "token": ann.token}))
        .await;
    assert_eq!(
        (refused["type"].clone(), refused["code"].clone()),
        (json!("error"), json!("rate_limited")),
        "{refused}"
    );
    assert!(refused["retry_after_ms"].as_u64().is_some(), "{refused}");
    assert_eq!(late.expect_close().await, 1013);

    first.close().await;
    let mut again = app
        .ws_when_allowed(|| app.ws_request("/api/v1/ws", Some(&ann.token)))
        .await;
    let welcome = again.request(json!({"type": "hello"})).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
}

#[tokio::test]
async fn sockets_over_the_per_address_cap_are_refused_on_both_endpoints() {
    let app = spawn_app_with(|c| c.max_sockets_per_address = 3).await;
    let ann = app.guest("ann").await;
    // Counted from the upgrade on, signed in or not, v1 and seed alike.
    let _signed_in = app.ws_ready(&ann.token).await;
    let _anonymous = app.ws_anonymous("/api/v1/ws").await;
    let seed = app.ws_anonymous("/ws/1001").await;

    for path in ["/api/v1/ws", "/ws/1002"] {
        let (status, body) = upgrade_refusal(app.ws_request(path, None))
            .await
            .unwrap_or_else(|| panic!("{path}: a fourth socket is refused"));
        assert_eq!(status, 429, "{path}: {body}");
        assert_eq!(body["error"]["code"], "rate_limited", "{path}: {body}");
        assert_eq!(
            body["error"]["message"], "too many open WebSockets from this address",
            "{path}: {body}"
        );
    }
    app.assert_healthy().await;

    seed.close().await;
    let _again = app
        .ws_when_allowed(|| app.ws_request("/ws/1002", None))
        .await;
}

#[tokio::test]
async fn the_cap_on_all_open_sockets_answers_503() {
    let app = spawn_app_with(|c| c.max_sockets = Some(2)).await;
    let _one = app.ws_anonymous("/api/v1/ws").await;
    let two = app.ws_anonymous("/ws/1001").await;
    for path in ["/api/v1/ws", "/ws/1002"] {
        let (status, body) = upgrade_refusal(app.ws_request(path, None))
            .await
            .unwrap_or_else(|| panic!("{path}: a third socket is refused"));
        assert_eq!(status, 503, "{path}: {body}");
        assert_eq!(body["error"]["code"], "unavailable", "{path}: {body}");
    }
    app.assert_healthy().await;
    two.close().await;
    let _again = app
        .ws_when_allowed(|| app.ws_request("/api/v1/ws", None))
        .await;
}
