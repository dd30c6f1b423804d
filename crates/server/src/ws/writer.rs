//! The writer half of a connection: the only code that writes to the socket.
//!
//! It waits for the first queued item, takes everything else already queued
//! (up to a batch), `feed`s each frame and `flush`es once per batch: one
//! syscall for a burst instead of one per frame. It also sends heartbeats,
//! performs replays (reading the store page by page), and says goodbye:
//! `bye` + 1001 at shutdown, 1013 when the hub dropped this connection for
//! lagging, or whatever close the reader queued. Every socket write has a
//! deadline, so a peer that stops reading cannot pin the task forever.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use tokio::sync::mpsc;
use tokio::time::{Instant, interval_at, timeout};
use tokio_util::sync::CancellationToken;
use webchat_core::hub::Control;
use webchat_core::model::Page;
use webchat_core::store::Store;
use webchat_protocol::error::close;
use webchat_protocol::server::ServerFrame;

use crate::fanout::{Outbound, Published, Replay};

/// Which frames a connection understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    V1,
    Seed,
}

const MAX_BATCH: usize = 256;
const REPLAY_PAGE: u32 = 200;
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(1);

pub struct Writer {
    pub sink: SplitSink<WebSocket, Message>,
    pub queue: mpsc::Receiver<Outbound>,
    pub dialect: Dialect,
    pub store: Arc<dyn Store>,
    /// Asks this connection to close (lagging: 1013; session ended: 1008).
    pub control: Arc<Control>,
    pub shutdown: CancellationToken,
    /// Cancelled when the writer ends, so the reader stops too.
    pub done: CancellationToken,
    pub heartbeat: Duration,
}

enum Ending {
    /// The reader is gone (client closed or connection broken): nothing to say.
    Quiet,
    Shutdown,
    Close(u16, &'static str),
}

#[derive(Debug)]
struct Broken;

impl Writer {
    pub async fn run(mut self) {
        let mut heartbeat = interval_at(Instant::now() + self.heartbeat, self.heartbeat);
        // Made once, not per turn of the loop: a new `cancelled()` or
        // `closed()` future registers a waiter (a lock and a list entry)
        // every time, which on a busy connection is every delivered batch.
        let shutdown = self.shutdown.clone();
        let shutdown = shutdown.cancelled();
        let control = self.control.clone();
        let closed = control.closed();
        tokio::pin!(shutdown, closed);
        let ending = loop {
            tokio::select! {
                biased;
                () = &mut shutdown => break Ending::Shutdown,
                code = &mut closed => {
                    break Ending::Close(code, close_reason(code));
                }
                item = self.queue.recv() => match item {
                    None => break Ending::Quiet,
                    Some(item) => match self.write_batch(item).await {
                        Ok(None) => {}
                        Ok(Some(ending)) => break ending,
                        Err(Broken) => break Ending::Quiet,
                    },
                },
                _ = heartbeat.tick() => {
                    if self.send(Message::Ping(Default::default())).await.is_err() {
                        break Ending::Quiet;
                    }
                }
            }
        };
        self.goodbye(ending).await;
        self.done.cancel();
    }

    async fn write_batch(&mut self, first: Outbound) -> Result<Option<Ending>, Broken> {
        let mut item = Some(first);
        let mut written = 0;
        while let Some(current) = item.take() {
            match current {
                Outbound::Close { code, reason } => {
                    self.flush().await?;
                    return Ok(Some(Ending::Close(code, reason)));
                }
                Outbound::Removed(removal) if self.dialect == Dialect::Seed => {
                    self.flush().await?;
                    return Ok(Some(Ending::Close(close::POLICY_VIOLATION, removal.reason)));
                }
                Outbound::Replay(replay) => {
                    let Replay {
                        room,
                        after,
                        upto,
                        permit,
                    } = *replay;
                    if self.replay(&room, after, upto).await.is_err() {
                        return Ok(Some(Ending::Close(1011, "could not read history: resume")));
                    }
                    // Streamed: the reader may queue the connection's next replay.
                    drop(permit);
                }
                other => {
                    if let Some(text) = self.render(other) {
                        self.feed(Message::Text(text)).await?;
                    }
                }
            }
            written += 1;
            if written < MAX_BATCH {
                item = self.queue.try_recv().ok();
            }
        }
        self.flush().await?;
        Ok(None)
    }

    fn render(&self, item: Outbound) -> Option<Utf8Bytes> {
        match (item, self.dialect) {
            (Outbound::Frame(text), _) => Some(Utf8Bytes::clone(&text)),
            (Outbound::Removed(removal), Dialect::V1) => Some(removal.frame.clone()),
            (Outbound::Event(published), Dialect::V1) => Some(published.v1.clone()),
            (Outbound::Event(published), Dialect::Seed) => published.seed().cloned(),
            (Outbound::V1Only(text), Dialect::V1) => Some(Utf8Bytes::clone(&text)),
            (Outbound::SeedOnly(text), Dialect::Seed) => Some(Utf8Bytes::clone(&text)),
            _ => None,
        }
    }

    /// Writes the room's events with `after < seq <= upto`, oldest first.
    async fn replay(&mut self, room: &str, after: u64, upto: u64) -> Result<(), ReplayError> {
        let mut cursor = after;
        while cursor < upto {
            let (events, _) = self
                .store
                .events(
                    room,
                    Page::After {
                        after: cursor,
                        limit: REPLAY_PAGE,
                    },
                )
                .await
                .map_err(|error| {
                    tracing::warn!(%error, room, "replay read failed");
                    ReplayError
                })?;
            if events.is_empty() {
                break;
            }
            for event in events {
                if event.seq > upto {
                    return Ok(());
                }
                cursor = event.seq;
                let text = Published::new(event).v1.clone();
                self.feed(Message::Text(text))
                    .await
                    .map_err(|Broken| ReplayError)?;
            }
            self.flush().await.map_err(|Broken| ReplayError)?;
        }
        Ok(())
    }

    async fn goodbye(&mut self, ending: Ending) {
        let (code, reason) = match ending {
            Ending::Quiet => return,
            Ending::Shutdown => {
                if self.dialect == Dialect::V1 {
                    let bye = ServerFrame::Bye {
                        reason: "shutdown".into(),
                        reconnect: true,
                    };
                    let _ = timeout(
                        GOODBYE_TIMEOUT,
                        self.sink.feed(Message::Text(bye.to_json().into())),
                    )
                    .await;
                }
                (close::GOING_AWAY, "server shutting down")
            }
            Ending::Close(code, reason) => (code, reason),
        };
        let frame = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        let _ = timeout(GOODBYE_TIMEOUT, self.sink.send(frame)).await;
    }

    async fn feed(&mut self, message: Message) -> Result<(), Broken> {
        match timeout(WRITE_TIMEOUT, self.sink.feed(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Broken),
        }
    }

    async fn flush(&mut self) -> Result<(), Broken> {
        match timeout(WRITE_TIMEOUT, self.sink.flush()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Broken),
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), Broken> {
        self.feed(message).await?;
        self.flush().await
    }
}

#[derive(Debug)]
struct ReplayError;

fn close_reason(code: u16) -> &'static str {
    match code {
        close::TRY_AGAIN_LATER => {
            metrics::counter!(crate::metrics::SLOW_CONSUMERS_CLOSED).increment(1);
            "too slow: resume from your last seq"
        }
        close::POLICY_VIOLATION => "session ended",
        _ => "closing",
    }
}
