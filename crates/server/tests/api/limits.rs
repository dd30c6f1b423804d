//! Caps on what one client may hold or cost: open WebSockets (per user, per
//! address, in all) and replays.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{WsClient, spawn_app_with, upgrade_refusal};

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

/// Reads the replay that follows a `subscribed`: the seqs of its events, up
/// to `head`.
async fn replayed_upto(ws: &mut WsClient, head: u64) -> Vec<u64> {
    let mut seqs = Vec::new();
    while seqs.last() != Some(&head) {
        let event = ws.recv_event().await;
        seqs.push(event["seq"].as_u64().expect("seq"));
    }
    seqs
}

#[tokio::test]
async fn replays_draw_on_the_users_replay_budget_and_wait_for_it() {
    let app = spawn_app_with(|c| {
        // 20 events at once, one back every 100 ms.
        c.replay_budget_events = 20;
        c.replay_budget_period = Duration::from_secs(2);
        c.limits.rate_per_s = 1000;
        c.limits.burst = 1000;
    })
    .await;
    let ann = app.guest("ann").await;
    let mut ws = app.ws_ready(&ann.token).await;
    ws.subscribe("lobby", None).await;
    for i in 0..20 {
        app.posted("lobby", &ann, &format!("message {i}")).await;
    }
    let unsubscribe = json!({"type": "unsubscribe", "room": "lobby"});
    assert_eq!(
        ws.request(unsubscribe.clone()).await["type"],
        "unsubscribed"
    );
    ws.clear_skipped();

    let head = ws.subscribe("lobby", Some(0)).await["head"]
        .as_u64()
        .expect("head");
    assert!(head > 20, "a join and 20 messages: {head}");
    let all: Vec<u64> = (1..=head).collect();
    assert_eq!(replayed_upto(&mut ws, head).await, all, "the whole log");
    assert_eq!(ws.request(unsubscribe).await["type"], "unsubscribed");

    // The budget is spent: the same replay again waits until it is back
    // (20 events at 100 ms each), then comes whole.
    let started = Instant::now();
    let again = ws.subscribe("lobby", Some(0)).await;
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "answered after {:?}, before the budget was back",
        started.elapsed()
    );
    assert_eq!(again["head"], head);
    assert_eq!(replayed_upto(&mut ws, head).await, all);
}
