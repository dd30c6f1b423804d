//! `fanout` (receivers subscribed to lobby, senders writing to it; or, with
//! `--rooms`, everyone spread over many rooms) and `durable` (the same
//! without receivers: acks only).
//!
//! Senders are paced by `--rate` (shared out equally; a missed tick is
//! skipped, so an overloaded server shows as a lower achieved rate, not as a
//! burst) and always bounded by `--window` messages in flight: written and
//! not yet acked (v1) or echoed back to the sender (seed, which has no ack).
//! Each receiver's task reads its socket as frames come, so the server never
//! sees the tool as a slow consumer unless the tool's CPU is the bottleneck.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::ensure;
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use webchat_protocol::server::ServerFrame;

use crate::args::{Dialect, Pacing};
use crate::body::{Stamp, unix_nanos};
use crate::conn::{self, Incoming, ROOM};
use crate::counters::Counters;
use crate::server_usage::Probe;
use crate::stats::{Shards, micros};
use crate::tally::{Arrival, SeqSet, Tally};
use crate::target::Ws;
use crate::{Ctx, Outcome, clients};

/// Bits of loss/duplicate accounting a run may need (512 MiB).
const MAX_TALLY_BITS: u64 = 4 << 30;

/// Messages a run may send: each keeps its send time (16 bytes) until acked.
const MAX_MESSAGES: u64 = 10_000_000;

/// What one sender is to do.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) run: u32,
    pub(crate) dialect: Dialect,
    pub(crate) messages: u64,
    /// This sender's share of `--rate`; `None`: flat out within the window.
    pub(crate) rate: Option<f64>,
    pub(crate) window: u64,
    pub(crate) body_bytes: usize,
    /// No message is written after this.
    pub(crate) send_until: Instant,
    /// Acks still in flight are given up on after this.
    pub(crate) wait_until: Instant,
    /// The rooms this sender writes to in turn (its j-th message goes to
    /// `rooms[j % len]`); empty: lobby.
    pub(crate) rooms: Vec<String>,
}

/// What one sender did.
pub(crate) struct Sent {
    pub(crate) sender: u32,
    pub(crate) sent: u64,
    /// The seqs the server took (acked, or echoed on seed).
    pub(crate) committed: SeqSet,
    pub(crate) last_ack: Option<Instant>,
}

