//! The in-process fan-out registry: room → subscribers.
//!
//! Each subscriber is a connection's *bounded* outbound queue. Publishing
//! never waits: an item is `try_send`-ed to every subscriber, and a
//! subscriber whose queue is full is removed and told (through its `lagged`
//! notifier) to close with 1013 and resume from its last seq. One slow client
//! therefore never slows down anybody else.
//!
//! The hub is generic over the queued item `P` (in the server, a
//! reference-counted, pre-serialized frame), so an event is serialized once
//! and each recipient costs a reference-count bump.
//!
//! Gap-free subscribe: every room channel remembers `head`, the newest seq it
//! has published. [`Hub::subscribe`] takes the caller's `initial` items
//! (`subscribed`, then a replay up to `head`) and registers the subscriber
//! under the same lock that [`Hub::publish`] takes, so every later event has
//! seq > head: no gap and no duplicate at the seam.
//!
//! Locks are `std::sync::Mutex`es, held only for map updates and `try_send`s
//! and never across an `.await`. Rooms are spread over shards so unrelated
//! rooms do not contend for one lock.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Notify, mpsc};

use crate::model::User;
use crate::presence::Presence;

pub type ConnId = u64;

const SHARDS: usize = 16;

/// A connection's registration in one room.
#[derive(Debug)]
pub struct Subscriber<P> {
    pub conn: ConnId,
    pub user: User,
    pub tx: mpsc::Sender<P>,
    /// Notified when the hub drops this subscriber because its queue was full.
    pub lagged: Arc<Notify>,
}

impl<P> Clone for Subscriber<P> {
    fn clone(&self) -> Self {
        Subscriber {
            conn: self.conn,
            user: self.user.clone(),
            tx: self.tx.clone(),
            lagged: self.lagged.clone(),
        }
    }
}

/// Builds the item announcing presence changes of a room.
pub type PresenceFormatter<P> = Box<dyn Fn(&str, &[User], &[User]) -> P + Send + Sync>;

struct RoomChannel<P> {
    /// Newest seq published (or known from the store) for this room. Kept even
    /// when nobody is subscribed: forgetting it would let a subscriber that
    /// read a stale head from the store miss an event published meanwhile.
    head: u64,
    subscribers: HashMap<ConnId, Subscriber<P>>,
    presence: Presence,
}

impl<P> RoomChannel<P> {
    fn new(head: u64) -> Self {
        RoomChannel {
            head,
            subscribers: HashMap::new(),
            presence: Presence::default(),
        }
    }
}

/// What a new subscriber learns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribed {
    pub head: u64,
    pub presence: Vec<User>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeError {
    /// The subscriber's queue could not take the initial items.
    QueueFull,
    /// The connection is already subscribed to the room.
    AlreadySubscribed,
}

pub struct Hub<P> {
    shards: Vec<Mutex<HashMap<String, RoomChannel<P>>>>,
    presence_item: PresenceFormatter<P>,
}

impl<P: Clone> Hub<P> {
    pub fn new(presence_item: PresenceFormatter<P>) -> Self {
        Hub {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            presence_item,
        }
    }

    fn shard(&self, room: &str) -> MutexGuard<'_, HashMap<String, RoomChannel<P>>> {
        let mut hasher = DefaultHasher::new();
        room.hash(&mut hasher);
        let index = (hasher.finish() as usize) % self.shards.len();
        // A panic while holding the lock cannot leave the map half-updated in a
        // way that matters more than losing the whole hub would.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers `subscriber` in `room`. `store_head` is the room's head as
    /// read from the store just before; the channel's own head wins when it is
    /// newer. `initial(head, presence)` makes the items queued before any live
    /// event. Others in the room are told if the user just came online.
    pub fn subscribe(
        &self,
        room: &str,
        subscriber: Subscriber<P>,
        store_head: u64,
        initial: impl FnOnce(&Subscribed) -> Vec<P>,
    ) -> Result<Subscribed, SubscribeError> {
        let mut rooms = self.shard(room);
        let channel = rooms
            .entry(room.to_owned())
            .or_insert_with(|| RoomChannel::new(store_head));
        channel.head = channel.head.max(store_head);
        if channel.subscribers.contains_key(&subscriber.conn) {
            return Err(SubscribeError::AlreadySubscribed);
        }
        let came_online = channel.presence.connect(&subscriber.user);
        let subscribed = Subscribed {
            head: channel.head,
            presence: channel.presence.snapshot(),
        };
        for item in initial(&subscribed) {
            if subscriber.tx.try_send(item).is_err() {
                channel.presence.disconnect(subscriber.user.id);
                return Err(SubscribeError::QueueFull);
            }
        }
        if came_online {
            let item = (self.presence_item)(room, std::slice::from_ref(&subscriber.user), &[]);
            let lagging = deliver(channel, &item, None);
            self.drop_lagging(room, channel, lagging);
        }
        channel.subscribers.insert(subscriber.conn, subscriber);
        Ok(subscribed)
    }

