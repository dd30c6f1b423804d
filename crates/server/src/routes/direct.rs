//! Direct messages: `POST /dm/{username}`, the one room of two people.

use axum::extract::State;
use webchat_core::model::{NewEvent, NewRoom};
use webchat_protocol::rest::ErrorBody;
use webchat_protocol::views::{EventKind, RoomView, Visibility};

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::state::AppState;

use super::members::{account, membership_change};
use super::rooms::view_for;

/// `POST /dm/{username}`: the one direct-message room of the two users, made on first use.
#[utoipa::path(
    post,
    path = "/dm/{username}",
    tag = "rooms",
    params(("username" = String, Path, description = "The other person's username")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The direct-message room, named after the other person", body = RoomView),
        (status = 400, description = "A direct message needs another person", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 403, description = "One of the two is banned from the conversation", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn direct_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(username): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let peer = account(&state, &username).await?;
    if peer.id == auth.user.id {
        return Err(ApiError::BadRequest(
            "a direct message needs another person".into(),
        ));
    }
    if state.store.blocks(peer.id, auth.user.id).await? {
        return Err(ApiError::Forbidden("this conversation is closed".into()));
    }
    state.check_send_rate(auth.user.id)?;
    let (low, high) = (auth.user.id.min(peer.id), auth.user.id.max(peer.id));
    let id = format!("dm-{low}-{high}");
    let created = state
        .store
        .create_room(&NewRoom {
            id: id.clone(),
            name: String::new(),
            topic: String::new(),
            visibility: Visibility::Dm,
            created_by: auth.user.id,
        })
        .await;
    match created {
        Ok(_) | Err(webchat_core::store::StoreError::Conflict) => {}
        Err(error) => return Err(error.into()),
    }
    let existing = state
        .store
        .room(&id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    if existing.visibility != Visibility::Dm {
        return Err(ApiError::Internal(format!(
            "room {id} is not a direct-message room"
        )));
    }
    for user in [&auth.user, &peer] {
        if state.store.is_banned(&id, user.id).await? {
            return Err(ApiError::Forbidden("this conversation is closed".into()));
        }
    }
    let closed = |e| match e {
        ApiError::Forbidden(_) => ApiError::Forbidden("this conversation is closed".into()),
        other => other,
    };
    if !state.store.is_member(&id, auth.user.id).await? {
        state
            .committer
            .append(NewEvent::simple(&id, EventKind::Join, &auth.user))
            .await?;
        access::undo_join_if_banned(&state, &id, &auth.user)
            .await
            .map_err(closed)?;
    }
    if !state.store.is_member(&id, peer.id).await? {
        // Reaching someone who did not ask draws on its own budget too.
        state.check_contact_rate(auth.user.id)?;
        membership_change(&state, &id, EventKind::Join, &peer, &auth.user, "invited").await?;
        access::undo_join_if_banned(&state, &id, &peer)
            .await
            .map_err(closed)?;
    }
    let room = state
        .store
        .room(&id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}
