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
    /// Whether an `ack` waits for the disk (`Full`, survives a power loss)
    /// or only for the journal write (`Normal`, survives a process crash).
    pub durability: webchat_core::store::Durability,
    /// The store (`--database-url`); `None`: `webchat.db` in `data_dir`.
    pub database_url: Option<webchat_store::DatabaseUrl>,
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
    /// A browser session (a guest's too) unused this long is over; see
    /// `crate::sessions`. Access tokens do not expire.
    pub session_idle: Duration,
    /// A browser session this old is over, however much it is used.
    pub session_max_age: Duration,
    /// A session's last use is written at most this often (and at most every
    /// half `session_idle`): one write per session per interval, not per request.
    pub session_touch_interval: Duration,
    /// How often expired sessions are deleted and their sockets closed (1008).
    pub session_sweep_interval: Duration,
    /// The address browsers use (`--public-url`): when set, only its host is
    /// answered, its origin is the server's own, and on https cookies are
    /// `Secure`. See `crate::guard`.
    pub public_url: Option<PublicUrl>,
    /// Budgets for what spam is made of: rooms and unsolicited contact.
    pub quotas: Quotas,
}

/// The server's public URL, reduced to what the guards compare: an origin
/// (`https://chat.example.com`, `http://chat.example.com:8080`) without path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    https: bool,
    /// Lower-case host name or IP literal (`[::1]` keeps its brackets).
    host: String,
    /// The port, when not the scheme's default.
    port: Option<u16>,
}

impl PublicUrl {
    /// Parses `http(s)://host[:port]` with an optional trailing `/`; any
    /// path, query, fragment or user info is refused, with the reason.
    pub fn parse(input: &str) -> Result<PublicUrl, String> {
        let bad = |why: &str| format!("invalid public URL {input:?}: {why}");
        let (https, rest) = if let Some(rest) = input.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = input.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(bad("it must start with https:// or http://"));
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(bad("it has no host"));
        }
        if authority.contains(['/', '?', '#', '@']) || authority.contains(char::is_whitespace) {
            return Err(bad("give only scheme, host and port, no path or user"));
        }
        let parsed: axum::http::uri::Authority = authority
            .parse()
            .map_err(|_| bad("the host is not valid"))?;
        let host = parsed.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(bad("it has no host"));
        }
        if authority.ends_with(':') {
            return Err(bad("the port is missing after ':'"));
        }
        let port =
            explicit_port(&parsed).ok_or_else(|| bad("the port is not a number up to 65535"))?;
        let default_port = if https { 443 } else { 80 };
        let port = port.filter(|port| *port != default_port);
        Ok(PublicUrl { https, host, port })
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The origin browsers send from pages of this URL (default port left out).
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{}:{port}", self.host),
            None => format!("{scheme}://{}", self.host),
        }
    }

    /// Whether a `Host` header names this URL: same host (any case, a
    /// trailing dot allowed) and same port, the default one written or not.
    pub fn matches_host(&self, header: &str) -> bool {
        let Ok(authority) = header.parse::<axum::http::uri::Authority>() else {
            return false;
        };
        let Some(port) = explicit_port(&authority) else {
            return false;
        };
        let host = authority.host();
        let host = host.strip_suffix('.').unwrap_or(host);
        let default_port = if self.https { 443 } else { 80 };
        let port = port.filter(|port| *port != default_port);
        host.eq_ignore_ascii_case(&self.host) && port == self.port
    }
}

/// Per-user and per-address budgets for making rooms and reaching people
/// who did not ask: 1,000 spam rooms hid `lobby` from the directory, and
/// invitations and DMs reach people with no say in it.
#[derive(Debug, Clone, Copy)]
pub struct Quotas {
    /// Rooms a user may create per hour (all at once at most).
    pub rooms_per_hour: u32,
    /// Rooms made from one client address per hour, over all its users.
    pub rooms_per_hour_per_address: u32,
    /// Rooms a guest may create at all: guests are free to make, so a
    /// room is an account's privilege beyond these few.
    pub max_guest_rooms: u64,
    /// New direct messages and invitations of others a user may send per hour.
    pub contacts_per_hour: u32,
}

impl Quotas {
    pub const DEFAULT: Quotas = Quotas {
        rooms_per_hour: 10,
        rooms_per_hour_per_address: 30,
        max_guest_rooms: 3,
        contacts_per_hour: 30,
    };
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

    pub const DEFAULT_SESSION_IDLE_DAYS: u32 = 30;
    pub const DEFAULT_SESSION_MAX_AGE_DAYS: u32 = 90;
    pub const DEFAULT_SESSION_IDLE: Duration =
        Duration::from_secs(Self::DEFAULT_SESSION_IDLE_DAYS as u64 * 86_400);
    pub const DEFAULT_SESSION_MAX_AGE: Duration =
        Duration::from_secs(Self::DEFAULT_SESSION_MAX_AGE_DAYS as u64 * 86_400);

    pub fn new(addr: SocketAddr, data_dir: PathBuf) -> Self {
        Config {
            addr,
            data_dir,
            durability: webchat_core::store::Durability::Full,
            database_url: None,
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
            quotas: Quotas::DEFAULT,
            session_idle: Self::DEFAULT_SESSION_IDLE,
            session_max_age: Self::DEFAULT_SESSION_MAX_AGE,
            session_touch_interval: Duration::from_secs(60),
            session_sweep_interval: Duration::from_secs(60),
            public_url: None,
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
    /// grace period so that tests see leaves quickly, and session use written
    /// and expiry swept every 100 ms so that tests of expiry can set
    /// `session_idle` and `session_max_age` to a second or so.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        let mut config = Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), data_dir);
        config.presence_grace = Duration::from_millis(300);
        config.session_touch_interval = Duration::from_millis(100);
        config.session_sweep_interval = Duration::from_millis(100);
        config
    }
}

/// The port written after the host: `Some(None)` when there is none, `None`
/// when what follows the host is not `:` and a port number (`http` reads an
/// out-of-range port as no port at all, which must not pass for the default).
fn explicit_port(authority: &axum::http::uri::Authority) -> Option<Option<u16>> {
    let rest = authority.as_str().strip_prefix(authority.host())?;
    if rest.is_empty() {
        return Some(None);
    }
    rest.strip_prefix(':')?.parse::<u16>().ok().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_origins_and_match_their_host() {
        let url = PublicUrl::parse("https://Chat.Example.com/").expect("parses");
        assert!(url.is_https());
        assert_eq!(url.origin(), "https://chat.example.com");
        for host in [
            "chat.example.com",
            "CHAT.example.com:443",
            "chat.example.com.",
        ] {
            assert!(url.matches_host(host), "{host}");
        }
        for host in [
            "chat.example.com:8443",
            "chat.example.com:99999",
            "evil.example",
            "chat.example.com.evil",
            "",
        ] {
            assert!(!url.matches_host(host), "{host}");
        }
        let url = PublicUrl::parse("http://10.0.0.5:8080").expect("parses");
        assert_eq!(url.origin(), "http://10.0.0.5:8080");
        assert!(url.matches_host("10.0.0.5:8080") && !url.matches_host("10.0.0.5"));
        let url = PublicUrl::parse("http://[::1]:8000").expect("parses");
        assert!(url.matches_host("[::1]:8000"));
        for bad in [
            "chat.example.com",
            "ftp://chat.example.com",
            "https://",
            "https://chat.example.com/chat",
            "https://u:p@chat.example.com",
            "https://chat.example.com?x",
            "https://chat.example.com:",
            "https://chat.example.com:99999",
            "https://chat example.com",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
