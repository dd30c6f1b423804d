//! Accounts and sessions: guest sign-in, register (also turning a guest into
//! an account), login, logout, the user's sessions and personal access tokens.
//!
//! An account's username is reserved: a new guest whose name looks like one
//! (case and Unicode confusables, `validate::name_skeletons`) is refused
//! with `400`, and so is a username that looks like another account's
//! (`409`); an account may take a look-alike of a guest's name, and the
//! guest stays marked a guest (docs/decisions/0005-look-alike-names.md).
//!
//! Login answers one generic error for an unknown username and a wrong
//! password, and spends the same argon2 work on both, so accounts cannot be
//! enumerated. Ending a session (logout, revoke, expiry in
//! `crate::sessions`) closes its live sockets with 1008.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webchat_core::model::{SessionInfo, SessionKind, User};
use webchat_protocol::error::close;
use webchat_protocol::rest::{AuthResponse, ErrorBody, GuestRequest};
use webchat_protocol::validate;
use webchat_protocol::views::UserView;

use crate::auth::{self, AuthUser};
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::guard::ClientAddress;
use crate::passwords;
use crate::routes::Empty;
use crate::state::AppState;

/// Starts a browser session for `user`: stores the token's hash, answers it and sets the cookie.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: User,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let token = auth::new_token();
    state
        .store
        .create_session(user.id, &auth::hash_token(&token), SessionKind::Session, "")
        .await?;
    let cookie = auth::session_cookie(
        &token,
        auth::cookie_secure(headers, &state.config),
        state.config.session_max_age,
    );
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

