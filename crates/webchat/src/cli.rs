//! Command-line interface: `webchat serve` and its flags, each also read
//! from a `WEBCHAT_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;
use webchat_server::{Application, Config};

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
    /// Another origin allowed to open WebSockets (repeatable; comma-separated in the variable).
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
}

impl Cli {
    pub(crate) async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => serve(args).await,
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
    let mut config = Config::new(args.addr, args.data_dir);
    config.allowed_origins = args.allow_origin;
    config.guests_enabled = !args.no_guests;
    let app = Application::build(config).await?;
    tracing::info!(addr = %app.local_addr(), "webchat listening on http://{}", app.local_addr());
    app.run_until(shutdown_signal()).await
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
