//! The in-process fan-out registry: room → subscribers.
//!
//! Each subscriber is a connection's *bounded* outbound queue. Publishing
//! never waits: an item is `try_send`-ed to every subscriber, and a
//! subscriber whose queue is full is removed and told (through its
//! [`Control`]) to close with 1013 and resume from its last seq. One slow
//! client therefore never slows down anybody else.
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
//! The ephemeral state of a room lives here too, under the same lock:
//! presence (with a grace period, see [`crate::presence`]) and typing
//! indicators (expiring after [`TYPING_TTL`] without renewal). Both are
//! announced through an [`Announcer`] and expired by [`Hub::sweep`], which the
//! server calls four times a second.
//!
//! Typing relays are limited per user and room, whatever the client toggles:
//! a start (or renewal) is relayed at most once per [`TYPING_RELAY_INTERVAL`],
//! measured from the last relayed one, which the room remembers after the
//! indicator ends. A stop is relayed when the room was shown a start. A start
//! within the interval is *deferred*: recorded, not shown, and relayed by the
//! sweep when the interval is over if it has not ended by then. So one user
//! costs each reader of a room at most one start and one stop per interval.
//!
//! Locks are `std::sync::Mutex`es, held only for map updates and `try_send`s
//! and never across an `.await`. Rooms are spread over shards so unrelated
//! rooms do not contend for one lock.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};

use crate::model::{User, UserId};
use crate::presence::Presence;

pub type ConnId = u64;

const SHARDS: usize = 16;

/// A typing indicator expires this long after its last renewal.
pub const TYPING_TTL: Duration = Duration::from_secs(6);
/// Starts and renewals are forwarded at most this often per user and room.
pub const TYPING_RELAY_INTERVAL: Duration = Duration::from_secs(2);

/// How the hub (and the connection registry) ask a connection to close.
/// The first code asked for wins.
#[derive(Debug, Default)]
pub struct Control {
    notify: Notify,
    code: AtomicU16,
}

impl Control {
    pub fn new() -> Arc<Control> {
        Arc::new(Control::default())
    }

    /// Asks the connection to close with `code`.
    pub fn close(&self, code: u16) {
        let _ = self
            .code
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire);
        self.notify.notify_one();
    }

    /// Resolves with the close code once [`Control::close`] was called.
    pub async fn closed(&self) -> u16 {
        loop {
            let code = self.code.load(Ordering::Acquire);
            if code != 0 {
                return code;
            }
            self.notify.notified().await;
        }
    }
}

/// Close code for a subscriber whose queue overflowed.
pub const CLOSE_TOO_SLOW: u16 = 1013;

/// A connection's registration in one room.
#[derive(Debug)]
pub struct Subscriber<P> {
    pub conn: ConnId,
    pub user: User,
    pub tx: mpsc::Sender<P>,
    pub control: Arc<Control>,
    /// Whether this connection shows presence and typing (v1 does; a seed
    /// connection has no such frames): the others are never woken for them.
    pub ephemeral: bool,
}

impl<P> Clone for Subscriber<P> {
    fn clone(&self) -> Self {
        Subscriber {
            conn: self.conn,
            user: self.user.clone(),
            tx: self.tx.clone(),
            ephemeral: self.ephemeral,
            control: self.control.clone(),
        }
    }
}

/// Builds the items that announce ephemeral changes of a room.
pub trait Announcer<P>: Send + Sync {
    /// `online`: how many are present after the changes; `truncated`: the
    /// lists name only some of them ([`PRESENCE_CHANGES_MAX`] each).
    fn presence(
        &self,
        room: &str,
        joined: &[User],
        left: &[User],
        online: usize,
        truncated: bool,
    ) -> P;
    fn typing(&self, room: &str, user: &User, active: bool) -> P;
}

struct Typist {
    user: User,
    expires: Instant,
    /// The room was told (a start relayed, no stop since). A deferred start
    /// is not shown yet, and ends without a stop being relayed.
    shown: bool,
    /// The connection that last typed: a relay skips it (its own tab knows).
    conn: ConnId,
}

struct RoomChannel<P> {
    /// Newest seq published (or known from the store) for this room. Kept even
    /// when nobody is subscribed: forgetting it would let a subscriber that
    /// read a stale head from the store miss an event published meanwhile.
    head: u64,
    subscribers: HashMap<ConnId, Subscriber<P>>,
    /// For subscribers whose initial replay reaches `head` at subscribe time:
    /// events up to that seq are in their replay already. The store's head
    /// can be ahead of the last published event (a batch is committed, then
    /// published one by one), so without this a subscriber could get such an
    /// event twice, once replayed and once live.
    replayed_upto: HashMap<ConnId, u64>,
    presence: Presence,
    typing: HashMap<UserId, Typist>,
    /// Presence changes not announced yet: a join storm of N connections
    /// would otherwise tell each join to every connection (N² deliveries).
    /// The sweep announces them in one `presence` item per room and tick;
    /// a join and a leave of one user within a tick cancel out.
    pending_presence: HashMap<UserId, PendingPresence>,
    /// Orders `pending_presence` as the changes happened.
    presence_changes: u64,
    /// When each user's last typing start or renewal was relayed, kept after
    /// their indicator ends (stop, send, expiry) so that toggling `active`
    /// cannot restart the relay interval; pruned by the sweep once it is over.
    typing_relayed: HashMap<UserId, Instant>,
}

