//! The `webchat` binary as a process: its command line, its signals, and
//! what survives a SIGKILL.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const BINARY: &str = env!("CARGO_BIN_EXE_webchat");
const WAIT: Duration = Duration::from_secs(10);

struct Server {
    child: Child,
    addr: String,
    /// Everything the server wrote to stdout (its logs), as it comes.
    output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// Sends `signal` (`-TERM`, `-INT`) to the server.
    fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .expect("kill runs")
                .success()
        );
    }

    /// Waits for the process to end; true when it exited with status 0.
    fn wait_exit(&mut self, within: Duration) -> bool {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.success();
            }
            assert!(started.elapsed() < within, "exits within {within:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `webchat serve` on a free loopback port and waits for its "listening" line.
fn start(data_dir: &std::path::Path, extra_env: &[(&str, &str)]) -> Server {
    start_on("127.0.0.1:0", data_dir, extra_env)
}

/// Starts `webchat serve` on `addr` and waits for its "listening" line.
fn start_on(addr: &str, data_dir: &std::path::Path, extra_env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(BINARY);
    command
        .args(["serve", "--addr", addr, "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("webchat starts");
    let stdout = child.stdout.take().expect("stdout");
    let (found, lines) = std::sync::mpsc::channel();
    let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let collected = output.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(mut all) = collected.lock() {
                all.push(line.clone());
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                // Human and JSON logs alike: the address is the run of host:port characters.
                let addr: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect();
                let _ = found.send(addr);
            }
        }
    });
    let addr = lines
        .recv_timeout(WAIT)
        .expect("the server reports its address");
    Server {
        child,
        addr,
        output,
    }
}

async fn guest(addr: &str, name: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/auth/guest"))
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn recv(ws: &mut Socket, accept: impl Fn(&Value) -> bool) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("ok");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).expect("json");
            if accept(&value) {
                return value;
            }
        }
    }
}

async fn signed_in_socket(addr: &str, token: &str) -> Socket {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/ws"))
        .await
        .expect("connects");
    ws.send(Message::text(
        json!({"type": "hello", "token": token}).to_string(),
    ))
    .await
    .expect("send");
    recv(&mut ws, |f| f["type"] == "welcome").await;
    ws
}

