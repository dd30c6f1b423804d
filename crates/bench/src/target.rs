//! The server under test: its address (loopback only), an HTTP client for
//! sign-ins, and the WebSocket upgrades of both dialects.
//!
//! Loopback only on purpose: the tool opens thousands of connections and
//! sends as fast as it can, which is a denial of service against anything
//! but one's own machine, and its latency arithmetic assumes one clock.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use webchat_protocol::rest::{AuthResponse, ErrorBody, GuestRequest};

use crate::counters::Counters;

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// `http://<loopback host>[:port]`, without a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    http: String,
    ws: String,
}

impl BaseUrl {
    /// Accepts `http://` (or `ws://`) URLs whose host is a loopback address
    /// or `localhost`; refuses anything else with the reason.
    pub fn parse(url: &str) -> anyhow::Result<BaseUrl> {
        let parsed = reqwest::Url::parse(url).with_context(|| format!("--url {url:?}"))?;
        if !matches!(parsed.scheme(), "http" | "ws") {
            bail!(
                "--url {url}: only http:// (plain, on loopback) is supported, not {}://",
                parsed.scheme()
            );
        }
        let host = parsed.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = match bare.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback(),
            Err(_) => {
                let name = bare.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost")
            }
        };
        if !loopback {
            bail!(
                "--url {url}: the bench only targets loopback (127.0.0.0/8, [::1], localhost); \
                 it is a load generator, not for servers on other machines"
            );
        }
        if parsed.path() != "/" || parsed.query().is_some() {
            bail!("--url {url}: give the server's address only, without a path");
        }
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(BaseUrl {
            http: format!("http://{authority}"),
            ws: format!("ws://{authority}"),
        })
    }

    pub fn http(&self) -> &str {
        &self.http
    }
}

/// How a set-up step failed; the code is already counted.
#[derive(Debug)]
pub(crate) struct Refused;

/// The server, as connection tasks use it.
#[derive(Clone)]
pub(crate) struct Target {
    base: BaseUrl,
    http: reqwest::Client,
    pub(crate) counters: Arc<Counters>,
    /// Every set-up step (a sign-in, an upgrade, a `welcome`) gets this long.
    pub(crate) step_timeout: Duration,
}

impl Target {
    pub(crate) fn new(base: BaseUrl, counters: Arc<Counters>, step_timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(step_timeout)
            // Many concurrent sign-ins: enough idle connections to reuse.
            .pool_max_idle_per_host(64)
            .build()
            .unwrap_or_default();
        Target {
            base,
            http,
            counters,
            step_timeout,
        }
    }

    /// `POST /api/v1/auth/guest`: the session token of a new guest.
    pub(crate) async fn sign_in(&self, name: &str) -> Result<String, Refused> {
        let url = format!("{}/api/v1/auth/guest", self.base.http);
        let body = GuestRequest {
            name: name.to_owned(),
        };
        let response = self.http.post(url).json(&body).send().await;
        let response = self.checked(response).await?;
        match response.json::<AuthResponse>().await {
            Ok(auth) => Ok(auth.token),
            Err(_) => {
                self.counters.error("bad_response");
                Err(Refused)
            }
        }
    }

    /// `POST /api/v1/rooms` of a public room (its creator is its first member).
    pub(crate) async fn create_room(&self, token: &str, room: &str) -> Result<(), Refused> {
        let url = format!("{}/api/v1/rooms", self.base.http);
        let body = serde_json::json!({"id": room, "visibility": "public"});
        let response = self
            .http
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await;
        self.checked(response).await.map(drop)
    }

    /// `POST /api/v1/rooms/{room}/join` (a member may write without subscribing).
    pub(crate) async fn join(&self, token: &str, room: &str) -> Result<(), Refused> {
        let url = format!("{}/api/v1/rooms/{room}/join", self.base.http);
        let response = self.http.post(url).bearer_auth(token).send().await;
        self.checked(response).await.map(drop)
    }

    async fn checked(
        &self,
        response: reqwest::Result<reqwest::Response>,
    ) -> Result<reqwest::Response, Refused> {
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                self.counters.error(if error.is_timeout() {
                    "timeout"
                } else {
                    "transport"
                });
                return Err(Refused);
            }
        };
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status().as_u16();
        let code = match response.json::<ErrorBody>().await {
            Ok(body) => body.error.code.as_str().to_owned(),
            Err(_) => format!("http_{status}"),
        };
        self.counters.error(&code);
        Err(Refused)
    }

    /// Upgrades `/api/v1/ws` (authentication follows in `hello`).
    pub(crate) async fn upgrade_v1(&self) -> Result<Ws, Refused> {
        self.upgrade(&format!("{}/api/v1/ws", self.base.ws)).await
    }

    /// Upgrades `/ws/{client_id}` (the seed endpoint signs the guest in).
    pub(crate) async fn upgrade_seed(&self, client_id: &str) -> Result<Ws, Refused> {
        self.upgrade(&format!("{}/ws/{client_id}", self.base.ws))
            .await
    }

    async fn upgrade(&self, url: &str) -> Result<Ws, Refused> {
        let request = url.into_client_request().map_err(|_| {
            self.counters.error("bad_url");
            Refused
        })?;
        // No Nagle on the client either: small frames, latency measured.
        let connect = tokio_tungstenite::connect_async_with_config(request, None, true);
        match tokio::time::timeout(self.step_timeout, connect).await {
            Ok(Ok((ws, _response))) => Ok(ws),
            Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
                let code = response
                    .body()
                    .as_deref()
                    .and_then(|body| serde_json::from_slice::<ErrorBody>(body).ok())
                    .map(|body| body.error.code.as_str().to_owned())
                    .unwrap_or_else(|| format!("http_{}", response.status().as_u16()));
                self.counters.error(&code);
                Err(Refused)
            }
            Ok(Err(_)) => {
                self.counters.error("transport");
                Err(Refused)
            }
            Err(_) => {
                self.counters.error("timeout");
                Err(Refused)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_are_accepted() {
        for (url, http) in [
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
            ("http://127.0.0.2:8000/", "http://127.0.0.2:8000"),
            ("ws://localhost:9", "http://localhost:9"),
            ("http://[::1]:8000", "http://[::1]:8000"),
            ("http://chat.localhost", "http://chat.localhost"),
        ] {
            assert_eq!(BaseUrl::parse(url).expect(url).http(), http);
        }
    }

    #[test]
    fn other_hosts_and_schemes_are_refused_with_a_reason() {
        for url in [
            "http://10.0.0.1:8000",
            "http://example.com",
            "http://localhost.example.com",
            "https://127.0.0.1:8000",
            "http://127.0.0.1:8000/api",
            "127.0.0.1:8000",
        ] {
            let error = BaseUrl::parse(url).expect_err(url).to_string();
            assert!(error.contains("--url"), "{url}: {error}");
        }
        let error = BaseUrl::parse("http://192.168.1.2").expect_err("lan");
        assert!(error.to_string().contains("loopback"));
    }
}