impl<P> RoomChannel<P> {
    fn new(head: u64) -> Self {
        RoomChannel {
            head,
            subscribers: HashMap::new(),
            replayed_upto: HashMap::new(),
            presence: Presence::default(),
            typing: HashMap::new(),
            typing_relayed: HashMap::new(),
            pending_presence: HashMap::new(),
            presence_changes: 0,
        }
    }

    /// Notes that `user` came online (`joined`) or went offline, for the next sweep.
    fn presence_changed(&mut self, user: &User, joined: bool) {
        match self.pending_presence.get(&user.id) {
            // The opposite change within the tick: nothing to announce.
            Some(pending) if pending.joined != joined => {
                self.pending_presence.remove(&user.id);
            }
            Some(_) => {}
            None => {
                self.presence_changes += 1;
                self.pending_presence.insert(
                    user.id,
                    PendingPresence {
                        order: self.presence_changes,
                        user: user.clone(),
                        joined,
                    },
                );
            }
        }
    }

    /// The pending changes, joined and left, in the order they happened.
    fn take_presence_changes(&mut self) -> (Vec<User>, Vec<User>) {
        let mut pending: Vec<PendingPresence> =
            self.pending_presence.drain().map(|(_, p)| p).collect();
        pending.sort_by_key(|p| p.order);
        let (joined, left): (Vec<_>, Vec<_>) = pending.into_iter().partition(|p| p.joined);
        (
            joined.into_iter().map(|p| p.user).collect(),
            left.into_iter().map(|p| p.user).collect(),
        )
    }
}

struct PendingPresence {
    order: u64,
    user: User,
    joined: bool,
}

/// At most this many users in a subscriber's presence snapshot: a room of
/// twenty thousand would otherwise cost a copy of everyone per join. The
/// snapshot says how many are online in all (`Subscribed::online`).
pub const PRESENCE_SNAPSHOT_MAX: usize = 50;

/// At most this many users in each list of one `presence` announcement. A
/// storm of thousands of joins would otherwise make one frame of hundreds of
/// kilobytes for every connection of the room, and each connection's write
/// buffer keeps the size of the largest frame it ever sent.
pub const PRESENCE_CHANGES_MAX: usize = 50;

/// Sizes of the hub's maps ([`Hub::footprint`]). Rooms stay (a room keeps
/// its head once seen); everything else follows the connections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HubFootprint {
    pub rooms: usize,
    pub subscribers: usize,
    pub replays: usize,
    pub present: usize,
    pub typing: usize,
    pub pending_presence: usize,
}

/// What a new subscriber learns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribed {
    pub head: u64,
    /// Online users, at most [`PRESENCE_SNAPSHOT_MAX`] of them.
    pub presence: Vec<User>,
    /// How many users are online in all.
    pub online: usize,
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
    announcer: Box<dyn Announcer<P>>,
    presence_grace: Duration,
}

impl<P: Clone> Hub<P> {
    /// `presence_grace`: how long a user whose last connection went away
    /// still counts as online (zero: they leave at once).
    pub fn new(announcer: Box<dyn Announcer<P>>, presence_grace: Duration) -> Self {
        Hub {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            announcer,
            presence_grace,
        }
    }

    fn shard_of(&self, room: &str) -> usize {
        let mut hasher = DefaultHasher::new();
        room.hash(&mut hasher);
        (hasher.finish() as usize) % self.shards.len()
    }

