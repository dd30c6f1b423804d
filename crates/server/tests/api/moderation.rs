//! Roles, kicks and bans: membership changes are log events, and a banned
//! user can neither rejoin nor post.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Guest, spawn_app};

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
    let reply = p
        .request(json!({"type": "unsubscribe", "room": "club"}))
        .await;
    assert_eq!(
        (reply["type"].clone(), reply["code"].clone()),
        (json!("error"), json!("bad_request")),
        "the kick already ended the subscription: {reply}"
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
    let subscribed = p.subscribe("club", None).await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
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
    let refused = m
        .request(json!({"type": "send", "room": "club", "body": "hi", "nonce": "w1"}))
        .await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    // No way back in by invitation, and an account can be banned ahead of time.
    let friend = app.account("fred").await;
    app.post("/api/v1/rooms/club/join", Some(&friend.token), json!({}))
        .await;
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/invite",
            Some(&friend.token),
            json!({"id": mallory.id}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let later = app.account("later").await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&owner.token),
            json!({"user": "later"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a non-member account can be banned");
    let (status, _) = app
        .post("/api/v1/rooms/club/join", Some(&later.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
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

/// A public room `club` owned by `owner`, joined by each of `members`.
async fn club(app: &crate::helpers::TestApp, owner: &Guest, members: &[&Guest]) {
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&owner.token),
            json!({"id": "club", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for member in members {
        let (status, body) = app
            .post("/api/v1/rooms/club/join", Some(&member.token), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn moderators_delete_anyones_messages_but_nobody_edits_anothers() {
    let app = spawn_app().await;
    let admin = app.account("root").await;
    let owner = app.account("olga").await;
    let moderator = app.account("mona").await;
    let member = app.account("pete").await;
    club(&app, &owner, &[&moderator, &member, &admin]).await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/moderators",
            Some(&owner.token),
            json!({"user": "mona"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let by_owner = app.posted("club", &owner, "owner's words").await;
    let by_admin = app.posted("club", &admin, "admin's words").await;
    let by_member = app.posted("club", &member, "member's words").await;
    let by_moderator = app.posted("club", &moderator, "moderator's words").await;

    for target in [by_owner, by_admin] {
        let path = format!("/api/v1/rooms/club/messages/{target}");
        let (status, body) = app
            .patch(&path, Some(&moderator.token), json!({"body": "rewritten"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "edit {target}: {body}");
    }
    let by_owner_later = app.posted("club", &owner, "owner's later words").await;
    let (status, body) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{by_owner_later}"),
            Some(&moderator.token),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a moderator deletes anyone's message, the owner's too: {body}"
    );
    let (status, body) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{by_admin}"),
            Some(&member.token),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a member deletes only their own: {body}"
    );
    let (status, body) = app
        .patch(
            &format!("/api/v1/rooms/club/messages/{by_member}"),
            Some(&member.token),
            json!({"body": "my own, edited"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .patch(
            &format!("/api/v1/rooms/club/messages/{by_owner}"),
            Some(&member.token),
            json!({"body": "not mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .patch(
            &format!("/api/v1/rooms/club/messages/{by_member}"),
            Some(&moderator.token),
            json!({"body": "[removed: off topic]"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a moderator deletes a member's message but never rewrites it: {body}"
    );
    for editor in [&owner, &admin] {
        let (status, body) = app
            .patch(
                &format!("/api/v1/rooms/club/messages/{by_moderator}"),
                Some(&editor.token),
                json!({"body": "words put in the moderator's mouth"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, body) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{by_member}"),
            Some(&moderator.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a moderator over a member: {body}");
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&moderator.token),
            json!({"user": "root"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a moderator cannot ban an admin: {body}"
    );
    let (status, body) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{by_moderator}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the owner over a moderator: {body}");
    let (status, body) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{by_owner}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "an admin over the owner: {body}");
}

#[tokio::test]
async fn admins_moderate_public_rooms_without_joining_but_not_rooms_they_cannot_read() {
    let app = spawn_app().await;
    let admin = app.account("root").await;
    let ann = app.account("ann").await;
    let bob = app.account("bob").await;
    club(&app, &ann, &[]).await;
    let public = app.posted("club", &ann, "in the open").await;
    let (status, body) = app
        .delete(
            &format!("/api/v1/rooms/club/messages/{public}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, dm) = app
        .post("/api/v1/dm/bob", Some(&ann.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{dm}");
    let room = dm["id"].as_str().expect("id").to_owned();
    let private = app.posted(&room, &ann, "between us").await;
    let path = format!("/api/v1/rooms/{room}/messages/{private}");
    let (status, _) = app
        .patch(&path, Some(&admin.token), json!({"body": "admin was here"}))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no writing where one cannot read"
    );
    let (status, _) = app.delete(&path, Some(&admin.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut socket = app.ws_ready(&admin.token).await;
    let refused = socket
        .request(json!({"type": "delete", "room": room, "id": private}))
        .await;
    assert_eq!(refused["code"], "not_found", "{refused}");
    let (_, history) = app
        .get(&format!("/api/v1/rooms/{room}/events"), Some(&bob.token))
        .await;
    assert!(
        history["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["id"] == private && e["body"] == "between us"),
        "{history}"
    );
}

#[tokio::test]
async fn a_revoked_admin_right_ends_at_once_on_an_open_socket() {
    let app = spawn_app().await;
    let admin = app.account("root").await;
    let ann = app.account("ann").await;
    club(&app, &ann, &[&admin]).await;
    let target = app.posted("club", &ann, "keep me").await;
    let mut socket = app.ws_ready(&admin.token).await;
    // What `webchat admin revoke-admin` does, on the running server's store.
    let data_dir = app.data_dir.as_ref().expect("data folder").path();
    let store = webchat_store_sqlite::SqliteStore::open(data_dir)
        .await
        .expect("opens beside the server");
    webchat_core::store::Store::set_admin(&store, admin.id, false)
        .await
        .expect("revokes");
    let refused = socket
        .request(json!({"type": "delete", "room": "club", "id": target}))
        .await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
}

#[tokio::test]
async fn bans_are_lifted_only_by_their_author_or_someone_above_and_reach_guests_by_id() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let moderator = app.account("mona").await;
    let pete = app.account("pete").await;
    let guest = app.guest("drifter").await;
    club(&app, &owner, &[&moderator, &pete, &guest]).await;
    app.post(
        "/api/v1/rooms/club/moderators",
        Some(&owner.token),
        json!({"user": "mona"}),
    )
    .await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&owner.token),
            json!({"user": "pete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/unban",
            Some(&moderator.token),
            json!({"user": "pete"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the owner's ban: {body}");
    let (status, _) = app
        .post("/api/v1/rooms/club/join", Some(&pete.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "still banned");
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/unban",
            Some(&owner.token),
            json!({"user": "pete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A kicked guest is no member any more, and has no username: its id names it.
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&moderator.token),
            json!({"user": "drifter"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&moderator.token),
            json!({"user": "drifter"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&moderator.token),
            json!({"id": guest.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .post("/api/v1/rooms/club/join", Some(&guest.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/unban",
            Some(&moderator.token),
            json!({"id": guest.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "its own ban: {body}");
    let (status, _) = app
        .post("/api/v1/rooms/club/join", Some(&guest.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    for request in [json!({}), json!({"user": "pete", "id": pete.id})] {
        let (status, body) = app
            .post("/api/v1/rooms/club/kick", Some(&owner.token), request)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test]
async fn a_name_means_the_account_before_a_guest_who_took_that_name() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    // The guest took the name first: a guest may no longer take an
    // account's name, but an account may take a guest's (accounts win).
    let impostor = app.guest("alice").await;
    let account = app.account("alice").await;
    club(&app, &owner, &[&impostor]).await;

    // "alice" is the account, not a member yet: banned ahead of time.
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&owner.token),
            json!({"user": "alice"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post("/api/v1/rooms/club/join", Some(&account.token), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the account is banned: {body}"
    );
    let (status, members) = app
        .get("/api/v1/rooms/club/members", Some(&owner.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{members}");
    assert!(
        members["members"]
            .as_array()
            .expect("members")
            .iter()
            .any(|m| m["user"]["id"] == impostor.id),
        "the guest named alice is untouched: {members}"
    );

    // The guest is reached by id; a display name nobody holds as a username
    // still finds a guest member.
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&owner.token),
            json!({"id": impostor.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let carol = app.guest("Carol").await;
    let (status, _) = app
        .post("/api/v1/rooms/club/join", Some(&carol.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&owner.token),
            json!({"user": "Carol"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&owner.token),
            json!({"user": "nobody-here"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn moderators_list_the_rooms_bans_and_nobody_else_does() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let member = app.account("pete").await;
    let banned = app.guest("mallory").await;
    club(&app, &owner, &[&member, &banned]).await;
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&owner.token),
            json!({"id": banned.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Banned ahead of time, never a member.
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&owner.token),
            json!({"user": "zed"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no such account yet: {body}");
    let zed = app.account("zed").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/ban",
            Some(&owner.token),
            json!({"user": "zed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = app.get("/api/v1/rooms/club/bans", Some(&owner.token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed: Vec<(Value, Value)> = body["bans"]
        .as_array()
        .expect("bans")
        .iter()
        .map(|b| (b["user"]["id"].clone(), b["by"]["id"].clone()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (json!(banned.id), json!(owner.id)),
            (json!(zed.id), json!(owner.id))
        ]
    );

    let (status, body) = app
        .get("/api/v1/rooms/club/bans", Some(&member.token))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "members do not see bans: {body}"
    );
    let (status, _) = app
        .get("/api/v1/rooms/nowhere/bans", Some(&owner.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = app
        .post(
            "/api/v1/rooms/club/unban",
            Some(&owner.token),
            json!({"id": banned.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get("/api/v1/rooms/club/bans", Some(&owner.token)).await;
    assert_eq!(body["bans"].as_array().map(Vec::len), Some(1), "{body}");
}

#[tokio::test]
async fn whoever_opened_a_direct_message_cannot_rewrite_the_other_persons_words() {
    let app = spawn_app().await;
    app.account("root").await; // the admin, out of the way
    let ann = app.account("ann").await;
    let bob = app.account("bob").await;
    let (status, dm) = app
        .post("/api/v1/dm/bob", Some(&ann.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{dm}");
    let room = dm["id"].as_str().expect("id").to_owned();
    let promise = app.posted(&room, &bob, "I will pay you $10").await;
    let path = format!("/api/v1/rooms/{room}/messages/{promise}");
    let (status, body) = app
        .patch(
            &path,
            Some(&ann.token),
            json!({"body": "I will pay you $10000"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, events) = app
        .get(&format!("/api/v1/rooms/{room}/events"), Some(&bob.token))
        .await;
    assert!(
        events.to_string().contains("I will pay you $10\""),
        "{events}"
    );
    assert!(!events.to_string().contains("$10000"), "{events}");
}

#[tokio::test]
async fn the_owner_keeps_owner_standing_after_leaving_so_no_moderator_can_ban_them() {
    let app = spawn_app().await;
    app.account("root").await; // the admin, out of the way
    let owner = app.account("olga").await;
    let moderator = app.account("mona").await;
    club(&app, &owner, &[&moderator]).await;
    let (status, _) = app
        .post(
            "/api/v1/rooms/club/moderators",
            Some(&owner.token),
            json!({"user": "mona"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post("/api/v1/rooms/club/leave", Some(&owner.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    for action in ["ban", "kick"] {
        let (status, body) = app
            .post(
                &format!("/api/v1/rooms/club/{action}"),
                Some(&moderator.token),
                json!({"user": "olga"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}: {body}");
    }
    let (status, body) = app
        .post("/api/v1/rooms/club/join", Some(&owner.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, members) = app
        .get("/api/v1/rooms/club/members", Some(&owner.token))
        .await;
    let olga = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user"]["name"] == "olga")
        .cloned()
        .expect("olga is back");
    assert_eq!(olga["role"], "owner", "{members}");
    // While away, the owner could still moderate the public room.
    let (status, body) = app
        .post(
            "/api/v1/rooms/club/kick",
            Some(&owner.token),
            json!({"user": "mona"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_direct_message_has_no_moderators() {
    let app = spawn_app().await;
    app.account("root").await; // the admin, out of the way
    let ann = app.account("ann").await;
    let bob = app.account("bob").await;
    let (_, dm) = app
        .post("/api/v1/dm/bob", Some(&ann.token), json!({}))
        .await;
    let room = dm["id"].as_str().expect("id").to_owned();
    let said = app.posted(&room, &bob, "hello ann").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/rooms/{room}/ban"),
            Some(&ann.token),
            json!({"user": "bob"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .delete(
            &format!("/api/v1/rooms/{room}/messages/{said}"),
            Some(&ann.token),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}
