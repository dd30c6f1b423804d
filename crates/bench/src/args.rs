//! The command line of `webchat bench`: global bounds (target, dialect,
//! duration, connections) and one subcommand per scenario. Every count and
//! time has a default and a ceiling, so no invocation runs unbounded.

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The server, `http://<loopback host>:<port>`; other hosts are refused.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8000")]
    pub url: String,
    /// Which WebSocket protocol the clients speak.
    #[arg(long, global = true, value_enum, default_value = "v1")]
    pub dialect: Dialect,
    /// Ceiling of the measured phase in seconds (sending, holding, churning;
    /// set-up and the final drain have their own bounds).
    #[arg(long, global = true, default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub duration: u64,
    /// Ceiling on the connections a scenario may open.
    #[arg(long, global = true, default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=20_000))]
    pub max_connections: u64,
    /// Connections set up at once (sign-in, upgrade, hello, subscribe).
    #[arg(long, global = true, default_value_t = 32,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub concurrency: u64,
    /// Seconds each set-up step (sign-in, upgrade, welcome, subscribed) may take.
    #[arg(long, global = true, default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    pub step_timeout: u64,
    /// The server's process id: its CPU seconds and RSS (from /proc) go into
    /// the report.
    #[arg(long, global = true)]
    pub server_pid: Option<u32>,
    /// No progress bar (it is also hidden when stderr is not a terminal).
    #[arg(long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dialect {
    /// `/api/v1/ws`: guests signed in over REST, `hello`, `subscribe lobby`.
    V1,
    /// `/ws/{client_id}`: the seed endpoint, bridged with `lobby`.
    Seed,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::V1 => "v1",
            Dialect::Seed => "seed",
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Scenario {
    /// Receivers subscribed to lobby, senders writing to it; latency, loss,
    /// duplicates, reordering, deliveries per second.
    Fanout(FanoutArgs),
    /// Connections subscribed and held: connect and ready times, server
    /// memory per connection.
    Idle(IdleArgs),
    /// Many v1 senders and no receivers: acks per second and ack latency.
    Durable(DurableArgs),
    /// Connect/subscribe/disconnect storms, then (v1) a mass reconnect with
    /// `since` that must miss nothing.
    Churn(ChurnArgs),
}

impl Scenario {
    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Fanout(_) => "fanout",
            Scenario::Idle(_) => "idle",
            Scenario::Durable(_) => "durable",
            Scenario::Churn(_) => "churn",
        }
    }
}

/// How senders pace themselves.
#[derive(Debug, Clone, Args, serde::Serialize)]
pub struct Pacing {
    /// Messages per sender.
    #[arg(long, default_value_t = 200,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub messages: u64,
    /// Total messages per second over all senders; without it, flat out
    /// within the window.
    #[arg(long, value_parser = positive_rate)]
    pub rate: Option<f64>,
    /// Messages a sender may have written and not yet seen acked (v1) or
    /// echoed (seed).
    #[arg(long, default_value_t = 16,
          value_parser = clap::value_parser!(u64).range(1..=512))]
    pub window: u64,
    /// Pad each body to this many bytes (at most the server's default
    /// 4000-character limit).
    #[arg(long, default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=4000))]
    pub body_bytes: u64,
    /// Seconds to wait, after the last send, for acks and deliveries.
    #[arg(long, default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub drain: u64,
}

#[derive(Debug, Clone, Args, serde::Serialize)]
pub struct FanoutArgs {
    /// Connections that only receive.
    #[arg(long, default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=20_000))]
    pub receivers: u64,
    /// Connections that send (they do not count as receivers).
    #[arg(long, default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub senders: u64,
    /// v1: spread everyone over this many new public rooms instead of
    /// lobby (each made by a guest of its own first): receiver i subscribes
    /// to room i mod R; sender s joins rooms s, s + S, s + 2S … and writes to
    /// them in turn (0: lobby only). The server's room quota must allow it
    /// (`serve --rooms-per-hour`).
    #[arg(long, default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub rooms: u64,
    #[command(flatten)]
    #[serde(flatten)]
    pub pacing: Pacing,
}

#[derive(Debug, Clone, Args, serde::Serialize)]
pub struct IdleArgs {
    /// Connections to open, subscribe and hold.
    #[arg(long, default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..=20_000))]
    pub connections: u64,
    /// Seconds to hold them once all are ready (at most --duration).
    #[arg(long, default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(0..=300))]
    pub hold: u64,
    /// v1: sign every client in and join it to lobby over REST first, then
    /// measure only the connections (a restart's reconnect storm of
    /// existing members, with no `join` event per connection).
    #[arg(long)]
    pub returning: bool,
}

#[derive(Debug, Clone, Args, serde::Serialize)]
pub struct DurableArgs {
    /// Connections that send.
    #[arg(long, default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub senders: u64,
    #[command(flatten)]
    #[serde(flatten)]
    pub pacing: Pacing,
}

#[derive(Debug, Clone, Args, serde::Serialize)]
pub struct ChurnArgs {
    /// Clients connecting and disconnecting at once.
    #[arg(long, default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=5000))]
    pub clients: u64,
    /// Connect, subscribe, disconnect cycles per client in the storm.
    #[arg(long, default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub cycles: u64,
    /// v1: messages sent while the clients are away; they then all reconnect
    /// with `since` and must receive every one (0: no mass reconnect).
    #[arg(long, default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub missed: u64,
    /// Seconds to wait for the replays after the mass reconnect.
    #[arg(long, default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub drain: u64,
}

fn positive_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text.parse().map_err(|_| format!("not a number: {text}"))?;
    if rate.is_finite() && rate > 0.0 && rate <= 1_000_000.0 {
        Ok(rate)
    } else {
        Err("must be above 0 and at most 1000000 messages per second".to_owned())
    }
}