#[test]
fn help_and_version_answer() {
    let help = Command::new(BINARY).arg("--help").output().expect("runs");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("serve"), "{text}");
    let serve_help = Command::new(BINARY)
        .args(["serve", "--help"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&serve_help.stdout);
    for flag in [
        "--addr",
        "--data-dir",
        "--allow-origin",
        "--no-guests",
        "--log-format",
        "--session-idle-days",
        "--session-max-age-days",
        "--public-url",
        "--database-url",
        "WEBCHAT_DATABASE_URL",
        "WEBCHAT_ADDR",
        "WEBCHAT_PUBLIC_URL",
    ] {
        assert!(text.contains(flag), "{flag} in {text}");
    }
    let version = Command::new(BINARY)
        .arg("--version")
        .output()
        .expect("runs");
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_bad_flag_is_an_error_not_a_panic() {
    let output = Command::new(BINARY)
        .args(["serve", "--addr", "nowhere"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value"));
    for (flag, value, why) in [
        (
            "--public-url",
            "https://chat.example.com/app",
            "no path or user",
        ),
        ("--public-url", "chat.example.com", "https:// or http://"),
        ("--session-idle-days", "0", "invalid value"),
    ] {
        let output = Command::new(BINARY)
            .args(["serve", flag, value])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(why), "{flag} {value}: {stderr}");
    }
}

#[test]
fn a_database_url_that_cannot_be_opened_stops_the_start_without_showing_its_password() {
    let data = tempfile::tempdir().expect("temp dir");
    let output = Command::new(BINARY)
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env(
            "WEBCHAT_DATABASE_URL",
            "postgres://chat:hunter2@127.0.0.1:1/chat",
        )
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    // Port 1: nothing listens there.
    assert!(
        stderr.contains("postgres://chat:***@127.0.0.1:1/chat"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let output = Command::new(BINARY)
        .args(["serve", "--database-url", "mysql://h/db"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "a bad URL is a usage error");
    assert!(String::from_utf8_lossy(&output.stderr).contains("sqlite://"));
}

#[tokio::test]
async fn a_message_acked_before_sigkill_is_there_after_restart() {
    let data = tempfile::tempdir().expect("temp dir");
    acked_survives_sigkill(data.path(), &[]).await;
}

/// The same on PostgreSQL, in a database of its own: the whole server runs
/// on the store `--database-url` names.
#[tokio::test]
async fn on_postgres_a_message_acked_before_sigkill_is_there_after_restart() {
    webchat_store_postgres::scratch::with_database(|url| async move {
        let data = tempfile::tempdir().expect("temp dir");
        acked_survives_sigkill(data.path(), &[("WEBCHAT_DATABASE_URL", &url)]).await;
        assert!(
            !data.path().join("webchat.db").exists(),
            "the data folder's SQLite is not used"
        );
    })
    .await;
}

/// Sends a message, SIGKILLs the server once it is acked, restarts it and
/// finds the message last in the lobby with the acked seq.
async fn acked_survives_sigkill(data: &std::path::Path, env: &[(&str, &str)]) {
    let mut server = start(data, env);
    let token = guest(&server.addr, "ann").await;
    let mut ws = signed_in_socket(&server.addr, &token).await;
    ws.send(Message::text(
        json!({"type": "subscribe", "room": "lobby"}).to_string(),
    ))
    .await
    .expect("send");
    recv(&mut ws, |f| f["type"] == "subscribed").await;
    ws.send(Message::text(
        json!({"type": "send", "room": "lobby", "body": "durable", "nonce": "k1", "req": 1})
            .to_string(),
    ))
    .await
    .expect("send");
    let ack = recv(&mut ws, |f| f["type"] == "ack").await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    drop(server);

    let server = start(data, env);
    let history: Value = reqwest::Client::new()
        .get(format!("http://{}/api/v1/rooms/lobby/events", server.addr))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let last = history["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("an event");
    assert_eq!(last["body"], "durable");
    assert_eq!(last["seq"], ack["seq"]);
}

#[tokio::test]
async fn sigterm_says_bye_closes_1001_and_exits_0_within_5_seconds() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut server = start(data.path(), &[("WEBCHAT_LOG_FORMAT", "json")]);
    let token = guest(&server.addr, "ann").await;
    let mut ws = signed_in_socket(&server.addr, &token).await;
    // An HTTP request that never finishes its body must not hold the exit.
    let mut stalled = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connects");
    let head = format!(
        "POST /api/v1/auth/guest HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n{{\"name\":",
        server.addr
    );
    tokio::io::AsyncWriteExt::write_all(&mut stalled, head.as_bytes())
        .await
        .expect("writes");
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.signal("-TERM");
    let bye = recv(&mut ws, |f| f["type"] == "bye").await;
    assert_eq!(bye["reconnect"], true);
    let close = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("closed in time");
    assert_eq!(close, Some(1001));
    assert!(server.wait_exit(Duration::from_secs(5)), "exit status 0");
}

#[tokio::test]
async fn flags_can_come_from_the_environment() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = start(data.path(), &[("WEBCHAT_NO_GUESTS", "true")]);
    let response = reqwest::Client::new()
        .post(format!("http://{}/api/v1/auth/guest", server.addr))
        .json(&json!({"name": "ann"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn limits_are_configurable_and_announced_in_welcome() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = start(
        data.path(),
        &[
            ("WEBCHAT_MAX_BODY_CHARS", "100"),
            ("WEBCHAT_RATE_PER_S", "3"),
        ],
    );
    let token = guest(&server.addr, "ann").await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/ws", server.addr))
        .await
        .expect("connects");
    ws.send(Message::text(
        json!({"type": "hello", "token": token}).to_string(),
    ))
    .await
    .expect("send");
    let welcome = recv(&mut ws, |f| f["type"] == "welcome").await;
    assert_eq!(welcome["limits"]["max_body_chars"], 100);
    assert_eq!(welcome["limits"]["rate_per_s"], 3);
    assert_eq!(welcome["limits"]["burst"], 20);
}

async fn subscribe_lobby(ws: &mut Socket) {
    ws.send(Message::text(
        json!({"type": "subscribe", "room": "lobby"}).to_string(),
    ))
    .await
    .expect("send");
    recv(ws, |f| f["type"] == "subscribed").await;
}

async fn lobby_history(addr: &str, token: &str) -> Vec<Value> {
    let history: Value = reqwest::Client::new()
        .get(format!(
            "http://{addr}/api/v1/rooms/lobby/events?after=0&limit=200"
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    history["events"].as_array().cloned().expect("events")
}

#[tokio::test]
async fn sigint_mid_burst_keeps_every_acked_message() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut server = start(
        data.path(),
        &[("WEBCHAT_RATE_PER_S", "1000"), ("WEBCHAT_BURST", "1000")],
    );
    let mut senders = Vec::new();
    for name in ["ann", "bob", "cy"] {
        let token = guest(&server.addr, name).await;
        let mut ws = signed_in_socket(&server.addr, &token).await;
        subscribe_lobby(&mut ws).await;
        senders.push((name, token, ws));
    }
    // Many sends in flight on every socket, then the signal at once.
    for (name, _, ws) in &mut senders {
        for i in 0..40 {
            ws.send(Message::text(
                json!({"type": "send", "room": "lobby", "body": format!("{name} {i}"),
                       "nonce": format!("{name}-{i}"), "req": i})
                .to_string(),
            ))
            .await
            .expect("send");
        }
    }
    let mut acked = Vec::new();
    // Once the first ack is back the rest are in the pipeline: signal then.
    let (name, _, first) = &mut senders[0];
    let ack = recv(first, |f| f["type"] == "ack").await;
    acked.push((ack["seq"].clone(), format!("{name} {}", ack["re"])));
    server.signal("-INT");
    for (name, _, ws) in &mut senders {
        // Read until the server closes the socket: every ack it sent is counted.
        while let Ok(Some(Ok(message))) = tokio::time::timeout(WAIT, ws.next()).await {
            if let Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).expect("json");
                if frame["type"] == "ack" {
                    acked.push((frame["seq"].clone(), format!("{name} {}", frame["re"])));
                }
            }
        }
    }
    assert!(server.wait_exit(Duration::from_secs(5)), "exit status 0");
    drop(server);

    let server = start(data.path(), &[]);
    let history = lobby_history(&server.addr, &senders[0].1).await;
    assert!(
        !acked.is_empty(),
        "some sends were acked before the shutdown"
    );
    for (seq, body) in &acked {
        assert!(
            history
                .iter()
                .any(|e| &e["seq"] == seq && e["body"] == body.as_str()),
            "acked {body} at seq {seq} is in the log"
        );
    }
}

#[tokio::test]
async fn json_logs_are_json_lines_without_bodies_or_tokens_and_the_data_folder_is_made() {
    let data = tempfile::tempdir().expect("temp dir");
    let nested = data.path().join("not/yet/there");
    let mut server = start(
        &nested,
        &[("WEBCHAT_LOG_FORMAT", "json"), ("RUST_LOG", "debug")],
    );
    assert!(
        nested.join("webchat.db").exists(),
        "the data folder is created"
    );
    let token = guest(&server.addr, "ann").await;
    let mut ws = signed_in_socket(&server.addr, &token).await;
    subscribe_lobby(&mut ws).await;
    let body = "a very private sentence 7c1f";
    ws.send(Message::text(
        json!({"type": "send", "room": "lobby", "body": body, "nonce": "n1", "req": 1}).to_string(),
    ))
    .await
    .expect("send");
    recv(&mut ws, |f| f["type"] == "ack").await;
    let search = reqwest::Client::new()
        .get(format!("http://{}/api/v1/search?q=private", server.addr))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(search.status(), 200);
    server.signal("-TERM");
    assert!(server.wait_exit(Duration::from_secs(5)));
    // The reader thread has seen the end of stdout once the process is gone.
    std::thread::sleep(Duration::from_millis(200));
    let lines = server.output.lock().expect("output").clone();
    assert!(lines.len() > 3, "the server logged: {lines:?}");
    for line in &lines {
        let parsed: Result<Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not a JSON line: {line}");
        assert!(!line.contains(&token), "a token in the logs: {line}");
        assert!(!line.contains("7c1f"), "a message body in the logs: {line}");
    }
}

#[tokio::test]
async fn session_tokens_are_stored_only_as_hashes() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut server = start(data.path(), &[]);
    let token = guest(&server.addr, "ann").await;
    server.signal("-TERM");
    assert!(server.wait_exit(Duration::from_secs(5)));
    let mut stored = Vec::new();
    for file in std::fs::read_dir(data.path()).expect("data folder") {
        let path = file.expect("entry").path();
        stored.extend(std::fs::read(&path).expect("readable"));
    }
    assert!(stored.len() > 4096, "the database was written");
    assert!(
        !stored
            .windows(token.len())
            .any(|window| window == token.as_bytes()),
        "the raw token is in the data folder"
    );
}

#[test]
fn a_public_address_without_a_public_url_warns_once_that_host_is_not_checked() {
    let warned = |server: &Server| {
        server
            .output
            .lock()
            .expect("output")
            .iter()
            .filter(|line| line.contains("Host header is not checked"))
            .count()
    };
    let data = tempfile::tempdir().expect("temp dir");
    let server = start_on("0.0.0.0:0", data.path(), &[]);
    assert_eq!(
        warned(&server),
        1,
        "{:?}",
        server.output.lock().expect("output")
    );
    drop(server);
    let named = start_on(
        "0.0.0.0:0",
        data.path(),
        &[("WEBCHAT_PUBLIC_URL", "https://chat.example.com")],
    );
    assert_eq!(warned(&named), 0);
    drop(named);
    let local = start(data.path(), &[]);
    assert_eq!(warned(&local), 0, "loopback checks Host");
}

#[test]
fn bench_refuses_servers_off_loopback_and_unbounded_flags() {
    let off_loopback = Command::new(BINARY)
        .args(["bench", "--url", "http://192.0.2.1:8000", "idle"])
        .output()
        .expect("runs");
    assert!(!off_loopback.status.success());
    let text = String::from_utf8_lossy(&off_loopback.stderr);
    assert!(text.contains("loopback"), "{text}");
    let too_long = Command::new(BINARY)
        .args(["bench", "--duration", "301", "idle"])
        .output()
        .expect("runs");
    assert_eq!(too_long.status.code(), Some(2));
    let help = Command::new(BINARY)
        .args(["bench", "--help"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&help.stdout);
    for word in [
        "fanout",
        "idle",
        "durable",
        "churn",
        "--url",
        "--server-pid",
    ] {
        assert!(text.contains(word), "{word} in {text}");
    }
}
