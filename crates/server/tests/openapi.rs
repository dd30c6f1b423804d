//! The API contract as a build artefact.
//!
//! - The OpenAPI document is snapshot-tested (`snapshots/openapi__openapi.snap`):
//!   a change to any route, body or status fails `cargo test` until the new
//!   snapshot is reviewed and accepted (`cargo insta review`, or
//!   `INSTA_UPDATE=always`). In CI (`CI=true`) insta never writes snapshots.
//! - The same document, as plain JSON, is `web/src/types/openapi.json`, from
//!   which `npm run gen:api` generates the web client's types; the test here
//!   keeps that copy current and fails in CI when it is stale.
//! - The running server answers the same document at `/api/openapi.json` and
//!   a Swagger UI page at `/api/docs/` that loads nothing from another host.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde_json::Value;
use tokio::sync::oneshot;
use webchat_server::{Application, Config};

fn document() -> Value {
    serde_json::to_value(webchat_server::openapi::openapi()).expect("the document serializes")
}

#[test]
fn document_matches_snapshot() {
    insta::assert_json_snapshot!("openapi", document());
}

/// The copy the web client's types are generated from.
fn web_copy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/types/openapi.json")
}

/// Same rule as insta: `CI` set to anything but `false`, `0` or empty.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

#[test]
fn web_copy_of_the_document_is_current() {
    let mut expected = serde_json::to_string_pretty(&document()).expect("serializes");
    expected.push('\n');
    let path = web_copy();
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == expected {
        return;
    }
    let fix = "run `cargo test -p webchat-server --test openapi` locally, then `npm run gen:api` \
               in web/, and commit web/src/types/openapi.json and web/src/types/openapi.ts";
    assert!(
        !in_ci(),
        "web/src/types/openapi.json is not the server's OpenAPI document: {fix}"
    );
    std::fs::write(&path, expected).expect("writing the web copy of the document");
    panic!("web/src/types/openapi.json was stale and has been rewritten: {fix}");
}

#[test]
fn every_path_is_under_a_known_prefix() {
    let document = document();
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.len() >= 30, "only {} paths documented", paths.len());
    for path in paths.keys() {
        let known = path == "/"
            || ["/api/v1/", "/ws/"].iter().any(|p| path.starts_with(p))
            || ["/healthz", "/readyz", "/metrics"].contains(&path.as_str());
        assert!(known, "unexpected path in the document: {path}");
    }
    for expected in [
        "/api/v1/auth/guest",
        "/api/v1/ws",
        "/ws/{client_id}",
        "/healthz",
        "/",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
}

#[test]
fn every_operation_answers_documented_json_errors() {
    let document = document();
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    assert!(schemes.contains_key("bearer") && schemes.contains_key("cookie"));
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} has no responses");
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let Some(schema) = response
                        .pointer("/content/application~1json/schema/$ref")
                        .and_then(Value::as_str)
                    else {
                        // A failed WebSocket upgrade is answered by axum, in plain text.
                        assert!(
                            path.ends_with("ws") && status == "400",
                            "{method} {path} {status}"
                        );
                        continue;
                    };
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
    _data_dir: tempfile::TempDir,
}

impl Server {
    async fn spawn() -> Server {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let config = Config::for_tests(data_dir.path().to_path_buf());
        let app = Application::build(config).await.expect("server builds");
        let addr = app.local_addr();
        let (shutdown, signal) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until(async move {
            let _ = signal.await;
        }));
        Server {
            addr,
            shutdown: Some(shutdown),
            handle,
            _data_dir: data_dir,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(format!("http://{}{path}", self.addr))
            .await
            .expect("request")
    }

    async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = self.handle.await;
    }
}

#[tokio::test]
async fn served_document_is_the_tested_one() {
    let server = Server::spawn().await;
    let response = server.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: Value = response.json().await.expect("json");
    assert_eq!(served, document());
    server.stop().await;
}

/// Every `http://` or `https://` address in `text` whose host is not `own`.
fn foreign_urls(text: &str, own: &str) -> Vec<String> {
    let mut found = Vec::new();
    for scheme in ["http://", "https://"] {
        for (at, _) in text.match_indices(scheme) {
            let rest = &text[at + scheme.len()..];
            let host: String = rest
                .chars()
                .take_while(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                })
                .collect();
            if host != own {
                found.push(format!("{scheme}{host}"));
            }
        }
    }
    found
}

#[tokio::test]
async fn docs_page_is_served_from_the_binary() {
    let server = Server::spawn().await;
    let own = server.addr.to_string();

    let response = server.get("/api/docs/").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = response.text().await.expect("body");
    assert!(page.to_ascii_lowercase().contains("swagger"), "{page}");
    assert_eq!(
        foreign_urls(&page, &own),
        Vec::<String>::new(),
        "the page names another host"
    );

    // The page's own scripts and styles come from the server too.
    let mut assets = 0;
    for attribute in ["src=\"", "href=\""] {
        for (at, _) in page.match_indices(attribute) {
            let rest = &page[at + attribute.len()..];
            let target = &rest[..rest.find('"').expect("closing quote")];
            let path = format!("/api/docs/{}", target.trim_start_matches("./"));
            let asset = server.get(&path).await;
            assert_eq!(asset.status(), 200, "{path}");
            assets += 1;
        }
    }
    assert!(
        assets >= 3,
        "expected the page to load its scripts and styles"
    );

    // The initializer points Swagger UI at our document, without the online validator.
    let initializer = server.get("/api/docs/swagger-initializer.js").await;
    assert_eq!(initializer.status(), 200);
    let initializer = initializer.text().await.expect("body");
    assert!(initializer.contains("/api/openapi.json"), "{initializer}");
    assert_eq!(
        foreign_urls(&initializer, &own),
        Vec::<String>::new(),
        "the initializer names another host"
    );

    // Without the slash: a redirect to the page, not the web client.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let redirect = client
        .get(format!("http://{}/api/docs", server.addr))
        .send()
        .await
        .expect("request");
    assert!(redirect.status().is_redirection(), "{}", redirect.status());
    server.stop().await;
}
