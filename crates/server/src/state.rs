//! What every handler and connection shares.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use webchat_core::committer::Committer;
use webchat_core::hub::{ConnId, Hub};
use webchat_core::model::UserId;
use webchat_core::registry::Registry;
use webchat_core::store::Store;

use crate::config::Config;
use crate::error::ApiError;
use crate::fanout::Outbound;
use crate::password_pool::{PasswordPool, PoolError};

pub type UserRateLimiter = RateLimiter<UserId, DefaultKeyedStateStore<UserId>, DefaultClock>;
pub type AddressRateLimiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// How long a sign-in waits for a password worker before the server says
/// it is too busy, so that waiting requests stay bounded too.
const PASSWORD_QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub<Outbound>>,
    /// Live connections by user and session.
    pub registry: Registry<Outbound>,
    pub committer: Committer,
    /// Messages per user, over all their connections and the REST API.
    pub send_limiter: UserRateLimiter,
    /// Sign-ins per client address.
    pub sign_in_limiter: AddressRateLimiter,
    /// `typing` frames per user ([`Config::typing_per_s`]).
    pub typing_limiter: UserRateLimiter,
    /// Replayed events per user ([`Config::replay_budget_events`]).
    pub replay_limiter: UserRateLimiter,
    /// Room creations per user and per client address ([`crate::config::Quotas`]).
    pub room_limiter: UserRateLimiter,
    pub room_address_limiter: AddressRateLimiter,
    /// New DMs and invitations of others, per user.
    pub contact_limiter: UserRateLimiter,
    /// Runs argon2id; see [`Config::password_workers`].
    password_pool: PasswordPool,
    /// Cancelled when the server starts shutting down.
    pub shutdown: CancellationToken,
    /// Cancelled at the shutdown deadline: requests still running end (`503`).
    pub hard_stop: CancellationToken,
    /// Every WebSocket connection, so shutdown can wait for their goodbyes.
    pub connections: TaskTracker,
    /// Open WebSockets per user, per address and in all (`ws::slots`).
    pub sockets: Arc<crate::ws::slots::SocketCaps>,
    next_conn: AtomicU64,
    /// The latest disconnect of each seed user with an `Offline` pending, so
    /// only the timer of their last disconnect announces it (see `ws::seed`).
    pub seed_departures: std::sync::Mutex<std::collections::HashMap<UserId, u64>>,
}

/// See [`AppState::footprint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub hub: webchat_core::hub::HubFootprint,
    /// Connections in the registry (v1, once welcomed).
    pub registered: usize,
    /// Open WebSockets counted against the caps.
    pub sockets: usize,
    /// Connection tasks still running (shutdown waits for them).
    pub connection_tasks: usize,
    /// Seed users whose `Offline` is still to be announced.
    pub seed_departures: usize,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        hub: Arc<Hub<Outbound>>,
        committer: Committer,
    ) -> Self {
        let quota = quota_of(config.limits.rate_per_s, config.limits.burst);
        let sign_ins = std::num::NonZeroU32::new(config.sign_ins_per_minute)
            .unwrap_or(std::num::NonZeroU32::MIN);
        let password_pool = PasswordPool::new(config.password_workers, PASSWORD_QUEUE_WAIT);
        let per_hour = |n: u32| {
            Quota::per_hour(std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MIN))
        };
        let typing = quota_of(config.typing_per_s, config.typing_burst);
        let sockets = crate::ws::slots::SocketCaps::new(
            config.max_sockets_per_user,
            config.max_sockets_per_address,
            config.max_sockets.unwrap_or(usize::MAX),
        );
        let replay_events = std::num::NonZeroU32::new(config.replay_budget_events)
            .unwrap_or(std::num::NonZeroU32::MIN);
        // One event back every period / budget; the whole budget at once.
        let replay = Quota::with_period(config.replay_budget_period / replay_events.get())
            .map_or(Quota::per_second(replay_events), |quota| {
                quota.allow_burst(replay_events)
            });
        AppState(Arc::new(Inner {
            replay_limiter: RateLimiter::keyed(replay),
            sockets,
            typing_limiter: RateLimiter::keyed(typing),
            sign_in_limiter: RateLimiter::keyed(Quota::per_minute(sign_ins)),
            room_limiter: RateLimiter::keyed(per_hour(config.quotas.rooms_per_hour)),
            room_address_limiter: RateLimiter::keyed(per_hour(
                config.quotas.rooms_per_hour_per_address,
            )),
            contact_limiter: RateLimiter::keyed(per_hour(config.quotas.contacts_per_hour)),
            password_pool,
            config,
            store,
            hub,
            registry: Registry::default(),
            committer,
            send_limiter: RateLimiter::keyed(quota),
            shutdown: CancellationToken::new(),
            hard_stop: CancellationToken::new(),
            connections: TaskTracker::new(),
            next_conn: AtomicU64::new(1),
            seed_departures: std::sync::Mutex::default(),
        }))
    }

    /// What the server holds for its clients, map by map (for tests and
    /// metrics): after every client has left and the grace periods are
    /// over, it is back where it started.
    pub fn footprint(&self) -> Footprint {
        Footprint {
            hub: self.hub.footprint(),
            registered: self.registry.len(),
            sockets: self.sockets.open(None, None).0,
            connection_tasks: self.connections.len(),
            seed_departures: self
                .seed_departures
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .len(),
        }
    }

    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Takes one message from `user`'s budget, or says how long to wait.
    pub fn check_send_rate(&self, user: UserId) -> Result<(), ApiError> {
        self.send_limiter.check_key(&user).map_err(rate_limited)
    }

    /// Takes one room creation from `user`'s and `address`'s budgets.
    pub fn check_room_rate(&self, user: UserId, address: IpAddr) -> Result<(), ApiError> {
        self.room_limiter.check_key(&user).map_err(rate_limited)?;
        self.room_address_limiter
            .check_key(&address)
            .map_err(rate_limited)
    }

    /// Takes one unsolicited contact (a new DM, an invitation) from `user`'s budget.
    pub fn check_contact_rate(&self, user: UserId) -> Result<(), ApiError> {
        self.contact_limiter.check_key(&user).map_err(rate_limited)
    }

    /// Takes one `typing` frame from `user`'s budget, or says how long to wait.
    pub fn check_typing_rate(&self, user: UserId) -> Result<(), ApiError> {
        self.typing_limiter.check_key(&user).map_err(rate_limited)
    }

    /// Takes `events` from `user`'s replay budget (at most the whole budget),
    /// waiting until they are there, or until `cancelled` resolves (false).
    pub async fn wait_for_replay_budget(
        &self,
        user: UserId,
        events: u64,
        cancelled: impl std::future::Future<Output = ()>,
    ) -> bool {
        let budget = self.config.replay_budget_events.max(1);
        let cost = u32::try_from(events).unwrap_or(u32::MAX).clamp(1, budget);
        let Some(cost) = std::num::NonZeroU32::new(cost) else {
            return true;
        };
        let mut cancelled = std::pin::pin!(cancelled);
        loop {
            let wait = match self.replay_limiter.check_key_n(&user, cost) {
                Ok(Ok(())) => return true,
                Ok(Err(not_until)) => not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                )),
                // `cost` is clamped to the budget, so it always fits.
                Err(_insufficient) => return true,
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut cancelled => return false,
            }
        }
    }

    /// Takes one sign-in from the budget of `address`'s network (see
    /// [`sign_in_key`]), or says how long to wait.
    pub fn check_sign_in_rate(&self, address: IpAddr) -> Result<(), ApiError> {
        self.sign_in_limiter
            .check_key(&sign_in_key(address))
            .map_err(rate_limited)
    }

    /// Runs password hashing or verification on the blocking pool, at most
    /// [`Config::password_workers`] at once; `unavailable` when the queue
    /// for a worker is too long.
    pub async fn password_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        self.password_pool.run(work).await.map_err(|e| match e {
            PoolError::Busy => ApiError::Unavailable,
            PoolError::Failed(cause) => ApiError::Internal(cause),
        })
    }
}

