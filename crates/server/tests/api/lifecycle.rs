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
