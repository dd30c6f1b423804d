//! Server settings. The binary fills them from flags and `WEBCHAT_*`
//! environment variables; tests build them with [`Config::for_tests`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use webchat_protocol::server::Limits;

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Origins allowed to open WebSockets besides the server's own.
    pub allowed_origins: Vec<String>,
    pub guests_enabled: bool,
    pub limits: Limits,
    /// Frames one connection may have queued before it counts as too slow
    /// (closed with 1013). Sized for bursts of a busy room, small enough that
    /// ten thousand idle connections cost little.
    pub outbound_queue: usize,
    /// Appends waiting for the committer before senders are made to wait.
    pub commit_queue: usize,
    /// Largest group commit.
    pub max_commit_batch: usize,
    pub heartbeat: Duration,
    /// How long a user whose last connection to a room closed still counts
    /// as present: a reload within it shows no leave/join flicker.
    pub presence_grace: Duration,
    pub hello_timeout: Duration,
    /// How long shutdown waits for sockets to say goodbye and commits to finish.
    pub shutdown_grace: Duration,
    /// Sign-ins (new guests, registrations, login attempts) per client IP
    /// per minute, all at once at most: slows password guessing and keeps
    /// one address from filling the store with guests.
    pub sign_ins_per_minute: u32,
    /// Password hashes computed at once. Each argon2id run takes 19 MiB and
    /// a core for tens of milliseconds, so a flood of logins must queue
    /// here rather than on the blocking thread pool (512 threads).
    pub password_workers: usize,
    /// How long reading one HTTP request body may take. Past it the request
    /// is refused (`400`); the work after the read is never cut short.
    pub request_deadline: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the
    /// per-address sign-in limit); empty: the TCP peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Open HTTP connections at most; more wait in the kernel's backlog. A
    /// connection upgraded to a WebSocket no longer counts.
    pub max_http_connections: usize,
    /// How long a client may take to send a request's headers (hyper has a
    /// default, but only with a timer, which `axum::serve` does not give it).
    pub header_read_timeout: Duration,
    /// `typing` frames per user per second, over all their connections, and
    /// at most this many at once: the hub relays a user's typing sparingly
    /// whatever they send, but each frame still takes a room lock; a client
    /// renews every 2–4 s, so a well-behaved one never comes near it.
    pub typing_per_s: u32,
    pub typing_burst: u32,
    /// Open WebSockets per user (v1 and seed together): a client opening
    /// sockets in a loop is refused long before it costs the server much.
    pub max_sockets_per_user: usize,
    /// Open WebSockets per client address (before and after `hello`).
    pub max_sockets_per_address: usize,
    /// Open WebSockets in all; `None`: derived from the file-descriptor
    /// limit at start, so sockets can never take the descriptors that HTTP
    /// requests and the store need (`crate::descriptors`).
    pub max_sockets: Option<usize>,
    /// Replays one connection may have queued or streaming at once; a
    /// further `subscribe` that replays waits for one to finish. Each is
    /// streamed from the store past the outbound queue's bound, so this is
    /// what bounds a connection's replay work in flight.
    pub replays_in_flight: usize,
    /// Events a user may have replayed (over all their connections) at
    /// once, refilled evenly over `replay_budget_period`; a `subscribe`
    /// whose replay is larger than what is left waits for the budget. A
    /// replay costs its length, at most the whole budget (a larger one is a
    /// catch-up after a long absence, allowed once per period).
    pub replay_budget_events: u32,
    pub replay_budget_period: Duration,
}

impl Config {
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_body_chars: 4000,
        max_frame_bytes: 64 * 1024,
        rate_per_s: 10,
        burst: 20,
    };

    pub const DEFAULT_SIGN_INS_PER_MINUTE: u32 = 30;
    /// Tabs, a phone and a bot or two, with room to spare.
    pub const DEFAULT_MAX_SOCKETS_PER_USER: usize = 32;
    /// A household or an office behind one NAT address.
    pub const DEFAULT_MAX_SOCKETS_PER_ADDRESS: usize = 256;

    pub fn new(addr: SocketAddr, data_dir: PathBuf) -> Self {
        Config {
            addr,
            data_dir,
            allowed_origins: Vec::new(),
            guests_enabled: true,
            limits: Self::DEFAULT_LIMITS,
            outbound_queue: 512,
            commit_queue: 4096,
            max_commit_batch: 256,
            heartbeat: Duration::from_secs(30),
            presence_grace: Duration::from_secs(5),
            hello_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(4),
            sign_ins_per_minute: Self::DEFAULT_SIGN_INS_PER_MINUTE,
            password_workers: std::thread::available_parallelism().map_or(2, usize::from),
            request_deadline: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            max_http_connections: 10_000,
            header_read_timeout: Duration::from_secs(10),
            typing_per_s: 5,
            typing_burst: 20,
            max_sockets_per_user: Self::DEFAULT_MAX_SOCKETS_PER_USER,
            max_sockets_per_address: Self::DEFAULT_MAX_SOCKETS_PER_ADDRESS,
            max_sockets: None,
            replays_in_flight: 2,
            replay_budget_events: 10_000,
            replay_budget_period: Duration::from_secs(60),
        }
    }

    /// Port 0 on loopback, in the given data folder, with a short presence
    /// grace period so that tests see leaves quickly.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        let mut config = Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), data_dir);
        config.presence_grace = Duration::from_millis(300);
        config
    }
}
