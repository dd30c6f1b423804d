//! Who is who: an account's username is reserved against guests and other
//! accounts that look like it, names carry no invisible characters, guests
//! are marked as guests, and only seed clients reach seed clients as numbers.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{error_message, spawn_app};

#[tokio::test]
async fn guest_names_that_look_like_an_account_username_are_refused() {
    let app = spawn_app().await;
    app.account("alice").await;
    for name in [
        "alice",
        "Alice",
        " ALICE ",
        "\u{430}lice", // Cyrillic а
        "al\u{456}ce", // Cyrillic і
        "a1ice",
        "aIice",
    ] {
        let (status, body) = app.try_guest(name).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name:?}: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
        assert!(
            error_message(&body).contains("belongs to an account"),
            "{name:?}: {body}"
        );
    }
    // Not a look-alike: an ordinary guest.
    let alicia = app.guest("alicia").await;
    assert_eq!(alicia.name, "alicia");
}

#[tokio::test]
async fn names_with_invisible_or_bidi_characters_are_refused_everywhere() {
    let app = spawn_app().await;
    for name in [
        "alice\u{200B}",      // zero-width space
        "bo\u{200D}b",        // zero-width joiner
        "\u{202E}evil",       // right-to-left override
        "x\u{2066}y\u{2069}", // isolates
        "\u{FEFF}carol",      // byte order mark
    ] {
        let (status, body) = app.try_guest(name).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "guest {name:?}: {body}");
        assert!(error_message(&body).contains("invisible"), "{body}");
        let (status, body) = app.try_register(name, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "username {name:?}: {body}");
        assert!(error_message(&body).contains("invisible"), "{body}");
    }
    let owner = app.account("owner").await;
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&owner.token),
            json!({"id": "club", "name": "Club\u{202E}", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "room name: {body}");
    assert!(error_message(&body).contains("invisible"), "{body}");
    let (status, body) = app
        .post(
            "/api/v1/tokens",
            Some(&owner.token),
            json!({"name": "bot\u{200B}"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "token name: {body}");
    assert!(error_message(&body).contains("invisible"), "{body}");
}

#[tokio::test]
async fn usernames_may_not_look_like_another_account_but_may_look_like_a_guest() {
    let app = spawn_app().await;
    // A guest first: the account of that name is still allowed (accounts
    // win), and the guest keeps its name, still marked a guest.
    let guest = app.guest("mallory").await;
    let account = app.account("mallory").await;
    assert_ne!(guest.id, account.id);
    let (status, me) = app.get("/api/v1/me", Some(&guest.token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (me["name"].clone(), me["guest"].clone()),
        (json!("mallory"), json!(true))
    );

    for look_alike in ["MALLORY", "rnallory", "ma11ory", "mal1ory"] {
        let (status, body) = app.try_register(look_alike, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{look_alike}: {body}");
        assert!(error_message(&body).contains("looks like"), "{body}");
    }
    // Nor may a guest become such an account.
    let (status, body) = app.try_register("rnal1ory", Some(&guest.token)).await;
    assert_eq!(status, StatusCode::CONFLICT, "upgrade: {body}");
    // Something else is fine.
    let (status, body) = app.try_register("mallory2", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn new_seed_client_ids_that_look_like_an_account_username_are_refused() {
    let app = spawn_app().await;
    // A seed client made before the account keeps its id afterwards.
    drop(app.ws_anonymous("/ws/trent").await);
    app.account("alice").await;
    app.account("trent").await;
    for id in ["alice", "ALICE", "a1ice", "aIice"] {
        assert_eq!(
            app.seed_refused(&format!("/ws/{id}")).await,
            Some(400),
            "{id}"
        );
    }
    assert_eq!(
        app.seed_refused("/ws/alice_2").await,
        None,
        "not a look-alike"
    );
    assert_eq!(
        app.seed_refused("/ws/trent").await,
        None,
        "made before the account"
    );
}

#[tokio::test]
async fn a_v1_user_named_with_digits_reaches_seed_clients_as_a_string() {
    let app = spawn_app().await;
    let mut seed = app.ws_anonymous("/ws/123").await;
    seed.send_text("Connect").await;
    assert_eq!(
        seed.recv().await["clientId"],
        json!(123),
        "the seed client: a number"
    );

    let impostor = app.guest("123").await;
    let mut v1 = app.ws_ready(&impostor.token).await;
    v1.subscribe("lobby", None).await;
    let join = seed.recv().await;
    assert_eq!(
        (join["clientId"].clone(), join["message"].clone()),
        (json!("123"), json!("Connect")),
        "the v1 guest: a string"
    );
    v1.send_message("lobby", "I am 123, trust me", "n-1").await;
    let message = seed.recv().await;
    assert_eq!(
        (message["clientId"].clone(), message["message"].clone()),
        (json!("123"), json!("I am 123, trust me"))
    );
}

#[tokio::test]
async fn event_authors_say_whether_they_are_guests() {
    let app = spawn_app().await;
    let owner = app.account("olga").await;
    let guest = app.guest("gus").await;
    app.post(
        "/api/v1/rooms",
        Some(&owner.token),
        json!({"id": "club", "visibility": "public"}),
    )
    .await;
    app.post("/api/v1/rooms/club/join", Some(&guest.token), json!({}))
        .await;
    app.posted("club", &owner, "from an account").await;
    app.posted("club", &guest, "from a guest").await;
    let (status, page) = app
        .get("/api/v1/rooms/club/events", Some(&owner.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let authors: Vec<_> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "message")
        .map(|e| e["author"].clone())
        .collect();
    assert_eq!(
        authors,
        [
            json!({"id": owner.id, "name": "olga"}),
            json!({"id": guest.id, "name": "gus", "guest": true}),
        ]
    );
}
