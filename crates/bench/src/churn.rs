//! `churn`: a storm of clients connecting, subscribing and disconnecting
//! (`--clients` at once, `--cycles` times each), then, on v1, a mass
//! reconnect: every client subscribes and notes the room's head, all go
//! away, one sender writes `--missed` messages, and all come back at once
//! with `since` = their head. Each must get every missed message, exactly
//! once (the replay/live seam of protocol §3.4), however many resume at once.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, stream};
use hdrhistogram::Histogram;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::args::{ChurnArgs, Dialect};
use crate::body::Stamp;
use crate::conn::{self, Incoming};
use crate::counters::Counters;
use crate::fanout::{self, Plan};
use crate::server_usage::Probe;
use crate::stats::{self, Shards, micros};
use crate::tally::{SeqSet, Tally};
use crate::target::Ws;
use crate::{Ctx, Outcome, clients};

/// Messages the mass-reconnect sender may have in flight.
const MISSED_WINDOW: u64 = 16;

pub(crate) async fn run(ctx: &Ctx, probe: &mut Probe, args: &ChurnArgs) -> anyhow::Result<Outcome> {
    let mass = ctx.dialect == Dialect::V1 && args.missed > 0;
    ctx.check_connections(args.clients + u64::from(mass))?;
    let mut outcome = Outcome::new();

    // v1 clients sign in once and reuse the session for every cycle: the
    // storm is of sockets, not of sign-ins (which are limited per address).
    ctx.phase("sign-ins", args.clients);
    let tokens: Vec<(String, Option<String>)> = stream::iter(0..args.clients)
        .map(|i| {
            let (target, dialect, name) = (ctx.target.clone(), ctx.dialect, ctx.name("c", i));
            async move {
                let token = clients::sign_in(&target, dialect, &name).await;
                (name, token)
            }
        })
        .buffered(ctx.concurrency)
        .inspect(|_| ctx.progress.inc(1))
        .collect()
        .await;
    let tokens: Vec<_> = tokens
        .into_iter()
        .filter(|(_, token)| ctx.dialect == Dialect::Seed || token.is_some())
        .collect();
    outcome.connections = tokens.len() as u64;
    probe.loaded();

    ctx.phase("storm", outcome.connections * args.cycles);
    let start = Instant::now();
    let until = start + ctx.duration;
    let storm: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|(name, token)| {
            let (target, dialect, progress) =
                (ctx.target.clone(), ctx.dialect, ctx.progress.clone());
            let cycles = args.cycles;
            tokio::spawn(async move {
                let (mut connect, mut ready) = (stats::histogram(), stats::histogram());
                for _ in 0..cycles {
                    if Instant::now() >= until {
                        break;
                    }
                    if let Some(opened) =
                        clients::subscriber(&target, dialect, &name, token.as_deref(), None).await
                    {
                        connect.saturating_record(micros(opened.connect));
                        ready.saturating_record(micros(opened.ready));
                        conn::close(opened.ws).await;
                    }
                    progress.inc(1);
                }
                (connect, ready)
            })
        })
        .collect();
    for (connect, ready) in futures_util::future::join_all(storm)
        .await
        .into_iter()
        .flatten()
    {
        let _ = outcome.connect.add(&connect);
        let _ = outcome.ready.add(&ready);
    }

    if mass && Instant::now() < until {
        mass_reconnect(ctx, args, &tokens, until, &mut outcome).await;
    }
    probe.after();
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}

