//! What every handler and connection shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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

pub type UserRateLimiter = RateLimiter<UserId, DefaultKeyedStateStore<UserId>, DefaultClock>;

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
    /// Cancelled when the server starts shutting down.
    pub shutdown: CancellationToken,
    /// Every WebSocket connection, so shutdown can wait for their goodbyes.
    pub connections: TaskTracker,
    next_conn: AtomicU64,
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
        let per_second = std::num::NonZeroU32::new(config.limits.rate_per_s)
            .unwrap_or(std::num::NonZeroU32::MIN);
        let burst = std::num::NonZeroU32::new(config.limits.burst).unwrap_or(per_second);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        AppState(Arc::new(Inner {
            config,
            store,
            hub,
            registry: Registry::default(),
            committer,
            send_limiter: RateLimiter::keyed(quota),
            shutdown: CancellationToken::new(),
            connections: TaskTracker::new(),
            next_conn: AtomicU64::new(1),
        }))
    }

    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Takes one message from `user`'s budget, or says how long to wait.
    pub fn check_send_rate(&self, user: UserId) -> Result<(), ApiError> {
        self.send_limiter.check_key(&user).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            ApiError::RateLimited {
                retry_after_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1),
            }
        })
    }
}
