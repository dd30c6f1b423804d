//! Restarts and graceful shutdown.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_in};

#[tokio::test]
async fn history_sessions_and_nonces_survive_a_restart() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let ack = a.send_message("lobby", "remember me", "keep").await;
    drop(a);
    let data_dir = app.stop().await;

    let app = spawn_in(data_dir, |_| {}).await;
    let (status, me) = app.get("/api/v1/me", Some(&ann.token)).await;
    assert_eq!(status, 200, "the session survives");
    assert_eq!(me["name"], "ann");
    let (_, history) = app
        .get("/api/v1/rooms/lobby/events", Some(&ann.token))
        .await;
    let last = history["events"]
        .as_array()
        .expect("events")
        .last()
        .cloned()
        .expect("an event");
    assert_eq!(
        (last["body"].clone(), last["seq"].clone()),
        (json!("remember me"), ack["seq"].clone())
    );
    let mut a = app.ws_ready(&ann.token).await;
    let again = a.send_message("lobby", "remember me", "keep").await;
    assert_eq!(again["seq"], ack["seq"], "idempotent across restarts");
    let next = a.send_message("lobby", "new", "new").await;
    assert_eq!(
        next["seq"].as_u64(),
        ack["seq"].as_u64().map(|s| s + 1),
        "seq continues without gap or reuse"
    );
}

#[tokio::test]
async fn shutdown_says_bye_and_closes_every_socket_with_1001() {
    let mut app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut seed = app.ws_anonymous("/ws/5").await;
    seed.send_text("Connect").await;
    seed.recv().await;
    app.begin_shutdown();
    let bye = a.recv_where(|f| f["type"] == "bye").await;
    assert_eq!(
        bye,
        json!({"type": "bye", "reason": "shutdown", "reconnect": true})
    );
    assert_eq!(a.expect_close().await, 1001);
    assert_eq!(seed.expect_close().await, 1001);
    app.wait_stopped().await;
}

#[tokio::test]
async fn a_store_outage_answers_503_and_1013_and_the_process_stays_alive() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut ws = app.ws_anonymous("/api/v1/ws").await;
    let (status, _) = app.get("/readyz", None).await;
    assert_eq!(status, reqwest::StatusCode::OK);

    // Every query from now on fails, as when the database is gone.
    app.store.close().await;

    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "the process is alive: {body}"
    );
    let (status, body) = app.get("/api/v1/rooms", Some(&ann.token)).await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");

    ws.send_json(json!({"type": "hello", "token": ann.token}))
        .await;
    let (frames, code) = ws.frames_until_close().await;
    assert_eq!(code, 1013, "try again later, not a sign-in failure (1008)");
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "error" && f["code"] == "unavailable"),
        "{frames:?}"
    );
}
