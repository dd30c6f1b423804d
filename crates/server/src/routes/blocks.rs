//! A user's block list: `GET /blocks`, `POST /blocks {user | id}`,
//! `DELETE /blocks/{id}`. Whom a user blocks can neither open a direct
//! message with them, nor write to them in one, nor invite them to a room
//! (see `rooms::direct_message`, `rooms::invite`, `access::post_message`).
//! The blocked person is not told; what they try is refused with the answer
//! a closed conversation gets.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webchat_core::model::UserId;
use webchat_core::store::StoreError;
use webchat_protocol::rest::ErrorBody;
use webchat_protocol::views::UserView;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::routes::Empty;
use crate::state::AppState;

/// The body of `GET /blocks`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlocksResponse {
    /// Ordered by id.
    pub users: Vec<UserView>,
}

/// The body of `POST /blocks`: a username (`user`) or a user id (`id`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BlockRequest {
    pub user: Option<String>,
    pub id: Option<UserId>,
}

/// `GET /blocks`: the users the signed-in user blocks.
#[utoipa::path(
    get,
    path = "/blocks",
    tag = "blocks",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The users blocked", body = BlocksResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<ApiJson<BlocksResponse>, ApiError> {
    let users = state.store.blocked(auth.user.id).await?;
    Ok(ApiJson(BlocksResponse {
        users: users.iter().map(|u| u.view()).collect(),
    }))
}

/// `POST /blocks {user | id}`: block someone (idempotent).
#[utoipa::path(
    post,
    path = "/blocks",
    tag = "blocks",
    request_body = BlockRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Blocked", body = Empty),
        (status = 400, description = "Neither or both of user and id, or oneself", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn block(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<BlockRequest>,
) -> Result<ApiJson<Empty>, ApiError> {
    let no_user = || ApiError::NotFound("no such user".into());
    let target = match (request.user, request.id) {
        (Some(username), None) => state
            .store
            .user_by_username(&username.trim().to_ascii_lowercase())
            .await?
            .ok_or_else(no_user)?,
        (None, Some(id)) => state.store.user(id).await.map_err(|e| match e {
            StoreError::NotFound => no_user(),
            other => other.into(),
        })?,
        _ => return Err(ApiError::BadRequest("give either user or id".into())),
    };
    if target.id == auth.user.id {
        return Err(ApiError::BadRequest("you cannot block yourself".into()));
    }
    state.check_send_rate(auth.user.id)?;
    state.store.block(auth.user.id, target.id).await?;
    Ok(ApiJson(Empty {}))
}

/// `DELETE /blocks/{id}`: lift a block.
#[utoipa::path(
    delete,
    path = "/blocks/{id}",
    tag = "blocks",
    params(("id" = i64, Path, description = "The blocked user's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The block is lifted", body = Empty),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "That user is not blocked", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn unblock(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<UserId>,
) -> Result<ApiJson<Empty>, ApiError> {
    if !state.store.unblock(auth.user.id, id).await? {
        return Err(ApiError::NotFound("that user is not blocked".into()));
    }
    Ok(ApiJson(Empty {}))
}
