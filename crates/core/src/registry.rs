//! Every live connection by user and by session, so that things that are
//! about a user rather than a room reach all of their tabs: a `read` marker
//! moved in one tab shows in the others, and logging out or revoking a
//! session closes that session's sockets (1008).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;

use crate::hub::{CLOSE_TOO_SLOW, ConnId, Control};
use crate::model::UserId;

struct Entry<P> {
    user: UserId,
    session: Option<i64>,
    tx: mpsc::Sender<P>,
    control: Arc<Control>,
}

struct Inner<P> {
    connections: HashMap<ConnId, Entry<P>>,
    by_user: HashMap<UserId, HashSet<ConnId>>,
}

pub struct Registry<P> {
    inner: Mutex<Inner<P>>,
}

impl<P: Clone> Default for Registry<P> {
    fn default() -> Self {
        Registry {
            inner: Mutex::new(Inner {
                connections: HashMap::new(),
                by_user: HashMap::new(),
            }),
        }
    }
}

impl<P: Clone> Registry<P> {
    fn lock(&self) -> MutexGuard<'_, Inner<P>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn register(
        &self,
        conn: ConnId,
        user: UserId,
        session: Option<i64>,
        tx: mpsc::Sender<P>,
        control: Arc<Control>,
    ) {
        let mut inner = self.lock();
        inner.connections.insert(
            conn,
            Entry {
                user,
                session,
                tx,
                control,
            },
        );
        inner.by_user.entry(user).or_default().insert(conn);
    }

    pub fn unregister(&self, conn: ConnId) {
        let mut inner = self.lock();
        if let Some(entry) = inner.connections.remove(&conn)
            && let Some(conns) = inner.by_user.get_mut(&entry.user)
        {
            conns.remove(&conn);
            if conns.is_empty() {
                inner.by_user.remove(&entry.user);
            }
        }
    }

    /// Queues `item` to every connection of `user` but `except`, without
    /// waiting; a connection whose queue is full is told to close (1013).
    pub fn send_to_user(&self, user: UserId, item: &P, except: Option<ConnId>) {
        let inner = self.lock();
        let Some(conns) = inner.by_user.get(&user) else {
            return;
        };
        for conn in conns {
            if Some(*conn) == except {
                continue;
            }
            if let Some(entry) = inner.connections.get(conn)
                && entry.tx.try_send(item.clone()).is_err()
            {
                entry.control.close(CLOSE_TOO_SLOW);
            }
        }
    }

    /// Closes every connection opened with `session`; how many.
    pub fn close_session(&self, session: i64, code: u16) -> usize {
        let inner = self.lock();
        let mut closed = 0;
        for entry in inner
            .connections
            .values()
            .filter(|e| e.session == Some(session))
        {
            entry.control.close(code);
            closed += 1;
        }
        closed
    }

    /// Live connections in all.
    pub fn len(&self) -> usize {
        self.lock().connections.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn items_reach_a_users_other_connections_and_sessions_close_alone() {
        let registry = Registry::<u32>::default();
        let (tx1, mut rx1) = mpsc::channel(4);
        let (tx2, mut rx2) = mpsc::channel(4);
        let (tx3, mut rx3) = mpsc::channel(4);
        let (c1, c2, c3) = (Control::new(), Control::new(), Control::new());
        registry.register(1, 7, Some(100), tx1, c1.clone());
        registry.register(2, 7, Some(101), tx2, c2.clone());
        registry.register(3, 8, Some(102), tx3, c3);
        registry.send_to_user(7, &42, Some(1));
        assert_eq!(rx2.try_recv().ok(), Some(42));
        assert!(rx1.try_recv().is_err() && rx3.try_recv().is_err());
        assert_eq!(registry.close_session(100, 1008), 1);
        let code = tokio::time::timeout(Duration::from_millis(100), c1.closed())
            .await
            .expect("closed");
        assert_eq!(code, 1008);
        assert!(
            tokio::time::timeout(Duration::from_millis(20), c2.closed())
                .await
                .is_err()
        );
        registry.unregister(1);
        registry.unregister(2);
        assert_eq!(registry.len(), 1);
    }
}
