//! Presence bookkeeping for one room: who is online, aggregated per user over
//! all of their connections, so a second tab closing does not make its user
//! leave. Pure data; the hub calls it under its lock.

use std::collections::HashMap;

use crate::model::{User, UserId};

#[derive(Debug, Default)]
pub struct Presence {
    /// user → (open subscriptions, the user as last seen).
    online: HashMap<UserId, (usize, User)>,
}

impl Presence {
    /// Counts one more subscription of `user`; true when the user just came online.
    pub fn connect(&mut self, user: &User) -> bool {
        let entry = self.online.entry(user.id).or_insert((0, user.clone()));
        entry.0 += 1;
        entry.0 == 1
    }

    /// Counts one subscription less; the user when they just went offline.
    pub fn disconnect(&mut self, user: UserId) -> Option<User> {
        let entry = self.online.get_mut(&user)?;
        entry.0 -= 1;
        if entry.0 == 0 {
            self.online.remove(&user).map(|(_, u)| u)
        } else {
            None
        }
    }

    /// The online users, ordered by id so snapshots are stable.
    pub fn snapshot(&self) -> Vec<User> {
        let mut users: Vec<User> = self.online.values().map(|(_, u)| u.clone()).collect();
        users.sort_by_key(|u| u.id);
        users
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
        }
    }

    #[test]
    fn second_connection_of_a_user_neither_joins_nor_leaves_twice() {
        let mut p = Presence::default();
        assert!(p.connect(&user(1)));
        assert!(!p.connect(&user(1)));
        assert_eq!(p.disconnect(1), None);
        assert_eq!(p.snapshot(), vec![user(1)]);
        assert_eq!(p.disconnect(1), Some(user(1)));
        assert!(p.is_empty());
    }

    #[test]
    fn disconnect_of_unknown_user_is_harmless() {
        let mut p = Presence::default();
        assert_eq!(p.disconnect(9), None);
    }

    #[test]
    fn snapshot_is_sorted_by_id() {
        let mut p = Presence::default();
        p.connect(&user(3));
        p.connect(&user(1));
        assert_eq!(p.snapshot(), vec![user(1), user(3)]);
    }
}
