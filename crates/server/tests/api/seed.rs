//! The seed endpoint `/ws/{client_id}`, bridged with `lobby`.

use reqwest::StatusCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::{refused_upgrade, spawn_app, spawn_app_with};

#[tokio::test]
async fn seed_clients_chat_with_each_other_and_with_v1_clients() {
    let app = spawn_app().await;
    let mut s1 = app.ws_anonymous("/ws/1732621234567").await;
    s1.send_text("Connect").await;
    let connect = s1.recv().await;
    assert_eq!(
        connect["clientId"],
        json!(1732621234567u64),
        "all-digit ids are JSON numbers"
    );
    assert_eq!(connect["message"], "Connect");
    let time = connect["time"].as_str().expect("time");
    assert!(time.len() == 5 && time.as_bytes()[2] == b':', "{time}");

    let mut s2 = app.ws_anonymous("/ws/bob_2").await;
    s2.send_text("Connect").await;
    let own = s2.recv().await;
    assert_eq!(
        (own["clientId"].clone(), own["message"].clone()),
        (json!("bob_2"), json!("Connect"))
    );
    assert_eq!(s1.recv().await["clientId"], "bob_2");

    let ann = app.guest("ann").await;
    let mut v1 = app.ws_ready(&ann.token).await;
    v1.subscribe("lobby", None).await;
    // ann's join reaches the seed clients as a Connect from "ann".
    assert_eq!(s1.recv().await["clientId"], "ann");
    assert_eq!(s2.recv().await["message"], "Connect");

    s1.send_text("hello from the seed").await;
    for seed in [&mut s1, &mut s2] {
        let frame = seed.recv().await;
        assert_eq!(frame["clientId"], json!(1732621234567u64));
        assert_eq!(frame["message"], "hello from the seed");
    }
    let event = v1
        .recv_where(|f| f["type"] == "event" && f["kind"] == "message")
        .await;
    assert_eq!(event["body"], "hello from the seed");
    assert_eq!(event["author"]["name"], "1732621234567");

    v1.send_message("lobby", "hello from v1", "v1-1").await;
    for seed in [&mut s1, &mut s2] {
        let frame = seed.recv().await;
        assert_eq!(
            (frame["clientId"].clone(), frame["message"].clone()),
            (json!("ann"), json!("hello from v1"))
        );
    }
}

#[tokio::test]
async fn a_seed_client_leaving_sends_offline_to_the_other_seed_clients() {
    let app = spawn_app().await;
    let mut s1 = app.ws_anonymous("/ws/111").await;
    s1.send_text("Connect").await;
    s1.recv().await;
    let mut s2 = app.ws_anonymous("/ws/222").await;
    s2.send_text("Connect").await;
    s1.recv().await;
    s2.recv().await;
    drop(s2);
    let offline = s1.recv().await;
    assert_eq!(offline["clientId"], json!(222));
    assert_eq!(offline["message"], "Offline");
}

#[tokio::test]
async fn seed_history_is_in_the_lobby_log() {
    let app = spawn_app().await;
    let mut s1 = app.ws_anonymous("/ws/42").await;
    s1.send_text("Connect").await;
    s1.recv().await;
    s1.send_text("first").await;
    s1.recv().await;
    let ann = app.guest("ann").await;
    let (_, history) = app
        .get("/api/v1/rooms/lobby/events", Some(&ann.token))
        .await;
    let events = history["events"].as_array().expect("events");
    let summary: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e["kind"].clone(),
                e["author"]["name"].clone(),
                e["body"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (json!("join"), json!("42"), json!(null)),
            (json!("message"), json!("42"), json!("first"))
        ]
    );
}

