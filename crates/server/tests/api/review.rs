//! Findings of the adversarial review that are about what an answer may
//! tell (leaks) and what input may reach the store.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn creating_a_room_with_a_private_rooms_id_answers_as_for_any_taken_id() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let eve = app.account("eve").await;
    for (id, visibility) in [("secret", "private"), ("open", "public")] {
        let (status, _) = app
            .post(
                "/api/v1/rooms",
                Some(&owner.token),
                json!({"id": id, "visibility": visibility}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let mut answers = Vec::new();
    for id in ["secret", "open", "dm-1-2"] {
        answers.push(
            app.post(
                "/api/v1/rooms",
                Some(&eve.token),
                json!({"id": id, "visibility": "public"}),
            )
            .await,
        );
    }
    assert_eq!(answers[0].0, StatusCode::CONFLICT, "{:?}", answers[0]);
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "a private room's id, a public room's id and a reserved id answer alike: {answers:?}"
    );
}

#[tokio::test]
async fn a_room_whose_creator_never_joined_it_can_be_finished_by_its_creator() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    // The state a crash between the room's two writes would leave.
    app.store
        .create_room(&webchat_core::model::NewRoom {
            id: "half".into(),
            name: "half".into(),
            topic: String::new(),
            visibility: webchat_protocol::views::Visibility::Private,
            created_by: owner.id,
        })
        .await
        .expect("room");
    let eve = app.account("eve").await;
    let (status, _) = app
        .post(
            "/api/v1/rooms",
            Some(&eve.token),
            json!({"id": "half", "visibility": "private"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "not eve's to take");
    let (status, room) = app
        .post(
            "/api/v1/rooms",
            Some(&owner.token),
            json!({"id": "half", "visibility": "private"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{room}");
    assert_eq!(room["member_count"], 1, "{room}");
}

#[tokio::test]
async fn a_reused_nonce_does_not_answer_a_message_of_a_room_the_user_left() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let pete = app.account("pete").await;
    app.create_room(&owner, "secret", "private").await;
    app.post(
        "/api/v1/rooms/secret/invite",
        Some(&owner.token),
        json!({"user": "pete"}),
    )
    .await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/secret/messages",
            Some(&pete.token),
            json!({"body": "inside", "nonce": "n-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post(
            "/api/v1/rooms/secret/kick",
            Some(&owner.token),
            json!({"user": "pete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.post("/api/v1/rooms/lobby/join", Some(&pete.token), json!({}))
        .await;
    // Over REST and over the socket alike.
    let (status, body) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&pete.token),
            json!({"body": "outside", "nonce": "n-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(!body.to_string().contains("inside"), "{body}");
    let mut socket = app.ws_ready(&pete.token).await;
    socket.subscribe("lobby", None).await;
    let answer = socket
        .request(json!({"type": "send", "room": "lobby", "body": "outside", "nonce": "n-1"}))
        .await;
    assert_eq!(
        (answer["type"].clone(), answer["code"].clone()),
        (json!("error"), json!("conflict")),
        "{answer}"
    );
    assert!(!answer.to_string().contains("secret"), "{answer}");
}

#[tokio::test]
async fn a_search_query_with_control_characters_is_a_bad_request() {
    let app = spawn_app().await;
    let ann = app.guest("ann").await;
    for q in ["a%00b", "%1b%5B31m", "tab%09bed"] {
        let (status, body) = app
            .get(&format!("/api/v1/search?q={q}"), Some(&ann.token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{body}");
    }
    let (status, _) = app.get("/api/v1/search?q=fine", Some(&ann.token)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_topic_with_control_characters_is_refused_at_creation_as_when_set() {
    let app = spawn_app().await;
    let ann = app.account("ann").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "club", "visibility": "public", "topic": "red\u{1b}[31m"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "club", "visibility": "public", "topic": "  fine  "}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/topic",
            Some(&ann.token),
            json!({"topic": "nul\u{0}"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, room) = app.get("/api/v1/rooms/club", Some(&ann.token)).await;
    assert_eq!(room["topic"], "fine", "trimmed alike: {room}");
}

#[tokio::test]
async fn spam_rooms_cannot_hide_the_lobby_and_the_directory_pages() {
    let app = spawn_app_with(|c| c.quotas.rooms_per_hour_per_address = 100).await;
    let mut makers = Vec::new();
    for i in 0..3 {
        makers.push(app.account(&format!("maker{i}")).await);
    }
    for (i, maker) in makers.iter().enumerate() {
        for j in 0..4 {
            app.create_room(maker, &format!("aa-spam-{i}-{j}"), "public")
                .await;
        }
    }
    let ann = app.guest("ann").await;
    app.post("/api/v1/rooms/lobby/join", Some(&ann.token), json!({}))
        .await;
    app.post(
        "/api/v1/rooms/lobby/join",
        Some(&makers[0].token),
        json!({}),
    )
    .await;
    let (status, first) = app
        .get("/api/v1/rooms/public?limit=5", Some(&ann.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        first["rooms"][0]["id"], "lobby",
        "most members first: {first}"
    );
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        let rooms = page["rooms"].as_array().expect("rooms");
        assert!(rooms.len() <= 5, "{page}");
        seen.extend(
            rooms
                .iter()
                .map(|r| r["id"].as_str().expect("id").to_owned()),
        );
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        let (status, next) = app
            .get(
                &format!("/api/v1/rooms/public?limit=5&cursor={cursor}"),
                Some(&ann.token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{next}");
        page = next;
    }
    assert_eq!(seen.len(), 13, "every room once: {seen:?}");
    for bad in ["limit=0", "limit=201", "cursor=nonsense"] {
        let (status, _) = app
            .get(&format!("/api/v1/rooms/public?{bad}"), Some(&ann.token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn room_creation_is_limited_per_user_per_address_and_for_guests() {
    let app = spawn_app_with(|c| {
        c.quotas.rooms_per_hour = 4;
        c.quotas.rooms_per_hour_per_address = 6;
    })
    .await;
    let guest = app.guest("gus").await;
    for i in 0..3 {
        app.create_room(&guest, &format!("g{i}"), "public").await;
    }
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&guest.token),
            json!({"id": "g3", "visibility": "public"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "guests make a few rooms at most: {body}"
    );
    let ann = app.account("ann").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "a0", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Six rooms from one address (three of the guest's, three of ann's);
    // ann's fourth is within her own budget but not the address's.
    app.create_room(&ann, "a1", "public").await;
    app.create_room(&ann, "a2", "public").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "a3", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "per address: {body}");
}

#[tokio::test]
async fn a_blocked_user_cannot_open_write_to_or_invite_the_one_who_blocked_them() {
    let app = spawn_app().await;
    app.account("root").await; // the admin, out of the way
    let ann = app.account("ann").await;
    let eve = app.account("eve").await;
    let (status, dm) = app
        .post("/api/v1/dm/ann", Some(&eve.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{dm}");
    let dm = dm["id"].as_str().expect("id").to_owned();
    app.posted(&dm, &eve, "hi ann").await;
    let (status, body) = app
        .post("/api/v1/blocks", Some(&ann.token), json!({"user": "eve"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = app.get("/api/v1/blocks", Some(&ann.token)).await;
    assert_eq!(list["users"][0]["id"], eve.id, "{list}");
    let (status, body) = app
        .post(
            &format!("/api/v1/rooms/{dm}/messages"),
            Some(&eve.token),
            json!({"body": "are you there?", "nonce": "e-2"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = app
        .post("/api/v1/dm/ann", Some(&eve.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.create_room(&eve, "trap", "private").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms/trap/invite",
            Some(&eve.token),
            json!({"user": "ann"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Ann still writes, and lifting the block opens the way again.
    app.posted(&dm, &ann, "bye").await;
    let (status, _) = app
        .delete(&format!("/api/v1/blocks/{}", eve.id), Some(&ann.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    app.posted(&dm, &eve, "sorry").await;
    let (status, _) = app
        .delete(&format!("/api/v1/blocks/{}", eve.id), Some(&ann.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invitations_and_new_direct_messages_draw_on_a_contact_budget() {
    let app = spawn_app_with(|c| c.quotas.contacts_per_hour = 2).await;
    let eve = app.account("eve").await;
    let mut targets = Vec::new();
    for i in 0..3 {
        targets.push(app.account(&format!("target{i}")).await);
    }
    for target in &targets[..2] {
        let (status, body) = app
            .post(
                &format!("/api/v1/dm/{}", target.name),
                Some(&eve.token),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .post(
            &format!("/api/v1/dm/{}", targets[2].name),
            Some(&eve.token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // Opening an existing conversation again costs nothing new.
    let (status, body) = app
        .post(
            &format!("/api/v1/dm/{}", targets[0].name),
            Some(&eve.token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn one_user_creates_rooms_at_a_bounded_rate() {
    let app = spawn_app_with(|c| c.quotas.rooms_per_hour = 2).await;
    let ann = app.account("ann").await;
    app.create_room(&ann, "r0", "public").await;
    app.create_room(&ann, "r1", "private").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "r2", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let bob = app.account("bob").await;
    app.create_room(&bob, "b0", "public").await;
}
