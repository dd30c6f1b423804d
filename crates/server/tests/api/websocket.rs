//! The protocol v1 socket: hello, subscribe and resume, send and ack,
//! errors, close codes, fan-out and slow consumers.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::{WsClient, spawn_app, spawn_app_with};

#[tokio::test]
async fn hello_with_a_token_or_the_upgrade_session_is_welcomed() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut ws = app.ws_anonymous("/api/v1/ws").await;
    let welcome = ws
        .request(json!({"type": "hello", "token": ann.token}))
        .await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(
        welcome["user"],
        json!({"id": ann.id, "name": "ann", "guest": true})
    );
    assert_eq!(
        welcome["limits"],
        json!({"max_body_chars": 4000, "max_frame_bytes": 65536, "rate_per_s": 10, "burst": 20})
    );
    assert!(welcome["heartbeat_ms"].as_u64().expect("heartbeat") > 0);

    let mut request = app
        .ws_url("/api/v1/ws")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "cookie",
        HeaderValue::from_str(&format!("webchat_session={}", ann.token)).expect("header"),
    );
    let mut ws = WsClient::connect(request).await;
    assert_eq!(
        ws.request(json!({"type": "hello"})).await["user"]["id"],
        ann.id
    );
}

#[tokio::test]
async fn failed_authentication_gets_an_error_then_close_1008() {
    let app = spawn_app().await;
    let mut ws = app.ws_anonymous("/api/v1/ws").await;
    let error = ws
        .request(json!({"type": "hello", "token": "forged"}))
        .await;
    assert_eq!(error["code"], "unauthorized");
    assert_eq!(ws.expect_close().await, 1008);

    let mut ws = app.ws_anonymous("/api/v1/ws").await;
    let error = ws.request(json!({"type": "hello"})).await;
    assert_eq!(error["code"], "unauthorized");
    assert_eq!(ws.expect_close().await, 1008);
}

#[tokio::test]
async fn commands_before_hello_are_refused_and_no_hello_in_time_closes_1008() {
    let app = spawn_app_with(|c| c.hello_timeout = Duration::from_millis(500)).await;
    let ann = app.guest("ann").await;
    let mut ws = app.ws(&ann.token).await;
    let error = ws.request(json!({"type": "ping"})).await;
    assert_eq!(
        (error["type"].clone(), error["code"].clone()),
        (json!("error"), json!("unauthorized"))
    );
    assert_eq!(ws.expect_close().await, 1008);
}

#[tokio::test]
async fn the_upgrade_is_refused_for_a_foreign_origin() {
    let app = spawn_app_with(|c| c.allowed_origins = vec!["http://friend.example".into()]).await;
    for (origin, allowed) in [
        ("http://evil.example", false),
        ("http://friend.example", true),
        (&*format!("http://{}", app.addr), true),
    ] {
        let mut request = app
            .ws_url("/api/v1/ws")
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).expect("header"));
        let result = tokio_tungstenite::connect_async(request).await;
        match (result, allowed) {
            (Ok(_), true) => {}
            (Err(tokio_tungstenite::tungstenite::Error::Http(response)), false) => {
                assert_eq!(response.status(), 403, "{origin}");
            }
            (other, _) => panic!("{origin}: unexpected {:?}", other.map(|_| ())),
        }
    }
}

#[tokio::test]
async fn two_clients_see_the_same_events_in_the_same_order() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    let mut b = app.ws_ready(&bob.token).await;
    a.subscribe("lobby", None).await;
    b.subscribe("lobby", None).await;
    let mut acks = Vec::new();
    for i in 0..5 {
        acks.push(
            a.send_message("lobby", &format!("a{i}"), &format!("a{i}"))
                .await,
        );
        acks.push(
            b.send_message("lobby", &format!("b{i}"), &format!("b{i}"))
                .await,
        );
    }
    let mut seen_a = Vec::new();
    let mut seen_b = Vec::new();
    while seen_a.len() < 10 {
        let e = a.recv_event().await;
        if e["kind"] == "message" {
            seen_a.push((e["seq"].clone(), e["body"].clone()));
        }
    }
    while seen_b.len() < 10 {
        let e = b.recv_event().await;
        if e["kind"] == "message" {
            seen_b.push((e["seq"].clone(), e["body"].clone()));
        }
    }
    assert_eq!(seen_a, seen_b);
    let seqs: Vec<u64> = seen_a
        .iter()
        .map(|(s, _)| s.as_u64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive: {seqs:?}"
    );
    let acked: Vec<u64> = acks
        .iter()
        .map(|a| a["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(
        acked, seqs,
        "acks carry the seq of the events, in send order"
    );
}

