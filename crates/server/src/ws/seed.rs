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
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use webchat_core::clock;
use webchat_core::hub::Subscriber;
use webchat_core::model::User;
use webchat_protocol::error::close;
use webchat_protocol::seed::SeedFrame;
use webchat_protocol::validate::{self, BodyError};
use webchat_protocol::views::EventKind;

use crate::access;
use crate::error::{ApiError, ApiPath};
use crate::fanout::Outbound;
use crate::state::AppState;
use crate::ws::slots::SocketSlot;
use crate::ws::v1::SENDS_IN_FLIGHT;
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
        // Seed clients have no presence or typing frames.
        ephemeral: false,
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
    // Made once, not per frame (see `v1::run`); the idle timer is re-armed
    // only when it fires.
    let shutdown = state.shutdown.clone();
    let shutdown = shutdown.cancelled();
    let writer_ended = writer_done.cancelled();
    let idle_timer = tokio::time::sleep(idle);
    tokio::pin!(shutdown, writer_ended, idle_timer);
    let mut last_frame = tokio::time::Instant::now();
    // Messages waiting for their commit: a seed client has no acks, so only
    // a failure is answered (an error frame); up to SENDS_IN_FLIGHT at once.
    let mut in_flight: FuturesOrdered<access::PendingMessage> = FuturesOrdered::new();
    let close = loop {
        let next = tokio::select! {
            () = &mut writer_ended => break None,
            () = &mut shutdown => break None,
            () = &mut idle_timer => {
                if last_frame.elapsed() >= idle {
                    break Some((close::GOING_AWAY, "idle"));
                }
                idle_timer.as_mut().reset(last_frame + idle);
                continue;
            }
            Some(result) = in_flight.next(), if !in_flight.is_empty() => {
                if let Err(error) = result
                    && outbound.send(Outbound::frame(&error.frame(None))).await.is_err()
                {
                    break None;
                }
                continue;
            }
            next = stream.next(), if in_flight.len() < SENDS_IN_FLIGHT => next,
        };
        last_frame = tokio::time::Instant::now();
        let text = match next {
            None => break None,
            // The writer's close flushes the close reply tungstenite has queued.
            Some(Ok(Message::Close(_))) => break Some((close::NORMAL, "")),
            Some(Err(error)) => {
                break ws::is_too_large(error)
                    .then_some((close::MESSAGE_TOO_BIG, "frame too large"));
            }
            Some(Ok(Message::Binary(_))) => {
                break Some((close::UNSUPPORTED_DATA, "binary frames are not supported"));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Text(text))) => text,
        };
        let input = SeedInput::of(&text, first, state.config.limits.max_body_chars);
        first = false;
        let connect = input == SeedInput::Connect;
        let result = match seed_member(&state, &user, connect, &mut was_member).await {
            Err(error) => Err(error),
            Ok(()) => match input {
                SeedInput::Connect => Ok(()),
                SeedInput::Message(body) => {
                    access::submit(&state, &user, LOBBY, EventKind::Message, Some(body), None)
                        .await
                        .map(|committed| in_flight.push_back(committed))
                }
                SeedInput::Invalid(error) => Err(error.into()),
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

/// What one text frame of a seed client asks for, decided without I/O
/// (so it can be tested on its own; membership and bans are checked after).
#[derive(Debug, Clone, PartialEq, Eq)]
enum SeedInput {
    /// The seed client's first frame `Connect`: recorded as a join.
    Connect,
    /// A message for `lobby`, the frame's text exactly as sent.
    Message(String),
    /// Text that is no valid message body (blank, or too long).
    Invalid(BodyError),
}

impl SeedInput {
    /// Only the very first frame can be `Connect`; a later "Connect" is an
    /// ordinary message. Body rules apply to messages only.
    fn of(text: &str, first: bool, max_body_chars: usize) -> Self {
        if first && text == "Connect" {
            return SeedInput::Connect;
        }
        match validate::body(text, max_body_chars) {
            Ok(()) => SeedInput::Message(text.to_owned()),
            Err(error) => SeedInput::Invalid(error),
        }
    }
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
            Outbound::SeedOnly(crate::fanout::text(offline.to_json())),
            None,
        );
    });
}

#[cfg(test)]
mod tests {
    //! The pure per-frame part of the seed endpoint, with arbitrary text: how
    //! a frame becomes `Connect` or a message, and that the message comes back
    //! out of the outgoing seed frame unchanged, with the `clientId` rule.

    use proptest::prelude::*;
    use serde_json::Value;
    use webchat_core::model::{Author, Event};

    use super::*;
    use crate::fanout::Published;

