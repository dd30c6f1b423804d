//! Caps on open WebSockets: per user, per client address, and in all.
//!
//! A WebSocket leaves the HTTP connection cap once upgraded (it would
//! otherwise starve short requests), so without these nothing bounds how
//! many one client holds: one guest could open sockets until the process ran
//! out of file descriptors and even `/healthz` stopped answering.
//!
//! Every socket holds a [`SocketSlot`], taken *before* the upgrade (so a
//! refusal is a plain HTTP answer) and released when it is dropped, on every
//! exit path of the connection (including an upgrade that never completes).
//! The address is counted from the start; the user as soon as it is known,
//! at the upgrade when it carries a session, else at `hello`
//! ([`SocketSlot::assign_user`]).
//!
//! Refusals: a full per-user or per-address cap is the client's own doing
//! (`429 rate_limited`, retry after 1 s); the global cap is the server being
//! full (`503 unavailable`). Each refusal is counted in a metric and logged
//! as a warning, at most once per [`WARN_EVERY`] with the number refused
//! since, so a flood of refusals does not flood the log.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use webchat_core::model::UserId;

use crate::error::ApiError;

/// The longest a refusal warning is held back.
pub const WARN_EVERY: Duration = Duration::from_secs(10);

/// What a client over a per-user or per-address cap is told to wait.
const RETRY_AFTER_MS: u64 = 1000;

/// Which cap refused a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    User,
    Address,
    Total,
}

