//! Edits and deletes, typing, read markers and unread counts, search,
//! private rooms and invitations, direct messages, presence.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};

fn bodies(history: &Value) -> Vec<Value> {
    history["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["body"].clone())
        .collect()
}

#[tokio::test]
async fn edits_and_deletes_are_log_events_and_deleted_text_is_gone_everywhere() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut b = app.ws_ready(&bob.token).await;
    b.subscribe("lobby", None).await;
    let sent = a.send_message("lobby", "helo wrld", "m1").await;
    let id = sent["id"].clone();

    let ack = a
        .request(json!({"type": "edit", "room": "lobby", "id": id, "body": "hello world"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let edit = b
        .recv_where(|f| f["type"] == "event" && f["kind"] == "edit")
        .await;
    assert_eq!(
        (edit["target"].clone(), edit["body"].clone()),
        (id.clone(), json!("hello world"))
    );
    let (_, history) = app
        .get("/api/v1/rooms/lobby/events", Some(&bob.token))
        .await;
    let message = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["id"] == id)
        .cloned()
        .expect("message");
    assert_eq!(
        (message["body"].clone(), message["edited"].clone()),
        (json!("hello world"), json!(true))
    );

    let refused = b
        .request(json!({"type": "edit", "room": "lobby", "id": id, "body": "mine now"}))
        .await;
    assert_eq!(
        refused["code"], "forbidden",
        "only the author or a moderator"
    );
    let refused = b
        .request(json!({"type": "delete", "room": "lobby", "id": id}))
        .await;
    assert_eq!(refused["code"], "forbidden");
    let missing = a
        .request(json!({"type": "edit", "room": "lobby", "id": 999_999, "body": "x"}))
        .await;
    assert_eq!(missing["code"], "not_found");

    let (_, found) = app.get("/api/v1/search?q=hello", Some(&bob.token)).await;
    assert_eq!(
        found["results"].as_array().expect("results").len(),
        1,
        "edits are searchable"
    );
    let (_, found) = app.get("/api/v1/search?q=helo", Some(&bob.token)).await;
    assert_eq!(
        found["results"],
        json!([]),
        "the text before the edit is no longer found"
    );

    let ack = a
        .request(json!({"type": "delete", "room": "lobby", "id": id}))
        .await;
    assert_eq!(ack["type"], "ack");
    let delete = b
        .recv_where(|f| f["type"] == "event" && f["kind"] == "delete")
        .await;
    assert_eq!(delete["target"], id);
    assert!(delete.get("body").is_none());

    let (_, history) = app
        .get("/api/v1/rooms/lobby/events", Some(&bob.token))
        .await;
    let texts: Vec<Value> = bodies(&history)
        .into_iter()
        .filter(|b| !b.is_null())
        .collect();
    assert!(
        texts.is_empty(),
        "neither the text nor its edit is served: {texts:?}"
    );
    let tombstone = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["id"] == id)
        .cloned()
        .expect("kept");
    assert_eq!(tombstone["deleted"], true);
    let (_, found) = app.get("/api/v1/search?q=hello", Some(&bob.token)).await;
    assert_eq!(
        found["results"],
        json!([]),
        "deleted messages are not found"
    );
    // A resuming client replays the tombstone, not the text.
    let mut c = app.ws_ready(&bob.token).await;
    c.subscribe("lobby", Some(0)).await;
    for _ in 0..history["events"].as_array().expect("events").len() {
        let event = c.recv_event().await;
        assert!(event.get("body").is_none(), "{event}");
    }
    let again = a
        .request(json!({"type": "delete", "room": "lobby", "id": id}))
        .await;
    assert_eq!(again["code"], "not_found");
}

#[tokio::test]
async fn moderators_and_admins_may_delete_anyones_message_over_rest_too() {
    let app = spawn_app().await;
    let admin = app.account("root").await;
    let owner = app.guest("owner").await;
    let member = app.guest("member").await;
    app.post(
        "/api/v1/rooms",
        Some(&owner.token),
        json!({"id": "club", "visibility": "public"}),
    )
    .await;
    app.post("/api/v1/rooms/club/join", Some(&member.token), json!({}))
        .await;
    let (_, m1) = app
        .post(
            "/api/v1/rooms/club/messages",
            Some(&member.token),
            json!({"body": "one", "nonce": "1"}),
        )
        .await;
    let (_, m2) = app
        .post(
            "/api/v1/rooms/club/messages",
            Some(&member.token),
            json!({"body": "two", "nonce": "2"}),
        )
        .await;
    let (status, _) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{}", m1["id"]),
            Some(&owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the owner moderates");
    let (status, _) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{}", m2["id"]),
            Some(&admin.token),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a server admin moderates everywhere"
    );
    let (status, edited) = app
        .patch(
            &format!("/api/v1/rooms/club/messages/{}", m1["id"]),
            Some(&member.token),
            json!({"body": "back"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a tombstone cannot be edited: {edited}"
    );
}

#[tokio::test]
async fn typing_reaches_others_expires_and_clears_on_send() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut b = app.ws_ready(&bob.token).await;
    b.subscribe("lobby", None).await;
    a.send_json(json!({"type": "typing", "room": "lobby", "active": true}))
        .await;
    let typing = b.recv_where(|f| f["type"] == "typing").await;
    assert_eq!(
        (typing["user"]["id"].clone(), typing["active"].clone()),
        (json!(ann.id), json!(true))
    );
    a.send_message("lobby", "done typing", "t1").await;
    let cleared = b.recv_where(|f| f["type"] == "typing").await;
    assert_eq!(cleared["active"], false, "sending clears it");

    // Within the relay interval of the first start: shown when it is over,
    // and expiring 6 s after it was sent.
    let started = std::time::Instant::now();
    a.send_json(json!({"type": "typing", "room": "lobby", "active": true}))
        .await;
    assert_eq!(
        b.recv_where(|f| f["type"] == "typing").await["active"],
        true
    );
    let expired = b.recv_where(|f| f["type"] == "typing").await;
    assert_eq!(expired["active"], false, "the server expires it");
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "after about 6 s, not before"
    );

    a.send_json(json!({"type": "typing", "room": "lobby", "active": true}))
        .await;
    assert_eq!(
        b.recv_where(|f| f["type"] == "typing").await["active"],
        true
    );
    let (status, body) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&ann.token),
            json!({"body": "sent from a script", "nonce": "script-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        b.recv_where(|f| f["type"] == "typing").await["active"],
        false,
        "a message sent over REST clears it too"
    );

    let refused = a
        .request(json!({"type": "typing", "room": "elsewhere", "active": true}))
        .await;
    assert_eq!(refused["code"], "bad_request");
    a.send_json(json!({"type": "typing", "room": "lobby", "active": true}))
        .await;
    assert_eq!(
        b.recv_where(|f| f["type"] == "typing").await["active"],
        true
    );
    drop(a);
    assert_eq!(
        b.recv_where(|f| f["type"] == "typing").await["active"],
        false,
        "disconnecting clears it"
    );
}

#[tokio::test]
async fn toggling_typing_is_relayed_once_per_interval_and_a_flood_is_rate_limited() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut b = app.ws_ready(&bob.token).await;
    b.subscribe("lobby", None).await;
    for i in 0..200 {
        a.send_json(json!({"type": "typing", "room": "lobby", "active": i % 2 == 0}))
            .await;
    }
    // Commands are handled in order: once `pong` is here, every typing frame
    // has been, and what it relayed is queued for bob before the message.
    let pong = a.request(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "pong", "{pong}");
    let refused: Vec<Value> = a
        .take_skipped()
        .into_iter()
        .filter(|f| f["type"] == "error")
        .collect();
    assert!(!refused.is_empty(), "the flood exceeds the typing budget");
    for error in &refused {
        assert_eq!(error["code"], "rate_limited", "{error}");
        assert!(
            error["retry_after_ms"].as_u64().is_some_and(|ms| ms > 0),
            "{error}"
        );
    }
    a.send_message("lobby", "after the flood", "flood-end")
        .await;
    b.recv_where(|f| f["type"] == "event" && f["body"] == "after the flood")
        .await;
    let relayed: Vec<Value> = b
        .take_skipped()
        .into_iter()
        .filter(|f| f["type"] == "typing")
        .map(|f| json!([f["user"]["id"], f["active"]]))
        .collect();
    assert_eq!(
        relayed,
        vec![json!([ann.id, true]), json!([ann.id, false])],
        "one start and one stop, however often `active` toggles"
    );
}