/// Sends `plan.messages` stamped messages as sender `sender` and collects
/// what the server answered; ack latencies go into `ack_latency`.
/// `committed_live` counts commits as they come (for the progress bar).
pub(crate) async fn send_loop(
    ws: Ws,
    sender: u32,
    plan: Plan,
    counters: Arc<Counters>,
    ack_latency: Arc<Shards>,
    committed_live: Arc<AtomicU64>,
) -> Sent {
    let (mut sink, mut stream) = ws.split();
    let mut out = Sent {
        sender,
        sent: 0,
        committed: SeqSet::new(plan.messages),
        last_ack: None,
    };
    let capacity = usize::try_from(plan.messages).unwrap_or(0);
    // When each seq was written, for the ack latency: one entry per message,
    // bounded by --messages.
    let mut sent_at: Vec<Instant> = Vec::with_capacity(capacity);
    let mut in_flight: u64 = 0;
    let mut ticker = plan.rate.map(|rate| {
        let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        ticker
    });
    loop {
        let more = out.sent < plan.messages && Instant::now() < plan.send_until;
        if !more && in_flight == 0 {
            break;
        }
        let may_send = more && in_flight < plan.window;
        tokio::select! {
            // Reading first: acks free the window, and a sender that stops
            // reading would be a slow consumer itself (seed senders receive
            // the whole room).
            biased;
            frame = stream.next() => {
                if conn::note_end(frame.as_ref(), &counters) {
                    break;
                }
                let Some(Ok(Message::Text(text))) = frame else { continue };
                let answered = match conn::parse(text.as_str(), &counters) {
                    Incoming::Frame(ServerFrame::Ack { re: Some(re), .. }) => {
                        re.as_u64().map(|seq| (seq, true))
                    }
                    Incoming::Frame(ServerFrame::Error { re, .. }) => {
                        // Seed errors carry no `re`: they still answer one frame.
                        Some((re.as_ref().and_then(Value::as_u64).unwrap_or(u64::MAX), false))
                    }
                    Incoming::Message { body, .. } if plan.dialect == Dialect::Seed => {
                        Stamp::decode(&body)
                            .filter(|stamp| stamp.run == plan.run && stamp.sender == sender)
                            .map(|stamp| (stamp.seq, true))
                    }
                    _ => None,
                };
                if let Some((seq, committed)) = answered {
                    in_flight = in_flight.saturating_sub(1);
                    if committed && out.committed.insert(seq) == Some(true) {
                        committed_live.fetch_add(1, Ordering::Relaxed);
                        let now = Instant::now();
                        if let Some(at) = usize::try_from(seq).ok().and_then(|i| sent_at.get(i)) {
                            ack_latency.record_us(sender as usize, micros(now - *at));
                        }
                        out.last_ack = Some(now);
                    }
                }
            }
            () = tick(ticker.as_mut()), if may_send => {
                let seq = out.sent;
                let body = Stamp { run: plan.run, sender, seq, sent_unix_ns: unix_nanos() }
                    .encode(plan.body_bytes);
                let room = match plan.rooms.len() {
                    0 => ROOM,
                    n => plan.rooms[usize::try_from(seq).unwrap_or(0) % n].as_str(),
                };
                let text = match plan.dialect {
                    Dialect::Seed => body,
                    Dialect::V1 => json!({
                        "type": "send", "room": room, "body": body,
                        "nonce": format!("{:08x}-{sender}-{seq}", plan.run), "req": seq,
                    })
                    .to_string(),
                };
                sent_at.push(Instant::now());
                if sink.send(Message::text(text)).await.is_err() {
                    counters.close("abnormal");
                    break;
                }
                out.sent += 1;
                in_flight += 1;
            }
            () = tokio::time::sleep_until(plan.send_until), if more => {}
            () = tokio::time::sleep_until(plan.wait_until) => break,
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
    out
}

async fn tick(ticker: Option<&mut tokio::time::Interval>) {
    if let Some(ticker) = ticker {
        ticker.tick().await;
    }
}

/// What one receiver got.
pub(crate) struct Received {
    /// The receiver's index (its room with `--rooms`).
    pub(crate) index: usize,
    pub(crate) tally: Tally,
    pub(crate) last: Option<Instant>,
}

/// Where everyone is with `--rooms`: receiver i in room i mod R, room k
/// created by and written to by sender k mod S as its (k div S)-th room.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rooms {
    pub(crate) rooms: u64,
    pub(crate) senders: u64,
}

impl Rooms {
    pub(crate) fn name(run: u32, room: u64) -> String {
        format!("b{run:08x}-{room}")
    }

    /// The rooms sender `s` writes to, in turn.
    pub(crate) fn of_sender(self, run: u32, sender: u64) -> Vec<String> {
        (sender..self.rooms)
            .step_by(usize::try_from(self.senders).unwrap_or(1).max(1))
            .map(|room| Self::name(run, room))
            .collect()
    }

    /// Receiver `i`'s room.
    pub(crate) fn of_receiver(self, receiver: u64) -> u64 {
        receiver % self.rooms
    }

    /// Which of sender `s`'s messages go to `room`: (sender, count of its
    /// rooms, the room's place among them).
    pub(crate) fn writer_of(self, room: u64) -> (u64, u64, u64) {
        let sender = room % self.senders;
        let count = (self.rooms - sender).div_ceil(self.senders);
        (sender, count, room / self.senders)
    }
}

/// What every receiver shares.
#[derive(Clone)]
pub(crate) struct Receiving {
    pub(crate) run: u32,
    pub(crate) senders: u32,
    pub(crate) per_sender: u64,
    pub(crate) counters: Arc<Counters>,
    pub(crate) latency: Arc<Shards>,
    /// First arrivals over all receivers.
    pub(crate) delivered: Arc<AtomicU64>,
    pub(crate) stop: CancellationToken,
}

/// Reads receiver `index`'s socket until `stop`, recording this run's messages.
pub(crate) async fn receive(mut ws: Ws, index: usize, shared: Receiving) -> Received {
    let Receiving {
        run,
        senders,
        per_sender,
        counters,
        latency,
        delivered,
        stop,
    } = shared;
    let mut out = Received {
        index,
        tally: Tally::new(senders, per_sender),
        last: None,
    };
    loop {
        let frame = tokio::select! {
            () = stop.cancelled() => break,
            frame = ws.next() => frame,
        };
        if conn::note_end(frame.as_ref(), &counters) {
            return out;
        }
        let Some(Ok(Message::Text(text))) = frame else {
            continue;
        };
        if let Incoming::Message { body, .. } = conn::parse(text.as_str(), &counters)
            && let Some(stamp) = Stamp::decode(&body)
            && stamp.run == run
        {
            let nanos = unix_nanos().saturating_sub(stamp.sent_unix_ns);
            latency.record_us(index, nanos / 1000);
            if matches!(
                out.tally.record(stamp.sender, stamp.seq),
                Arrival::InOrder | Arrival::Late
            ) {
                delivered.fetch_add(1, Ordering::Relaxed);
                out.last = Some(Instant::now());
            }
        }
    }
    conn::close(ws).await;
    out
}

/// `fanout` with `receivers` receivers, or `durable` with none.
pub(crate) async fn run(
    ctx: &Ctx,
    probe: &mut Probe,
    receivers: u64,
    senders: u64,
    rooms: u64,
    pacing: &Pacing,
) -> anyhow::Result<Outcome> {
    ctx.check_connections(receivers + senders)?;
    ensure!(
        rooms == 0 || ctx.dialect == Dialect::V1,
        "--rooms needs protocol v1: seed connections are always in lobby"
    );
    ensure!(
        rooms == 0 || rooms >= senders,
        "--rooms must be at least --senders (each sender creates its rooms)"
    );
    let layout = (rooms > 0).then_some(Rooms { rooms, senders });
    let messages = pacing.messages;
    // One bit per (receiver, sender, message), one send time per message.
    let tally_bits = receivers.saturating_mul(senders).saturating_mul(messages);
    ensure!(
        tally_bits <= MAX_TALLY_BITS,
        "receivers × senders × messages is {tally_bits}, more than {MAX_TALLY_BITS} \
         (the accounting would need over 512 MiB): fewer messages per sender"
    );
    ensure!(
        senders.saturating_mul(messages) <= MAX_MESSAGES,
        "senders × messages is over {MAX_MESSAGES}: fewer messages per sender"
    );
    let mut outcome = Outcome::new();
    let latency = Arc::new(Shards::new());
    let ack_latency = Arc::new(Shards::new());
    let shared = Receiving {
        run: ctx.run,
        senders: u32::try_from(senders)?,
        per_sender: messages,
        counters: ctx.target.counters.clone(),
        latency: latency.clone(),
        delivered: Arc::new(AtomicU64::new(0)),
        stop: CancellationToken::new(),
    };
    let (run, delivered, stop) = (ctx.run, shared.delivered.clone(), shared.stop.clone());

    // With rooms, the rooms come first, each made by a guest of its own (a
    // guest may make only a few), then the senders, who join theirs.
    if let Some(layout) = layout {
        ctx.phase("rooms", layout.rooms);
        let made: Vec<bool> = stream::iter(0..layout.rooms)
            .map(|k| {
                let (name, target) = (ctx.name("c", k), ctx.target.clone());
                async move {
                    let Ok(token) = target.sign_in(&name).await else {
                        return false;
                    };
                    target
                        .create_room(&token, &Rooms::name(run, k))
                        .await
                        .is_ok()
                }
            })
            .buffer_unordered(ctx.concurrency)
            .inspect(|_| ctx.progress.inc(1))
            .collect()
            .await;
        let missing = made.iter().filter(|made| !**made).count();
        ensure!(missing == 0, "{missing} of the rooms could not be made");
    }
    let open_senders = || {
        ctx.phase("senders", senders);
        stream::iter(0..senders)
            .map(|i| {
                let name = ctx.name("s", i);
                let (target, dialect) = (ctx.target.clone(), ctx.dialect);
                let rooms = layout.map(|l| l.of_sender(run, i)).unwrap_or_default();
                async move {
                    let ws = clients::sender_in(&target, dialect, &name, &rooms).await;
                    (i, ws)
                }
            })
            .buffer_unordered(ctx.concurrency)
            .inspect(|_| ctx.progress.inc(1))
            .collect::<Vec<_>>()
    };
    let mut opened = Vec::new();
    if layout.is_some() {
        opened = open_senders().await;
    }

    ctx.phase("receivers", receivers);
    // Each receiver starts reading as soon as it is subscribed: the joins of
    // those set up after it would otherwise fill its queue.
    let receiving: Vec<_> = stream::iter(0..receivers)
        .map(|i| {
            let name = ctx.name("r", i);
            let (target, dialect, shared) = (ctx.target.clone(), ctx.dialect, shared.clone());
            let room =
                layout.map_or_else(|| ROOM.to_owned(), |l| Rooms::name(run, l.of_receiver(i)));
            async move {
                let token = clients::sign_in(&target, dialect, &name).await;
                if dialect == Dialect::V1 && token.is_none() {
                    return None;
                }
                let opened =
                    clients::subscriber_in(&target, dialect, &name, token.as_deref(), &room, None)
                        .await?;
                let index = usize::try_from(i).unwrap_or(0);
                let task = tokio::spawn(receive(opened.ws, index, shared));
                Some((i, opened.connect, opened.ready, task))
            }
        })
        .buffer_unordered(ctx.concurrency)
        .inspect(|_| ctx.progress.inc(1))
        .collect()
        .await;
    let mut receiver_tasks = Vec::with_capacity(receiving.len());
    let mut receiver_indices = Vec::with_capacity(receiving.len());
    for (i, connect, ready, task) in receiving.into_iter().flatten() {
        receiver_indices.push(i);
        outcome.connect.saturating_record(micros(connect));
        outcome.ready.saturating_record(micros(ready));
        receiver_tasks.push(task);
    }

    if layout.is_none() {
        opened = open_senders().await;
    }
    clients::settle(ctx.dialect).await;
    outcome.connections =
        receiver_tasks.len() as u64 + opened.iter().filter(|(_, ws)| ws.is_some()).count() as u64;
    probe.loaded();

    let per_sender_rate = pacing.rate.map(|rate| rate / senders as f64);
    let start = Instant::now();
    let send_until = start + ctx.duration;
    let plan = Plan {
        run,
        dialect: ctx.dialect,
        messages,
        rate: per_sender_rate,
        window: pacing.window,
        body_bytes: usize::try_from(pacing.body_bytes).unwrap_or(0),
        send_until,
        wait_until: send_until + Duration::from_secs(pacing.drain),
        rooms: Vec::new(),
    };
    let committed_live = Arc::new(AtomicU64::new(0));
    let receivers_open = receiver_tasks.len() as u64;
    let expected_max = messages * senders * receivers_open.max(1);
    ctx.phase(
        if receivers_open > 0 {
            "delivered"
        } else {
            "acked"
        },
        expected_max,
    );
    let sending: Vec<_> = opened
        .into_iter()
        .filter_map(|(i, ws)| Some((u32::try_from(i).ok()?, ws?)))
        .map(|(i, ws)| {
            let plan = Plan {
                rooms: layout
                    .map(|l| l.of_sender(run, u64::from(i)))
                    .unwrap_or_default(),
                ..plan.clone()
            };
            tokio::spawn(send_loop(
                ws,
                i,
                plan,
                ctx.target.counters.clone(),
                ack_latency.clone(),
                committed_live.clone(),
            ))
        })
        .collect();
    let progress_of = if receivers_open > 0 {
        delivered.clone()
    } else {
        committed_live.clone()
    };
    let all = futures_util::future::join_all(sending);
    tokio::pin!(all);
    let mut every = tokio::time::interval(Duration::from_millis(100));
    let results = loop {
        tokio::select! {
            joined = &mut all => break joined,
            _ = every.tick() => ctx.progress.set_position(progress_of.load(Ordering::Relaxed)),
        }
    };
    let mut committed = vec![SeqSet::new(messages); usize::try_from(senders)?];
    let mut last = start;
    for sent in results.into_iter().flatten() {
        outcome.sent += sent.sent;
        outcome.committed += sent.committed.len();
        last = last.max(sent.last_ack.unwrap_or(start));
        if let Some(slot) = usize::try_from(sent.sender)
            .ok()
            .and_then(|i| committed.get_mut(i))
        {
            *slot = sent.committed;
        }
    }

    // What each receiver should get: with rooms, only its room's messages.
    let room_expected: Vec<(usize, SeqSet)> = match layout {
        None => Vec::new(),
        Some(l) => (0..l.rooms)
            .map(|room| {
                let (sender, count, place) = l.writer_of(room);
                let sender = usize::try_from(sender).unwrap_or(0);
                let mut want = SeqSet::new(messages);
                if let Some(done) = committed.get(sender) {
                    (place..messages)
                        .step_by(usize::try_from(count).unwrap_or(1).max(1))
                        .filter(|seq| done.contains(*seq))
                        .for_each(|seq| {
                            want.insert(seq);
                        });
                }
                (sender, want)
            })
            .collect(),
    };
    let expected_of = |receiver: usize| -> u64 {
        match layout {
            None => outcome.committed,
            Some(l) => room_expected
                .get(usize::try_from(l.of_receiver(receiver as u64)).unwrap_or(0))
                .map_or(0, |(_, want)| want.len()),
        }
    };
    // Senders are done; wait (bounded) until every receiver has every
    // committed message, or the drain ends.
    let expected: u64 = match layout {
        None => outcome.committed * receivers_open,
        Some(_) => receiver_indices
            .iter()
            .map(|i| expected_of(usize::try_from(*i).unwrap_or(0)))
            .sum(),
    };
    ctx.progress.set_length(expected.max(1));
    let drain_until = Instant::now() + Duration::from_secs(pacing.drain);
    while delivered.load(Ordering::Relaxed) < expected && Instant::now() < drain_until {
        ctx.progress.set_position(delivered.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    probe.after();
    stop.cancel();

    for received in futures_util::future::join_all(receiver_tasks)
        .await
        .into_iter()
        .flatten()
    {
        outcome.deliveries += received.tally.unique;
        outcome.duplicates += received.tally.duplicates;
        outcome.reordered += received.tally.reordered;
        outcome.loss += match layout {
            None => received.tally.missing(&committed),
            Some(l) => {
                let room = usize::try_from(l.of_receiver(received.index as u64)).unwrap_or(0);
                room_expected.get(room).map_or(0, |(sender, want)| {
                    received.tally.missing_one(*sender, want)
                })
            }
        };
        last = last.max(received.last.unwrap_or(start));
    }
    outcome.expected_deliveries = expected;
    outcome.latency = latency.merged();
    outcome.ack_latency = ack_latency.merged();
    outcome.elapsed = last - start;
    Ok(outcome)
}
