//! Setting up one bench client of either dialect, timed: a subscriber
//! (signed in, upgraded, `hello`, `subscribe lobby`) or a sender (a v1 member
//! of lobby, or a seed connection).

use std::time::Duration;

use tokio::time::Instant;

use crate::args::Dialect;
use crate::conn::{self, ROOM};
use crate::target::{Refused, Target, Ws};

/// A connection ready to receive.
pub(crate) struct Opened {
    pub(crate) ws: Ws,
    /// The upgrade (TCP connect and HTTP 101).
    pub(crate) connect: Duration,
    /// From the start of the upgrade to `subscribed` (seed: the upgrade).
    pub(crate) ready: Duration,
    /// The room's head at `subscribed` (v1).
    pub(crate) head: Option<u64>,
}

/// Signs a v1 guest in (seed clients need no sign-in: `None`).
pub(crate) async fn sign_in(target: &Target, dialect: Dialect, name: &str) -> Option<String> {
    match dialect {
        Dialect::Seed => None,
        Dialect::V1 => match target.sign_in(name).await {
            Ok(token) => Some(token),
            Err(Refused) => {
                target.counters.connect_failure();
                None
            }
        },
    }
}

/// Opens a subscriber of lobby. v1 needs the token of a signed-in guest and
/// may resume from `since`; seed connects as `name`.
pub(crate) async fn subscriber(
    target: &Target,
    dialect: Dialect,
    name: &str,
    token: Option<&str>,
    since: Option<u64>,
) -> Option<Opened> {
    subscriber_in(target, dialect, name, token, ROOM, since).await
}

/// [`subscriber`] of `room` (v1; a seed connection is always in lobby).
pub(crate) async fn subscriber_in(
    target: &Target,
    dialect: Dialect,
    name: &str,
    token: Option<&str>,
    room: &str,
    since: Option<u64>,
) -> Option<Opened> {
    let opened = async {
        let start = Instant::now();
        match dialect {
            Dialect::Seed => {
                let ws = target.upgrade_seed(name).await?;
                let connect = start.elapsed();
                Ok(Opened {
                    ws,
                    connect,
                    ready: connect,
                    head: None,
                })
            }
            Dialect::V1 => {
                let token = token.ok_or(Refused)?;
                let mut ws = target.upgrade_v1().await?;
                let connect = start.elapsed();
                conn::hello(&mut ws, target, token).await?;
                let head = conn::subscribe(&mut ws, target, room, since).await?;
                Ok(Opened {
                    ws,
                    connect,
                    ready: start.elapsed(),
                    head: Some(head),
                })
            }
        }
    };
    match opened.await {
        Ok(opened) => Some(opened),
        Err(Refused) => {
            target.counters.connect_failure();
            None
        }
    }
}

/// Opens a sender: on v1 a guest who joined lobby over REST (a member may
/// write without being subscribed, so senders do not also receive the whole
/// room), on seed a connection named `name`.
pub(crate) async fn sender(target: &Target, dialect: Dialect, name: &str) -> Option<Ws> {
    sender_in(target, dialect, name, &[]).await
}

/// [`sender`] that joins `rooms` (v1) instead of lobby; with no rooms,
/// [`sender`].
pub(crate) async fn sender_in(
    target: &Target,
    dialect: Dialect,
    name: &str,
    rooms: &[String],
) -> Option<Ws> {
    let opened = async {
        match dialect {
            Dialect::Seed => target.upgrade_seed(name).await,
            Dialect::V1 => {
                let token = target.sign_in(name).await?;
                if rooms.is_empty() {
                    target.join(&token, ROOM).await?;
                }
                for room in rooms {
                    target.join(&token, room).await?;
                }
                let mut ws = target.upgrade_v1().await?;
                conn::hello(&mut ws, target, &token).await?;
                Ok(ws)
            }
        }
    };
    match opened.await {
        Ok(ws) => Some(ws),
        Err(Refused) => {
            target.counters.connect_failure();
            None
        }
    }
}

/// The seed endpoint subscribes a connection to lobby just after the upgrade
/// answer, with nothing to confirm it; this pause lets that happen before
/// anything is sent (v1 has `subscribed`).
pub(crate) async fn settle(dialect: Dialect) {
    if dialect == Dialect::Seed {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
