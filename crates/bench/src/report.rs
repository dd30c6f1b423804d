//! The outcome of a run: one JSON line (stdout, for scripts and the
//! "median of 3" comparisons) and a human summary (stderr).
//!
//! Every field is present in every scenario (zeros where it does not apply),
//! so a consumer reads one shape; `server` is `null` without `--server-pid`.
//! Times are microseconds (`*_us`), memory KiB, CPU seconds.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::server_usage::ServerUsage;
use crate::stats::Percentiles;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    pub dialect: String,
    pub url: String,
    /// The scenario's flags as used (defaults filled in).
    pub params: serde_json::Value,
    /// Connections set up (receivers, senders, idle or churning clients).
    pub connections: u64,
    /// Length of the measured phase, seconds.
    pub elapsed_s: f64,
    /// Messages written by senders.
    pub sent: u64,
    /// Messages the server took: acked (v1) or echoed to their seed sender.
    pub committed: u64,
    pub committed_per_s: f64,
    /// Distinct messages received, over all receivers.
    pub deliveries: u64,
    /// `committed` × receivers: what `deliveries` is without loss.
    pub expected_deliveries: u64,
    pub deliveries_per_s: f64,
    /// Send to receipt, over every delivery.
    pub latency_us: Percentiles,
    /// Send to `ack` (v1) or to the sender's own echo (seed).
    pub ack_latency_us: Percentiles,
    /// Committed messages some receiver never got (summed over receivers).
    pub loss: u64,
    pub duplicates: u64,
    /// Arrivals after a higher seq of the same sender.
    pub reordered: u64,
    /// Upgrade (TCP + HTTP) time of each connection.
    pub connect_us: Percentiles,
    /// From the start of the upgrade to `subscribed` (v1) or the upgrade's
    /// end (seed): when the connection can receive.
    pub ready_us: Percentiles,
    /// Churn: from the start of a reconnect with `since` until every missed
    /// message was received.
    pub reconnect_us: Percentiles,
    pub connect_failures: u64,
    /// `error` frames and REST errors by code (`rate_limited`, …).
    pub errors: BTreeMap<String, u64>,
    /// Connections the server closed, by close code.
    pub closes: BTreeMap<String, u64>,
    pub server: Option<ServerUsage>,
}

impl Report {
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// A few lines for people; the JSON line has everything.
    pub fn human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} ({}) against {}: {} connections, {:.2} s measured",
            self.scenario, self.dialect, self.url, self.connections, self.elapsed_s
        );
        if self.sent > 0 {
            let _ = writeln!(
                out,
                "  sent {}, committed {} ({:.0}/s); ack {}",
                self.sent,
                self.committed,
                self.committed_per_s,
                self.ack_latency_us.human()
            );
        }
        if self.expected_deliveries > 0 {
            let _ = writeln!(
                out,
                "  delivered {}/{} ({:.0}/s), loss {}, duplicates {}, reordered {}",
                self.deliveries,
                self.expected_deliveries,
                self.deliveries_per_s,
                self.loss,
                self.duplicates,
                self.reordered
            );
            if self.latency_us.count > 0 {
                let _ = writeln!(out, "  latency {}", self.latency_us.human());
            }
        }
        let _ = writeln!(out, "  connect {}", self.connect_us.human());
        let _ = writeln!(out, "  ready   {}", self.ready_us.human());
        if self.reconnect_us.count > 0 {
            let _ = writeln!(out, "  reconnect with since {}", self.reconnect_us.human());
        }
        if self.connect_failures > 0 || !self.errors.is_empty() || !self.closes.is_empty() {
            let _ = writeln!(
                out,
                "  failed set-ups {}, errors {:?}, closes {:?}",
                self.connect_failures, self.errors, self.closes
            );
        }
        if let Some(server) = &self.server {
            let _ = writeln!(
                out,
                "  server {}: {:.3} CPU s measured ({:.3} in set-up), RSS {} → {} → {} KiB ({:.1} KiB per connection)",
                server.pid,
                server.cpu_s,
                server.setup_cpu_s,
                server.rss_before_kib,
                server.rss_loaded_kib,
                server.rss_after_kib,
                server.rss_per_connection_kib
            );
        }
        if self.rate_limited() > 0 {
            let _ = writeln!(
                out,
                "hint: the server refused {} requests as rate_limited (429): its per-address \
                 sign-in limit or per-user write budget is spent. Benchmark a server started with \
                 raised limits, e.g. `webchat serve --sign-ins-per-minute 1000000 --rate-per-s \
                 1000000 --burst 1000000` (docs/bench.md).",
                self.rate_limited()
            );
        }
        out
    }

    pub fn rate_limited(&self) -> u64 {
        self.errors.get("rate_limited").copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The documented fields (docs/bench.md), in this shape.
    const FIELDS: &[&str] = &[
        "scenario",
        "dialect",
        "url",
        "params",
        "connections",
        "elapsed_s",
        "sent",
        "committed",
        "committed_per_s",
        "deliveries",
        "expected_deliveries",
        "deliveries_per_s",
        "latency_us",
        "ack_latency_us",
        "loss",
        "duplicates",
        "reordered",
        "connect_us",
        "ready_us",
        "reconnect_us",
        "connect_failures",
        "errors",
        "closes",
        "server",
    ];

    fn report() -> Report {
        Report {
            scenario: "fanout".into(),
            dialect: "v1".into(),
            url: "http://127.0.0.1:8000".into(),
            params: serde_json::json!({"receivers": 1}),
            connections: 3,
            elapsed_s: 1.5,
            sent: 10,
            committed: 9,
            committed_per_s: 6.0,
            deliveries: 9,
            expected_deliveries: 9,
            deliveries_per_s: 6.0,
            latency_us: Percentiles::default(),
            ack_latency_us: Percentiles::default(),
            loss: 0,
            duplicates: 0,
            reordered: 0,
            connect_us: Percentiles::default(),
            ready_us: Percentiles::default(),
            reconnect_us: Percentiles::default(),
            connect_failures: 0,
            errors: BTreeMap::from([("rate_limited".to_owned(), 1)]),
            closes: BTreeMap::new(),
            server: None,
        }
    }

    #[test]
    fn the_json_line_has_every_documented_field_and_percentile() {
        let line = report().json_line();
        assert!(!line.contains('\n'));
        let value: Value = serde_json::from_str(&line).expect("json");
        let object = value.as_object().expect("object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        let mut want = FIELDS.to_vec();
        keys.sort_unstable();
        want.sort_unstable();
        assert_eq!(keys, want);
        for field in ["p50", "p90", "p99", "p999", "max", "min", "mean", "count"] {
            assert!(value["latency_us"][field].is_number(), "{field}");
        }
        assert!(value["server"].is_null());
        assert_eq!(value["errors"]["rate_limited"], 1);
        let back: Report = serde_json::from_str(&line).expect("round trip");
        assert_eq!(back, report());
    }

    #[test]
    fn the_summary_hints_at_raised_limits_when_rate_limited() {
        assert!(report().human().contains("--sign-ins-per-minute"));
    }
}
