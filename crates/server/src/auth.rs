//! Sessions: random bearer tokens, stored only as their SHA-256.
//!
//! A token is 256 random bits (base64url). Clients present it as the
//! `webchat_session` cookie (HttpOnly, SameSite=Lax: the browser client never
//! touches it from script) or as `Authorization: Bearer <token>` (bots,
//! scripts, tests). A fast hash is right here: the token has full entropy, so
//! there is nothing to brute-force; passwords use argon2id (`passwords`).
//! Personal access tokens are the same kind of secret, stored the same way.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use webchat_core::model::{SessionInfo, User};

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

/// The `Set-Cookie` value that stores `token` in the browser.
pub fn session_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=31536000")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

/// The token a request carries: a bearer token first, else the cookie.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(token) = value.strip_prefix("Bearer ")
    {
        return Some(token.trim().to_owned());
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

/// Resolves a token to its user and session, if the session exists.
pub async fn user_for_token(
    state: &AppState,
    token: &str,
) -> Result<Option<(User, SessionInfo)>, ApiError> {
    Ok(state.store.session_user(&hash_token(token)).await?)
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
    fn no_or_empty_cookie_is_no_token() {
        let mut headers = HeaderMap::new();
        assert_eq!(request_token(&headers), None);
        headers.insert(COOKIE, HeaderValue::from_static("webchat_session="));
        assert_eq!(request_token(&headers), None);
    }
}
