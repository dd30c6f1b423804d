//! Command-line interface: `webchat serve` and its flags, each also read
//! from a `WEBCHAT_*` environment variable; `webchat admin`; and
//! `webchat bench`, the load generator (crate `webchat-bench`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;
use webchat_server::{Application, Config, PublicUrl, Quotas};
use webchat_store::DatabaseUrl;

#[derive(Debug, Parser)]
#[command(
    name = "webchat",
    version,
    about = "A real-time chat server in one small binary"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the chat server (SQLite in the data folder, web client included).
    Serve(ServeArgs),
    /// Maintenance on a data folder: users, admins, room export and import.
    Admin {
        /// Folder of the database.
        #[arg(long, env = "WEBCHAT_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        /// The store, as for `serve --database-url`.
        #[arg(long, env = "WEBCHAT_DATABASE_URL", hide_env_values = true)]
        database_url: Option<DatabaseUrl>,
        #[command(subcommand)]
        command: crate::admin::AdminCommand,
    },
    /// Load generator for protocol v1 and the seed endpoint, loopback only:
    /// prints a summary (stderr) and one JSON line (stdout). See docs/bench.md.
    Bench(webchat_bench::BenchArgs),
}

/// `--durability`: what an acknowledged message survives.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum DurabilityArg {
    /// On disk before the ack (fsync per group commit): survives a power loss.
    Full,
    /// In the journal before the ack, synced at checkpoints: survives a
    /// crash of the process; the last moments may be lost on a power loss.
    Normal,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "WEBCHAT_ADDR", default_value = "127.0.0.1:8000")]
    addr: SocketAddr,
    /// Folder for the database; created if missing.
    #[arg(long, env = "WEBCHAT_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// What an acknowledged message survives: `full` (on disk before the
    /// ack: a power loss) or `normal` (a crash of the process only; faster).
    #[arg(long, env = "WEBCHAT_DURABILITY", value_enum, default_value = "full")]
    durability: DurabilityArg,
    /// The store: `sqlite://PATH` (a database file) or `postgres://…`.
    /// Default: `webchat.db` in the data folder. (Its value is never shown
    /// in help: it may hold a password.)
    #[arg(long, env = "WEBCHAT_DATABASE_URL", hide_env_values = true)]
    database_url: Option<DatabaseUrl>,
    /// Another origin allowed to open WebSockets and send cookie-authenticated
    /// writes; its host is answered on a loopback address too (repeatable;
    /// comma-separated in the variable).
    #[arg(
        long = "allow-origin",
        env = "WEBCHAT_ALLOW_ORIGIN",
        value_delimiter = ','
    )]
    allow_origin: Vec<String>,
    /// Refuse guest sessions (and the seed endpoint, whose users are guests).
    #[arg(long, env = "WEBCHAT_NO_GUESTS")]
    no_guests: bool,
    /// Log format; the level comes from RUST_LOG (default: info).
    #[arg(long, env = "WEBCHAT_LOG_FORMAT", value_enum, default_value = "human")]
    log_format: LogFormat,
    /// Longest message body, in characters.
    #[arg(long, env = "WEBCHAT_MAX_BODY_CHARS", default_value_t = Config::DEFAULT_LIMITS.max_body_chars,
          value_parser = clap::value_parser!(u32).range(1..=65_536).map(|v| v as usize))]
    max_body_chars: usize,
    /// Largest WebSocket frame, in bytes.
    #[arg(long, env = "WEBCHAT_MAX_FRAME_BYTES", default_value_t = Config::DEFAULT_LIMITS.max_frame_bytes,
          value_parser = clap::value_parser!(u32).range(1024..=16_777_216).map(|v| v as usize))]
    max_frame_bytes: usize,
    /// Messages per second per user (sustained).
    #[arg(long, env = "WEBCHAT_RATE_PER_S", default_value_t = Config::DEFAULT_LIMITS.rate_per_s,
          value_parser = clap::value_parser!(u32).range(1..))]
    rate_per_s: u32,
    /// Messages per user in a burst.
    #[arg(long, env = "WEBCHAT_BURST", default_value_t = Config::DEFAULT_LIMITS.burst,
          value_parser = clap::value_parser!(u32).range(1..))]
    burst: u32,
    /// Sign-ins (new guests, registrations, login attempts) per client IP
    /// address per minute.
    #[arg(long, env = "WEBCHAT_SIGN_INS_PER_MINUTE", default_value_t = Config::DEFAULT_SIGN_INS_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    sign_ins_per_minute: u32,
    /// A reverse proxy (IP address) whose X-Forwarded-For names the client,
    /// for the per-address sign-in limit (repeatable; comma-separated in the
    /// variable).
    #[arg(
        long = "trusted-proxy",
        env = "WEBCHAT_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// Rooms a user may create per hour (and three times as many per client
    /// address); guests create at most 3 rooms in all.
    #[arg(long, env = "WEBCHAT_ROOMS_PER_HOUR", default_value_t = Quotas::DEFAULT.rooms_per_hour,
          value_parser = clap::value_parser!(u32).range(1..))]
    rooms_per_hour: u32,
    /// New direct messages and invitations of others a user may send per hour.
    #[arg(long, env = "WEBCHAT_CONTACTS_PER_HOUR", default_value_t = Quotas::DEFAULT.contacts_per_hour,
          value_parser = clap::value_parser!(u32).range(1..))]
    contacts_per_hour: u32,
    /// Days a browser session (a guest's too) may go unused before it ends.
    /// Personal access tokens do not expire; revoke them instead.
    #[arg(long, env = "WEBCHAT_SESSION_IDLE_DAYS", default_value_t = Config::DEFAULT_SESSION_IDLE_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    session_idle_days: u32,
    /// Days a browser session lasts at most, however much it is used.
    #[arg(long, env = "WEBCHAT_SESSION_MAX_AGE_DAYS", default_value_t = Config::DEFAULT_SESSION_MAX_AGE_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    session_max_age_days: u32,
    /// The URL browsers use, as `https://host[:port]`: other Host headers are
    /// refused (400), its origin is the server's own for origin checks, and
    /// with https the session cookie is Secure.
    #[arg(long, env = "WEBCHAT_PUBLIC_URL", value_parser = PublicUrl::parse)]
    public_url: Option<PublicUrl>,
    /// Open WebSockets per user (v1 and seed together); more are refused
    /// with 429.
    #[arg(long, env = "WEBCHAT_MAX_SOCKETS_PER_USER", default_value_t = Config::DEFAULT_MAX_SOCKETS_PER_USER,
          value_parser = clap::value_parser!(u32).range(1..).map(|v| v as usize))]
    max_sockets_per_user: usize,
    /// Open WebSockets per client IP address; more are refused with 429.
    #[arg(long, env = "WEBCHAT_MAX_SOCKETS_PER_ADDRESS", default_value_t = Config::DEFAULT_MAX_SOCKETS_PER_ADDRESS,
          value_parser = clap::value_parser!(u32).range(1..).map(|v| v as usize))]
    max_sockets_per_address: usize,
    /// Open WebSockets in all; more are refused with 503. Default: the
    /// file-descriptor limit minus a reserve for HTTP and the store.
    #[arg(long, env = "WEBCHAT_MAX_SOCKETS",
          value_parser = clap::value_parser!(u32).range(1..).map(|v| v as usize))]
    max_sockets: Option<usize>,
}