#[tokio::test]
async fn the_sender_gets_its_own_event_with_nonce_and_author() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let ack = a.send_message("lobby", "hello", "n-1").await;
    let event = a
        .recv_where(|f| f["type"] == "event" && f["kind"] == "message")
        .await;
    assert_eq!(event["seq"], ack["seq"]);
    assert_eq!(event["id"], ack["id"]);
    assert_eq!(event["nonce"], "n-1");
    assert_eq!(
        event["author"],
        json!({"id": ann.id, "name": "ann", "guest": true})
    );
    assert_eq!(event["room"], "lobby");
}

#[tokio::test]
async fn subscribing_to_a_public_room_joins_it_and_shows_presence() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    let subscribed = a.subscribe("lobby", Some(0)).await;
    assert_eq!(
        subscribed["presence"],
        json!([{"id": ann.id, "name": "ann", "guest": true}])
    );
    let join = a.recv_event().await;
    assert_eq!(
        (join["kind"].clone(), join["author"]["id"].clone()),
        (json!("join"), json!(ann.id))
    );
    let mut b = app.ws_ready(&bob.token).await;
    b.subscribe("lobby", None).await;
    // Joins are announced once per sweep, together: the frame that names
    // bob may name ann too (her own join, already in her snapshot).
    let names = |f: &serde_json::Value, key: &str, id: i64| {
        f["type"] == "presence"
            && f[key]
                .as_array()
                .is_some_and(|users| users.iter().any(|u| u["id"] == id))
    };
    let presence = a.recv_where(|f| names(f, "joined", bob.id)).await;
    assert!(names(&presence, "joined", bob.id), "{presence}");
    let (_, rooms) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    assert_eq!(rooms["rooms"][0]["id"], "lobby");
    drop(b);
    let presence = a.recv_where(|f| names(f, "left", bob.id)).await;
    assert_eq!(presence["left"][0]["id"], bob.id);
}

#[tokio::test]
async fn resume_after_a_drop_replays_exactly_the_missed_events() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut b = app.ws_ready(&bob.token).await;
    b.subscribe("lobby", None).await;
    let last_seen = b.send_message("lobby", "before", "b0").await["seq"]
        .as_u64()
        .expect("seq");
    drop(b);
    let mut missed = Vec::new();
    for i in 0..7 {
        missed.push(
            a.send_message("lobby", &format!("missed {i}"), &format!("m{i}"))
                .await["seq"]
                .as_u64()
                .expect("seq"),
        );
    }
    let mut b = app.ws_ready(&bob.token).await;
    let subscribed = b.subscribe("lobby", Some(last_seen)).await;
    let head = subscribed["head"].as_u64().expect("head");
    let mut replayed = Vec::new();
    while replayed.last().copied().unwrap_or(last_seen) < head {
        replayed.push(b.recv_event().await["seq"].as_u64().expect("seq"));
    }
    assert_eq!(replayed, (last_seen + 1..=head).collect::<Vec<_>>());
    assert!(missed.iter().all(|s| replayed.contains(s)));
    let live = a.send_message("lobby", "live", "live").await["seq"]
        .as_u64()
        .expect("seq");
    assert_eq!(
        b.recv_event().await["seq"].as_u64(),
        Some(live),
        "the next event is live, no duplicate"
    );
}

