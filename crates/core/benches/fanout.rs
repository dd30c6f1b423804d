//! Fan-out cost of the hub: publishing one pre-serialized event to every
//! subscriber of a room, then draining their queues (what the writers do).
//! Run with `cargo bench -p webchat-core --bench fanout`; compare the
//! per-subscriber time across room sizes (it should stay flat).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tokio::sync::mpsc;
use webchat_core::hub::{Announcer, Control, Hub, Subscriber};
use webchat_core::model::User;

struct Silent;

impl Announcer<Arc<str>> for Silent {
    fn presence(&self, _: &str, _: &[User], _: &[User]) -> Arc<str> {
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
            let (tx, rx) = mpsc::channel(4);
            let user = User {
                id: conn as i64,
                name: format!("u{conn}"),
                guest: true,
                seed: false,
                username: None,
                admin: false,
            };
            let subscriber = Subscriber {
                conn: conn as u64,
                user,
                tx,
                control: Control::new(),
            };
            hub.subscribe("room", subscriber, 0, |_| Vec::new())
                .expect("subscribes");
            queues.push(rx);
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

criterion_group!(benches, fanout);
criterion_main!(benches);
