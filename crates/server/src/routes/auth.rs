//! Sign-in as a guest, sign out, and who am I.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use webchat_core::model::User;
use webchat_protocol::rest::{AuthResponse, GuestRequest};
use webchat_protocol::validate;
use webchat_protocol::views::UserView;

use crate::auth::{self, AuthUser};
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Starts a session for `user`: stores the token's hash, answers it and sets the cookie.
async fn start_session(
    state: &AppState,
    user: User,
) -> Result<impl IntoResponse + use<>, ApiError> {
    let token = auth::new_token();
    state
        .store
        .create_session(user.id, &auth::hash_token(&token))
        .await?;
    let cookie = auth::session_cookie(&token);
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, cookie)]),
        ApiJson(AuthResponse {
            user: user.view(),
            token,
        }),
    ))
}

pub async fn guest(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<GuestRequest>,
) -> Result<impl IntoResponse, ApiError> {
    if !state.config.guests_enabled {
        return Err(ApiError::Forbidden(
            "guest access is disabled on this server".into(),
        ));
    }
    let name = validate::display_name(&request.name).map_err(ApiError::BadRequest)?;
    let user = state.store.create_guest(&name).await?;
    start_session(&state, user).await
}

pub async fn logout(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<impl IntoResponse, ApiError> {
    state
        .store
        .delete_session(&auth::hash_token(&auth.token))
        .await?;
    Ok((
        AppendHeaders([(SET_COOKIE, auth::clear_session_cookie())]),
        ApiJson(serde_json::json!({})),
    ))
}

pub async fn me(auth: AuthUser) -> ApiJson<UserView> {
    ApiJson(auth.user.view())
}
