//! Shared set-up: spawn a server, sign in, talk REST and WebSocket.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use webchat_server::{Application, Config};

/// How long a test waits for any one frame or response before failing.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub data_dir: Option<TempDir>,
    /// The server's store (to simulate an outage by closing it).
    pub store: std::sync::Arc<dyn webchat_core::store::Store>,
    /// The server's state (to look at what it holds).
    pub state: webchat_server::AppState,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

/// A server with the default configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server whose configuration `adjust` may change.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    spawn_in(data_dir, adjust).await
}

/// A server on an existing data folder (for restarts).
pub async fn spawn_in(data_dir: TempDir, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_tests(data_dir.path().to_path_buf());
    adjust(&mut config);
    let app = Application::build(config).await.expect("server builds");
    let addr = app.local_addr();
    let store = app.store();
    let state = app.state();
    let (shutdown, signal) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.run_until(async move {
        let _ = signal.await;
    }));
    TestApp {
        addr,
        http: reqwest::Client::new(),
        data_dir: Some(data_dir),
        store,
        state,
        shutdown: Some(shutdown),
        handle: Some(handle),
    }
}

#[derive(Debug, Clone)]
pub struct Guest {
    pub token: String,
    pub id: i64,
    pub name: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    /// Stops the server gracefully and waits for it; gives back the data folder.
    pub async fn stop(mut self) -> TempDir {
        self.begin_shutdown();
        self.wait_stopped().await;
        self.data_dir.take().expect("data folder")
    }

    pub fn begin_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    pub async fn wait_stopped(&mut self) {
        if let Some(handle) = self.handle.take() {
            tokio::time::timeout(WAIT, handle)
                .await
                .expect("server stops in time")
                .expect("server task joins")
                .expect("server exits cleanly");
        }
    }

    pub async fn guest(&self, name: &str) -> Guest {
        let (status, body) = self.try_guest(name).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Guest {
            token: body["token"].as_str().expect("token").to_owned(),
            id: body["user"]["id"].as_i64().expect("id"),
            name: body["user"]["name"].as_str().expect("name").to_owned(),
        }
    }

    /// A registered account (the first one of a server is its admin).
    pub async fn account(&self, username: &str) -> Guest {
        let (status, body) = self.try_register(username, None).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Guest {
            token: body["token"].as_str().expect("token").to_owned(),
            id: body["user"]["id"].as_i64().expect("id"),
            name: body["user"]["name"].as_str().expect("name").to_owned(),
        }
    }