    fn lock(&self, index: usize) -> MutexGuard<'_, HashMap<String, RoomChannel<P>>> {
        // A panic while holding the lock cannot leave the map half-updated in a
        // way that matters more than losing the whole hub would.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn shard(&self, room: &str) -> MutexGuard<'_, HashMap<String, RoomChannel<P>>> {
        self.lock(self.shard_of(room))
    }

    /// Registers `subscriber` in `room`. `store_head` is the room's head as
    /// read from the store just before; the channel's own head wins when it is
    /// newer. `initial(subscribed)` makes the items queued before any live
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
            presence: channel.presence.snapshot(PRESENCE_SNAPSHOT_MAX),
            online: channel.presence.len(),
        };
        for item in initial(&subscribed) {
            if subscriber.tx.try_send(item).is_err() {
                if came_online {
                    channel.presence.remove(subscriber.user.id);
                } else {
                    channel.presence.disconnect(
                        subscriber.user.id,
                        Instant::now(),
                        self.presence_grace,
                    );
                }
                return Err(SubscribeError::QueueFull);
            }
        }
        if came_online {
            channel.presence_changed(&subscriber.user, true);
        }
        channel
            .replayed_upto
            .insert(subscriber.conn, subscribed.head);
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
        channel.replayed_upto.remove(&conn);
        let gone =
            channel
                .presence
                .disconnect(subscriber.user.id, Instant::now(), self.presence_grace);
        // Another tab of the same user may still be typing there (presence
        // counts the user's connections, so no scan of the room is needed).
        if !channel.presence.is_connected(subscriber.user.id) {
            self.stop_typing(room, channel, subscriber.user.id);
        }
        if let Some(user) = gone {
            channel.presence_changed(&user, false);
        }
        true
    }

    /// Removes every connection of `user` from `room` at once (kicked,
    /// banned, left), queueing `notice` to each; the user leaves presence
    /// without a grace period. Returns how many connections were removed.
    pub fn remove_user(&self, room: &str, user: UserId, notice: P) -> usize {
        let mut rooms = self.shard(room);
        let Some(channel) = rooms.get_mut(room) else {
            return 0;
        };
        let conns: Vec<ConnId> = channel
            .subscribers
            .iter()
            .filter(|(_, s)| s.user.id == user)
            .map(|(c, _)| *c)
            .collect();
        for conn in &conns {
            channel.replayed_upto.remove(conn);
            if let Some(subscriber) = channel.subscribers.remove(conn)
                && subscriber.tx.try_send(notice.clone()).is_err()
            {
                subscriber.control.close(CLOSE_TOO_SLOW);
            }
        }
        self.stop_typing(room, channel, user);
        if let Some(gone) = channel.presence.remove(user) {
            channel.presence_changed(&gone, false);
        }
        conns.len()
    }

    /// Delivers a committed event (`seq`) to every subscriber of `room`.
    /// Must be called in seq order per room (the committer does).
    pub fn publish(&self, room: &str, seq: u64, item: P) {
        let mut rooms = self.shard(room);
        let channel = rooms
            .entry(room.to_owned())
            .or_insert_with(|| RoomChannel::new(seq));
        channel.head = channel.head.max(seq);
        self.deliver(room, channel, &item, None, Some(seq), false);
        channel.replayed_upto.retain(|_, upto| *upto > seq);
    }

    /// Delivers an item that is not a log event (seed `Offline`, say) to
    /// every subscriber of `room` except `except`.
    pub fn publish_ephemeral(&self, room: &str, item: P, except: Option<ConnId>) {
        let mut rooms = self.shard(room);
        if let Some(channel) = rooms.get_mut(room) {
            self.deliver(room, channel, &item, except, None, false);
        }
    }

    /// Records that the user of `conn` is typing (or stopped) in `room` and
    /// tells the others, within the relay interval (module docs). Returns
    /// false when `conn` is not subscribed there.
    pub fn set_typing(&self, room: &str, conn: ConnId, active: bool, now: Instant) -> bool {
        let mut rooms = self.shard(room);
        let Some(channel) = rooms.get_mut(room) else {
            return false;
        };
        let Some(user) = channel.subscribers.get(&conn).map(|s| s.user.clone()) else {
            return false;
        };
        if !active {
            self.stop_typing(room, channel, user.id);
            return true;
        }
        let due = channel
            .typing_relayed
            .get(&user.id)
            .is_none_or(|relayed| now.saturating_duration_since(*relayed) >= TYPING_RELAY_INTERVAL);
        let typist = channel.typing.entry(user.id).or_insert_with(|| Typist {
            user: user.clone(),
            expires: now,
            shown: false,
            conn,
        });
        typist.expires = now + TYPING_TTL;
        typist.conn = conn;
        if due {
            typist.shown = true;
            channel.typing_relayed.insert(user.id, now);
            let item = self.announcer.typing(room, &user, true);
            self.deliver(room, channel, &item, Some(conn), None, true);
        }
        true
    }

    /// Clears `user`'s typing indicator in `room` (they sent a message).
    pub fn clear_typing(&self, room: &str, user: UserId) {
        let mut rooms = self.shard(room);
        if let Some(channel) = rooms.get_mut(room) {
            self.stop_typing(room, channel, user);
        }
    }

    fn stop_typing(&self, room: &str, channel: &mut RoomChannel<P>, user: UserId) {
        if let Some(typist) = channel.typing.remove(&user)
            && typist.shown
        {
            let item = self.announcer.typing(room, &typist.user, false);
            self.deliver(room, channel, &item, None, None, true);
        }
    }

    /// Expires typing indicators and presence grace periods that are over,
    /// and relays deferred typing starts whose relay interval is over.
    pub fn sweep(&self, now: Instant) {
        for index in 0..self.shards.len() {
            let mut rooms = self.lock(index);
            for (room, channel) in rooms.iter_mut() {
                let expired: Vec<UserId> = channel
                    .typing
                    .iter()
                    .filter(|(_, t)| t.expires <= now)
                    .map(|(id, _)| *id)
                    .collect();
                for user in expired {
                    self.stop_typing(room, channel, user);
                }
                let over = |relayed: &Instant| {
                    now.saturating_duration_since(*relayed) >= TYPING_RELAY_INTERVAL
                };
                let deferred: Vec<(User, ConnId)> = channel
                    .typing
                    .values_mut()
                    .filter(|t| !t.shown)
                    .filter(|t| channel.typing_relayed.get(&t.user.id).is_none_or(over))
                    .map(|t| {
                        t.shown = true;
                        (t.user.clone(), t.conn)
                    })
                    .collect();
                for (user, conn) in deferred {
                    channel.typing_relayed.insert(user.id, now);
                    let item = self.announcer.typing(room, &user, true);
                    self.deliver(room, channel, &item, Some(conn), None, true);
                }
                channel.typing_relayed.retain(|_, relayed| !over(relayed));
                for user in channel.presence.expire(now, self.presence_grace) {
                    channel.presence_changed(&user, false);
                }
                if !channel.pending_presence.is_empty() {
                    let (mut joined, mut left) = channel.take_presence_changes();
                    if !joined.is_empty() || !left.is_empty() {
                        let truncated = joined.len() > PRESENCE_CHANGES_MAX
                            || left.len() > PRESENCE_CHANGES_MAX;
                        // The newest changes are the ones worth naming.
                        let keep_last = |list: &mut Vec<User>| {
                            let excess = list.len().saturating_sub(PRESENCE_CHANGES_MAX);
                            list.drain(..excess);
                        };
                        keep_last(&mut joined);
                        keep_last(&mut left);
                        let online = channel.presence.len();
                        let item = self
                            .announcer
                            .presence(room, &joined, &left, online, truncated);
                        self.deliver(room, channel, &item, None, None, true);
                    }
                }
            }
            // Rooms nobody listens to keep only their head.
            rooms.retain(|_, c| !c.subscribers.is_empty() || !c.presence.is_empty() || c.head > 0);
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
            .map(|c| c.presence.snapshot(usize::MAX))
            .unwrap_or_default()
    }

    /// True while `user` has a live connection subscribed to `room`.
    pub fn is_connected(&self, room: &str, user: UserId) -> bool {
        self.shard(room)
            .get(room)
            .is_some_and(|c| c.presence.is_connected(user))
    }

    /// How much the hub holds, over every room (for metrics and tests: a
    /// server whose clients all left must come back to where it started).
    pub fn footprint(&self) -> HubFootprint {
        let mut footprint = HubFootprint::default();
        for index in 0..self.shards.len() {
            let rooms = self.lock(index);
            footprint.rooms += rooms.len();
            for channel in rooms.values() {
                footprint.subscribers += channel.subscribers.len();
                footprint.replays += channel.replayed_upto.len();
                footprint.present += channel.presence.len();
                footprint.typing += channel.typing.len() + channel.typing_relayed.len();
                footprint.pending_presence += channel.pending_presence.len();
            }
        }
        footprint
    }

    /// Subscribers of `room` (for metrics and tests).
    pub fn subscriber_count(&self, room: &str) -> usize {
        self.shard(room)
            .get(room)
            .map_or(0, |c| c.subscribers.len())
    }

    /// `try_send`s to every subscriber but `except`; subscribers whose queue
    /// is full are removed and told to close, and users who thereby went
    /// offline are announced (which may make more subscribers lag: the loop
    /// runs until nobody new lags).
    fn deliver(
        &self,
        room: &str,
        channel: &mut RoomChannel<P>,
        item: &P,
        except: Option<ConnId>,
        seq: Option<u64>,
        ephemeral: bool,
    ) {
        let mut lagging = send_all(channel, item, except, seq, ephemeral);
        while !lagging.is_empty() {
            let mut left = Vec::new();
            let mut stopped_typing = Vec::new();
            for conn in lagging.drain(..) {
                channel.replayed_upto.remove(&conn);
                if let Some(subscriber) = channel.subscribers.remove(&conn) {
                    subscriber.control.close(CLOSE_TOO_SLOW);
                    let id = subscriber.user.id;
                    if let Some(user) =
                        channel
                            .presence
                            .disconnect(id, Instant::now(), self.presence_grace)
                    {
                        left.push(user);
                    }
                    // Their last connection here is gone, and their typing
                    // with it (as on any disconnect), not 6 s later.
                    if !channel.presence.is_connected(id)
                        && let Some(typist) = channel.typing.remove(&id)
                        && typist.shown
                    {
                        stopped_typing.push(typist.user);
                    }
                }
            }
            for user in &left {
                channel.presence_changed(user, false);
            }
            let notices: Vec<P> = stopped_typing
                .iter()
                .map(|user| self.announcer.typing(room, user, false))
                .collect();
            // A connection lagging on several notices is dropped once: the
            // second removal finds nothing.
            for notice in &notices {
                lagging.extend(send_all(channel, notice, None, None, true));
            }
        }
    }
}