#[tokio::test]
async fn subscribe_while_others_send_has_no_gap_and_no_duplicate_at_the_seam() {
    let app = spawn_app_with(|c| {
        c.limits.rate_per_s = 1000;
        c.limits.burst = 1000;
    })
    .await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let sender = tokio::spawn(async move {
        for i in 0..60 {
            a.send_message("lobby", &format!("m{i}"), &format!("n{i}"))
                .await;
        }
        a
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut b = app.ws_ready(&bob.token).await;
    b.subscribe("lobby", Some(0)).await;
    let _a = sender.await.expect("sender");
    let (_, page) = app
        .get("/api/v1/rooms/lobby/events?limit=1", Some(&bob.token))
        .await;
    let head = page["events"][0]["seq"].as_u64().expect("head");
    let mut seqs = Vec::new();
    while seqs.last().copied().unwrap_or(0) < head {
        seqs.push(b.recv_event().await["seq"].as_u64().expect("seq"));
    }
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_same_nonce_twice_yields_one_event_and_the_same_ack() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let first = a.send_message("lobby", "once", "same").await;
    let second = a.send_message("lobby", "once", "same").await;
    for field in ["room", "seq", "id", "ts"] {
        assert_eq!(first[field], second[field], "{field}");
    }
    // Reconnected, the nonce still maps to the first event.
    drop(a);
    let mut a = app.ws_ready(&ann.token).await;
    let third = a.send_message("lobby", "once", "same").await;
    assert_eq!(first["seq"], third["seq"]);
    let (_, history) = app
        .get("/api/v1/rooms/lobby/events", Some(&ann.token))
        .await;
    let count = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["nonce"] == "same")
        .count();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn bad_commands_get_error_frames_and_the_connection_stays_open() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;

    a.send_text("{not json").await;
    let e = a.recv().await;
    assert_eq!(
        (e["type"].clone(), e["code"].clone()),
        (json!("error"), json!("bad_request"))
    );
    assert!(
        e["message"]
            .as_str()
            .expect("message")
            .contains("invalid JSON")
    );

    let cases: Vec<(Value, &str)> = vec![
        (json!({"type": "dance"}), "bad_request"),
        (json!({"room": "lobby"}), "bad_request"),
        (
            json!({"type": "send", "room": "lobby", "nonce": "x"}),
            "bad_request",
        ),
        (
            json!({"type": "send", "room": "lobby", "body": 5, "nonce": "x"}),
            "bad_request",
        ),
        (
            json!({"type": "subscribe", "room": "lobby", "since": "yesterday"}),
            "bad_request",
        ),
        (json!({"type": "subscribe", "room": "nowhere"}), "not_found"),
        (json!({"type": "subscribe", "room": "../etc"}), "not_found"),
        (json!({"type": "subscribe", "room": "lobby"}), "conflict"),
        (
            json!({"type": "send", "room": "nowhere", "body": "hi", "nonce": "x1"}),
            "not_found",
        ),
        (
            json!({"type": "send", "room": "lobby", "body": "", "nonce": "x2"}),
            "bad_request",
        ),
        (
            json!({"type": "send", "room": "lobby", "body": " \n ", "nonce": "x3"}),
            "bad_request",
        ),
        (
            json!({"type": "send", "room": "lobby", "body": "x".repeat(4001), "nonce": "x4"}),
            "too_large",
        ),
        (
            json!({"type": "send", "room": "lobby", "body": "hi", "nonce": ""}),
            "bad_request",
        ),
        (
            json!({"type": "unsubscribe", "room": "elsewhere"}),
            "bad_request",
        ),
        (json!({"type": "hello"}), "bad_request"),
    ];
    for (command, code) in cases {
        let answer = a.request(command.clone()).await;
        assert_eq!(answer["type"], "error", "{command}");
        assert_eq!(answer["code"], code, "{command}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(a.request(json!({"type": "ping"})).await["type"], "pong");
    let unsubscribed = a
        .request(json!({"type": "unsubscribe", "room": "lobby"}))
        .await;
    assert_eq!(
        unsubscribed,
        json!({"type": "unsubscribed", "re": unsubscribed["re"], "room": "lobby"})
    );
    // No more events: one posted now is published before the REST answer,
    // so it would be queued ahead of the pong.
    a.take_skipped();
    let bob = app.guest("bob").await;
    app.post("/api/v1/rooms/lobby/join", Some(&bob.token), json!({}))
        .await;
    app.posted("lobby", &bob, "after the unsubscribe").await;
    assert_eq!(a.request(json!({"type": "ping"})).await["type"], "pong");
    let late: Vec<Value> = a
        .take_skipped()
        .into_iter()
        .filter(|f| f["type"] == "event")
        .collect();
    assert!(late.is_empty(), "events after unsubscribe: {late:?}");
    // A body of exactly the limit is accepted.
    a.send_message("lobby", &"é".repeat(4000), "max").await;
}

#[tokio::test]
async fn a_binary_frame_closes_with_1003() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.stream
        .send(Message::binary(vec![1u8, 2, 3]))
        .await
        .expect("send");
    assert_eq!(a.expect_close().await, 1003);
}

#[tokio::test]
async fn a_frame_over_the_limit_closes_with_1009() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    let body = "x".repeat(70 * 1024);
    a.send_json(json!({"type": "send", "room": "lobby", "body": body, "nonce": "big"}))
        .await;
    assert_eq!(a.expect_close().await, 1009);
}

#[tokio::test]
async fn sending_faster_than_the_rate_limit_is_refused_with_retry_after() {
    // A slow refill keeps the test independent of how fast this machine commits.
    let app = spawn_app_with(|c| {
        c.limits.rate_per_s = 1;
        c.limits.burst = 5;
    })
    .await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut limited = None;
    for i in 0..40 {
        let answer = a
            .request(
                json!({"type": "send", "room": "lobby", "body": "spam", "nonce": format!("s{i}")}),
            )
            .await;
        if answer["type"] == "error" {
            limited = Some((i, answer));
            break;
        }
    }
    let (sent, error) = limited.expect("the limit is reached within 40 sends");
    // The subscribe's join took one of the burst of 5.
    assert!(
        sent >= 4,
        "the rest of the burst is allowed, limited after {sent}"
    );
    // Resending an already acked message is answered with its ack, limit or not.
    let resent = a
        .request(json!({"type": "send", "room": "lobby", "body": "spam", "nonce": "s0"}))
        .await;
    assert_eq!(resent["type"], "ack", "{resent}");
    assert_eq!(error["code"], "rate_limited");
    assert!(error["retry_after_ms"].as_u64().expect("retry_after_ms") > 0);
    assert_eq!(a.request(json!({"type": "ping"})).await["type"], "pong");
}

#[tokio::test]
async fn a_client_too_slow_to_drain_is_closed_1013_and_others_are_not_slowed() {
    let app = spawn_app_with(|c| {
        c.outbound_queue = 8;
        c.limits.rate_per_s = 100_000;
        c.limits.burst = 100_000;
    })
    .await;
    let slow_user = app.guest("slow").await;
    let carl = app.guest("carl").await;
    let mut slow = app.ws_ready(&slow_user.token).await;
    slow.subscribe("lobby", None).await;
    let mut watcher = app.ws_ready(&carl.token).await;
    watcher.subscribe("lobby", None).await;
    // The watcher reads everything and checks it arrives complete and in
    // order, until the hub announces that the slow client was dropped.
    let slow_id = slow_user.id;
    let watching = tokio::spawn(async move {
        let mut last: Option<u64> = None;
        loop {
            let frame = watcher.recv().await;
            if frame["type"] == "event" {
                let seq = frame["seq"].as_u64().expect("seq");
                if let Some(last) = last {
                    assert_eq!(seq, last + 1, "no gap for a client that keeps up");
                }
                last = Some(seq);
            }
            if frame["type"] == "presence"
                && frame["left"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|u| u["id"] == slow_id))
            {
                return (last, watcher);
            }
        }
    });
    // The slow client stops reading: large messages (4000 four-byte
    // characters) from a few concurrent senders fill the kernel's socket
    // buffers, then its bounded queue, and the hub drops it.
    let body = "\u{1F980}".repeat(4000);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for n in 0..4 {
        let user = app.guest(&format!("sender{n}")).await;
        app.post("/api/v1/rooms/lobby/join", Some(&user.token), json!({}))
            .await;
        let mut ws = app.ws_ready(&user.token).await;
        let (body, stop) = (body.clone(), stop.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                assert!(sent < 5_000, "the slow client was never dropped");
                ws.send_message("lobby", &body, &format!("s{sent}")).await;
                ws.clear_skipped();
                sent += 1;
            }
        }));
    }
    let (last, mut watcher) = watching.await.expect("watcher");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for sender in senders {
        sender.await.expect("sender");
    }
    assert!(last.is_some());
    let (frames, code) = slow.frames_until_close().await;
    assert_eq!(code, 1013);
    // The others are still served.
    assert_eq!(
        watcher.request(json!({"type": "ping"})).await["type"],
        "pong"
    );
    // The dropped client resumes from the last seq it got and misses nothing.
    let received: Vec<u64> = frames
        .iter()
        .filter(|f| f["type"] == "event")
        .map(|f| f["seq"].as_u64().expect("seq"))
        .collect();
    let resume_from = received.last().copied().unwrap_or(0);
    assert!(
        received.windows(2).all(|w| w[1] == w[0] + 1),
        "what it got before the drop had no gap"
    );
    let (_, room) = app.get("/api/v1/rooms/lobby", Some(&slow_user.token)).await;
    let head = room["head"].as_u64().expect("head");
    assert!(head > resume_from, "the drop cost it events to resume");
    let mut again = app.ws_ready(&slow_user.token).await;
    again.subscribe("lobby", Some(resume_from)).await;
    for expected in resume_from + 1..=head {
        assert_eq!(again.recv_event().await["seq"], expected);
    }
}

