//! `idle`: open `--connections` subscribers of lobby, hold them for
//! `--hold` seconds, then close them. Measures connect and ready times and,
//! with `--server-pid`, the server's memory per held connection and its CPU
//! while they idle (heartbeats only).

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, stream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::args::{Dialect, IdleArgs};
use crate::conn;
use crate::counters::Counters;
use crate::server_usage::Probe;
use crate::stats::micros;
use crate::target::Ws;
use crate::{Ctx, Outcome, clients};

/// Reads (and drops) what the server sends until `stop`, so the connection
/// answers pings and never lags; `true` if it was still open at the end.
async fn hold(mut ws: Ws, counters: Arc<Counters>, stop: CancellationToken) -> bool {
    loop {
        let frame = tokio::select! {
            () = stop.cancelled() => break,
            frame = ws.next() => frame,
        };
        if conn::note_end(frame.as_ref(), &counters) {
            return false;
        }
        if let Some(Ok(Message::Text(text))) = frame {
            // Counts error frames, if any.
            conn::parse(text.as_str(), &counters);
        }
    }
    conn::close(ws).await;
    true
}

pub(crate) async fn run(ctx: &Ctx, probe: &mut Probe, args: &IdleArgs) -> anyhow::Result<Outcome> {
    ctx.check_connections(args.connections)?;
    anyhow::ensure!(
        !args.returning || ctx.dialect == Dialect::V1,
        "--returning needs accounts that exist before the upgrade: use --dialect v1"
    );
    let mut outcome = Outcome::new();
    let stop = CancellationToken::new();
    // Returning members: signed in and joined before anything is measured.
    let mut members: Vec<Option<String>> = Vec::new();
    if args.returning {
        ctx.phase("members", args.connections);
        members = stream::iter(0..args.connections)
            .map(|i| {
                let (name, target) = (ctx.name("i", i), ctx.target.clone());
                async move {
                    let token = clients::sign_in(&target, Dialect::V1, &name).await?;
                    target.join(&token, conn::ROOM).await.ok()?;
                    Some(token)
                }
            })
            .buffered(ctx.concurrency)
            .inspect(|_| ctx.progress.inc(1))
            .collect()
            .await;
        probe.restart();
    }
    let members = Arc::new(members);
    ctx.phase("connecting", args.connections);
    let setup = Instant::now();
    let opened: Vec<_> = stream::iter(0..args.connections)
        .map(|i| {
            let name = ctx.name("i", i);
            let (target, dialect, stop) = (ctx.target.clone(), ctx.dialect, stop.clone());
            let members = members.clone();
            async move {
                let token = match usize::try_from(i).ok().and_then(|i| members.get(i)) {
                    Some(member) => member.clone(),
                    None => clients::sign_in(&target, dialect, &name).await,
                };
                if dialect == Dialect::V1 && token.is_none() {
                    return None;
                }
                let opened =
                    clients::subscriber(&target, dialect, &name, token.as_deref(), None).await?;
                let task = tokio::spawn(hold(opened.ws, target.counters.clone(), stop));
                Some((opened.connect, opened.ready, task))
            }
        })
        .buffer_unordered(ctx.concurrency)
        .inspect(|_| ctx.progress.inc(1))
        .collect()
        .await;
    let mut tasks = Vec::with_capacity(opened.len());
    for (connect, ready, task) in opened.into_iter().flatten() {
        outcome.connect.saturating_record(micros(connect));
        outcome.ready.saturating_record(micros(ready));
        tasks.push(task);
    }
    outcome.connections = tasks.len() as u64;
    let set_up_in = setup.elapsed();
    // Let the join storm's frames drain before the memory is read.
    clients::settle(ctx.dialect).await;
    probe.loaded();

    let held = Duration::from_secs(args.hold).min(ctx.duration);
    ctx.phase("holding", held.as_secs().max(1));
    let start = Instant::now();
    while start.elapsed() < held {
        ctx.progress.set_position(start.elapsed().as_secs());
        tokio::time::sleep(Duration::from_millis(100).min(held)).await;
    }
    probe.after();
    stop.cancel();
    let still_open = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .filter(|open| matches!(open, Ok(true)))
        .count() as u64;
    if still_open < outcome.connections {
        ctx.progress.suspend(|| {
            eprintln!(
                "{} of {} connections were closed during the hold",
                outcome.connections - still_open,
                outcome.connections
            );
        });
    }
    outcome.elapsed = start.elapsed();
    ctx.progress.suspend(|| {
        eprintln!(
            "set up {} connections in {:.2} s",
            outcome.connections,
            set_up_in.as_secs_f64()
        );
    });
    Ok(outcome)
}
