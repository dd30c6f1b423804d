//! Latency histograms (HDR, so the tail is exact to 3 significant digits at
//! any scale) and the percentile summary the JSON line carries.

use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// The largest latency recorded: an hour, in microseconds. Longer values are
/// clamped to it (`saturating_record`), which no bounded run reaches.
const HIGHEST_US: u64 = 3_600_000_000;

/// An empty histogram of microseconds, 1 µs to an hour, 3 significant digits
/// (23 552 counters, 184 KiB, whatever the number of samples).
pub fn histogram() -> Histogram<u64> {
    // Constant bounds that `new_with_bounds` accepts (low ≥ 1, high ≥ 2 ×
    // low, sigfig ≤ 5): this cannot fail.
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid constant bounds")
}

/// A duration in whole microseconds, at least 1 (the histogram's floor).
pub fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Histograms shared by many recording tasks (receivers, senders): a fixed
/// number of shards, so memory does not grow with the connections (one
/// histogram each would be 184 KiB × 20 000 receivers), and a task seldom
/// waits for another's record. A std `Mutex`: held for one increment, never
/// across an `.await`.
pub struct Shards {
    shards: Vec<Mutex<Histogram<u64>>>,
}

impl Shards {
    /// Enough shards that tasks on every core rarely meet.
    pub const COUNT: usize = 16;

    pub fn new() -> Shards {
        Shards {
            shards: (0..Self::COUNT).map(|_| Mutex::new(histogram())).collect(),
        }
    }

    /// Records `micros` into the shard of task `index`.
    pub fn record_us(&self, index: usize, micros: u64) {
        if let Some(shard) = self.shards.get(index % Self::COUNT) {
            // A poisoned shard (a panicked task) still holds valid counts.
            shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .saturating_record(micros.max(1));
        }
    }

    /// All shards as one histogram.
    pub fn merged(&self) -> Histogram<u64> {
        let mut all = histogram();
        for shard in &self.shards {
            let shard = shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // Same bounds everywhere, so adding cannot fail.
            let _ = all.add(&*shard);
        }
        all
    }
}

impl Default for Shards {
    fn default() -> Self {
        Shards::new()
    }
}

/// The summary of one histogram, in microseconds. All zero when empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub count: u64,
    pub min: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub mean: f64,
}

impl Percentiles {
    pub fn of(histogram: &Histogram<u64>) -> Percentiles {
        if histogram.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            count: histogram.len(),
            min: histogram.min(),
            p50: histogram.value_at_quantile(0.50),
            p90: histogram.value_at_quantile(0.90),
            p99: histogram.value_at_quantile(0.99),
            p999: histogram.value_at_quantile(0.999),
            max: histogram.max(),
            mean: (histogram.mean() * 10.0).round() / 10.0,
        }
    }

    /// `p50 1.2 ms, p99 …` for the human summary.
    pub fn human(&self) -> String {
        if self.count == 0 {
            return "none".to_owned();
        }
        format!(
            "p50 {} p90 {} p99 {} p99.9 {} max {} (n={})",
            human_us(self.p50),
            human_us(self.p90),
            human_us(self.p99),
            human_us(self.p999),
            human_us(self.max),
            self.count
        )
    }
}

fn human_us(us: u64) -> String {
    match us {
        0..1_000 => format!("{us}µs"),
        1_000..1_000_000 => format!("{:.2}ms", us as f64 / 1e3),
        _ => format!("{:.2}s", us as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_histogram_summarises_to_zeros() {
        assert_eq!(Percentiles::of(&histogram()), Percentiles::default());
        assert_eq!(Percentiles::default().human(), "none");
    }

    #[test]
    fn percentiles_follow_the_samples() {
        let mut h = histogram();
        for us in 1..=1000 {
            h.saturating_record(us);
        }
        h.saturating_record(5_000_000_000_000);
        let p = Percentiles::of(&h);
        assert_eq!(p.count, 1001);
        assert_eq!(p.min, 1);
        assert!((499..=501).contains(&p.p50), "{p:?}");
        assert!((899..=901).contains(&p.p90), "{p:?}");
        // The clamped outlier is the maximum, to 3 significant digits.
        assert!(p.max >= HIGHEST_US - HIGHEST_US / 1000, "{p:?}");
        assert_eq!(micros(Duration::from_nanos(10)), 1);
    }

    #[test]
    fn shards_merge_into_one_histogram() {
        let shards = Shards::new();
        for task in 0..100 {
            shards.record_us(task, 10);
        }
        shards.record_us(3, 0);
        let all = shards.merged();
        assert_eq!(all.len(), 101);
        assert_eq!(all.min(), 1);
        assert_eq!(all.max(), 10);
    }
}
