//! Roles, kicks and bans: membership changes are log events, and a banned
//! user can neither rejoin nor post.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_kicked_member_is_removed_live_and_may_rejoin_a_public_room() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let pete = app.account("pete").await;
    app.post(
        "/api/v1/rooms",
        Some(&owner.token),
        json!({"id": "club", "visibility": "public"}),
    )
    .await;
    let mut p = app.ws_ready(&pete.token).await;
    p.subscribe("club", None).await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&pete.token),
            json!({"user": "olga"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "members cannot kick");
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&owner.token),
            json!({"user": "pete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let notice = p.recv_where(|f| f["type"] == "unsubscribed").await;
    assert_eq!(
        (notice["room"].clone(), notice["reason"].clone()),
        (json!("club"), json!("kicked"))
    );
    let (_, events) = app
        .get("/api/v1/rooms/club/events", Some(&owner.token))
        .await;
    let last = events["events"]
        .as_array()
        .expect("events")
        .last()
        .cloned()
        .expect("event");
    assert_eq!(
        (
            last["kind"].clone(),
            last["author"]["id"].clone(),
            last["actor"]["id"].clone()
        ),
        (json!("leave"), json!(pete.id), json!(owner.id))
    );
    assert_eq!(last["body"], "kicked");
    let (status, _) = app
        .post("/api/v1/rooms/club/join", Some(&pete.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "a kick is not a ban");
}

#[tokio::test]
async fn a_banned_user_can_neither_rejoin_nor_post() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let mallory = app.guest("mallory").await;
    app.post(
        "/api/v1/rooms",
        Some(&owner.token),
        json!({"id": "club", "visibility": "public"}),
    )
    .await;
    app.post("/api/v1/rooms/club/join", Some(&mallory.token), json!({}))
        .await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&owner.token),
            json!({"user": "mallory"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "guests are named by display name among members"
    );
    let (status, body) = app
        .post("/api/v1/rooms/club/join", Some(&mallory.token), json!({}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("forbidden"))
    );
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/messages",
            Some(&mallory.token),
            json!({"body": "let me in", "nonce": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut m = app.ws_ready(&mallory.token).await;
    let refused = m
        .request(json!({"type": "subscribe", "room": "club"}))
        .await;
    assert_eq!(refused["code"], "forbidden");
}

#[tokio::test]
async fn moderators_are_appointed_by_the_owner_and_cannot_remove_the_owner() {
    let app = spawn_app().await;
    let _admin = app.account("root").await;
    let owner = app.account("olga").await;
    let mod_user = app.account("moe").await;
    let member = app.account("mia").await;
    app.post(
        "/api/v1/rooms",
        Some(&owner.token),
        json!({"id": "club", "visibility": "public"}),
    )
    .await;
    for user in [&mod_user, &member] {
        app.post("/api/v1/rooms/club/join", Some(&user.token), json!({}))
            .await;
    }
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/moderators",
            Some(&member.token),
            json!({"user": "moe"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/moderators",
            Some(&owner.token),
            json!({"user": "moe"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, members) = app
        .get("/api/v1/rooms/club/members", Some(&member.token))
        .await;
    let moe = members["members"]
        .as_array()
        .expect("m")
        .iter()
        .find(|m| m["user"]["id"] == mod_user.id)
        .cloned()
        .expect("moe");
    assert_eq!(moe["role"], "moderator");
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&mod_user.token),
            json!({"user": "olga"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "not someone of higher standing"
    );
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&mod_user.token),
            json!({"user": "mia"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&owner.token),
            json!({"user": "olga"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "leave instead");
}

#[tokio::test]
async fn a_ban_can_be_lifted_and_moderators_set_the_topic() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let nick = app.account("nick").await;
    app.post(
        "/api/v1/rooms",
        Some(&owner.token),
        json!({"id": "club", "visibility": "public"}),
    )
    .await;
    app.post("/api/v1/rooms/club/join", Some(&nick.token), json!({}))
        .await;
    app.post(
        "/api/v1/rooms/club/ban",
        Some(&owner.token),
        json!({"user": "nick"}),
    )
    .await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/unban",
            Some(&nick.token),
            json!({"user": "nick"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not by the banned");
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/unban",
            Some(&owner.token),
            json!({"user": "nick"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post("/api/v1/rooms/club/join", Some(&nick.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "may join again");
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/unban",
            Some(&owner.token),
            json!({"user": "nick"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no ban left");

    let (status, _) = app
        .post(
            "/api/v1/rooms/club/topic",
            Some(&nick.token),
            json!({"topic": "mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, room) = app
        .post(
            "/api/v1/rooms/club/topic",
            Some(&owner.token),
            json!({"topic": "Books"}),
        )
        .await;
    assert_eq!(
        (status, room["topic"].clone()),
        (StatusCode::OK, json!("Books"))
    );
    let (_, events) = app
        .get("/api/v1/rooms/club/events", Some(&nick.token))
        .await;
    let last = events["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("event");
    assert_eq!(
        (last["kind"].clone(), last["body"].clone()),
        (json!("topic"), json!("Books"))
    );
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/topic",
            Some(&owner.token),
            json!({"topic": "x".repeat(300)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