#[tokio::test]
async fn a_client_close_is_answered_with_a_close_frame() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.stream.close(None).await.expect("close sent");
    // The server answers the closing handshake instead of dropping the TCP connection.
    assert_eq!(
        a.expect_close().await,
        1005,
        "an empty close frame echoes 'no status'"
    );
}

#[tokio::test]
async fn pipelined_sends_are_acked_in_order_and_later_replies_wait_for_them() {
    let app = spawn_app_with(|config| {
        config.limits.rate_per_s = 100;
        config.limits.burst = 100;
    })
    .await;
    let ann = app.guest("ann").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    // Written back to back without waiting: several are committing at once.
    for i in 0..20 {
        a.send_json(
            json!({"type": "send", "room": "lobby", "body": format!("m{i}"),
                           "nonce": format!("pipe-{i}"), "req": i}),
        )
        .await;
    }
    a.send_json(
        json!({"type": "send", "room": "lobby", "body": "  ", "nonce": "pipe-bad", "req": "bad"}),
    )
    .await;
    a.send_json(json!({"type": "ping", "req": "p"})).await;
    let mut replies = Vec::new();
    while replies.len() < 22 {
        let frame = a
            .recv_where(|f| f["type"] != "event" && f["type"] != "presence")
            .await;
        replies.push(frame);
    }
    let mut last_seq = 0;
    for (i, ack) in replies[..20].iter().enumerate() {
        assert_eq!(ack["type"], "ack", "{ack}");
        assert_eq!(ack["re"], json!(i), "acks come in the order of the sends");
        let seq = ack["seq"].as_u64().expect("seq");
        assert!(
            seq > last_seq,
            "seqs follow the order of the sends: {replies:?}"
        );
        last_seq = seq;
    }
    assert_eq!(replies[20]["type"], "error");
    assert_eq!(replies[20]["re"], "bad");
    assert_eq!(replies[21]["type"], "pong");
    assert_eq!(replies[21]["re"], "p");
}