/// `POST /auth/guest`: a guest account and a browser session for it.
#[utoipa::path(
    post,
    path = "/auth/guest",
    tag = "auth",
    request_body = GuestRequest,
    responses(
        (status = 201, description = "Signed in as a new guest; the session is also set as the `webchat_session` cookie", body = AuthResponse,
            headers(("set-cookie" = String, description = "`webchat_session=<token>; HttpOnly; SameSite=Lax`"))),
        (status = 400, description = "Invalid name (length, invisible characters, an account's username or a look-alike of one) or malformed body", body = ErrorBody),
        (status = 403, description = "Guest access is disabled on this server", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Too many sign-ins from this address; `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn guest(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ApiJson(request): ApiJson<GuestRequest>,
) -> Result<Response, ApiError> {
    if !state.config.guests_enabled {
        return Err(ApiError::Forbidden(
            "guest access is disabled on this server".into(),
        ));
    }
    let name = validate::display_name(&request.name).map_err(ApiError::BadRequest)?;
    state.check_sign_in_rate(address)?;
    let user = state
        .store
        .create_guest(&name)
        .await
        .map_err(looks_like_an_account)?;
    start_session(&state, &headers, user, StatusCode::CREATED).await
}

/// A guest name refused because an account's username looks the same
/// (the store's `Conflict` for guests): the guest can pick another name.
pub fn looks_like_an_account(error: webchat_core::store::StoreError) -> ApiError {
    match ApiError::from(error) {
        ApiError::Conflict(_) => ApiError::BadRequest(
            "this name belongs to an account, or looks like one: choose another".into(),
        ),
        other => other,
    }
}

/// A username and password (register, login).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

async fn hash_password(state: &AppState, password: String) -> Result<String, ApiError> {
    state
        .password_work(move || passwords::hash(&password))
        .await?
        .map_err(ApiError::Internal)
}

/// `POST /auth/register`: a new account, or, when the request carries a
/// guest's session, that guest turned into an account (same id, same history).
#[utoipa::path(
    post,
    path = "/auth/register",
    tag = "auth",
    request_body = Credentials,
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The new account, signed in; the session is also set as the `webchat_session` cookie", body = AuthResponse,
            headers(("set-cookie" = String, description = "`webchat_session=<token>; HttpOnly; SameSite=Lax`"))),
        (status = 400, description = "Invalid username or password, or malformed body", body = ErrorBody),
        (status = 409, description = "The username is taken (or looks like a taken one), or the request is already signed in to an account", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Too many sign-ins from this address; `Retry-After` says when to try again", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ApiJson(request): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let username =
        passwords::normalize_username(&request.username).map_err(ApiError::BadRequest)?;
    passwords::check_password(&request.password).map_err(ApiError::BadRequest)?;
    state.check_sign_in_rate(address)?;
    let current = match auth::request_token(&headers) {
        Some(token) => auth::user_for_token(&state, &token).await?,
        None => None,
    };
    let hash = hash_password(&state, request.password).await?;
    let taken = |e: webchat_core::store::StoreError| match ApiError::from(e) {
        ApiError::Conflict(_) => {
            ApiError::Conflict("this username is taken, or looks like one that is".into())
        }
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
    start_session(&state, &headers, user, StatusCode::CREATED).await
}

/// `POST /auth/login`: a browser session for an account.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the session is also set as the `webchat_session` cookie", body = AuthResponse,
            headers(("set-cookie" = String, description = "`webchat_session=<token>; HttpOnly; SameSite=Lax`"))),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Unknown username or wrong password (one answer for both)", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Too many sign-ins from this address; `Retry-After` says when to try again", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ApiJson(request): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    state.check_sign_in_rate(address)?;
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
    let matches = state
        .password_work(move || passwords::verify(&password, &stored))
        .await?;
    match account {
        Some(account) if matches => {
            start_session(&state, &headers, account.user, StatusCode::OK).await
        }
        _ => Err(invalid()),
    }
}

/// `POST /auth/logout`: ends the session of this request and clears the cookie.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Signed out; its sockets are closed with 1008", body = Empty,
            headers(("set-cookie" = String, description = "Clears `webchat_session`"))),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: AuthUser,
) -> Result<Response, ApiError> {
    end_session(&state, &auth.user, auth.session.id).await?;
    Ok((
        AppendHeaders([(
            SET_COOKIE,
            auth::clear_session_cookie(auth::cookie_secure(&headers, &state.config)),
        )]),
        ApiJson(Empty {}),
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

/// `GET /me`: the signed-in user.
#[utoipa::path(
    get,
    path = "/me",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The user of this session", body = UserView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn me(auth: AuthUser) -> ApiJson<UserView> {
    ApiJson(auth.user.view())
}

/// A browser session or a personal access token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub name: String,
    /// RFC 3339, UTC, millisecond precision.
    pub created_at: String,
    /// The session this request was made with.
    pub current: bool,
}

/// The body of `GET /sessions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsResponse {
    pub sessions: Vec<SessionView>,
}

/// The body of `GET /tokens`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensResponse {
    pub tokens: Vec<SessionView>,
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
#[utoipa::path(
    get,
    path = "/sessions",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The user's browser sessions", body = SessionsResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Asked with an access token: only a browser session manages sessions and tokens", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn sessions(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<ApiJson<SessionsResponse>, ApiError> {
    auth.require_browser_session()?;
    let now = webchat_core::clock::now_ms();
    // Expired but not swept yet: already over, so not listed.
    let sessions: Vec<SessionView> = state
        .store
        .sessions(auth.user.id, SessionKind::Session)
        .await?
        .iter()
        .filter(|s| !crate::sessions::expired(s, now, &state.config))
        .map(|s| session_view(s, auth.session.id))
        .collect();
    Ok(ApiJson(SessionsResponse { sessions }))
}

/// `DELETE /sessions/{id}`: revoke one of the user's sessions.
#[utoipa::path(
    delete,
    path = "/sessions/{id}",
    tag = "auth",
    params(("id" = i64, Path, description = "The session's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Revoked; its sockets are closed with 1008", body = Empty),
        (status = 400, description = "The id is not an integer", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Asked with an access token: only a browser session manages sessions and tokens", body = ErrorBody),
        (status = 404, description = "No such session of this user", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn revoke_session(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Empty>, ApiError> {
    revoke(&state, &auth, id, SessionKind::Session).await
}

/// `DELETE /tokens/{id}`: revoke one of the user's tokens.
#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    tag = "auth",
    params(("id" = i64, Path, description = "The token's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Revoked; its sockets are closed with 1008", body = Empty),
        (status = 400, description = "The id is not an integer", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Asked with an access token: only a browser session manages sessions and tokens", body = ErrorBody),
        (status = 404, description = "No such token of this user", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Empty>, ApiError> {
    revoke(&state, &auth, id, SessionKind::Token).await
}

/// Each route revokes only its own kind: a session id is not a token id.
async fn revoke(
    state: &AppState,
    auth: &AuthUser,
    id: i64,
    kind: SessionKind,
) -> Result<ApiJson<Empty>, ApiError> {
    auth.require_browser_session()?;
    let owned = state.store.sessions(auth.user.id, kind).await?;
    if !owned.iter().any(|s| s.id == id) {
        return Err(ApiError::NotFound("no such session or token".into()));
    }
    end_session(state, &auth.user, id).await?;
    Ok(ApiJson(Empty {}))
}

/// The body of `POST /tokens`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
}

/// The answer to `POST /tokens`: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    /// The secret, for `Authorization: Bearer <token>`.
    pub token: String,
}

/// `POST /tokens`: a personal access token for bots and scripts (accounts only).
/// The secret is answered once and never stored.
#[utoipa::path(
    post,
    path = "/tokens",
    tag = "auth",
    request_body = NewToken,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The new token and its secret", body = CreatedToken),
        (status = 400, description = "Invalid name or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Guests cannot create tokens; nor can an access token", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Too many writes; `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<NewToken>,
) -> Result<(StatusCode, ApiJson<CreatedToken>), ApiError> {
    auth.require_browser_session()?;
    if auth.user.guest {
        return Err(ApiError::Forbidden(
            "guests cannot create access tokens; register first".into(),
        ));
    }
    state.check_send_rate(auth.user.id)?;
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
        ApiJson(CreatedToken { id, name, token }),
    ))
}

/// `GET /tokens`: the user's tokens (never their secrets).
#[utoipa::path(
    get,
    path = "/tokens",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The user's personal access tokens", body = TokensResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Asked with an access token: only a browser session manages sessions and tokens", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn tokens(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<ApiJson<TokensResponse>, ApiError> {
    auth.require_browser_session()?;
    let tokens: Vec<SessionView> = state
        .store
        .sessions(auth.user.id, SessionKind::Token)
        .await?
        .iter()
        .map(|s| session_view(s, auth.session.id))
        .collect();
    Ok(ApiJson(TokensResponse { tokens }))
}
