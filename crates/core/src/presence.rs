//! Presence bookkeeping for one room: who is online, aggregated per user over
//! all of their connections, so a second tab closing does not make its user
//! leave. A user whose last connection goes away stays listed for a grace
//! period: a reload within it shows no leave/join flicker to anybody. Pure
//! data with explicit time; the hub calls it under its lock.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::model::{User, UserId};

#[derive(Debug)]
struct Entry {
    connections: usize,
    user: User,
    /// When the last connection went away; `None` while connected.
    leaving_since: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct Presence {
    online: HashMap<UserId, Entry>,
}

impl Presence {
    /// Counts one more connection of `user`; true when the user just came
    /// online (not when they come back within the grace period).
    pub fn connect(&mut self, user: &User) -> bool {
        match self.online.get_mut(&user.id) {
            Some(entry) => {
                entry.connections += 1;
                entry.leaving_since = None;
                false
            }
            None => {
                self.online.insert(
                    user.id,
                    Entry {
                        connections: 1,
                        user: user.clone(),
                        leaving_since: None,
                    },
                );
                true
            }
        }
    }

    /// Counts one connection less. With a zero `grace` the user leaves at
    /// once and is returned; otherwise they start leaving and [`Presence::expire`]
    /// returns them when the grace period is over.
    pub fn disconnect(&mut self, user: UserId, now: Instant, grace: Duration) -> Option<User> {
        let entry = self.online.get_mut(&user)?;
        entry.connections = entry.connections.saturating_sub(1);
        if entry.connections > 0 {
            return None;
        }
        if grace.is_zero() {
            return self.online.remove(&user).map(|e| e.user);
        }
        entry.leaving_since.get_or_insert(now);
        None
    }

    /// Removes a user at once, whatever their connections (kicked, banned).
    pub fn remove(&mut self, user: UserId) -> Option<User> {
        self.online.remove(&user).map(|e| e.user)
    }

    /// Users whose grace period is over, removed.
    pub fn expire(&mut self, now: Instant, grace: Duration) -> Vec<User> {
        let gone: Vec<UserId> = self
            .online
            .iter()
            .filter(|(_, e)| {
                e.leaving_since
                    .is_some_and(|since| now.duration_since(since) >= grace)
            })
            .map(|(id, _)| *id)
            .collect();
        let mut users: Vec<User> = gone
            .iter()
            .filter_map(|id| self.online.remove(id))
            .map(|e| e.user)
            .collect();
        users.sort_by_key(|u| u.id);
        users
    }

    /// At most `max` of the online users (including those within their grace
    /// period), by id; which ones, when there are more, is unspecified. Costs
    /// O(max), not O(online), so a join to a huge room stays cheap.
    pub fn snapshot(&self, max: usize) -> Vec<User> {
        let mut users: Vec<User> = self
            .online
            .values()
            .take(max)
            .map(|e| e.user.clone())
            .collect();
        users.sort_by_key(|u| u.id);
        users
    }

    /// How many users are online (including those within their grace period).
    pub fn len(&self) -> usize {
        self.online.len()
    }

    pub fn contains(&self, user: UserId) -> bool {
        self.online.contains_key(&user)
    }

    /// True while the user has at least one live connection (not just grace).
    pub fn is_connected(&self, user: UserId) -> bool {
        self.online.get(&user).is_some_and(|e| e.connections > 0)
    }

    pub fn is_empty(&self) -> bool {
        self.online.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: UserId) -> User {
        User {
            id,
            name: format!("u{id}"),
            guest: true,
            seed: false,
            username: None,
            admin: false,
        }
    }

    const GRACE: Duration = Duration::from_secs(3);

    #[test]
    fn second_connection_of_a_user_neither_joins_nor_leaves_twice() {
        let now = Instant::now();
        let mut p = Presence::default();
        assert!(p.connect(&user(1)));
        assert!(!p.connect(&user(1)));
        assert_eq!(p.disconnect(1, now, Duration::ZERO), None);
        assert_eq!(p.snapshot(usize::MAX), vec![user(1)]);
        assert_eq!(p.disconnect(1, now, Duration::ZERO), Some(user(1)));
        assert!(p.is_empty());
    }

    #[test]
    fn a_reload_within_the_grace_period_is_invisible() {
        let start = Instant::now();
        let mut p = Presence::default();
        p.connect(&user(1));
        assert_eq!(p.disconnect(1, start, GRACE), None);
        assert_eq!(
            p.snapshot(usize::MAX),
            vec![user(1)],
            "still listed while leaving"
        );
        assert!(!p.is_connected(1));
        assert!(p.expire(start + Duration::from_secs(1), GRACE).is_empty());
        assert!(!p.connect(&user(1)), "coming back is not a new join");
        assert!(
            p.expire(start + Duration::from_secs(10), GRACE).is_empty(),
            "and cancels the leave"
        );
    }

    #[test]
    fn the_leave_is_announced_when_the_grace_period_ends() {
        let start = Instant::now();
        let mut p = Presence::default();
        p.connect(&user(1));
        p.connect(&user(2));
        p.disconnect(1, start, GRACE);
        assert_eq!(p.expire(start + GRACE, GRACE), vec![user(1)]);
        assert_eq!(p.snapshot(usize::MAX), vec![user(2)]);
        assert_eq!(p.remove(2), Some(user(2)));
        assert_eq!(
            p.disconnect(9, start, GRACE),
            None,
            "unknown users are harmless"
        );
    }
}