    /// Sends a request with an optional bearer token and JSON body; the status and JSON answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        json_response(request.send().await.expect("request")).await
    }

    /// Posts a message over REST as `who`; its event id.
    pub async fn posted(&self, room: &str, who: &Guest, body: &str) -> i64 {
        let (status, event) = self
            .post(
                &format!("/api/v1/rooms/{room}/messages"),
                Some(&who.token),
                json!({"body": body, "nonce": format!("{}-{room}-{body}", who.id)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
        event["id"].as_i64().expect("id")
    }

    /// A new room of `owner`'s (its creator, owner and first member).
    pub async fn create_room(&self, owner: &Guest, id: &str, visibility: &str) {
        let (status, body) = self
            .post(
                "/api/v1/rooms",
                Some(&owner.token),
                json!({"id": id, "visibility": visibility}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Sends a whole request over a raw TCP connection and hangs up at once,
    /// without reading the answer: the client that gives up mid-request.
    pub async fn hang_up_after(&self, method: &str, path: &str, token: &str, body: Option<Value>) {
        use tokio::io::AsyncWriteExt;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        stream
            .write_all(request.as_bytes())
            .await
            .expect("write request");
        // As the review's client did: gone 1 ms after sending. A request
        // whose body the server had not read by then is refused whole.
        tokio::time::sleep(Duration::from_millis(1)).await;
        stream.shutdown().await.expect("half-close");
        drop(stream);
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(reqwest::Method::DELETE, path, token, None).await
    }

    /// A WebSocket to `/api/v1/ws` authenticated by a bearer header on the upgrade.
    pub async fn ws(&self, token: &str) -> WsClient {
        let mut request = self
            .ws_url("/api/v1/ws")
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
        );
        WsClient::connect(request).await
    }

    /// A signed-in v1 socket (hello answered).
    pub async fn ws_ready(&self, token: &str) -> WsClient {
        let mut ws = self.ws(token).await;
        let welcome = ws.request(json!({"type": "hello"})).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        ws
    }

    pub async fn ws_anonymous(&self, path: &str) -> WsClient {
        WsClient::connect(self.ws_url(path).into_client_request().expect("request")).await
    }

    /// An upgrade request for `path`, with a bearer header when `token` is given.
    pub fn ws_request(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> tungstenite::handshake::client::Request {
        let mut request = self.ws_url(path).into_client_request().expect("request");
        if let Some(token) = token {
            request.headers_mut().insert(
                "authorization",
                HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
            );
        }
        request
    }

    /// Asserts that `/healthz` answers (in time, with 200).
    pub async fn assert_healthy(&self) {
        let response = tokio::time::timeout(WAIT, self.http.get(self.url("/healthz")).send())
            .await
            .expect("healthz answers in time")
            .expect("healthz request");
        assert_eq!(response.status(), StatusCode::OK, "healthz");
    }

    /// Retries the upgrade of `request()` until it opens (a slot freed by a
    /// socket that closed is released when the server's side has ended),
    /// failing after [`WAIT`].
    pub async fn ws_when_allowed(
        &self,
        request: impl Fn() -> tungstenite::handshake::client::Request,
    ) -> WsClient {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio_tungstenite::connect_async(request()).await {
                Ok((stream, _)) => return WsClient::from_stream(stream),
                Err(tungstenite::Error::Http(response)) => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "still refused ({}) after {WAIT:?}",
                        response.status()
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(error) => panic!("upgrade failed: {error}"),
            }
        }
    }
}

/// The HTTP status an upgrade is refused with; `None` when it opens.
pub async fn refused_upgrade(request: tungstenite::handshake::client::Request) -> Option<u16> {
    upgrade_refusal(request).await.map(|(status, _)| status)
}

/// The HTTP status and JSON body an upgrade is refused with (the body is
/// `null` when it is not JSON); `None` when it opens.
pub async fn upgrade_refusal(
    request: tungstenite::handshake::client::Request,
) -> Option<(u16, Value)> {
    match tokio_tungstenite::connect_async(request).await {
        Err(tungstenite::Error::Http(response)) => {
            let body = response
                .body()
                .as_deref()
                .and_then(|bytes| serde_json::from_slice(bytes).ok())
                .unwrap_or(Value::Null);
            Some((response.status().as_u16(), body))
        }
        _ => None,
    }
}

/// Polls `check` every 50 ms until it holds; fails the test after [`WAIT`].
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestApp {
    /// Sends a request with the given headers (`host`, `origin`, `cookie` …)
    /// and an optional JSON body; the status, the JSON answer and the headers.
    pub async fn call_with_headers(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let mut request = self.http.request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let headers = response.headers().clone();
        let (status, value) = json_response(response).await;
        (status, value, headers)
    }

    /// A `/api/v1/ws` upgrade request with the given headers, not sent yet.
    pub fn ws_request_with_headers(
        &self,
        headers: &[(&str, &str)],
    ) -> tungstenite::handshake::client::Request {
        let mut request = self
            .ws_url("/api/v1/ws")
            .into_client_request()
            .expect("request");
        for (name, value) in headers {
            request.headers_mut().insert(
                tungstenite::http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        request
    }

    /// Whether the store still holds the session of `token`, read without
    /// authenticating (which would count as use).
    pub async fn session_exists(&self, token: &str) -> bool {
        self.store
            .session_user(&webchat_server::auth::hash_token(token))
            .await
            .expect("store reads")
            .is_some()
    }

    /// Opens a v1 socket and says `hello` with `token`: the socket when it is
    /// welcomed, else the close code that follows the `unauthorized` error.
    pub async fn hello_with(&self, token: &str) -> Result<WsClient, u16> {
        let mut ws = self.ws_anonymous("/api/v1/ws").await;
        let answer = ws.request(json!({"type": "hello", "token": token})).await;
        if answer["type"] == "welcome" {
            return Ok(ws);
        }
        assert_eq!(answer["code"], "unauthorized", "{answer}");
        Err(ws.expect_close().await)
    }
}

impl TestApp {
    /// The status a seed endpoint upgrade to `path` is refused with, with
    /// no `Origin` (as a non-browser client); `None` when it opens.
    pub async fn seed_refused(&self, path: &str) -> Option<u16> {
        refused_upgrade(self.ws_url(path).into_client_request().expect("request")).await
    }

    /// Tries to sign in as a guest named `name`; the status and answer.
    pub async fn try_guest(&self, name: &str) -> (StatusCode, Value) {
        self.post("/api/v1/auth/guest", None, json!({ "name": name }))
            .await
    }

    /// Tries to register `username` (with a guest's `token`: to upgrade it).
    pub async fn try_register(&self, username: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.post(
            "/api/v1/auth/register",
            token,
            json!({ "username": username, "password": "correct horse battery" }),
        )
        .await
    }
}

/// The `error.message` of an error answer.
pub fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}

pub async fn json_response(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("JSON body expected, got {status}: {text}"));
    (status, value)
}

pub struct WsClient {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_req: u64,
    /// Frames read while looking for another one, kept for later `recv`s.
    skipped: std::collections::VecDeque<Value>,
}

impl WsClient {
    pub async fn connect(request: tungstenite::handshake::client::Request) -> WsClient {
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket connects");
        WsClient::from_stream(stream)
    }

    pub fn from_stream(stream: WebSocketStream<MaybeTlsStream<TcpStream>>) -> WsClient {
        WsClient {
            stream,
            next_req: 1,
            skipped: Default::default(),
        }
    }

    /// Closes the socket (closing handshake) and waits for the server's answer.
    pub async fn close(mut self) {
        self.stream.close(None).await.expect("close");
        while let Ok(Some(Ok(_))) = tokio::time::timeout(WAIT, self.stream.next()).await {}
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.stream
            .send(Message::text(text.into()))
            .await
            .expect("send");
    }

    pub async fn send_json(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    /// The next text frame as JSON, skipping control frames.
    pub async fn recv(&mut self) -> Value {
        if let Some(frame) = self.skipped.pop_front() {
            return frame;
        }
        self.read_frame().await
    }

    async fn read_frame(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame in time")
                .expect("stream open")
                .expect("frame ok");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON frame"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next frame satisfying `accept`; the others stay queued for `recv`.
    pub async fn recv_where(&mut self, accept: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.skipped.iter().position(&accept) {
            return self.skipped.remove(index).expect("index is valid");
        }
        loop {
            let frame = self.read_frame().await;
            if accept(&frame) {
                return frame;
            }
            self.skipped.push_back(frame);
        }
    }

    /// Forgets frames read but not yet consumed.
    pub fn clear_skipped(&mut self) {
        self.skipped.clear();
    }

    /// Takes the frames read but not yet consumed.
    pub fn take_skipped(&mut self) -> Vec<Value> {
        self.skipped.drain(..).collect()
    }

    /// The next `event` frame.
    pub async fn recv_event(&mut self) -> Value {
        self.recv_where(|f| f["type"] == "event").await
    }

    /// Sends a command with a fresh `req` and returns the frame that answers it.
    pub async fn request(&mut self, mut command: Value) -> Value {
        let req = self.next_req;
        self.next_req += 1;
        command["req"] = json!(req);
        self.send_json(command).await;
        self.recv_where(|f| f["re"] == json!(req)).await
    }

    pub async fn subscribe(&mut self, room: &str, since: Option<u64>) -> Value {
        let mut command = json!({"type": "subscribe", "room": room});
        if let Some(since) = since {
            command["since"] = json!(since);
        }
        let answer = self.request(command).await;
        assert_eq!(answer["type"], "subscribed", "{answer}");
        answer
    }

    /// Sends a message and returns its `ack`.
    pub async fn send_message(&mut self, room: &str, body: &str, nonce: &str) -> Value {
        let ack = self
            .request(json!({"type": "send", "room": room, "body": body, "nonce": nonce}))
            .await;
        assert_eq!(ack["type"], "ack", "{ack}");
        ack
    }

    /// Reads until the server closes; the close code (frames before it are skipped).
    pub async fn expect_close(&mut self) -> u16 {
        self.frames_until_close().await.1
    }

    /// Reads until the server closes: the text frames before it (after any
    /// already read but not consumed), and the close code.
    pub async fn frames_until_close(&mut self) -> (Vec<Value>, u16) {
        let mut frames: Vec<Value> = self.skipped.drain(..).collect();
        loop {
            let next = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("close in time");
            match next {
                Some(Ok(Message::Close(Some(frame)))) => return (frames, u16::from(frame.code)),
                Some(Ok(Message::Close(None))) => return (frames, u16::from(CloseCode::Status)),
                Some(Ok(Message::Text(text))) => {
                    frames.push(serde_json::from_str(&text).expect("JSON frame"));
                }
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("connection failed before a close frame: {error}"),
                None => panic!("connection ended without a close frame"),
            }
        }
    }
}