/// `per_second`, `burst` at once; zeros (which governor cannot take) count as 1.
fn quota_of(per_second: u32, burst: u32) -> Quota {
    let per_second = std::num::NonZeroU32::new(per_second).unwrap_or(std::num::NonZeroU32::MIN);
    let burst = std::num::NonZeroU32::new(burst).unwrap_or(per_second);
    Quota::per_second(per_second).allow_burst(burst)
}

/// The key of an address's sign-in budget. One IPv6 subscriber is usually
/// given a whole /64 (and picks addresses in it at will), so an IPv6 address
/// counts as its /64 prefix; otherwise one client could rotate through 2^64
/// budgets. IPv4, and IPv4 carried in IPv6 (`::ffff:a.b.c.d`, as a dual-stack
/// socket reports IPv4 peers), count as the full IPv4 address.
pub fn sign_in_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                const PREFIX_64: u128 = !0 << 64;
                IpAddr::V6(std::net::Ipv6Addr::from_bits(v6.to_bits() & PREFIX_64))
            }
        },
    }
}

fn rate_limited(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> ApiError {
    let wait = not_until.wait_time_from(governor::clock::Clock::now(
        &governor::clock::DefaultClock::default(),
    ));
    ApiError::RateLimited {
        retry_after_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn ipv6_sign_ins_are_keyed_on_the_64_prefix_and_ipv4_on_the_address() {
        assert_eq!(
            sign_in_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            sign_in_key(ip("2001:db8:1:2::1")),
            sign_in_key(ip("2001:db8:1:2:ffff::9")),
            "one /64, one budget"
        );
        assert_ne!(
            sign_in_key(ip("2001:db8:1:2::1")),
            sign_in_key(ip("2001:db8:1:3::1")),
            "another /64, another budget"
        );
        assert_eq!(sign_in_key(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_ne!(
            sign_in_key(ip("203.0.113.7")),
            sign_in_key(ip("203.0.113.8"))
        );
        assert_eq!(
            sign_in_key(ip("::ffff:203.0.113.7")),
            ip("203.0.113.7"),
            "IPv4-mapped is the IPv4 address, not the ::ffff:0:0/64 prefix"
        );
        assert_ne!(
            sign_in_key(ip("::ffff:203.0.113.7")),
            sign_in_key(ip("::ffff:203.0.113.8"))
        );
        assert_eq!(sign_in_key(ip("::1")), ip("::"));
    }

    #[test]
    fn addresses_of_one_64_share_a_sign_in_budget() {
        let limiter: AddressRateLimiter =
            RateLimiter::keyed(Quota::per_minute(std::num::NonZeroU32::MIN));
        assert!(limiter.check_key(&sign_in_key(ip("2001:db8::1"))).is_ok());
        assert!(limiter.check_key(&sign_in_key(ip("2001:db8::2"))).is_err());
        assert!(
            limiter
                .check_key(&sign_in_key(ip("2001:db8:0:1::1")))
                .is_ok()
        );
    }
}
