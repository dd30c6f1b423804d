//! The API contract: the OpenAPI document of every HTTP route, and the
//! browsable page that shows it.
//!
//! The document is not written by hand. Each handler carries a
//! `#[utoipa::path]` and is mounted with utoipa-axum's `routes!`
//! ([`crate::routes::api_router`]), so a route cannot be served without being
//! described, and the path in the document is the path axum matches. This
//! module adds what belongs to the whole document: its title, the tags, and
//! the two ways to present a session (the `webchat_session` cookie or a bearer
//! token, see [`crate::auth`]).
//!
//! `tests/openapi.rs` snapshot-tests the document, so API drift fails the
//! build; the web client's types are generated from it
//! (`web/src/types/openapi.ts`). The server answers it at
//! `GET /api/openapi.json` and shows it with Swagger UI at `/api/docs`,
//! served from the binary (the `vendored` feature): the page loads nothing
//! from the network.

use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::auth::SESSION_COOKIE;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";
/// Where Swagger UI is served.
pub const DOCS_PATH: &str = "/api/docs";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "webchat",
        description = "The REST API of webchat (protocol v1) and the upgrade requests of its \
WebSocket endpoints. The contract in prose, including the WebSocket frames, is `docs/protocol.md`. \
Every error answers `{\"error\": {\"code\", \"message\"}}` with the HTTP status of its code.",
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Guests, accounts, sessions and personal access tokens"),
        (name = "rooms", description = "Rooms, membership, moderation, history and messages"),
        (name = "search", description = "Full-text search over readable messages"),
        (name = "blocks", description = "The people a user blocks from contacting them"),
        (name = "websocket", description = "WebSocket upgrades; frames are in docs/protocol.md"),
        (name = "operations", description = "Health checks and metrics"),
        (name = "web", description = "The embedded web client and the welcome object"),
    )
)]
struct Document;

/// The security schemes the operations refer to by name.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A session token or personal access token: `Authorization: Bearer <token>` \
                         (bots, scripts). Checked before the cookie.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The browser session, set by sign-in (HttpOnly, SameSite=Lax).",
            ))),
        );
    }
}

/// The document's parts that no route carries; the routes add themselves to it.
pub(crate) fn base() -> OpenApi {
    Document::openapi()
}

/// The complete document, as `GET /api/openapi.json` answers it.
pub fn openapi() -> OpenApi {
    crate::routes::api_router().split_for_parts().1
}

/// `GET /api/openapi.json` and the Swagger UI page at `/api/docs`.
pub(crate) fn docs(document: OpenApi) -> SwaggerUi {
    SwaggerUi::new(DOCS_PATH)
        .url(DOCUMENT_PATH, document)
        // The default validator is swagger.io's online one: no request leaves the page.
        .config(Config::default().validator_url("none"))
}
