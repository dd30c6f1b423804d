//! Session expiry: the policy, the throttled record of use, and the sweep.
//!
//! A browser session (a guest's included) is over when it has not been used
//! for `Config::session_idle` or is older than `Config::session_max_age`,
//! whatever its use. A stolen cookie thus stops working on its own, and a
//! forgotten sign-in on a shared computer does not last for ever.
//!
//! - **Checked at every authentication** ([`expired`], called by
//!   `auth::user_for_token`): an expired session authenticates nothing (REST
//!   `401`, the v1 upgrade and `hello` fail as for an unknown token), even
//!   before the sweep has deleted it.
//! - **Use is recorded cheaply** ([`touch`]): at most once per
//!   [`touch_interval`] per session, by a conditional `UPDATE` that writes
//!   nothing when the recorded use is recent, so a busy client costs one
//!   write a minute, not one per request. An open v1 socket counts as use
//!   (its reader touches on the frames it receives, heartbeats included).
//! - **The sweep** ([`sweep_expired`]) deletes expired sessions every
//!   `Config::session_sweep_interval` and closes their live sockets with
//!   1008 through the registry, as logout does. It stops at shutdown.
//!
//! Personal access tokens do not expire this way: they are made on purpose
//! for bots that may run unattended for months, are listed on the account
//! and are revoked by hand. Their use is still recorded.

use std::time::Duration;

use webchat_core::clock;
use webchat_core::model::{SessionInfo, SessionKind};
use webchat_protocol::error::close;

use crate::config::Config;
use crate::state::AppState;

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Whether `session` is over at `now_ms` (see the module docs). The same
/// bounds as the sweep's, so a session the sweep keeps also authenticates.
pub fn expired(session: &SessionInfo, now_ms: i64, config: &Config) -> bool {
    match session.kind {
        SessionKind::Token => false,
        SessionKind::Session => {
            session.last_used_at_ms < now_ms.saturating_sub(millis(config.session_idle))
                || session.created_at_ms < now_ms.saturating_sub(millis(config.session_max_age))
        }
    }
}

/// How often a session's use is written at most. Never more than half the
/// idle period: a session in use must not look idle because its last use
/// was not written yet.
pub fn touch_interval(config: &Config) -> Duration {
    config.session_touch_interval.min(config.session_idle / 2)
}

/// Records that `session` is used at `now_ms`, unless a use within
/// [`touch_interval`] is recorded already. A failed write is logged, not
/// answered: it is no reason to refuse a request that authenticated.
pub async fn touch(state: &AppState, session: &SessionInfo, now_ms: i64) {
    let interval = millis(touch_interval(&state.config));
    let unless_since = now_ms.saturating_sub(interval);
    // The row as read says the use is recent: skip the write entirely.
    if session.last_used_at_ms >= unless_since {
        return;
    }
    write_use(state, session.id, now_ms, unless_since).await;
}

/// Records that the session of an open socket is used now (the socket's
/// reader calls it at most once per [`touch_interval`]).
pub async fn touch_live(state: &AppState, session: i64) {
    let now = clock::now_ms();
    let unless_since = now.saturating_sub(millis(touch_interval(&state.config)));
    write_use(state, session, now, unless_since).await;
}

async fn write_use(state: &AppState, session: i64, now_ms: i64, unless_since: i64) {
    if let Err(error) = state
        .store
        .touch_session(session, now_ms, unless_since)
        .await
    {
        tracing::warn!(%error, session, "recording a session's use failed");
    }
}

/// Deletes expired sessions and closes their sockets (1008), every
/// `Config::session_sweep_interval`, until shutdown.
pub async fn sweep_expired(state: AppState) {
    // `interval` panics on zero; a few milliseconds is the least that makes sense.
    let period = state
        .config
        .session_sweep_interval
        .max(Duration::from_millis(10));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        // Stopped mid-way at shutdown too: the store is about to close.
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            () = sweep_once(&state) => {}
        }
    }
}

async fn sweep_once(state: &AppState) {
    let now = clock::now_ms();
    let idle_before = now.saturating_sub(millis(state.config.session_idle));
    let created_before = now.saturating_sub(millis(state.config.session_max_age));
    match state
        .store
        .delete_expired_sessions(idle_before, created_before)
        .await
    {
        Ok(ids) => {
            for id in &ids {
                state.registry.close_session(*id, close::POLICY_VIOLATION);
            }
            if !ids.is_empty() {
                tracing::debug!(count = ids.len(), "expired sessions ended");
            }
        }
        Err(error) => tracing::warn!(%error, "sweeping expired sessions failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(kind: SessionKind, created: i64, used: i64) -> SessionInfo {
        SessionInfo {
            id: 1,
            user: 1,
            kind,
            name: String::new(),
            created_at_ms: created,
            last_used_at_ms: used,
        }
    }

    #[test]
    fn sessions_expire_when_idle_or_old_and_tokens_never() {
        let mut config = Config::for_tests(std::path::PathBuf::from("/tmp/unused"));
        config.session_idle = Duration::from_secs(10);
        config.session_max_age = Duration::from_secs(100);
        let now = 1_000_000;
        let fresh = session(SessionKind::Session, now - 50_000, now - 1_000);
        assert!(!expired(&fresh, now, &config));
        let idle = session(SessionKind::Session, now - 50_000, now - 10_001);
        assert!(expired(&idle, now, &config));
        let old = session(SessionKind::Session, now - 100_001, now);
        assert!(expired(&old, now, &config));
        let token = session(SessionKind::Token, 0, 0);
        assert!(!expired(&token, now, &config));
    }

    #[test]
    fn use_is_written_well_within_the_idle_period() {
        let mut config = Config::for_tests(std::path::PathBuf::from("/tmp/unused"));
        config.session_touch_interval = Duration::from_secs(60);
        config.session_idle = Duration::from_secs(30);
        assert_eq!(touch_interval(&config), Duration::from_secs(15));
    }
}