impl Refusal {
    fn label(self) -> &'static str {
        match self {
            Refusal::User => "user",
            Refusal::Address => "address",
            Refusal::Total => "total",
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::User => ApiError::OverCap {
                message: "too many open WebSockets for this user",
                retry_after_ms: RETRY_AFTER_MS,
            },
            Refusal::Address => ApiError::OverCap {
                message: "too many open WebSockets from this address",
                retry_after_ms: RETRY_AFTER_MS,
            },
            Refusal::Total => ApiError::Full("the server has too many open WebSockets, try again"),
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    users: HashMap<UserId, usize>,
    addresses: HashMap<IpAddr, usize>,
}

#[derive(Debug, Default)]
struct Warnings {
    last: Option<Instant>,
    /// Refusals not logged since `last`.
    held_back: u64,
}

/// The caps and the counts of open sockets.
#[derive(Debug)]
pub struct SocketCaps {
    per_user: usize,
    per_address: usize,
    total: usize,
    counts: Mutex<Counts>,
    warnings: Mutex<Warnings>,
}

impl SocketCaps {
    pub fn new(per_user: usize, per_address: usize, total: usize) -> Arc<Self> {
        Arc::new(SocketCaps {
            per_user: per_user.max(1),
            per_address: per_address.max(1),
            total: total.max(1),
            counts: Mutex::default(),
            warnings: Mutex::default(),
        })
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        // Counts are updated in single statements; a panic elsewhere cannot
        // leave them half-changed.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A slot for a socket from `address`, or the cap that is full.
    pub fn acquire(self: &Arc<Self>, address: IpAddr) -> Result<SocketSlot, Refusal> {
        let refusal = {
            let mut counts = self.counts();
            let from_address = counts.addresses.get(&address).copied().unwrap_or(0);
            if counts.total >= self.total {
                Some(Refusal::Total)
            } else if from_address >= self.per_address {
                Some(Refusal::Address)
            } else {
                counts.total += 1;
                *counts.addresses.entry(address).or_default() += 1;
                None
            }
        };
        match refusal {
            Some(refusal) => {
                self.refused(refusal, address, None);
                Err(refusal)
            }
            None => Ok(SocketSlot {
                caps: self.clone(),
                address,
                user: None,
            }),
        }
    }

    /// Open sockets in all, of `user` and from `address` (for tests and logs).
    pub fn open(&self, user: Option<UserId>, address: Option<IpAddr>) -> (usize, usize, usize) {
        let counts = self.counts();
        let of_user = user.and_then(|u| counts.users.get(&u).copied());
        let of_address = address.and_then(|a| counts.addresses.get(&a).copied());
        (counts.total, of_user.unwrap_or(0), of_address.unwrap_or(0))
    }

    fn refused(&self, refusal: Refusal, address: IpAddr, user: Option<UserId>) {
        metrics::counter!(crate::metrics::SOCKETS_REFUSED, "cap" => refusal.label()).increment(1);
        let now = Instant::now();
        let held_back = {
            let mut warnings = self
                .warnings
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let due = warnings
                .last
                .is_none_or(|last| now.saturating_duration_since(last) >= WARN_EVERY);
            if !due {
                warnings.held_back += 1;
                return;
            }
            warnings.last = Some(now);
            std::mem::take(&mut warnings.held_back)
        };
        let cap = match refusal {
            Refusal::User => self.per_user,
            Refusal::Address => self.per_address,
            Refusal::Total => self.total,
        };
        tracing::warn!(
            cap = refusal.label(),
            limit = cap,
            %address,
            user,
            refused_since_last_warning = held_back,
            "WebSocket refused: the cap on open WebSockets is reached"
        );
    }
}

/// One open (or opening) socket's place in the counts; dropping it frees it.
#[derive(Debug)]
pub struct SocketSlot {
    caps: Arc<SocketCaps>,
    address: IpAddr,
    user: Option<UserId>,
}

impl SocketSlot {
    /// Counts this socket as `user`'s (moving it from the user it had, if
    /// another one), or says that `user` has too many open already.
    pub fn assign_user(&mut self, user: UserId) -> Result<(), Refusal> {
        if self.user == Some(user) {
            return Ok(());
        }
        {
            let mut counts = self.caps.counts();
            let open = counts.users.get(&user).copied().unwrap_or(0);
            if open < self.caps.per_user {
                if let Some(previous) = self.user {
                    release_key(&mut counts.users, previous);
                }
                *counts.users.entry(user).or_default() += 1;
                self.user = Some(user);
                return Ok(());
            }
        }
        self.caps.refused(Refusal::User, self.address, Some(user));
        Err(Refusal::User)
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut counts = self.caps.counts();
        counts.total = counts.total.saturating_sub(1);
        release_key(&mut counts.addresses, self.address);
        if let Some(user) = self.user {
            release_key(&mut counts.users, user);
        }
    }
}

/// Decrements `key`'s count, forgetting keys at zero so the maps hold only
/// users and addresses with sockets open.
fn release_key<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: K) {
    if let std::collections::hash_map::Entry::Occupied(mut entry) = map.entry(key) {
        *entry.get_mut() -= 1;
        if *entry.get() == 0 {
            entry.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_refuse_over_the_limit_and_dropped_slots_free_their_place() {
        let caps = SocketCaps::new(2, 3, 4);
        let here = IpAddr::from([127, 0, 0, 1]);
        let there = IpAddr::from([10, 0, 0, 1]);
        let ann: UserId = 1;
        let mut slots = Vec::new();
        for _ in 0..2 {
            let mut slot = caps.acquire(here).expect("a slot");
            slot.assign_user(ann).expect("ann has room");
            slots.push(slot);
        }
        let mut third = caps.acquire(here).expect("the address has room");
        assert_eq!(third.assign_user(ann), Err(Refusal::User));
        assert_eq!(caps.acquire(here).err(), Some(Refusal::Address));
        third.assign_user(2).expect("bob has room");
        let _fourth = caps.acquire(there).expect("another address");
        assert_eq!(caps.acquire(there).err(), Some(Refusal::Total));
        assert_eq!(caps.open(Some(ann), Some(here)), (4, 2, 3));
        slots.pop();
        assert_eq!(caps.open(Some(ann), Some(here)), (3, 1, 2));
        drop(third);
        drop(slots);
        assert_eq!(caps.open(Some(ann), Some(here)), (1, 0, 0));
        let counts = caps.counts();
        assert!(counts.users.is_empty(), "no user left counted");
        assert_eq!(counts.addresses.len(), 1, "only the address still open");
    }
}
