//! Findings of the adversarial review that are about what an answer may
//! tell (leaks) and what input may reach the store.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

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
