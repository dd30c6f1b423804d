//! Counts shared by every connection task of a run: error codes (from `error`
//! frames and REST error bodies), close codes, and failed set-ups.
//!
//! A std `Mutex` around small maps: it is taken only for an error or a close,
//! never across an `.await`. The maps are bounded: the protocol has a fixed
//! set of codes, and anything past [`MAX_KEYS`] distinct keys is counted
//! under `other`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinct keys per map; a misbehaving server cannot grow them further.
const MAX_KEYS: usize = 64;

#[derive(Debug, Default)]
pub struct Counters {
    errors: Mutex<BTreeMap<String, u64>>,
    closes: Mutex<BTreeMap<String, u64>>,
    connect_failures: AtomicU64,
}

impl Counters {
    /// An `error` frame or REST error with this protocol code (or
    /// `http_<status>` when the body named none).
    pub fn error(&self, code: &str) {
        bump(&self.errors, code);
    }

    /// A connection closed by the server with this close code (`none` for a
    /// close without one, `abnormal` for a dropped socket).
    pub fn close(&self, code: &str) {
        bump(&self.closes, code);
    }

    pub fn connect_failure(&self) {
        self.connect_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub fn errors(&self) -> BTreeMap<String, u64> {
        snapshot(&self.errors)
    }

    pub fn closes(&self) -> BTreeMap<String, u64> {
        snapshot(&self.closes)
    }

    pub fn connect_failures(&self) -> u64 {
        self.connect_failures.load(Ordering::Relaxed)
    }
}

fn bump(map: &Mutex<BTreeMap<String, u64>>, key: &str) {
    // A poisoned lock only means another task panicked mid-increment; the
    // counts are still usable.
    let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = if map.contains_key(key) || map.len() < MAX_KEYS {
        key
    } else {
        "other"
    };
    *map.entry(key.to_owned()).or_default() += 1;
}

fn snapshot(map: &Mutex<BTreeMap<String, u64>>) -> BTreeMap<String, u64> {
    map.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_counted_and_bounded() {
        let counters = Counters::default();
        counters.error("rate_limited");
        counters.error("rate_limited");
        for i in 0..100 {
            counters.close(&i.to_string());
        }
        assert_eq!(counters.errors()["rate_limited"], 2);
        let closes = counters.closes();
        assert_eq!(closes.len(), MAX_KEYS + 1);
        assert_eq!(closes["other"], 100 - MAX_KEYS as u64);
    }
}