#[tokio::test]
async fn read_markers_move_forward_only_and_reach_the_users_other_tabs() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    app.post("/api/v1/rooms/lobby/join", Some(&bob.token), json!({}))
        .await;
    let mut tab1 = app.ws_ready(&bob.token).await;
    let mut tab2 = app.ws_ready(&bob.token).await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut last = 0;
    let mut last_id = Value::Null;
    for i in 0..3 {
        let ack = a
            .send_message("lobby", &format!("m{i}"), &format!("n{i}"))
            .await;
        last = ack["seq"].as_u64().expect("seq");
        last_id = ack["id"].clone();
    }
    let unread = |rooms: &Value| rooms["rooms"][0].clone();
    let (_, rooms) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    assert_eq!(
        (
            unread(&rooms)["unread"].clone(),
            unread(&rooms)["last_read"].clone()
        ),
        (json!(3), json!(1))
    );

    tab1.send_json(json!({"type": "read", "room": "lobby", "seq": last - 1}))
        .await;
    let read = tab2.recv_where(|f| f["type"] == "read").await;
    assert_eq!(
        read,
        json!({"type": "read", "room": "lobby", "seq": last - 1})
    );
    let (_, rooms) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    assert_eq!(
        (
            unread(&rooms)["unread"].clone(),
            unread(&rooms)["last_read"].clone()
        ),
        (json!(1), json!(last - 1))
    );
    let ack = a
        .request(json!({"type": "delete", "room": "lobby", "id": last_id}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let (_, rooms) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    assert_eq!(
        unread(&rooms)["unread"],
        0,
        "a deleted message is no longer unread"
    );

    tab1.send_json(json!({"type": "read", "room": "lobby", "seq": 1}))
        .await;
    tab1.send_json(json!({"type": "read", "room": "lobby", "seq": last}))
        .await;
    let read = tab2.recv_where(|f| f["type"] == "read").await;
    assert_eq!(
        read["seq"], last,
        "the backwards move was ignored, the forward one relayed"
    );
    let (_, rooms) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    assert_eq!(unread(&rooms)["unread"], 0);

    // A marker past the end stops at the room's head.
    let head = unread(&rooms)["head"].as_u64().expect("head");
    tab1.send_json(json!({"type": "read", "room": "lobby", "seq": head + 1000}))
        .await;
    let read = tab2.recv_where(|f| f["type"] == "read").await;
    assert_eq!(read["seq"], head, "clamped to the head");
    let (_, rooms) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    assert_eq!(unread(&rooms)["last_read"], head);

    let refused = tab1
        .request(json!({"type": "read", "room": "nowhere", "seq": 1}))
        .await;
    assert_eq!(refused["code"], "not_found");
}

#[tokio::test]
async fn search_is_ranked_paged_filtered_and_limited_to_readable_rooms() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    let eve = app.guest("eve").await;
    app.post("/api/v1/rooms/lobby/join", Some(&ann.token), json!({}))
        .await;
    app.post(
        "/api/v1/rooms",
        Some(&ann.token),
        json!({"id": "vault", "visibility": "private"}),
    )
    .await;
    for (room, body, nonce) in [
        ("lobby", "the quick brown fox", "1"),
        ("lobby", "fox fox fox everywhere", "2"),
        ("lobby", "nothing to see", "3"),
        ("vault", "secret fox plans", "4"),
    ] {
        let (status, _) = app
            .post(
                &format!("/api/v1/rooms/{room}/messages"),
                Some(&ann.token),
                json!({"body": body, "nonce": nonce}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, results) = app.get("/api/v1/search?q=fox", Some(&ann.token)).await;
    assert_eq!(status, StatusCode::OK);
    let found: Vec<_> = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|e| e["body"].clone())
        .collect();
    assert_eq!(found.len(), 3);
    assert_eq!(found[0], "fox fox fox everywhere", "ranked by relevance");

    let (_, page) = app
        .get("/api/v1/search?q=fox&limit=2", Some(&ann.token))
        .await;
    assert_eq!(
        (
            page["results"].as_array().expect("r").len(),
            page["has_more"].clone()
        ),
        (2, json!(true))
    );
    let (_, rest) = app
        .get("/api/v1/search?q=fox&limit=2&offset=2", Some(&ann.token))
        .await;
    assert_eq!(
        (
            rest["results"].as_array().expect("r").len(),
            rest["has_more"].clone()
        ),
        (1, json!(false))
    );
    let (_, filtered) = app
        .get("/api/v1/search?q=fox&room=vault", Some(&ann.token))
        .await;
    assert_eq!(filtered["results"][0]["body"], "secret fox plans");

    let (_, outsider) = app.get("/api/v1/search?q=fox", Some(&eve.token)).await;
    assert_eq!(
        outsider["results"].as_array().expect("r").len(),
        2,
        "private rooms stay private"
    );
    let (status, _) = app
        .get("/api/v1/search?q=fox&room=vault", Some(&eve.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, syntax) = app
        .get("/api/v1/search?q=%22fox%20OR%20*", Some(&ann.token))
        .await;
    assert!(
        syntax["results"].is_array(),
        "search syntax in the input is just text"
    );
    for bad in ["q=", "q=fox&limit=0", "q=fox&limit=500"] {
        let (status, _) = app
            .get(&format!("/api/v1/search?{bad}"), Some(&ann.token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn private_rooms_are_for_members_and_invitations_add_members() {
    let app = spawn_app().await;
    let ann = app.account("ann").await;
    let bob = app.account("bob").await;
    app.post(
        "/api/v1/rooms",
        Some(&ann.token),
        json!({"id": "plans", "visibility": "private"}),
    )
    .await;
    let mut b = app.ws_ready(&bob.token).await;
    let refused = b
        .request(json!({"type": "subscribe", "room": "plans"}))
        .await;
    assert_eq!(refused["code"], "not_found", "existence does not leak");
    let refused = b
        .request(json!({"type": "send", "room": "plans", "body": "hi", "nonce": "x"}))
        .await;
    assert_eq!(refused["code"], "not_found");
    let (status, _) = app
        .post(
            "/api/v1/rooms/plans/invite",
            Some(&bob.token),
            json!({"user": "ann"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "non-members cannot invite");

    let (status, room) = app
        .post(
            "/api/v1/rooms/plans/invite",
            Some(&ann.token),
            json!({"user": "bob"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{room}");
    assert_eq!(room["member_count"], 2);
    b.subscribe("plans", Some(0)).await;
    let join = b.recv_event().await;
    assert_eq!(join["kind"], "join");
    let invited = b.recv_event().await;
    assert_eq!(
        (invited["kind"].clone(), invited["author"]["id"].clone()),
        (json!("join"), json!(bob.id))
    );
    assert_eq!(
        invited["actor"]["id"], ann.id,
        "the invitation is a log event naming who invited"
    );
    let (_, members) = app
        .get("/api/v1/rooms/plans/members", Some(&bob.token))
        .await;
    let roles: Vec<_> = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| (m["user"]["id"].clone(), m["role"].clone()))
        .collect();
    assert_eq!(
        roles,
        vec![
            (json!(ann.id), json!("owner")),
            (json!(bob.id), json!("member"))
        ]
    );
    let (status, _) = app
        .post(
            "/api/v1/rooms/plans/invite",
            Some(&ann.token),
            json!({"user": "nobody"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_direct_message_room_is_made_once_per_pair_and_named_after_the_other_person() {
    let app = spawn_app().await;
    let ann = app.account("ann").await;
    let bob = app.account("bob").await;
    let eve = app.account("eve").await;
    let (status, room) = app
        .post("/api/v1/dm/bob", Some(&ann.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{room}");
    assert_eq!(
        (room["visibility"].clone(), room["name"].clone()),
        (json!("dm"), json!("bob"))
    );
    let (_, same) = app
        .post("/api/v1/dm/ann", Some(&bob.token), json!({}))
        .await;
    assert_eq!(same["id"], room["id"], "one room per pair");
    assert_eq!(same["name"], "ann");
    let (_, rooms) = app.get("/api/v1/rooms", Some(&bob.token)).await;
    let listed = rooms["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .find(|r| r["id"] == room["id"])
        .cloned()
        .expect("listed");
    assert_eq!(listed["name"], "ann");
    let path = format!("/api/v1/rooms/{}/events", room["id"].as_str().expect("id"));
    let (status, _) = app.get(&path, Some(&eve.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nobody else reads it");
    let invite = format!("/api/v1/rooms/{}/invite", room["id"].as_str().expect("id"));
    let (status, body) = app
        .post(&invite, Some(&ann.token), json!({"user": "eve"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a DM stays a pair: {body}");
    let (status, _) = app.get(&path, Some(&eve.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "eve was not let in");
    let (status, _) = app
        .post("/api/v1/dm/ann", Some(&ann.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .post("/api/v1/dm/nobody", Some(&ann.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_reload_within_the_grace_period_shows_no_leave_and_join() {
    let app = spawn_app_with(|c| c.presence_grace = Duration::from_secs(2)).await;
    let ann = app.guest("ann").await;
    let bob = app.guest("bob").await;
    let mut a = app.ws_ready(&ann.token).await;
    a.subscribe("lobby", None).await;
    let mut b = app.ws_ready(&bob.token).await;
    b.subscribe("lobby", None).await;
    a.recv_where(|f| f["type"] == "presence").await;
    drop(b);
    let mut reloaded = app.ws_ready(&bob.token).await;
    let subscribed = reloaded.subscribe("lobby", None).await;
    assert_eq!(
        subscribed["presence"].as_array().expect("presence").len(),
        2
    );
    // A second tab of bob's closing does not make him leave either.
    let mut second_tab = app.ws_ready(&bob.token).await;
    second_tab.subscribe("lobby", None).await;
    drop(second_tab);
    // Wait past the grace period (the server sweeps every 250 ms).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let flicker = next_of_kind(&mut a, "presence").await;
    assert_eq!(flicker, None, "no leave/join flicker");
    drop(reloaded);
    let left = a.recv_where(|f| f["type"] == "presence").await;
    assert_eq!(
        left["left"][0]["id"], bob.id,
        "a real leave is announced after the grace period"
    );
}

/// Frames of `kind` already received (without waiting for new ones).
async fn next_of_kind(ws: &mut crate::helpers::WsClient, kind: &str) -> Option<Value> {
    tokio::time::timeout(
        Duration::from_millis(200),
        ws.recv_where(|f| f["type"] == kind),
    )
    .await
    .ok()
}

#[tokio::test]
async fn dm_room_ids_cannot_be_squatted_and_bans_hold_in_dms() {
    let app = spawn_app().await;
    let ann = app.account("ann").await;
    let bob = app.account("bob").await;
    let eve = app.account("eve").await;
    let squat = format!("dm-{}-{}", ann.id.min(bob.id), ann.id.max(bob.id));
    let (status, _) = app
        .post(
            "/api/v1/rooms",
            Some(&eve.token),
            json!({"id": squat, "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "dm- ids are reserved");
    let (_, room) = app
        .post("/api/v1/dm/bob", Some(&ann.token), json!({}))
        .await;
    let id = room["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .post(
            &format!("/api/v1/rooms/{id}/ban"),
            Some(&ann.token),
            json!({"user": "bob"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post("/api/v1/dm/ann", Some(&bob.token), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a banned peer cannot come back through /dm"
    );
    let (status, _) = app
        .get(&format!("/api/v1/rooms/{id}/events"), Some(&bob.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Every route and command on a private room or DM answers a non-member
/// exactly as it answers for a room that does not exist: nothing is read,
/// written, or even shown to exist.
#[tokio::test]
async fn private_rooms_and_dms_answer_non_members_as_if_they_did_not_exist() {
    use reqwest::Method;
    let app = spawn_app().await;
    let ann = app.account("ann").await;
    app.account("bob").await;
    let eve = app.account("eve").await;
    let (status, _) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "plans", "visibility": "private"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, dm) = app
        .post("/api/v1/dm/bob", Some(&ann.token), json!({}))
        .await;
    let dm = dm["id"].as_str().expect("id").to_owned();
    let mut socket = app.ws_ready(&eve.token).await;
    for room in ["plans", dm.as_str()] {
        let secret = app.posted(room, &ann, "the secret plan").await;
        let routes = |room: &str, id: i64| {
            vec![
                (Method::GET, format!("/api/v1/rooms/{room}"), None),
                (Method::GET, format!("/api/v1/rooms/{room}/events"), None),
                (Method::GET, format!("/api/v1/rooms/{room}/members"), None),
                (
                    Method::GET,
                    format!("/api/v1/search?q=secret&room={room}"),
                    None,
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/join"),
                    Some(json!({})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/leave"),
                    Some(json!({})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/invite"),
                    Some(json!({"user": "eve"})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/kick"),
                    Some(json!({"user": "ann"})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/ban"),
                    Some(json!({"user": "ann"})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/unban"),
                    Some(json!({"user": "ann"})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/topic"),
                    Some(json!({"topic": "mine"})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/moderators"),
                    Some(json!({"user": "eve"})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/messages"),
                    Some(json!({"body": "let me in", "nonce": format!("{room}-n")})),
                ),
                (
                    Method::PATCH,
                    format!("/api/v1/rooms/{room}/messages/{id}"),
                    Some(json!({"body": "rewritten"})),
                ),
                (
                    Method::DELETE,
                    format!("/api/v1/rooms/{room}/messages/{id}"),
                    None,
                ),
            ]
        };
        let real = routes(room, secret);
        let absent = routes("no-such-room", secret);
        for ((method, path, body), (_, absent_path, absent_body)) in real.into_iter().zip(absent) {
            let answer = app
                .call(method.clone(), &path, Some(&eve.token), body)
                .await;
            let reference = app
                .call(method.clone(), &absent_path, Some(&eve.token), absent_body)
                .await;
            assert_eq!(
                answer.0,
                StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                answer.1
            );
            assert_eq!(answer, reference, "{method} {path} tells the room exists");
        }
        let commands = |room: &str| {
            vec![
                json!({"type": "subscribe", "room": room}),
                json!({"type": "send", "room": room, "body": "hi", "nonce": format!("{room}-w")}),
                json!({"type": "edit", "room": room, "id": secret, "body": "x"}),
                json!({"type": "delete", "room": room, "id": secret}),
                json!({"type": "read", "room": room, "seq": 1}),
                json!({"type": "typing", "room": room, "active": true}),
            ]
        };
        for (command, absent) in commands(room).into_iter().zip(commands("no-such-room")) {
            let mut answer = socket.request(command.clone()).await;
            let mut reference = socket.request(absent).await;
            for frame in [&mut answer, &mut reference] {
                frame.as_object_mut().expect("frame").remove("re");
            }
            assert_eq!(answer["type"], "error", "{command}: {answer}");
            assert_eq!(answer, reference, "{command} tells the room exists");
        }
        let (_, found) = app.get("/api/v1/search?q=secret", Some(&eve.token)).await;
        assert_eq!(found["results"], json!([]), "{found}");
        let (_, history) = app
            .get(&format!("/api/v1/rooms/{room}/events"), Some(&ann.token))
            .await;
        let kinds: Vec<Value> = history["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| json!([e["kind"], e["body"]]))
            .collect();
        assert!(
            !kinds
                .iter()
                .any(|k| k[1] == "let me in" || k[1] == "rewritten"),
            "nothing was written: {kinds:?}"
        );
    }
}