/// `try_send`s to every subscriber but `except`; returns those that could not take it.
/// With `seq` (a log event), subscribers whose replay already covers it are skipped;
/// an `ephemeral` item (presence, typing) goes only to connections that show them.
fn send_all<P: Clone>(
    channel: &RoomChannel<P>,
    item: &P,
    except: Option<ConnId>,
    seq: Option<u64>,
    ephemeral: bool,
) -> Vec<ConnId> {
    let mut lagging = Vec::new();
    for (conn, subscriber) in &channel.subscribers {
        if Some(*conn) == except || (ephemeral && !subscriber.ephemeral) {
            continue;
        }
        if let Some(seq) = seq
            && channel
                .replayed_upto
                .get(conn)
                .is_some_and(|upto| seq <= *upto)
        {
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
        /// A truncated announcement: the users named, and how many are online.
        Sampled(Vec<i64>, Vec<i64>, usize),
        Typing(i64, bool),
        Note(&'static str),
    }

    struct TestAnnouncer;

    impl Announcer<Item> for TestAnnouncer {
        fn presence(
            &self,
            _room: &str,
            joined: &[User],
            left: &[User],
            online: usize,
            truncated: bool,
        ) -> Item {
            let ids = |users: &[User]| users.iter().map(|u| u.id).collect();
            if truncated {
                Item::Sampled(ids(joined), ids(left), online)
            } else {
                Item::Presence(ids(joined), ids(left))
            }
        }
        fn typing(&self, _room: &str, user: &User, active: bool) -> Item {
            Item::Typing(user.id, active)
        }
    }

    fn hub() -> Hub<Item> {
        Hub::new(Box::new(TestAnnouncer), Duration::ZERO)
    }

    fn user(id: i64) -> User {
        User {
            id,
            name: format!("u{id}"),
            guest: true,
            seed: false,
            username: None,
            admin: false,
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
                ephemeral: true,
                tx,
                control: Control::new(),
            },
            rx,
        )
    }

    /// Runs the sweep now: the joins and leaves noted so far are announced.
    fn settle(hub: &Hub<Item>) {
        hub.sweep(Instant::now());
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
    fn an_event_already_in_the_replay_is_not_delivered_live_again() {
        let hub = hub();
        hub.publish("r", 1, Item::Event(1));
        // The store already has seq 2 committed, not yet published.
        let (sub, mut rx) = subscriber(1, 10, 16);
        let s = hub
            .subscribe("r", sub, 2, |s| vec![Item::Initial(s.head)])
            .expect("subscribes");
        assert_eq!(s.head, 2, "the replay reaches 2");
        hub.publish("r", 2, Item::Event(2));
        hub.publish("r", 3, Item::Event(3));
        assert_eq!(drain(&mut rx), vec![Item::Initial(2), Item::Event(3)]);
    }

    #[test]
    fn closing_one_tab_keeps_the_other_tabs_typing() {
        let hub = hub();
        let (a1, _a1_rx) = subscriber(1, 1, 16);
        let (a2, _a2_rx) = subscriber(2, 1, 16);
        let (b, mut b_rx) = subscriber(3, 2, 16);
        for s in [a1, a2, b] {
            hub.subscribe("r", s, 0, |_| vec![]).expect("subscribes");
        }
        settle(&hub);
        hub.set_typing("r", 2, true, Instant::now());
        drain(&mut b_rx);
        hub.unsubscribe("r", 1);
        settle(&hub);
        assert!(drain(&mut b_rx).is_empty(), "tab 2 still types");
        hub.unsubscribe("r", 2);
        assert_eq!(drain(&mut b_rx), vec![Item::Typing(1, false)]);
        settle(&hub);
        assert_eq!(drain(&mut b_rx), vec![Item::Presence(vec![], vec![1])]);
    }

    #[tokio::test]
    async fn a_full_queue_drops_only_that_subscriber_and_tells_it_to_close_1013() {
        let hub = hub();
        let (slow, mut slow_rx) = subscriber(1, 10, 1);
        let slow_control = slow.control.clone();
        let (fast, mut fast_rx) = subscriber(2, 20, 16);
        hub.subscribe("r", slow, 0, |_| vec![]).expect("slow");
        hub.subscribe("r", fast, 0, |_| vec![]).expect("fast");
        settle(&hub);
        drain(&mut slow_rx);
        drain(&mut fast_rx);
        hub.publish("r", 1, Item::Event(1));
        hub.publish("r", 2, Item::Event(2));
        assert_eq!(hub.subscriber_count("r"), 1);
        let code = tokio::time::timeout(Duration::from_millis(100), slow_control.closed())
            .await
            .expect("told to close");
        assert_eq!(code, CLOSE_TOO_SLOW);
        assert_eq!(drain(&mut fast_rx), vec![Item::Event(1), Item::Event(2)]);
        settle(&hub);
        assert_eq!(drain(&mut fast_rx), vec![Item::Presence(vec![], vec![10])]);
    }

    #[tokio::test]
    async fn a_typist_dropped_for_a_full_queue_stops_typing_at_once() {
        let hub = hub();
        let (slow, mut slow_rx) = subscriber(1, 10, 2);
        let (fast, mut fast_rx) = subscriber(2, 20, 16);
        hub.subscribe("r", slow, 0, |_| vec![]).expect("slow");
        hub.subscribe("r", fast, 0, |_| vec![]).expect("fast");
        settle(&hub);
        let start = Instant::now();
        assert!(hub.set_typing("r", 1, true, start));
        drain(&mut slow_rx);
        drain(&mut fast_rx);
        for seq in 1..=3 {
            hub.publish("r", seq, Item::Event(seq));
        }
        assert_eq!(hub.subscriber_count("r"), 1);
        assert_eq!(
            drain(&mut fast_rx),
            vec![
                Item::Event(1),
                Item::Event(2),
                Item::Event(3),
                Item::Typing(10, false),
            ]
        );
        // The sweep announces the leave, and no typing is left to expire.
        hub.sweep(start + TYPING_TTL + Duration::from_secs(1));
        assert_eq!(drain(&mut fast_rx), vec![Item::Presence(vec![], vec![10])]);
    }

    #[test]
    fn presence_is_aggregated_per_user_across_connections() {
        let hub = hub();
        let (watcher, mut watcher_rx) = subscriber(1, 1, 16);
        hub.subscribe("r", watcher, 0, |_| vec![]).expect("watcher");
        settle(&hub);
        drain(&mut watcher_rx);
        let (tab1, _rx1) = subscriber(2, 2, 16);
        let (tab2, _rx2) = subscriber(3, 2, 16);
        let s = hub.subscribe("r", tab1, 0, |_| vec![]).expect("tab1");
        assert_eq!(s.presence, vec![user(1), user(2)]);
        assert_eq!(s.online, 2);
        hub.subscribe("r", tab2, 0, |_| vec![]).expect("tab2");
        assert!(hub.unsubscribe("r", 3));
        settle(&hub);
        assert_eq!(
            drain(&mut watcher_rx),
            vec![Item::Presence(vec![2], vec![])]
        );
        assert!(hub.unsubscribe("r", 2));
        settle(&hub);
        assert_eq!(
            drain(&mut watcher_rx),
            vec![Item::Presence(vec![], vec![2])]
        );
        assert!(!hub.unsubscribe("r", 2));
    }

    #[test]
    fn with_a_grace_period_a_quick_reconnect_announces_nothing_and_a_real_leave_comes_later() {
        let hub = Hub::new(Box::new(TestAnnouncer), Duration::from_secs(3));
        let (watcher, mut watcher_rx) = subscriber(1, 1, 16);
        hub.subscribe("r", watcher, 0, |_| vec![]).expect("watcher");
        let (tab, _rx) = subscriber(2, 2, 16);
        hub.subscribe("r", tab, 0, |_| vec![]).expect("tab");
        settle(&hub);
        drain(&mut watcher_rx);
        hub.unsubscribe("r", 2);
        let (reloaded, _rx2) = subscriber(3, 2, 16);
        hub.subscribe("r", reloaded, 0, |_| vec![])
            .expect("reloaded");
        hub.sweep(Instant::now() + Duration::from_secs(10));
        assert!(drain(&mut watcher_rx).is_empty(), "no flicker");
        hub.unsubscribe("r", 3);
        hub.sweep(Instant::now());
        assert!(drain(&mut watcher_rx).is_empty(), "not yet");
        hub.sweep(Instant::now() + Duration::from_secs(4));
        assert_eq!(
            drain(&mut watcher_rx),
            vec![Item::Presence(vec![], vec![2])]
        );
    }

    #[test]
    fn typing_is_relayed_to_others_renewed_sparingly_and_expires_by_itself() {
        let hub = hub();
        let (a, mut a_rx) = subscriber(1, 1, 16);
        let (b, mut b_rx) = subscriber(2, 2, 16);
        hub.subscribe("r", a, 0, |_| vec![]).expect("a");
        hub.subscribe("r", b, 0, |_| vec![]).expect("b");
        settle(&hub);
        drain(&mut a_rx);
        drain(&mut b_rx);
        let start = Instant::now();
        assert!(hub.set_typing("r", 1, true, start));
        assert!(hub.set_typing("r", 1, true, start + Duration::from_millis(500)));
        assert_eq!(
            drain(&mut b_rx),
            vec![Item::Typing(1, true)],
            "one relay, renewal held back"
        );
        assert!(drain(&mut a_rx).is_empty(), "not echoed to the typist");
        hub.sweep(start + Duration::from_secs(5));
        assert!(
            drain(&mut b_rx).is_empty(),
            "renewed at 0.5 s: alive until 6.5 s"
        );
        hub.sweep(start + Duration::from_secs(7));
        assert_eq!(drain(&mut b_rx), vec![Item::Typing(1, false)]);
        assert!(!hub.set_typing("r", 99, true, start), "not subscribed");
    }

    #[test]
    fn sending_or_leaving_clears_typing() {
        let hub = hub();
        let (a, _a_rx) = subscriber(1, 1, 16);
        let (b, mut b_rx) = subscriber(2, 2, 16);
        hub.subscribe("r", a, 0, |_| vec![]).expect("a");
        hub.subscribe("r", b, 0, |_| vec![]).expect("b");
        settle(&hub);
        drain(&mut b_rx);
        let start = Instant::now();
        hub.set_typing("r", 1, true, start);
        hub.clear_typing("r", 1);
        let later = start + TYPING_RELAY_INTERVAL;
        hub.set_typing("r", 1, true, later);
        hub.unsubscribe("r", 1);
        let items = drain(&mut b_rx);
        assert_eq!(
            items,
            vec![
                Item::Typing(1, true),
                Item::Typing(1, false),
                Item::Typing(1, true),
                Item::Typing(1, false),
            ]
        );
        settle(&hub);
        assert_eq!(drain(&mut b_rx), vec![Item::Presence(vec![], vec![1])]);
    }

    #[test]
    fn toggling_typing_does_not_restart_the_relay_interval() {
        let hub = hub();
        let (a, mut a_rx) = subscriber(1, 1, 16);
        let (b, mut b_rx) = subscriber(2, 2, 16);
        hub.subscribe("r", a, 0, |_| vec![]).expect("a");
        hub.subscribe("r", b, 0, |_| vec![]).expect("b");
        settle(&hub);
        drain(&mut a_rx);
        drain(&mut b_rx);
        let start = Instant::now();
        for i in 0..1000 {
            let at = start + Duration::from_micros(i);
            hub.set_typing("r", 1, true, at);
            hub.set_typing("r", 1, false, at);
        }
        assert_eq!(
            drain(&mut b_rx),
            vec![Item::Typing(1, true), Item::Typing(1, false)],
            "one start and one stop per interval"
        );
        assert_eq!(
            drain(&mut a_rx),
            vec![Item::Typing(1, false)],
            "stops go to all"
        );
        // A start within the interval is deferred, not dropped: the sweep
        // shows it once the interval is over, unless it ended meanwhile.
        hub.set_typing("r", 1, true, start + Duration::from_millis(10));
        hub.sweep(start + Duration::from_millis(500));
        assert!(drain(&mut b_rx).is_empty(), "still within the interval");
        hub.sweep(start + TYPING_RELAY_INTERVAL);
        assert_eq!(drain(&mut b_rx), vec![Item::Typing(1, true)]);
        assert!(drain(&mut a_rx).is_empty(), "not echoed to the typist");
        // A deferred start that ends before it is shown costs nothing.
        hub.set_typing("r", 1, false, start + TYPING_RELAY_INTERVAL);
        assert_eq!(drain(&mut b_rx), vec![Item::Typing(1, false)]);
        let soon = start + TYPING_RELAY_INTERVAL + Duration::from_millis(100);
        hub.set_typing("r", 1, true, soon);
        hub.set_typing("r", 1, false, soon);
        hub.sweep(soon + TYPING_RELAY_INTERVAL);
        assert!(drain(&mut b_rx).is_empty());
    }

    #[test]
    fn removing_a_user_drops_all_their_connections_with_a_notice() {
        let hub = Hub::new(Box::new(TestAnnouncer), Duration::from_secs(3));
        let (a1, mut a1_rx) = subscriber(1, 1, 16);
        let (a2, mut a2_rx) = subscriber(2, 1, 16);
        let (b, mut b_rx) = subscriber(3, 2, 16);
        for s in [a1, a2, b] {
            hub.subscribe("r", s, 0, |_| vec![]).expect("subscribes");
        }
        settle(&hub);
        drain(&mut a1_rx);
        drain(&mut a2_rx);
        drain(&mut b_rx);
        assert_eq!(hub.remove_user("r", 1, Item::Note("kicked")), 2);
        assert_eq!(drain(&mut a1_rx), vec![Item::Note("kicked")]);
        assert_eq!(drain(&mut a2_rx), vec![Item::Note("kicked")]);
        settle(&hub);
        assert_eq!(
            drain(&mut b_rx),
            vec![Item::Presence(vec![], vec![1])],
            "no grace for the removed"
        );
        hub.publish("r", 1, Item::Event(1));
        assert!(drain(&mut a1_rx).is_empty());
    }

    #[test]
    fn a_join_storm_is_announced_once_per_sweep_and_joins_that_left_cancel_out() {
        let hub = hub();
        let (watcher, mut watcher_rx) = subscriber(1, 1, 16);
        hub.subscribe("r", watcher, 0, |_| vec![]).expect("watcher");
        settle(&hub);
        drain(&mut watcher_rx);
        let mut queues = Vec::new();
        for conn in 2..=40 {
            let (s, rx) = subscriber(conn, conn as i64, 16);
            hub.subscribe("r", s, 0, |_| vec![]).expect("subscribes");
            queues.push(rx);
        }
        hub.unsubscribe("r", 40);
        assert!(
            drain(&mut watcher_rx).is_empty(),
            "nothing before the sweep"
        );
        settle(&hub);
        assert_eq!(
            drain(&mut watcher_rx),
            vec![Item::Presence((2..40).collect(), vec![])],
            "one announcement; the one who came and went is not in it"
        );
    }

    #[test]
    fn a_storm_larger_than_a_frame_names_the_newest_changes_and_the_exact_count() {
        let hub = hub();
        let (watcher, mut watcher_rx) = subscriber(1, 1, 16);
        hub.subscribe("r", watcher, 0, |_| vec![])
            .expect("subscribes");
        settle(&hub);
        drain(&mut watcher_rx);
        let mut queues = Vec::new();
        let last = PRESENCE_CHANGES_MAX as u64 + 70;
        for conn in 2..=last {
            let (s, rx) = subscriber(conn, conn as i64, 16);
            hub.subscribe("r", s, 0, |_| vec![]).expect("subscribes");
            queues.push(rx);
        }
        settle(&hub);
        let newest = (last - PRESENCE_CHANGES_MAX as u64 + 1) as i64..=last as i64;
        assert_eq!(
            drain(&mut watcher_rx),
            vec![Item::Sampled(newest.collect(), vec![], last as usize)],
            "one bounded frame, with everyone counted"
        );
    }

    #[test]
    fn connections_that_show_no_presence_or_typing_are_not_woken_for_them() {
        let hub = hub();
        let (mut seed, mut seed_rx) = subscriber(1, 1, 16);
        seed.ephemeral = false;
        let (v1, _v1_rx) = subscriber(2, 2, 16);
        hub.subscribe("r", seed, 0, |_| vec![]).expect("seed");
        hub.subscribe("r", v1, 0, |_| vec![]).expect("v1");
        hub.set_typing("r", 2, true, Instant::now());
        settle(&hub);
        hub.publish("r", 1, Item::Event(1));
        assert_eq!(drain(&mut seed_rx), vec![Item::Event(1)]);
    }

    #[test]
    fn the_presence_snapshot_is_capped_and_says_how_many_are_online() {
        let hub = hub();
        let mut queues = Vec::new();
        for conn in 1..=(PRESENCE_SNAPSHOT_MAX as u64 + 50) {
            let (s, rx) = subscriber(conn, conn as i64, 4);
            hub.subscribe("r", s, 0, |_| vec![]).expect("subscribes");
            queues.push(rx);
        }
        let (last, _rx) = subscriber(10_000, 10_000, 4);
        let s = hub.subscribe("r", last, 0, |_| vec![]).expect("last");
        assert_eq!(s.presence.len(), PRESENCE_SNAPSHOT_MAX);
        assert_eq!(s.online, PRESENCE_SNAPSHOT_MAX + 51);
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
        hub.publish_ephemeral("r", Item::Note("hello"), Some(1));
        hub.publish_ephemeral("nowhere", Item::Note("lost"), None);
        assert!(drain(&mut a_rx).is_empty());
        assert_eq!(drain(&mut b_rx), vec![Item::Note("hello")]);
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
