//! What travels through a connection's outbound queue.
//!
//! A committed event is serialized once into [`Published`] (the v1 frame, and
//! lazily the seed frame) and shared by reference count: handing it to ten
//! thousand subscribers costs ten thousand pointer copies, not ten thousand
//! JSON encodings. `Utf8Bytes` clones are reference-count bumps too.

use std::sync::{Arc, OnceLock};

use axum::extract::ws::Utf8Bytes;
use webchat_core::clock;
use webchat_core::hub::Announcer;
use webchat_core::model::{Event, User};
use webchat_protocol::seed::SeedFrame;
use webchat_protocol::server::ServerFrame;
use webchat_protocol::views::EventKind;

/// One committed event, serialized for every dialect that needs it.
#[derive(Debug)]
pub struct Published {
    pub event: Event,
    pub v1: Utf8Bytes,
    seed: OnceLock<Option<Utf8Bytes>>,
}

impl Published {
    pub fn new(event: Event) -> Arc<Self> {
        let v1 = Utf8Bytes::from(ServerFrame::Event(event.view()).to_json());
        Arc::new(Published {
            event,
            v1,
            seed: OnceLock::new(),
        })
    }

    /// The seed endpoint's frame: messages and joins only (a join reads `Connect`).
    pub fn seed(&self) -> Option<&Utf8Bytes> {
        self.seed
            .get_or_init(|| {
                let text = match self.event.kind {
                    EventKind::Message => self.event.body.clone()?,
                    EventKind::Join => "Connect".to_owned(),
                    _ => return None,
                };
                let frame = SeedFrame::new(
                    clock::hour_minute(self.event.ts_ms),
                    &self.event.author.name,
                    self.event.author.seed,
                    text,
                );
                Some(Utf8Bytes::from(frame.to_json()))
            })
            .as_ref()
    }
}

/// An item of a connection's outbound queue.
#[derive(Debug, Clone)]
pub enum Outbound {
    /// A frame for this connection whatever its dialect (replies, errors).
    Frame(Text),
    /// A committed event from the hub.
    Event(Arc<Published>),
    /// A frame only protocol v1 connections understand (presence, typing).
    V1Only(Text),
    /// A frame only seed connections understand (`Offline`).
    SeedOnly(Text),
    /// Replay a range of a room's events from the store.
    Replay(Box<Replay>),
    /// Close the connection with this code.
    Close { code: u16, reason: &'static str },
    /// The server ended this connection's subscription to a room (kick,
    /// ban, leave): see [`Removal`].
    Removed(Arc<Removal>),
}

/// A serialized frame in a queue. Behind a pointer because every
/// connection's queue allocates its slots in blocks of 32 up front: an item
/// of 24 bytes instead of 56 saves a kilobyte per connection, idle or not
/// (`Utf8Bytes` alone is 32 bytes). Cloning it for many recipients is a
/// reference-count bump either way.
pub type Text = Arc<Utf8Bytes>;

/// Replay the room's events with `after < seq <= upto` from the store.
#[derive(Debug, Clone)]
pub struct Replay {
    pub room: Arc<str>,
    pub after: u64,
    pub upto: u64,
    /// One of the connection's replays in flight
    /// (`Config::replays_in_flight`): held until the writer has streamed it,
    /// or dropped with the queue when the connection ends.
    pub permit: Option<Arc<tokio::sync::OwnedSemaphorePermit>>,
}

/// The end of a user's subscriptions to a room: v1 connections get `frame`
/// (`unsubscribed`); a seed connection, which has no such frame and exists
/// only for `lobby`, is closed 1008 with `reason`, so it cannot go on
/// writing there.
#[derive(Debug)]
pub struct Removal {
    pub frame: Utf8Bytes,
    pub reason: &'static str,
}

/// A queue item's text, ready for the queue.
pub fn text(json: String) -> Text {
    Arc::new(Utf8Bytes::from(json))
}

impl Outbound {
    pub fn frame(frame: &ServerFrame) -> Self {
        Outbound::Frame(text(frame.to_json()))
    }

    /// The notice that ends a user's subscriptions to `room` (see [`Outbound::Removed`]).
    pub fn removed(room: &str, reason: &'static str) -> Self {
        let frame = ServerFrame::Unsubscribed {
            re: None,
            room: room.to_owned(),
            reason: Some(reason.to_owned()),
        };
        Outbound::Removed(Arc::new(Removal {
            frame: Utf8Bytes::from(frame.to_json()),
            reason,
        }))
    }
}

/// The live effect of a committed event that must follow from the log
/// rather than from whoever appended it: a `leave` (the member's own, a
/// kick, a ban, a join undone by a ban) ends the subject's subscriptions to
/// the room on every connection, with the reason from the event.
pub fn after_commit(hub: &webchat_core::hub::Hub<Outbound>, event: &Event) {
    if event.kind != EventKind::Leave {
        return;
    }
    let reason = match event.body.as_deref() {
        Some("kicked") => "kicked",
        Some("banned") => "banned",
        _ => "left",
    };
    hub.remove_user(
        &event.room,
        event.author.id,
        Outbound::removed(&event.room, reason),
    );
}

/// Builds the hub's ephemeral announcements as v1 frames.
pub struct FrameAnnouncer;

impl Announcer<Outbound> for FrameAnnouncer {
    fn presence(
        &self,
        room: &str,
        joined: &[User],
        left: &[User],
        online: usize,
        truncated: bool,
    ) -> Outbound {
        let frame = ServerFrame::Presence {
            room: room.to_owned(),
            joined: joined.iter().map(User::view).collect(),
            left: left.iter().map(User::view).collect(),
            online,
            truncated,
        };
        Outbound::V1Only(text(frame.to_json()))
    }

    fn typing(&self, room: &str, user: &User, active: bool) -> Outbound {
        let frame = ServerFrame::Typing {
            room: room.to_owned(),
            user: user.view(),
            active,
        };
        Outbound::V1Only(text(frame.to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webchat_core::model::Author;

    fn event(kind: EventKind, author: &str, body: Option<&str>) -> Event {
        seed_event(kind, author, true, body)
    }

    fn seed_event(kind: EventKind, author: &str, seed: bool, body: Option<&str>) -> Event {
        Event {
            room: "lobby".into(),
            seq: 1,
            id: 1,
            ts_ms: 0,
            kind,
            author: Author {
                id: 1,
                name: author.into(),
                guest: true,
                seed,
            },
            body: body.map(str::to_owned),
            target: None,
            nonce: None,
            actor: None,
            edited: false,
            deleted: false,
        }
    }

    #[test]
    fn seed_frames_cover_messages_and_joins_only() {
        let message = Published::new(event(EventKind::Message, "1700000000000", Some("hi")));
        assert_eq!(
            message.seed().map(|b| b.as_str()),
            Some(r#"{"time":"00:00","clientId":1700000000000,"message":"hi"}"#)
        );
        let join = Published::new(event(EventKind::Join, "ann", None));
        assert_eq!(
            join.seed().map(|b| b.as_str()),
            Some(r#"{"time":"00:00","clientId":"ann","message":"Connect"}"#)
        );
        assert!(
            Published::new(event(EventKind::Leave, "ann", None))
                .seed()
                .is_none()
        );
    }

    #[test]
    fn a_v1_user_named_with_digits_is_a_string_client_id() {
        let message = Published::new(seed_event(EventKind::Message, "123", false, Some("hi")));
        assert_eq!(
            message.seed().map(|b| b.as_str()),
            Some(r#"{"time":"00:00","clientId":"123","message":"hi"}"#)
        );
    }
}
