//! `webchat bench` against the real server: each test starts one on port 0
//! with a throwaway data folder (raised limits, as a benchmarked server
//! would have them), runs a tiny scenario and checks its report.

use serde_json::Value;
use tokio::sync::oneshot;
use webchat_server::{Application, Config};

/// A running server and the means to stop it.
struct Server {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _data: tempfile::TempDir,
}

async fn server(raised_limits: bool) -> Server {
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(data.path().to_path_buf());
    if raised_limits {
        config.limits.rate_per_s = 100_000;
        config.limits.burst = 100_000;
        config.sign_ins_per_minute = 100_000;
        config.quotas.rooms_per_hour = 100_000;
        config.quotas.rooms_per_hour_per_address = 100_000;
    }
    let app = Application::build(config).await.expect("server builds");
    let url = format!("http://{}", app.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    Server {
        url,
        stop: Some(stop),
        task,
        _data: data,
    }
}

impl Server {
    async fn bench(&self, args: &[&str]) -> Value {
        let mut argv = vec!["bench", "--quiet", "--url", &self.url, "--duration", "20"];
        argv.extend_from_slice(args);
        let args = webchat_bench::parse_args(argv).expect("arguments parse");
        let report = webchat_bench::run(args).await.expect("the run completes");
        serde_json::from_str(&report.json_line()).expect("the JSON line parses")
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task
            .await
            .expect("server task joins")
            .expect("server exits cleanly");
    }
}

/// The fields docs/bench.md documents, and the percentiles of each summary.
fn assert_documented_shape(report: &Value) {
    for field in [
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
        "loss",
        "duplicates",
        "reordered",
        "connect_failures",
        "errors",
        "closes",
        "server",
    ] {
        assert!(report.get(field).is_some(), "missing {field}: {report}");
    }
    for summary in [
        "latency_us",
        "ack_latency_us",
        "connect_us",
        "ready_us",
        "reconnect_us",
    ] {
        for field in ["count", "min", "p50", "p90", "p99", "p999", "max", "mean"] {
            assert!(
                report[summary][field].is_number(),
                "{summary}.{field}: {report}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_fanout_loses_nothing_in_either_dialect() {
    let server = server(true).await;
    for dialect in ["v1", "seed"] {
        let report = server
            .bench(&[
                "--dialect",
                dialect,
                "fanout",
                "--receivers",
                "5",
                "--senders",
                "2",
                "--messages",
                "25",
            ])
            .await;
        assert_documented_shape(&report);
        assert_eq!(report["scenario"], "fanout");
        assert_eq!(report["dialect"], dialect);
        assert_eq!(report["connections"], 7, "{report}");
        assert_eq!(report["sent"], 50, "{report}");
        assert_eq!(report["committed"], 50, "{report}");
        assert_eq!(report["expected_deliveries"], 250, "{report}");
        assert_eq!(report["deliveries"], 250, "{report}");
        assert_eq!(report["loss"], 0, "{report}");
        assert_eq!(report["duplicates"], 0, "{report}");
        assert_eq!(report["latency_us"]["count"], 250, "{report}");
        assert_eq!(report["ready_us"]["count"], 5, "{report}");
        assert!(report["deliveries_per_s"].as_f64().expect("number") > 0.0);
        assert_eq!(report["errors"], serde_json::json!({}), "{report}");
        assert!(report["server"].is_null());
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fanout_over_many_rooms_delivers_each_message_to_its_room_only() {
    let server = server(true).await;
    // 6 rooms of 2 receivers; sender 0 writes to rooms 0, 2, 4, sender 1 to
    // 1, 3, 5: each message reaches the two receivers of its room.
    let report = server
        .bench(&[
            "fanout",
            "--rooms",
            "6",
            "--receivers",
            "12",
            "--senders",
            "2",
            "--messages",
            "30",
        ])
        .await;
    assert_documented_shape(&report);
    assert_eq!(report["connections"], 14, "{report}");
    assert_eq!(report["committed"], 60, "{report}");
    assert_eq!(report["expected_deliveries"], 120, "{report}");
    assert_eq!(report["deliveries"], 120, "{report}");
    assert_eq!(report["loss"], 0, "{report}");
    assert_eq!(report["duplicates"], 0, "{report}");
    assert_eq!(report["errors"], serde_json::json!({}), "{report}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mass_reconnect_with_since_misses_nothing() {
    let server = server(true).await;
    let report = server
        .bench(&["churn", "--clients", "5", "--cycles", "2", "--missed", "30"])
        .await;
    assert_documented_shape(&report);
    assert_eq!(report["committed"], 30, "{report}");
    assert_eq!(report["deliveries"], 150, "{report}");
    assert_eq!(report["loss"], 0, "{report}");
    assert_eq!(report["duplicates"], 0, "{report}");
    assert_eq!(report["ready_us"]["count"], 10, "{report}");
    assert_eq!(report["reconnect_us"]["count"], 5, "{report}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_default_limits_answers_rate_limited_and_it_is_counted() {
    let server = server(false).await;
    // One sender, more than the default burst of 20, flat out.
    let report = server
        .bench(&[
            "durable",
            "--senders",
            "1",
            "--messages",
            "60",
            "--window",
            "60",
        ])
        .await;
    assert_documented_shape(&report);
    assert_eq!(report["sent"], 60, "{report}");
    let limited = report["errors"]["rate_limited"].as_u64().unwrap_or(0);
    assert!(limited > 0, "{report}");
    assert_eq!(report["committed"].as_u64(), Some(60 - limited), "{report}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_timed_and_the_server_is_measured() {
    let server = server(true).await;
    // The server runs in this process, so this process is the one measured.
    let pid = std::process::id().to_string();
    for dialect in ["v1", "seed"] {
        let report = server
            .bench(&[
                "--dialect",
                dialect,
                "--server-pid",
                &pid,
                "idle",
                "--connections",
                "10",
                "--hold",
                "1",
            ])
            .await;
        assert_documented_shape(&report);
        assert_eq!(report["connections"], 10, "{report}");
        assert_eq!(report["connect_us"]["count"], 10, "{report}");
        assert_eq!(report["ready_us"]["count"], 10, "{report}");
        assert_eq!(report["closes"], serde_json::json!({}), "{report}");
        let usage = &report["server"];
        for field in [
            "pid",
            "cpu_s",
            "setup_cpu_s",
            "rss_before_kib",
            "rss_loaded_kib",
            "rss_after_kib",
            "rss_per_connection_kib",
        ] {
            assert!(usage[field].is_number(), "server.{field}: {report}");
        }
        assert!(usage["rss_after_kib"].as_u64().expect("rss") > 0);
    }
    server.stop().await;
}
