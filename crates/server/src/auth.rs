//! Sessions: random bearer tokens, stored only as their SHA-256.
//!
//! A token is 256 random bits (base64url). Clients present it as the
//! `webchat_session` cookie (HttpOnly, SameSite=Lax: the browser client never
//! touches it from script) or as `Authorization: Bearer <token>` (bots,
//! scripts, tests). A fast hash is right here: the token has full entropy, so
//! there is nothing to brute-force; passwords use argon2id (`passwords`).
//! Personal access tokens are the same kind of secret, stored the same way.
//! Browser sessions expire (idle, maximum age; see `crate::sessions`), which
//! [`user_for_token`] enforces for every REST request and socket.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use webchat_core::model::{SessionInfo, SessionKind, User};

use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "webchat_session";

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The `Set-Cookie` value that stores `token` in the browser; `Secure` when
/// the page is served over https (see [`cookie_secure`]). It lives as long as
/// the session may (`max_age`), so the browser drops it when the server would
/// refuse it anyway.
pub fn session_cookie(token: &str, secure: bool, max_age: std::time::Duration) -> String {
    let secure = if secure { "; Secure" } else { "" };
    // Whole seconds, at least one: `Max-Age=0` would delete the cookie at once.
    let max_age = max_age.as_secs().max(1);
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}")
}

/// Whether cookies set for this request get `Secure`: always when the
/// server's public URL is https, else when the page says it is
/// ([`page_is_https`]).
pub fn cookie_secure(headers: &HeaderMap, config: &crate::config::Config) -> bool {
    config
        .public_url
        .as_ref()
        .is_some_and(crate::config::PublicUrl::is_https)
        || page_is_https(headers)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}")
}

/// Whether the browser is on an https page: its `Origin` says so (browsers
/// send it on every sign-in, a POST), or a TLS-terminating proxy's
/// `X-Forwarded-Proto`. The server itself speaks plain http (loopback by
/// default), so this is how a cookie behind TLS gets `Secure` and is never
/// sent over plain http.
pub fn page_is_https(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("origin").is_some_and(|o| o.starts_with("https://"))
        || header("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// The bearer token of an `Authorization: Bearer …` header, if any. Other
/// schemes (Basic, which browsers add on their own) are not tokens.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The token a request carries: a bearer token first, else the cookie.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    if let Some(token) = bearer_token(headers) {
        return Some(token.to_owned());
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// Resolves a token to its user and session, if the session exists and has
/// not expired; records the use (throttled, see `crate::sessions::touch`).
pub async fn user_for_token(
    state: &AppState,
    token: &str,
) -> Result<Option<(User, SessionInfo)>, ApiError> {
    let Some((user, session)) = state.store.session_user(&hash_token(token)).await? else {
        return Ok(None);
    };
    let now = webchat_core::clock::now_ms();
    if crate::sessions::expired(&session, now, &state.config) {
        return Ok(None);
    }
    crate::sessions::touch(state, &session, now).await;
    Ok(Some((user, session)))
}

/// The authenticated user of a REST request; 401 without a valid session.
pub struct AuthUser {
    pub user: User,
    pub session: SessionInfo,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = request_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let (user, session) = user_for_token(state, &token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(AuthUser { user, session })
    }
}

impl AuthUser {
    /// Managing credentials (sessions, tokens) takes a browser session: a
    /// leaked bot token must not mint itself a successor before it is
    /// revoked, nor sign its owner out everywhere.
    pub fn require_browser_session(&self) -> Result<(), ApiError> {
        match self.session.kind {
            SessionKind::Session => Ok(()),
            SessionKind::Token => Err(ApiError::Forbidden(
                "an access token cannot manage sessions or tokens; sign in".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.len() >= 43, "256 bits in base64url");
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn bearer_wins_over_cookie_and_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; webchat_session=abc; x=1"),
        );
        assert_eq!(request_token(&headers).as_deref(), Some("abc"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer xyz"));
        assert_eq!(request_token(&headers).as_deref(), Some("xyz"));
    }

    #[test]
    fn the_cookie_is_secure_on_https_pages_only() {
        let day = std::time::Duration::from_secs(86_400);
        assert!(!session_cookie("t", false, day).contains("Secure"));
        assert!(session_cookie("t", true, day).ends_with("Max-Age=86400; Secure"));
        let mut config = crate::config::Config::for_tests(std::path::PathBuf::from("/tmp/x"));
        assert!(!cookie_secure(&HeaderMap::new(), &config));
        config.public_url = crate::config::PublicUrl::parse("https://chat.example").ok();
        assert!(cookie_secure(&HeaderMap::new(), &config));
        let mut headers = HeaderMap::new();
        assert!(!page_is_https(&headers));
        headers.insert("origin", HeaderValue::from_static("http://127.0.0.1:8000"));
        assert!(!page_is_https(&headers));
        headers.insert("origin", HeaderValue::from_static("https://chat.example"));
        assert!(page_is_https(&headers));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(page_is_https(&proxied));
    }

    #[test]
    fn no_or_empty_cookie_is_no_token() {
        let mut headers = HeaderMap::new();
        assert_eq!(request_token(&headers), None);
        headers.insert(COOKIE, HeaderValue::from_static("webchat_session="));
        assert_eq!(request_token(&headers), None);
    }
}