/// The second phase: all away, messages missed, all back with `since`.
async fn mass_reconnect(
    ctx: &Ctx,
    args: &ChurnArgs,
    tokens: &[(String, Option<String>)],
    until: Instant,
    outcome: &mut Outcome,
) {
    ctx.phase("subscribe", tokens.len() as u64);
    let present: Vec<_> = stream::iter(tokens.iter().cloned())
        .map(|(name, token)| {
            let (target, dialect) = (ctx.target.clone(), ctx.dialect);
            async move {
                let opened =
                    clients::subscriber(&target, dialect, &name, token.as_deref(), None).await?;
                Some((token, opened))
            }
        })
        .buffer_unordered(ctx.concurrency)
        .inspect(|_| ctx.progress.inc(1))
        .collect()
        .await;
    // Everyone goes away at once, remembering where they were.
    let mut away = Vec::with_capacity(present.len());
    let mut closing = Vec::with_capacity(present.len());
    for (token, opened) in present.into_iter().flatten() {
        away.push((token, opened.head));
        closing.push(conn::close(opened.ws));
    }
    futures_util::future::join_all(closing).await;

    ctx.phase("missed", args.missed);
    let Some(ws) = clients::sender(&ctx.target, ctx.dialect, &ctx.name("m", 0)).await else {
        return;
    };
    let plan = Plan {
        run: ctx.run,
        dialect: ctx.dialect,
        messages: args.missed,
        rate: None,
        window: MISSED_WINDOW,
        body_bytes: 0,
        send_until: until,
        wait_until: until + Duration::from_secs(args.drain),
        rooms: Vec::new(),
    };
    let live = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let acks = Arc::new(Shards::new());
    let counters = ctx.target.counters.clone();
    let sent = fanout::send_loop(ws, 0, plan, counters, acks.clone(), live).await;
    outcome.sent = sent.sent;
    outcome.committed = sent.committed.len();
    outcome.ack_latency = acks.merged();
    let committed = Arc::new(sent.committed);

    ctx.phase("reconnect", away.len() as u64);
    let deadline = Instant::now() + Duration::from_secs(args.drain);
    let back: Vec<_> = away
        .into_iter()
        .enumerate()
        .map(|(i, (token, head))| {
            let (target, dialect, progress) =
                (ctx.target.clone(), ctx.dialect, ctx.progress.clone());
            let (committed, run, missed) = (committed.clone(), ctx.run, args.missed);
            let name = ctx.name("c", i as u64);
            tokio::spawn(async move {
                let start = Instant::now();
                let opened =
                    clients::subscriber(&target, dialect, &name, token.as_deref(), head).await?;
                let counters = target.counters.clone();
                let (tally, caught_up) =
                    catch_up(opened.ws, run, missed, &committed, deadline, &counters).await;
                progress.inc(1);
                Some((tally, caught_up.map(|at| at - start)))
            })
        })
        .collect();
    let mut reconnect: Histogram<u64> = stats::histogram();
    for (tally, took) in futures_util::future::join_all(back)
        .await
        .into_iter()
        .flatten()
        .flatten()
    {
        outcome.deliveries += tally.unique;
        outcome.expected_deliveries += committed.len();
        outcome.duplicates += tally.duplicates;
        outcome.reordered += tally.reordered;
        let missing = tally.missing(std::slice::from_ref(&committed));
        outcome.loss += missing;
        if let Some(took) = took {
            reconnect.saturating_record(micros(took));
        }
    }
    outcome.reconnect = reconnect;
}

/// Reads a resumed subscription until every committed message of the
/// mass-reconnect sender arrived (replayed or live) or `deadline`; the
/// tally, and when it was complete.
async fn catch_up(
    mut ws: Ws,
    run: u32,
    missed: u64,
    committed: &SeqSet,
    deadline: Instant,
    counters: &Counters,
) -> (Tally, Option<Instant>) {
    let mut tally = Tally::new(1, missed);
    while tally.unique < committed.len() {
        let Ok(frame) = tokio::time::timeout_at(deadline, ws.next()).await else {
            break;
        };
        if !take(frame, run, &mut tally, counters) {
            return (tally, None);
        }
    }
    let caught_up = (tally.unique >= committed.len()).then(Instant::now);
    // A duplicate would come right behind: give the seam a moment to show one.
    let linger = (Instant::now() + Duration::from_millis(100)).min(deadline);
    while let Ok(frame) = tokio::time::timeout_at(linger, ws.next()).await {
        if !take(frame, run, &mut tally, counters) {
            return (tally, caught_up);
        }
    }
    conn::close(ws).await;
    (tally, caught_up)
}

/// Records one frame of this run's messages; `false` when the socket ended.
fn take(
    frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    run: u32,
    tally: &mut Tally,
    counters: &Counters,
) -> bool {
    if conn::note_end(frame.as_ref(), counters) {
        return false;
    }
    if let Some(Ok(Message::Text(text))) = frame
        && let Incoming::Message { body, .. } = conn::parse(text.as_str(), counters)
        && let Some(stamp) = Stamp::decode(&body)
        && stamp.run == run
    {
        tally.record(stamp.sender, stamp.seq);
    }
    true
}
