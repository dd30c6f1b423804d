//! Latency histograms (HDR, so the tail is exact to 3 significant digits at
//! any scale) and the percentile summary the JSON line carries.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// The largest latency recorded: an hour, in microseconds. Longer values are
/// clamped to it (`saturating_record`), which no bounded run reaches.
const HIGHEST_US: u64 = 3_600_000_000;

/// An empty histogram of microseconds, 1 µs to an hour, 3 significant digits
/// (about 25 KiB whatever the number of samples).
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

/// Records one latency given in nanoseconds.
pub fn record_ns(histogram: &mut Histogram<u64>, nanos: u64) {
    histogram.saturating_record((nanos / 1000).max(1));
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
        record_ns(&mut h, 5_000_000_000_000_000);
        let p = Percentiles::of(&h);
        assert_eq!(p.count, 1001);
        assert_eq!(p.min, 1);
        assert!((499..=501).contains(&p.p50), "{p:?}");
        assert!((899..=901).contains(&p.p90), "{p:?}");
        // The clamped outlier is the maximum, to 3 significant digits.
        assert!(p.max >= HIGHEST_US - HIGHEST_US / 1000, "{p:?}");
        assert_eq!(micros(Duration::from_nanos(10)), 1);
    }
}
