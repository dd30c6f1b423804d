//! `webchat bench`: a load generator for the webchat server's protocol v1
//! (`/api/v1/ws`) and its seed endpoint (`/ws/{client_id}`), on loopback.
//!
//! A run is one scenario ([`args::Scenario`]): `fanout`, `idle`, `durable`
//! or `churn`. Connections are set up first (bounded concurrency, each step
//! with a timeout), then the measured phase runs for at most `--duration`,
//! then a bounded drain waits for what is still in flight. Every message body
//! carries its sender, per-sender seq and send time ([`body`]), so receivers
//! measure latency into HDR histograms ([`stats`]) and count loss,
//! duplicates and reordering ([`tally`]). The result is a human summary on
//! stderr and one JSON line on stdout ([`report`]); with `--server-pid`, the
//! server's CPU seconds and RSS ([`server_usage`]).
//!
//! The run is bounded in every dimension: connections (`--max-connections`),
//! messages per sender, time; every queue is a socket's own (the tool reads
//! as it goes) or a fixed-size set per sender.

pub mod args;
pub mod body;
mod churn;
mod clients;
mod conn;
pub mod counters;
mod fanout;
mod idle;
pub mod report;
pub mod server_usage;
pub mod stats;
pub mod tally;
pub mod target;

use std::sync::Arc;
use std::time::Duration;

use anyhow::ensure;
use clap::Parser;
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};

pub use args::BenchArgs;
use args::{Dialect, Scenario};
use counters::Counters;
use report::Report;
use server_usage::Probe;
use stats::Percentiles;
use target::{BaseUrl, Target};

/// Parses `webchat bench`'s arguments (without the program name's
/// subcommand), as the tests and other front ends need.
pub fn parse_args<I, T>(args: I) -> Result<BenchArgs, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    #[derive(Parser)]
    #[command(name = "webchat bench")]
    struct Command {
        #[command(flatten)]
        args: BenchArgs,
    }
    Command::try_parse_from(args).map(|command| command.args)
}

/// Runs the scenario and prints the human summary (stderr) and the JSON
/// line (stdout).
pub async fn main(args: BenchArgs) -> anyhow::Result<()> {
    let report = run(args).await?;
    eprint!("{}", report.human());
    println!("{}", report.json_line());
    Ok(())
}

/// Runs the scenario and returns its report.
pub async fn run(args: BenchArgs) -> anyhow::Result<Report> {
    let base = BaseUrl::parse(&args.url)?;
    let counters = Arc::new(Counters::default());
    let progress = if args.quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix:>10} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    };
    let ctx = Ctx {
        target: Target::new(
            base.clone(),
            counters.clone(),
            Duration::from_secs(args.step_timeout),
        ),
        dialect: args.dialect,
        duration: Duration::from_secs(args.duration),
        max_connections: args.max_connections,
        concurrency: usize::try_from(args.concurrency).unwrap_or(1).max(1),
        // Tells this run's messages from older runs' and people's in lobby.
        run: (body::unix_nanos() / 1000) as u32 ^ std::process::id().rotate_left(16),
        progress,
    };
    let mut probe = Probe::start(args.server_pid)?;
    let (outcome, params) = match &args.scenario {
        Scenario::Fanout(fanout) => (
            fanout::run(
                &ctx,
                &mut probe,
                fanout.receivers,
                fanout.senders,
                fanout.rooms,
                &fanout.pacing,
            )
            .await?,
            serde_json::to_value(fanout)?,
        ),
        Scenario::Durable(durable) => {
            ensure!(
                ctx.dialect == Dialect::V1,
                "durable counts acks, which only protocol v1 has: use --dialect v1"
            );
            (
                fanout::run(&ctx, &mut probe, 0, durable.senders, 0, &durable.pacing).await?,
                serde_json::to_value(durable)?,
            )
        }
        Scenario::Idle(idle) => (
            idle::run(&ctx, &mut probe, idle).await?,
            serde_json::to_value(idle)?,
        ),
        Scenario::Churn(churn) => (
            churn::run(&ctx, &mut probe, churn).await?,
            serde_json::to_value(churn)?,
        ),
    };
    ctx.progress.finish_and_clear();
    let elapsed_s = outcome.elapsed.as_secs_f64();
    let per_s = |n: u64| {
        if elapsed_s > 0.0 {
            (n as f64 / elapsed_s).round()
        } else {
            0.0
        }
    };
    Ok(Report {
        scenario: args.scenario.name().to_owned(),
        dialect: ctx.dialect.as_str().to_owned(),
        url: base.http().to_owned(),
        params,
        connections: outcome.connections,
        elapsed_s: (elapsed_s * 1000.0).round() / 1000.0,
        sent: outcome.sent,
        committed: outcome.committed,
        committed_per_s: per_s(outcome.committed),
        deliveries: outcome.deliveries,
        expected_deliveries: outcome.expected_deliveries,
        deliveries_per_s: per_s(outcome.deliveries),
        latency_us: Percentiles::of(&outcome.latency),
        ack_latency_us: Percentiles::of(&outcome.ack_latency),
        loss: outcome.loss,
        duplicates: outcome.duplicates,
        reordered: outcome.reordered,
        connect_us: Percentiles::of(&outcome.connect),
        ready_us: Percentiles::of(&outcome.ready),
        reconnect_us: Percentiles::of(&outcome.reconnect),
        connect_failures: counters.connect_failures(),
        errors: counters.errors(),
        closes: counters.closes(),
        server: probe.usage(outcome.connections),
    })
}

