//! Costs of the hub. `publish_and_drain`: publishing one pre-serialized
//! event to every subscriber of a room, then draining their queues in place
//! (no task is woken: a lower bound). `publish_and_wake`: the same with one
//! tokio task per subscriber parked on its queue, as the writers are, timed
//! until every task has its event: the wake-ups and the scheduler included,
//! which is what a delivery costs in the server. `join_storm`: N connections subscribing to one room one
//! after another, with the presence each join causes delivered and drained,
//! and the hub's 250 ms sweep run as the server does; the time per join must
//! stay flat as N grows (a join that wakes every other connection makes the
//! storm quadratic). Run with `cargo bench -p webchat-core --bench fanout`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tokio::sync::mpsc;
use webchat_core::hub::{Announcer, Control, Hub, Subscriber};
use webchat_core::model::User;

struct Silent;

impl Announcer<Arc<str>> for Silent {
    fn presence(&self, _: &str, _: &[User], _: &[User], _: usize, _: bool) -> Arc<str> {
        Arc::from("presence")
    }
    fn typing(&self, _: &str, _: &User, _: bool) -> Arc<str> {
        Arc::from("typing")
    }
}

fn fanout(c: &mut Criterion) {
    let mut group = c.benchmark_group("publish_and_drain");
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    for subscribers in [100usize, 1_000, 10_000] {
        let hub = Hub::new(Box::new(Silent), Duration::ZERO);
        let mut queues = Vec::with_capacity(subscribers);
        for conn in 0..subscribers {
            queues.push(join(&hub, conn, 4));
        }
        // Presence announcements queued while subscribing are not part of the measurement.
        for rx in &mut queues {
            while rx.try_recv().is_ok() {}
        }
        let event: Arc<str> = Arc::from(r#"{"type":"event","room":"room","seq":1,"body":"hello"}"#);
        let mut seq = 0;
        group.throughput(Throughput::Elements(subscribers as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(subscribers),
            &subscribers,
            |b, _| {
                b.iter(|| {
                    seq += 1;
                    hub.publish("room", seq, event.clone());
                    for rx in &mut queues {
                        black_box(rx.try_recv().ok());
                    }
                });
            },
        );
    }
    group.finish();
}

/// Publishes to `subscribers` writer-like tasks on a current-thread runtime
/// (the server runs on one core in the benchmarks) and waits until each has
/// received the event.
fn publish_and_wake(c: &mut Criterion) {
    let mut group = c.benchmark_group("publish_and_wake");
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    for subscribers in [100usize, 1_000, 10_000] {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let hub = Arc::new(Hub::new(Box::new(Silent), Duration::ZERO));
        let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let all_in = Arc::new(tokio::sync::Notify::new());
        runtime.block_on(async {
            for conn in 0..subscribers {
                let mut rx = join(&hub, conn, 512);
                let (received, all_in) = (received.clone(), all_in.clone());
                tokio::spawn(async move {
                    while let Some(item) = rx.recv().await {
                        black_box(item);
                        let count = received.fetch_add(1, std::sync::atomic::Ordering::AcqRel) + 1;
                        if count == subscribers {
                            all_in.notify_one();
                        }
                    }
                });
            }
            // Let the tasks park on their queues.
            tokio::task::yield_now().await;
        });
        let event: Arc<str> = Arc::from(r#"{"type":"event","room":"room","seq":1,"body":"hello"}"#);
        let mut seq = 0;
        group.throughput(Throughput::Elements(subscribers as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(subscribers),
            &subscribers,
            |b, _| {
                b.iter(|| {
                    runtime.block_on(async {
                        received.store(0, std::sync::atomic::Ordering::Release);
                        seq += 1;
                        hub.publish("room", seq, event.clone());
                        all_in.notified().await;
                    });
                });
            },
        );
    }
    group.finish();
}

/// Subscribes connection `conn` (user `conn`) to `room` with a queue of `capacity`.
fn join(hub: &Hub<Arc<str>>, conn: usize, capacity: usize) -> mpsc::Receiver<Arc<str>> {
    let (tx, rx) = mpsc::channel(capacity);
    let subscriber = Subscriber {
        conn: conn as u64,
        user: user(conn),
        tx,
        control: Control::new(),
        ephemeral: true,
    };
    hub.subscribe("room", subscriber, 0, |_| Vec::new())
        .expect("subscribes");
    rx
}

fn user(id: usize) -> User {
    User {
        id: id as i64,
        name: format!("u{id}"),
        guest: true,
        seed: false,
        username: None,
        admin: false,
    }
}

/// Subscribes `n` connections to a fresh room, sweeping every `per_tick`
/// joins (the server sweeps every 250 ms, and a storm brings many joins per
/// sweep) and then draining every queue, as the writers would. Returns the
/// items delivered, which shows the shape: N²/2 when every join is told to
/// every connection at once.
fn join_storm_once(n: usize, per_tick: usize) -> usize {
    let hub = Hub::new(Box::new(Silent), Duration::ZERO);
    let mut queues: Vec<mpsc::Receiver<Arc<str>>> = Vec::with_capacity(n);
    let mut delivered = 0;
    for conn in 0..n {
        queues.push(join(&hub, conn, 512));
        if conn % per_tick == per_tick - 1 {
            hub.sweep(std::time::Instant::now());
            // The writers of the connections that got something drain them.
            for rx in &mut queues {
                while rx.try_recv().is_ok() {
                    delivered += 1;
                }
            }
        }
    }
    delivered
}

fn join_storm(c: &mut Criterion) {
    let mut group = c.benchmark_group("join_storm");
    group.measurement_time(Duration::from_secs(4));
    group.sample_size(10);
    for n in [500usize, 1_000, 2_000] {
        println!("join_storm/{n}: {} items delivered", join_storm_once(n, 50));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| black_box(join_storm_once(n, 50)));
        });
    }
    group.finish();
}

criterion_group!(benches, fanout, publish_and_wake, join_storm);
criterion_main!(benches);