    /// Frame texts near the rules: "Connect" and near-misses, blanks, long
    /// runs of multi-byte characters (the limit counts characters), anything.
    fn frame_text() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "Connect", "connect", "Connect ", " Connect", "Offline", ""
            ])
            .prop_map(str::to_owned),
            "[ \t\n\u{a0}\u{3000}]{0,5}",
            ("[aé😀 ]", 0usize..40).prop_map(|(c, n)| c.repeat(n)),
            any::<String>(),
        ]
    }

    /// Seed ids as the endpoint admits them, digit ids around 2^53, and
    /// (as v1 users' names reach seed clients too) any name at all.
    fn author_name() -> impl Strategy<Value = String> {
        let boundary = (1u64 << 53) - 1;
        prop_oneof![
            "[A-Za-z0-9_-]{1,64}",
            "0?[0-9]{1,20}",
            (boundary - 2..=boundary + 2).prop_map(|n| n.to_string()),
            any::<String>(),
        ]
    }

    /// The `clientId` rule, on the text alone: digits, no leading zero but
    /// "0", at most 2^53 - 1 (compared as digit strings of equal length).
    fn is_number_id(id: &str) -> bool {
        const MAX_SAFE: &str = "9007199254740991";
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && (id == "0" || !id.starts_with('0'))
            && (id.len() < MAX_SAFE.len() || (id.len() == MAX_SAFE.len() && id <= MAX_SAFE))
    }

    fn event(kind: EventKind, author: &str, body: Option<String>, ts_ms: i64) -> Event {
        Event {
            room: LOBBY.into(),
            seq: 1,
            id: 1,
            ts_ms,
            kind,
            author: Author {
                id: 1,
                name: author.into(),
                guest: true,
                seed: true,
            },
            body,
            target: None,
            nonce: None,
            actor: None,
            edited: false,
            deleted: false,
        }
    }

    /// Checks one outgoing seed frame: JSON with exactly `time`, `clientId`
    /// and `message`, the id typed by the rule and equal to the author's name.
    fn check_frame(
        json: &str,
        author: &str,
        message: &str,
        ts_ms: i64,
    ) -> Result<(), TestCaseError> {
        let value: Value = serde_json::from_str(json).expect("a seed frame is JSON");
        let object = value.as_object().expect("an object");
        prop_assert_eq!(object.len(), 3);
        prop_assert_eq!(object["message"].as_str(), Some(message));
        let time = clock::hour_minute(ts_ms);
        prop_assert_eq!(object["time"].as_str(), Some(time.as_str()));
        match &object["clientId"] {
            Value::Number(n) => {
                prop_assert!(is_number_id(author), "{:?} sent as a number", author);
                let digits = n.as_u64().map(|n| n.to_string());
                prop_assert_eq!(digits.as_deref(), Some(author));
            }
            Value::String(s) => {
                prop_assert!(!is_number_id(author), "{:?} sent as a string", author);
                prop_assert_eq!(s, author);
            }
            other => prop_assert!(false, "clientId {:?}", other),
        }
        Ok(())
    }

    #[test]
    fn connect_is_a_join_only_as_the_first_frame() {
        assert_eq!(SeedInput::of("Connect", true, 10), SeedInput::Connect);
        assert_eq!(
            SeedInput::of("Connect", false, 10),
            SeedInput::Message("Connect".into())
        );
        assert_eq!(
            SeedInput::of("  ", true, 10),
            SeedInput::Invalid(BodyError::Empty)
        );
        assert_eq!(
            SeedInput::of("ééé", false, 2),
            SeedInput::Invalid(BodyError::TooLong { max_chars: 2 })
        );
    }

    proptest! {
        #[test]
        fn any_text_is_connect_a_message_or_refused_by_the_body_rule(
            text in frame_text(),
            first in any::<bool>(),
            max in prop_oneof![1usize..50, Just(4000), Just(65_536)],
        ) {
            match SeedInput::of(&text, first, max) {
                SeedInput::Connect => prop_assert!(first && text == "Connect"),
                SeedInput::Message(body) => {
                    prop_assert!(!(first && text == "Connect"));
                    // The message is the frame's text exactly, not trimmed.
                    prop_assert_eq!(&body, &text);
                    prop_assert!(!text.trim().is_empty());
                    prop_assert!(text.chars().count() <= max);
                }
                SeedInput::Invalid(error) => {
                    prop_assert!(!(first && text == "Connect"));
                    let expected = if text.trim().is_empty() {
                        BodyError::Empty
                    } else {
                        BodyError::TooLong { max_chars: max }
                    };
                    prop_assert_eq!(error, expected);
                    prop_assert!(text.trim().is_empty() || text.chars().count() > max);
                }
            }
        }

        #[test]
        fn a_message_comes_back_out_of_the_seed_frame(
            text in frame_text(),
            author in author_name(),
            ts_ms in any::<i64>(),
        ) {
            // Whatever text a seed client sends as a message, every seed
            // client receives that text, from that author's id.
            if let SeedInput::Message(body) = SeedInput::of(&text, false, 65_536) {
                let published = Published::new(event(EventKind::Message, &author, Some(body), ts_ms));
                let frame = published.seed().expect("messages reach seed clients");
                check_frame(frame.as_str(), &author, &text, ts_ms)?;
            }
        }

        #[test]
        fn joins_and_offline_frames_follow_the_same_rules(
            author in author_name(),
            ts_ms in any::<i64>(),
        ) {
            let join = Published::new(event(EventKind::Join, &author, None, ts_ms));
            check_frame(join.seed().expect("joins reach seed clients"), &author, "Connect", ts_ms)?;
            // As `announce_offline_after_grace` builds it.
            let offline = SeedFrame::new(clock::hour_minute(ts_ms), &author, true, "Offline".into());
            check_frame(&offline.to_json(), &author, "Offline", ts_ms)?;
        }
    }
}