/// File descriptors kept aside for everything but the bench connections
/// (the HTTP client's pool, standard streams, the runtime).
const FD_RESERVE: u64 = 64;

/// What every scenario needs.
pub(crate) struct Ctx {
    pub(crate) target: Target,
    pub(crate) dialect: Dialect,
    /// Ceiling of the measured phase.
    pub(crate) duration: Duration,
    pub(crate) max_connections: u64,
    pub(crate) concurrency: usize,
    pub(crate) run: u32,
    pub(crate) progress: ProgressBar,
}

impl Ctx {
    pub(crate) fn check_connections(&self, wanted: u64) -> anyhow::Result<()> {
        ensure!(
            wanted <= self.max_connections,
            "this run would open {wanted} connections, more than --max-connections {}",
            self.max_connections
        );
        // Each connection is a file descriptor of the tool's: fail now with
        // the fix rather than midway with "too many open files".
        if let Some(limit) = server_usage::open_files_limit() {
            let needed = wanted + FD_RESERVE;
            ensure!(
                needed <= limit,
                "this run needs about {needed} file descriptors and the limit is {limit}: \
                 raise it (`ulimit -n {needed}`) or open fewer connections"
            );
        }
        Ok(())
    }

    /// A name for client `role``index` of this run, valid as a guest name
    /// (≤ 32 characters) and as a seed `client_id`.
    pub(crate) fn name(&self, role: &str, index: u64) -> String {
        format!("b{:08x}-{role}{index}", self.run)
    }

    pub(crate) fn phase(&self, name: &'static str, length: u64) {
        self.progress.set_prefix(name);
        self.progress.set_length(length);
        self.progress.set_position(0);
    }
}

/// A scenario's measurements, before they are summarised.
pub(crate) struct Outcome {
    pub(crate) connections: u64,
    pub(crate) elapsed: Duration,
    pub(crate) sent: u64,
    pub(crate) committed: u64,
    pub(crate) deliveries: u64,
    pub(crate) expected_deliveries: u64,
    pub(crate) latency: Histogram<u64>,
    pub(crate) ack_latency: Histogram<u64>,
    pub(crate) loss: u64,
    pub(crate) duplicates: u64,
    pub(crate) reordered: u64,
    pub(crate) connect: Histogram<u64>,
    pub(crate) ready: Histogram<u64>,
    pub(crate) reconnect: Histogram<u64>,
}

impl Outcome {
    pub(crate) fn new() -> Outcome {
        Outcome {
            connections: 0,
            elapsed: Duration::ZERO,
            sent: 0,
            committed: 0,
            deliveries: 0,
            expected_deliveries: 0,
            latency: stats::histogram(),
            ack_latency: stats::histogram(),
            loss: 0,
            duplicates: 0,
            reordered: 0,
            connect: stats::histogram(),
            ready: stats::histogram(),
            reconnect: stats::histogram(),
        }
    }
}
