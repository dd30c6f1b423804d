//! `GET /ws/{client_id}`: the seed tutorial's endpoint (spec §4), kept so
//! the seed's own React client works unchanged.
//!
//! The connection is the guest named `client_id`, subscribed to `lobby`; a
//! new `client_id` that looks like an account's username is refused (`400`,
//! as for `POST /auth/guest`). Only seed guests' events carry a numeric
//! `clientId`: a v1 user's all-digit name arrives as a string.
//! A first frame `Connect` is recorded as a `join` event; every other text
//! frame is a message in `lobby`. It receives every `lobby` message and
//! join, from seed and v1 clients alike, as `{time, clientId, message}`, and
//! `Offline` when another seed client of `lobby` disconnects. Bad input gets a
//! v1 `error` frame (the seed protocol has none of its own).

use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use webchat_core::clock;
use webchat_core::hub::Subscriber;
use webchat_core::model::User;
use webchat_protocol::error::close;
use webchat_protocol::seed::SeedFrame;
use webchat_protocol::validate;
use webchat_protocol::views::EventKind;

use crate::access;
use crate::error::{ApiError, ApiPath};
use crate::fanout::Outbound;
use crate::state::AppState;
use crate::ws::slots::SocketSlot;
use crate::ws::writer::Dialect;
use crate::ws::{self, configure, origin_allowed};

const LOBBY: &str = "lobby";

pub async fn upgrade(
    State(state): State<AppState>,
    ApiPath(client_id): ApiPath<String>,
    peer: std::net::IpAddr,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return ApiError::Forbidden("origin not allowed".into()).into_response();
    }
    if let Err(message) = validate::seed_client_id(&client_id) {
        return ApiError::BadRequest(message).into_response();
    }
    if !state.config.guests_enabled {
        return ApiError::Forbidden("guest access is disabled on this server".into())
            .into_response();
    }
    // Counted before any store work, so a refused socket costs nothing more.
    let mut slot = match state.sockets.acquire(peer) {
        Ok(slot) => slot,
        Err(refusal) => return ApiError::from(refusal).into_response(),
    };
    let known = match state.store.find_seed_guest(&client_id).await {
        Ok(known) => known,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let user = match known {
        Some(user) => user,
        None => {
            // A new client id makes a guest: the same per-address budget as
            // the REST sign-ins, so one address cannot fill the store with
            // guests through random ids (reconnects of known ids are free).
            if let Err(error) = state.check_sign_in_rate(peer) {
                return error.into_response();
            }
            match state.store.seed_guest(&client_id).await {
                Ok(user) => user,
                Err(error) => {
                    return crate::routes::auth::looks_like_an_account(error).into_response();
                }
            }
        }
    };
    match state.store.is_banned(LOBBY, user.id).await {
        Ok(false) => {}
        Ok(true) => return ApiError::Forbidden("you are banned from lobby".into()).into_response(),
        Err(error) => return ApiError::from(error).into_response(),
    }
    if let Err(refusal) = slot.assign_user(user.id) {
        return ApiError::from(refusal).into_response();
    }
    let tracker = state.connections.clone();
    configure(ws, &state.config)
        .on_upgrade(move |socket| tracker.track_future(run(socket, state, user, slot)))
}

