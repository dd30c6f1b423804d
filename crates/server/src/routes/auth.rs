//! Accounts and sessions: guest sign-in, register (also turning a guest into
//! an account), login, logout, the user's sessions and personal access tokens.
//!
//! Login answers one generic error for an unknown username and a wrong
//! password, and spends the same argon2 work on both, so accounts cannot be
//! enumerated. Ending a session (logout, revoke) closes its live sockets
//! with 1008.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use webchat_core::model::{SessionInfo, SessionKind, User};
use webchat_protocol::error::close;
use webchat_protocol::rest::{AuthResponse, GuestRequest};
use webchat_protocol::validate;
use webchat_protocol::views::UserView;

use crate::auth::{self, AuthUser};
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::passwords;
use crate::state::AppState;

/// Starts a browser session for `user`: stores the token's hash, answers it and sets the cookie.
async fn start_session(
    state: &AppState,
    user: User,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let token = auth::new_token();
    state
        .store
        .create_session(user.id, &auth::hash_token(&token), SessionKind::Session, "")
        .await?;
    let cookie = auth::session_cookie(&token);
    Ok((
        status,
        AppendHeaders([(SET_COOKIE, cookie)]),
        ApiJson(AuthResponse {
            user: user.view(),
            token,
        }),
    )
        .into_response())
}

pub async fn guest(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<GuestRequest>,
) -> Result<Response, ApiError> {
    if !state.config.guests_enabled {
        return Err(ApiError::Forbidden(
            "guest access is disabled on this server".into(),
        ));
    }
    let name = validate::display_name(&request.name).map_err(ApiError::BadRequest)?;
    let user = state.store.create_guest(&name).await?;
    start_session(&state, user, StatusCode::CREATED).await
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || passwords::hash(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

/// `POST /auth/register`: a new account, or, when the request carries a
/// guest's session, that guest turned into an account (same id, same history).
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let username =
        passwords::normalize_username(&request.username).map_err(ApiError::BadRequest)?;
    passwords::check_password(&request.password).map_err(ApiError::BadRequest)?;
    let current = match auth::request_token(&headers) {
        Some(token) => auth::user_for_token(&state, &token).await?,
        None => None,
    };
    let hash = hash_password(request.password).await?;
    let taken = |e: webchat_core::store::StoreError| match ApiError::from(e) {
        ApiError::Conflict(_) => ApiError::Conflict("this username is taken".into()),
        other => other,
    };
    let user = match current {
        Some((user, _)) if user.guest => state
            .store
            .upgrade_guest(user.id, &username, &hash)
            .await
            .map_err(taken)?,
        Some(_) => return Err(ApiError::Conflict("already signed in to an account".into())),
        None => state
            .store
            .create_account(&username, &hash)
            .await
            .map_err(taken)?,
    };
    start_session(&state, user, StatusCode::CREATED).await
}

pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let invalid = || ApiError::Unauthorized;
    let username = passwords::normalize_username(&request.username).unwrap_or_default();
    let account = if username.is_empty() {
        None
    } else {
        state.store.credentials(&username).await?
    };
    let stored = account.as_ref().map_or_else(
        || passwords::dummy_hash().to_owned(),
        |c| c.password_hash.clone(),
    );
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || passwords::verify(&password, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    match account {
        Some(account) if matches => start_session(&state, account.user, StatusCode::OK).await,
        _ => Err(invalid()),
    }
}

pub async fn logout(State(state): State<AppState>, auth: AuthUser) -> Result<Response, ApiError> {
    end_session(&state, &auth.user, auth.session.id).await?;
    Ok((
        AppendHeaders([(SET_COOKIE, auth::clear_session_cookie())]),
        ApiJson(serde_json::json!({})),
    )
        .into_response())
}

/// Deletes a session or token of `user` and closes its live sockets.
async fn end_session(state: &AppState, user: &User, id: i64) -> Result<(), ApiError> {
    if !state.store.delete_session(user.id, id).await? {
        return Err(ApiError::NotFound("no such session".into()));
    }
    state.registry.close_session(id, close::POLICY_VIOLATION);
    Ok(())
}

pub async fn me(auth: AuthUser) -> ApiJson<UserView> {
    ApiJson(auth.user.view())
}

#[derive(Debug, Serialize)]
pub struct SessionView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    /// The session this request was made with.
    pub current: bool,
}

fn session_view(session: &SessionInfo, current: i64) -> SessionView {
    SessionView {
        id: session.id,
        name: session.name.clone(),
        created_at: webchat_core::clock::rfc3339_ms(session.created_at_ms),
        current: session.id == current,
    }
}

/// `GET /sessions`: the user's browser sessions.
pub async fn sessions(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    let sessions: Vec<SessionView> = state
        .store
        .sessions(auth.user.id, SessionKind::Session)
        .await?
        .iter()
        .map(|s| session_view(s, auth.session.id))
        .collect();
    Ok(ApiJson(serde_json::json!({ "sessions": sessions })))
}

/// `DELETE /sessions/{id}` and `DELETE /tokens/{id}`: revoke one.
pub async fn revoke(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    end_session(&state, &auth.user, id).await?;
    Ok(ApiJson(serde_json::json!({})))
}

#[derive(Debug, Deserialize)]
pub struct NewToken {
    pub name: String,
}

/// `POST /tokens`: a personal access token for bots and scripts (accounts only).
/// The secret is answered once and never stored.
pub async fn create_token(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<NewToken>,
) -> Result<(StatusCode, ApiJson<serde_json::Value>), ApiError> {
    if auth.user.guest {
        return Err(ApiError::Forbidden(
            "guests cannot create access tokens; register first".into(),
        ));
    }
    let name = validate::display_name(&request.name).map_err(ApiError::BadRequest)?;
    let token = auth::new_token();
    let id = state
        .store
        .create_session(
            auth.user.id,
            &auth::hash_token(&token),
            SessionKind::Token,
            &name,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(serde_json::json!({ "id": id, "name": name, "token": token })),
    ))
}

/// `GET /tokens`: the user's tokens (never their secrets).
pub async fn tokens(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    let tokens: Vec<SessionView> = state
        .store
        .sessions(auth.user.id, SessionKind::Token)
        .await?
        .iter()
        .map(|s| session_view(s, auth.session.id))
        .collect();
    Ok(ApiJson(serde_json::json!({ "tokens": tokens })))
}
