//! Accounts, sessions and personal access tokens.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn register_then_login_with_argon2id_and_the_first_account_is_admin() {
    let app = spawn_app().await;
    let (status, first) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"username": "Alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        first["user"]["username"], "alice",
        "usernames are case-insensitive, stored lower-case"
    );
    assert_eq!(first["user"]["guest"], false);
    assert_eq!(
        first["user"]["admin"], true,
        "the first account administers the server"
    );
    let bob = app.account("bob").await;
    let (_, me) = app.get("/api/v1/me", Some(&bob.token)).await;
    assert_eq!(me.get("admin"), None, "only admins carry the mark");

    let (status, login) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "ALICE", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["user"]["id"], first["user"]["id"]);
    assert_ne!(
        login["token"], first["token"],
        "each login is its own session"
    );
    let (status, _) = app.get("/api/v1/me", login["token"].as_str()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.account("carol").await;
    let (status_a, wrong) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "carol", "password": "not her password"}),
        )
        .await;
    let (status_b, unknown) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "nobody", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (status_a, status_b),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(wrong, unknown, "no way to tell which usernames exist");
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "", "password": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn registration_rules_are_enforced() {
    let app = spawn_app().await;
    app.account("dave").await;
    let cases = [
        (
            json!({"username": "dave", "password": PASSWORD}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"username": "DAVE", "password": PASSWORD}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"username": "ed", "password": PASSWORD}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"username": "ed ward", "password": PASSWORD}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"username": "edward", "password": "short"}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"username": "edward"}), StatusCode::BAD_REQUEST),
    ];
    for (body, expected) in cases {
        let (status, answer) = app.post("/api/v1/auth/register", None, body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
}

#[tokio::test]
async fn a_guest_becomes_an_account_and_keeps_its_history() {
    let app = spawn_app().await;
    let guest = app.guest("Gina").await;
    app.post("/api/v1/rooms/lobby/join", Some(&guest.token), json!({}))
        .await;
    app.post(
        "/api/v1/rooms/lobby/messages",
        Some(&guest.token),
        json!({"body": "as a guest", "nonce": "g1"}),
    )
    .await;
    let (status, upgraded) = app
        .post(
            "/api/v1/auth/register",
            Some(&guest.token),
            json!({"username": "gina", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{upgraded}");
    assert_eq!(upgraded["user"]["id"], guest.id, "same user");
    assert_eq!(upgraded["user"]["guest"], false);
    let (_, me) = app.get("/api/v1/me", Some(&guest.token)).await;
    assert_eq!(
        me["username"], "gina",
        "the guest's session now belongs to the account"
    );
    let (_, history) = app
        .get("/api/v1/rooms/lobby/events", upgraded["token"].as_str())
        .await;
    let mine = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["body"] == "as a guest")
        .cloned();
    assert_eq!(mine.expect("history kept")["author"]["id"], guest.id);
    let (status, _) = app
        .post(
            "/api/v1/auth/register",
            upgraded["token"].as_str(),
            json!({"username": "gina2", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an account cannot register again"
    );
}

#[tokio::test]
async fn sessions_are_listed_and_revoking_one_closes_its_sockets_with_1008() {
    let app = spawn_app().await;
    let first = app.account("hana").await;
    let (_, second) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "hana", "password": PASSWORD}),
        )
        .await;
    let second_token = second["token"].as_str().expect("token");
    let mut doomed = app.ws_ready(&first.token).await;
    let mut survivor = app.ws_ready(second_token).await;

    let (status, list) = app.get("/api/v1/sessions", Some(second_token)).await;
    assert_eq!(status, StatusCode::OK);
    let sessions = list["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    let other = sessions
        .iter()
        .find(|s| s["current"] == false)
        .expect("the first session");

    let other_user = app.account("ivan").await;
    let path = format!("/api/v1/sessions/{}", other["id"]);
    let (status, _) = app.delete(&path, Some(&other_user.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nobody else can revoke it");

    let (status, _) = app.delete(&path, Some(second_token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doomed.expect_close().await, 1008);
    let (status, _) = app.get("/api/v1/me", Some(&first.token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        survivor.request(json!({"type": "ping"})).await["type"],
        "pong",
        "other sessions are untouched"
    );
}

#[tokio::test]
async fn logout_closes_that_sessions_sockets_with_1008() {
    let app = spawn_app().await;
    let guest = app.guest("jay").await;
    let mut ws = app.ws_ready(&guest.token).await;
    let (status, _) = app
        .post("/api/v1/auth/logout", Some(&guest.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ws.expect_close().await, 1008);
}

#[tokio::test]
async fn personal_access_tokens_post_messages_and_can_be_revoked() {
    let app = spawn_app().await;
    let kate = app.account("kate").await;
    let (status, created) = app
        .post(
            "/api/v1/tokens",
            Some(&kate.token),
            json!({"name": "deploy bot"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let bot_token = created["token"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    let (_, listed) = app.get("/api/v1/tokens", Some(&kate.token)).await;
    let tokens = listed["tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["name"], "deploy bot");
    assert!(tokens[0].get("token").is_none(), "secrets are never listed");

    app.post("/api/v1/rooms/lobby/join", Some(&bot_token), json!({}))
        .await;
    let mut bot_socket = app.ws_ready(&bot_token).await;
    let (status, event) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&bot_token),
            json!({"body": "deployed", "nonce": "d1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(event["author"]["id"], kate.id);

    // A token does its owner's chatting, not their credential management:
    // a leaked one can neither mint a successor nor sign the owner out.
    let (status, body) = app
        .post("/api/v1/tokens", Some(&bot_token), json!({"name": "heir"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for path in ["/api/v1/tokens", "/api/v1/sessions"] {
        let (status, body) = app.get(path, Some(&bot_token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (_, sessions) = app.get("/api/v1/sessions", Some(&kate.token)).await;
    let browser_session = sessions["sessions"][0]["id"].clone();
    let (status, body) = app
        .delete(
            &format!("/api/v1/sessions/{browser_session}"),
            Some(&bot_token),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = app.get("/api/v1/me", Some(&kate.token)).await;
    assert_eq!(status, StatusCode::OK, "the owner is still signed in");

    let (status, _) = app
        .delete(
            &format!("/api/v1/sessions/{}", created["id"]),
            Some(&kate.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a token is not a session");
    let (status, _) = app
        .delete(
            &format!("/api/v1/tokens/{}", created["id"]),
            Some(&kate.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        bot_socket.expect_close().await,
        1008,
        "a revoked token's sockets close"
    );
    let (status, _) = app
        .post(
            "/api/v1/rooms/lobby/messages",
            Some(&bot_token),
            json!({"body": "again", "nonce": "d2"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let guest = app.guest("lou").await;
    let (status, _) = app
        .post("/api/v1/tokens", Some(&guest.token), json!({"name": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "guests register first");
}

#[tokio::test]
async fn sign_ins_are_limited_per_address_and_signed_in_users_are_not() {
    let app = spawn_app_with(|config| config.sign_ins_per_minute = 3).await;
    let dan = app.account("dan").await;
    app.guest("eve").await;
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "dan", "password": "a wrong guess"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the third sign-in counts");

    // The budget is spent: even the right password waits, so guessing is slow.
    let refused = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "dan", "password": PASSWORD}))
        .send()
        .await
        .expect("answers");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limited");
    for (path, request) in [
        ("/api/v1/auth/guest", json!({"name": "mallory"})),
        (
            "/api/v1/auth/register",
            json!({"username": "mallory", "password": PASSWORD}),
        ),
    ] {
        let (status, body) = app.post(path, None, request).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{path}: {body}");
    }
    // Sessions already made are not affected.
    let (status, me) = app.get("/api/v1/me", Some(&dan.token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
}

#[tokio::test]
async fn joins_leaves_and_room_creation_count_against_the_write_budget() {
    let app = spawn_app_with(|c| {
        c.limits.rate_per_s = 1;
        c.limits.burst = 4;
    })
    .await;
    let ann = app.guest("ann").await;
    // A join/leave loop would otherwise append events to everyone's lobby
    // as fast as the client can ask.
    let mut refused = None;
    for round in 0..10 {
        let (status, body) = app
            .post("/api/v1/rooms/lobby/leave", Some(&ann.token), json!({}))
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((round, body));
            break;
        }
        let (status, body) = app
            .post("/api/v1/rooms/lobby/join", Some(&ann.token), json!({}))
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((round, body));
            break;
        }
    }
    let (round, body) = refused.expect("the budget ran out");
    assert!(round <= 3, "refused in round {round}");
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    let (status, body) = app
        .post(
            "/api/v1/rooms",
            Some(&ann.token),
            json!({"id": "more", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_sign_in_limit_keys_on_the_forwarded_address() {
    let guest_from = |app: &crate::helpers::TestApp, forwarded: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/guest"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"name": "ann"}))
            .send()
    };
    let proxied = spawn_app_with(|c| {
        c.sign_ins_per_minute = 1;
        c.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let statuses = [
        guest_from(&proxied, "203.0.113.1")
            .await
            .expect("request")
            .status(),
        guest_from(&proxied, "203.0.113.1")
            .await
            .expect("request")
            .status(),
        guest_from(&proxied, "203.0.113.2")
            .await
            .expect("request")
            .status(),
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::CREATED
        ],
        "one budget per forwarded client"
    );

    // Without a trusted proxy the header is the client's own claim: ignored.
    let direct = spawn_app_with(|c| c.sign_ins_per_minute = 1).await;
    let statuses = [
        guest_from(&direct, "203.0.113.1")
            .await
            .expect("request")
            .status(),
        guest_from(&direct, "203.0.113.2")
            .await
            .expect("request")
            .status(),
    ];
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::TOO_MANY_REQUESTS]
    );
}

#[tokio::test]
async fn ipv6_clients_share_one_sign_in_budget_per_64() {
    let app = spawn_app_with(|c| {
        c.sign_ins_per_minute = 1;
        c.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let mut statuses = Vec::new();
    // Two addresses of one /64, then one of another /64, then IPv4-mapped
    // addresses, which count as their IPv4 address, not as ::ffff:0:0/64.
    for forwarded in [
        "2001:db8:1:2::1",
        "2001:db8:1:2:ffff::9",
        "2001:db8:1:3::1",
        "::ffff:203.0.113.1",
        "::ffff:203.0.113.2",
        "203.0.113.1",
    ] {
        let response = app
            .http
            .post(app.url("/api/v1/auth/guest"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"name": "ann"}))
            .send()
            .await
            .expect("request");
        statuses.push(response.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS,
        ]
    );
}