    /// Removes a connection from a room; true if it was subscribed.
    pub fn unsubscribe(&self, room: &str, conn: ConnId) -> bool {
        let mut rooms = self.shard(room);
        let Some(channel) = rooms.get_mut(room) else {
            return false;
        };
        let Some(subscriber) = channel.subscribers.remove(&conn) else {
            return false;
        };
        if let Some(user) = channel.presence.disconnect(subscriber.user.id) {
            let item = (self.presence_item)(room, &[], std::slice::from_ref(&user));
            let lagging = deliver(channel, &item, None);
            self.drop_lagging(room, channel, lagging);
        }
        true
    }

    /// Delivers a committed event (`seq`) to every subscriber of `room`.
    /// Must be called in seq order per room (the committer does).
    pub fn publish(&self, room: &str, seq: u64, item: P) {
        let mut rooms = self.shard(room);
        let channel = rooms
            .entry(room.to_owned())
            .or_insert_with(|| RoomChannel::new(seq));
        channel.head = channel.head.max(seq);
        let lagging = deliver(channel, &item, None);
        self.drop_lagging(room, channel, lagging);
    }

    /// Delivers an item that is not a log event (typing, seed `Offline`) to
    /// every subscriber of `room` except `except`.
    pub fn publish_ephemeral(&self, room: &str, item: P, except: Option<ConnId>) {
        let mut rooms = self.shard(room);
        if let Some(channel) = rooms.get_mut(room) {
            let lagging = deliver(channel, &item, except);
            self.drop_lagging(room, channel, lagging);
        }
    }

    /// The newest seq this hub knows for `room`, if it has seen the room.
    pub fn head(&self, room: &str) -> Option<u64> {
        self.shard(room).get(room).map(|c| c.head)
    }

    /// The users online in `room`.
    pub fn presence(&self, room: &str) -> Vec<User> {
        self.shard(room)
            .get(room)
            .map(|c| c.presence.snapshot())
            .unwrap_or_default()
    }

    /// Subscribers of `room` (for metrics and tests).
    pub fn subscriber_count(&self, room: &str) -> usize {
        self.shard(room)
            .get(room)
            .map_or(0, |c| c.subscribers.len())
    }

    /// Removes subscribers whose queues were full, tells them to close, and
    /// announces users who thereby went offline. Announcing may make more
    /// subscribers lag, so this loops until nobody new lags.
    fn drop_lagging(&self, room: &str, channel: &mut RoomChannel<P>, mut lagging: Vec<ConnId>) {
        while !lagging.is_empty() {
            let mut left = Vec::new();
            for conn in lagging.drain(..) {
                if let Some(subscriber) = channel.subscribers.remove(&conn) {
                    subscriber.lagged.notify_one();
                    if let Some(user) = channel.presence.disconnect(subscriber.user.id) {
                        left.push(user);
                    }
                }
            }
            if !left.is_empty() {
                let item = (self.presence_item)(room, &[], &left);
                lagging = deliver(channel, &item, None);
            }
        }
    }
}