impl Cli {
    pub(crate) async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => serve(args).await,
            Command::Admin {
                data_dir,
                database_url,
                command,
            } => crate::admin::run(&data_dir, database_url.as_ref(), command).await,
            Command::Bench(args) => webchat_bench::main(args).await,
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_format);
    // Sockets are capped within the limit in force (see
    // `webchat_server::descriptors`): make it as large as allowed first.
    match webchat_server::descriptors::raise_limit() {
        Ok(limit) => tracing::debug!(limit, "file-descriptor limit"),
        Err(error) => tracing::warn!(%error, "could not raise the file-descriptor limit"),
    }
    let mut config = Config::new(args.addr, args.data_dir);
    config.durability = match args.durability {
        DurabilityArg::Full => webchat_core::store::Durability::Full,
        DurabilityArg::Normal => webchat_core::store::Durability::Normal,
    };
    config.database_url = args.database_url;
    config.allowed_origins = args.allow_origin;
    config.guests_enabled = !args.no_guests;
    config.limits.max_body_chars = args.max_body_chars;
    config.limits.max_frame_bytes = args.max_frame_bytes;
    config.limits.rate_per_s = args.rate_per_s;
    config.limits.burst = args.burst;
    config.sign_ins_per_minute = args.sign_ins_per_minute;
    config.trusted_proxies = args.trusted_proxy;
    config.quotas.rooms_per_hour = args.rooms_per_hour;
    config.quotas.rooms_per_hour_per_address = args.rooms_per_hour.saturating_mul(3);
    config.quotas.contacts_per_hour = args.contacts_per_hour;
    config.session_idle = days(args.session_idle_days);
    config.session_max_age = days(args.session_max_age_days);
    config.public_url = args.public_url;
    config.max_sockets_per_user = args.max_sockets_per_user;
    config.max_sockets_per_address = args.max_sockets_per_address;
    config.max_sockets = args.max_sockets;
    let app = Application::build(config).await?;
    tracing::info!(addr = %app.local_addr(), "webchat listening on http://{}", app.local_addr());
    app.run_until(shutdown_signal()).await
}

fn days(days: u32) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(days) * 86_400)
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