/// `_slot` is held until the connection ends, whichever way it does.
async fn run(socket: WebSocket, state: AppState, user: User, _slot: SocketSlot) {
    let ws::Started {
        conn,
        mut stream,
        outbound,
        control,
        writer_done,
        writer,
    } = ws::start(socket, &state, Dialect::Seed);
    let subscriber = Subscriber {
        conn,
        user: user.clone(),
        tx: outbound.clone(),
        control,
    };
    let head = state.hub.head(LOBBY).unwrap_or(0);
    if state
        .hub
        .subscribe(LOBBY, subscriber, head, |_| Vec::new())
        .is_err()
    {
        drop(outbound);
        ws::finish(writer).await;
        return;
    }
    let idle = state.config.heartbeat * 2 + std::time::Duration::from_secs(5);
    let mut first = true;
    // Whether this connection has been a member of lobby: only a connection
    // that never was joins implicitly; one that stopped being a member was
    // kicked or left, and its socket is about to close (`Outbound::Removed`).
    let mut was_member = state.store.is_member(LOBBY, user.id).await.unwrap_or(false);
    let close = loop {
        let next = tokio::select! {
            () = writer_done.cancelled() => break None,
            () = state.shutdown.cancelled() => break None,
            next = tokio::time::timeout(idle, stream.next()) => next,
        };
        let text = match next {
            Err(_elapsed) => break Some((close::GOING_AWAY, "idle")),
            Ok(None) => break None,
            // The writer's close flushes the close reply tungstenite has queued.
            Ok(Some(Ok(Message::Close(_)))) => break Some((close::NORMAL, "")),
            Ok(Some(Err(error))) => {
                break ws::is_too_large(error)
                    .then_some((close::MESSAGE_TOO_BIG, "frame too large"));
            }
            Ok(Some(Ok(Message::Binary(_)))) => {
                break Some((close::UNSUPPORTED_DATA, "binary frames are not supported"));
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(Some(Ok(Message::Text(text)))) => text,
        };
        let connect = first && text.as_str() == "Connect";
        first = false;
        let result = match seed_member(&state, &user, connect, &mut was_member).await {
            Err(error) => Err(error),
            Ok(()) if connect => Ok(()),
            Ok(()) => match validate::body(&text, state.config.limits.max_body_chars) {
                Ok(()) => access::append(
                    &state,
                    &user,
                    LOBBY,
                    EventKind::Message,
                    Some(text.to_string()),
                    None,
                )
                .await
                .map(drop),
                Err(error) => Err(error.into()),
            },
        };
        if let Err(error) = result
            && outbound
                .send(Outbound::frame(&error.frame(None)))
                .await
                .is_err()
        {
            break None;
        }
    };
    if let Some((code, reason)) = close {
        let _ = outbound.send(Outbound::Close { code, reason }).await;
    }
    state.hub.unsubscribe(LOBBY, conn);
    drop(outbound);
    announce_offline_after_grace(state.clone(), user);
    ws::finish(writer).await;
}

/// Makes sure the seed user may write in `lobby` and is a member of it, as
/// every writer must be: a ban (even one placed while connected) refuses;
/// a connection that never was a member joins, by its `Connect` frame or,
/// when a client skips it, before its first message (through
/// `access::join`, which undoes a join that raced a ban); one that was and
/// is no more was kicked or left, which is not undone from here.
async fn seed_member(
    state: &AppState,
    user: &User,
    connect: bool,
    was_member: &mut bool,
) -> Result<(), ApiError> {
    let banned = || ApiError::Forbidden("you are banned from lobby".into());
    if state.store.is_banned(LOBBY, user.id).await? {
        return Err(banned());
    }
    if state.store.is_member(LOBBY, user.id).await? {
        *was_member = true;
        if connect {
            // The seed protocol records every Connect as a join.
            access::append(state, user, LOBBY, EventKind::Join, None, None).await?;
        }
        return Ok(());
    }
    if *was_member {
        return Err(ApiError::Forbidden(
            "you are no longer a member of lobby".into(),
        ));
    }
    access::join(state, user, LOBBY)
        .await
        .map_err(|e| match e {
            ApiError::Forbidden(_) => banned(),
            other => other,
        })?;
    *was_member = true;
    Ok(())
}

/// `Offline` follows the presence rules: it is sent once, when the user's
/// last connection to `lobby` has been gone for the grace period, so a
/// reload or a second tab closing announces nothing, and neither does the
/// timer of an earlier disconnect while a later connection was still open.
fn announce_offline_after_grace(state: AppState, user: User) {
    let departure = {
        let mut departures = state
            .seed_departures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let latest = departures.entry(user.id).or_insert(0);
        *latest += 1;
        *latest
    };
    tokio::spawn(async move {
        tokio::time::sleep(state.config.presence_grace).await;
        {
            let mut departures = state
                .seed_departures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if departures.get(&user.id) != Some(&departure) {
                return; // a later disconnect's timer decides
            }
            departures.remove(&user.id);
        }
        if state.hub.is_connected(LOBBY, user.id) {
            return;
        }
        let offline = SeedFrame::new(
            clock::hour_minute(clock::now_ms()),
            &user.name,
            user.seed,
            "Offline".into(),
        );
        state.hub.publish_ephemeral(
            LOBBY,
            Outbound::SeedOnly(Utf8Bytes::from(offline.to_json())),
            None,
        );
    });
}