/// `try_send`s to every subscriber but `except`; returns those that could not take it.
fn deliver<P: Clone>(channel: &RoomChannel<P>, item: &P, except: Option<ConnId>) -> Vec<ConnId> {
    let mut lagging = Vec::new();
    for (conn, subscriber) in &channel.subscribers {
        if Some(*conn) == except {
            continue;
        }
        if subscriber.tx.try_send(item.clone()).is_err() {
            lagging.push(*conn);
        }
    }
    lagging
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Item {
        Initial(u64),
        Event(u64),
        Presence(Vec<i64>, Vec<i64>),
        Note(&'static str),
    }

    fn hub() -> Hub<Item> {
        Hub::new(Box::new(|_room, joined, left| {
            Item::Presence(
                joined.iter().map(|u| u.id).collect(),
                left.iter().map(|u| u.id).collect(),
            )
        }))
    }

    fn user(id: i64) -> User {
        User {
            id,
            name: format!("u{id}"),
            guest: true,
        }
    }

    fn subscriber(
        conn: ConnId,
        user_id: i64,
        capacity: usize,
    ) -> (Subscriber<Item>, mpsc::Receiver<Item>) {
        let (tx, rx) = mpsc::channel(capacity);
        (
            Subscriber {
                conn,
                user: user(user_id),
                tx,
                lagged: Arc::new(Notify::new()),
            },
            rx,
        )
    }

    fn drain(rx: &mut mpsc::Receiver<Item>) -> Vec<Item> {
        let mut items = Vec::new();
        while let Ok(item) = rx.try_recv() {
            items.push(item);
        }
        items
    }

    #[test]
    fn initial_items_come_before_live_events_and_head_is_the_newest() {
        let hub = hub();
        hub.publish("r", 1, Item::Event(1));
        hub.publish("r", 2, Item::Event(2));
        let (sub, mut rx) = subscriber(1, 10, 16);
        // A stale store read (head 1) must not hide event 2.
        let s = hub
            .subscribe("r", sub, 1, |s| vec![Item::Initial(s.head)])
            .expect("subscribes");
        assert_eq!(s.head, 2);
        hub.publish("r", 3, Item::Event(3));
        assert_eq!(drain(&mut rx), vec![Item::Initial(2), Item::Event(3)]);
    }

    #[test]
    fn a_full_queue_drops_only_that_subscriber_and_notifies_it() {
        let hub = hub();
        let (slow, mut slow_rx) = subscriber(1, 10, 1);
        let slow_lagged = slow.lagged.clone();
        let (fast, mut fast_rx) = subscriber(2, 20, 16);
        hub.subscribe("r", slow, 0, |_| vec![]).expect("slow");
        hub.subscribe("r", fast, 0, |_| vec![]).expect("fast");
        drain(&mut slow_rx);
        drain(&mut fast_rx);
        hub.publish("r", 1, Item::Event(1));
        hub.publish("r", 2, Item::Event(2));
        assert_eq!(hub.subscriber_count("r"), 1);
        // The permit stored by notify_one makes this resolve immediately.
        let notified = slow_lagged.notified();
        futures_poll_ready(notified);
        assert_eq!(
            drain(&mut fast_rx),
            vec![
                Item::Event(1),
                Item::Event(2),
                Item::Presence(vec![], vec![10])
            ]
        );
    }

    fn futures_poll_ready<F: std::future::Future>(future: F) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_millis(100), future)
                .await
                .expect("notified");
        });
    }

    #[test]
    fn presence_is_aggregated_per_user_across_connections() {
        let hub = hub();
        let (watcher, mut watcher_rx) = subscriber(1, 1, 16);
        hub.subscribe("r", watcher, 0, |_| vec![]).expect("watcher");
        let (tab1, _rx1) = subscriber(2, 2, 16);
        let (tab2, _rx2) = subscriber(3, 2, 16);
        let s = hub.subscribe("r", tab1, 0, |_| vec![]).expect("tab1");
        assert_eq!(s.presence, vec![user(1), user(2)]);
        hub.subscribe("r", tab2, 0, |_| vec![]).expect("tab2");
        assert!(hub.unsubscribe("r", 3));
        assert_eq!(
            drain(&mut watcher_rx),
            vec![Item::Presence(vec![2], vec![])]
        );
        assert!(hub.unsubscribe("r", 2));
        assert_eq!(
            drain(&mut watcher_rx),
            vec![Item::Presence(vec![], vec![2])]
        );
        assert!(!hub.unsubscribe("r", 2));
    }

    #[test]
    fn ephemeral_items_skip_the_excepted_connection_and_unknown_rooms() {
        let hub = hub();
        let (a, mut a_rx) = subscriber(1, 1, 16);
        let (b, mut b_rx) = subscriber(2, 2, 16);
        hub.subscribe("r", a, 0, |_| vec![]).expect("a");
        hub.subscribe("r", b, 0, |_| vec![]).expect("b");
        drain(&mut a_rx);
        drain(&mut b_rx);
        hub.publish_ephemeral("r", Item::Note("typing"), Some(1));
        hub.publish_ephemeral("nowhere", Item::Note("lost"), None);
        assert!(drain(&mut a_rx).is_empty());
        assert_eq!(drain(&mut b_rx), vec![Item::Note("typing")]);
    }

    #[test]
    fn subscribing_twice_on_one_connection_is_refused() {
        let hub = hub();
        let (a, _rx) = subscriber(1, 1, 16);
        hub.subscribe("r", a.clone(), 0, |_| vec![]).expect("first");
        assert_eq!(
            hub.subscribe("r", a, 0, |_| vec![]),
            Err(SubscribeError::AlreadySubscribed)
        );
        assert_eq!(hub.presence("r"), vec![user(1)]);
    }
}