#[tokio::test]
async fn seed_bad_input_is_refused_clearly() {
    let app = spawn_app().await;
    let mut s1 = app.ws_anonymous("/ws/7").await;
    s1.send_text("Connect").await;
    s1.recv().await;
    s1.send_text("   ").await;
    let error = s1.recv().await;
    assert_eq!(
        (error["type"].clone(), error["code"].clone()),
        (json!("error"), json!("bad_request"))
    );

    let response = app
        .http
        .get(app.url("/ws/bad.id"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // A plain GET (no upgrade) on either socket route: the JSON error body.
    for path in ["/ws/7", "/api/v1/ws"] {
        let response = app.http.get(app.url(path)).send().await.expect("request");
        let (status, body) = crate::helpers::json_response(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{path}: {body}");
    }

    let mut request = app.ws_url("/ws/9").into_client_request().expect("request");
    request
        .headers_mut()
        .insert("origin", HeaderValue::from_static("http://evil.example"));
    assert_eq!(refused_upgrade(request).await, Some(403));
}

#[tokio::test]
async fn the_seed_endpoint_is_closed_when_guests_are_disabled() {
    let app = spawn_app_with(|c| c.guests_enabled = false).await;
    let request = app.ws_url("/ws/9").into_client_request().expect("request");
    assert_eq!(refused_upgrade(request).await, Some(403));
}

#[tokio::test]
async fn a_seed_client_reconnecting_within_the_grace_period_is_not_announced_offline() {
    let app = spawn_app_with(|c| c.presence_grace = std::time::Duration::from_secs(1)).await;
    let mut watcher = app.ws_anonymous("/ws/100").await;
    watcher.send_text("Connect").await;
    watcher.recv().await;
    let mut flaky = app.ws_anonymous("/ws/200").await;
    flaky.send_text("Connect").await;
    assert_eq!(watcher.recv().await["message"], "Connect");
    drop(flaky);
    // The seed client reconnects without a second Connect; it is a member.
    let mut flaky = app.ws_anonymous("/ws/200").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    flaky.send_text("still here").await;
    let next = watcher.recv().await;
    assert_eq!(
        (next["clientId"].clone(), next["message"].clone()),
        (json!(200), json!("still here")),
        "no Offline before the message"
    );
    drop(flaky);
    let offline = watcher.recv().await;
    assert_eq!(
        (offline["clientId"].clone(), offline["message"].clone()),
        (json!(200), json!("Offline"))
    );
}

#[tokio::test]
async fn offline_comes_once_a_grace_period_after_the_last_disconnect() {
    let grace = std::time::Duration::from_millis(1500);
    let app = spawn_app_with(|c| c.presence_grace = grace).await;
    let mut watcher = app.ws_anonymous("/ws/100").await;
    watcher.send_text("Connect").await;
    watcher.recv().await;
    let mut flaky = app.ws_anonymous("/ws/200").await;
    flaky.send_text("Connect").await;
    assert_eq!(watcher.recv().await["message"], "Connect");
    // Gone, back within the grace period, then gone for good: the first
    // disconnect's timer must not announce Offline while the second
    // connection is open, nor early for the last one.
    drop(flaky);
    tokio::time::sleep(grace / 3).await;
    let flaky = app.ws_anonymous("/ws/200").await;
    tokio::time::sleep(grace / 3).await;
    let last_disconnect = std::time::Instant::now();
    drop(flaky);
    let offline = watcher.recv().await;
    assert_eq!(
        (offline["clientId"].clone(), offline["message"].clone()),
        (json!(200), json!("Offline"))
    );
    assert!(
        last_disconnect.elapsed() >= grace,
        "Offline {:?} after the last disconnect, before the grace period",
        last_disconnect.elapsed()
    );
    // And only once: the next frame the watcher sees is a new message.
    let mut other = app.ws_anonymous("/ws/300").await;
    tokio::time::sleep(grace).await;
    other.send_text("later").await;
    let next = watcher.recv().await;
    assert_eq!(
        (next["clientId"].clone(), next["message"].clone()),
        (json!(300), json!("Connect")),
        "no second Offline"
    );
}

#[tokio::test]
async fn a_seed_client_is_a_member_when_it_writes_and_a_kick_closes_it() {
    let app = spawn_app().await;
    let admin = app.account("root").await;
    // A client that skips Connect still joins before its first message.
    let mut seed = app.ws_anonymous("/ws/555").await;
    seed.send_text("no connect first").await;
    assert_eq!(seed.recv().await["message"], "Connect");
    assert_eq!(seed.recv().await["message"], "no connect first");
    let (_, members) = app
        .get("/api/v1/rooms/lobby/members", Some(&admin.token))
        .await;
    let id = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user"]["name"] == "555")
        .map(|m| m["user"]["id"].clone())
        .expect("the seed guest is a member");

    let (status, body) = app
        .post(
            "/api/v1/rooms/lobby/kick",
            Some(&admin.token),
            json!({"id": id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (frames, code) = seed.frames_until_close().await;
    assert_eq!(
        code, 1008,
        "kicked: closed, not left writing as a non-member"
    );
    assert!(
        frames.iter().all(|f| f["type"] != "unsubscribed"),
        "no v1 frame on the seed dialect: {frames:?}"
    );

    let (status, body) = app
        .post(
            "/api/v1/rooms/lobby/ban",
            Some(&admin.token),
            json!({"id": id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let request = app
        .ws_url("/ws/555")
        .into_client_request()
        .expect("request");
    assert_eq!(
        refused_upgrade(request).await,
        Some(403),
        "a banned seed client is refused at the upgrade"
    );
}

#[tokio::test]
async fn seed_connections_count_as_sign_ins_of_their_address() {
    let app = spawn_app_with(|c| c.sign_ins_per_minute = 2).await;
    let first = app.ws_anonymous("/ws/1001").await;
    let _second = app.ws_anonymous("/ws/1002").await;
    // A reconnect of a known client id makes nobody: it is not counted.
    drop(first);
    let _again = app.ws_anonymous("/ws/1001").await;
    // A third new client id from the same address would be a third guest.
    let request = app
        .ws_url("/ws/1003")
        .into_client_request()
        .expect("request");
    assert_eq!(
        refused_upgrade(request).await,
        Some(429),
        "refused with 429"
    );
}
