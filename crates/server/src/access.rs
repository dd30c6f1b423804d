//! Who may read and write which room: one place for the rules, used by the
//! REST handlers and the WebSocket alike.
//!
//! - Public rooms: every signed-in user may read them; writing needs
//!   membership, which joining (or subscribing) gives.
//! - Private and DM rooms: members only. To anyone else they answer
//!   `not_found`, so their existence does not leak.

use webchat_core::model::{NewEvent, Room, User};
use webchat_core::store::Appended;
use webchat_protocol::validate;
use webchat_protocol::views::{EventKind, Visibility};

use crate::error::ApiError;
use crate::state::AppState;

/// The room, if `user` may read it.
pub async fn readable_room(state: &AppState, user: &User, room_id: &str) -> Result<Room, ApiError> {
    if validate::room_id(room_id).is_err() {
        return Err(ApiError::room_not_found());
    }
    let room = state
        .store
        .room(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    if room.visibility != Visibility::Public && !state.store.is_member(room_id, user.id).await? {
        return Err(ApiError::room_not_found());
    }
    Ok(room)
}

/// Makes `user` a member of a readable room (a `join` event) unless they are
/// one already. Returns the room as it is afterwards.
pub async fn join(state: &AppState, user: &User, room_id: &str) -> Result<Room, ApiError> {
    let room = readable_room(state, user, room_id).await?;
    if state.store.is_member(room_id, user.id).await? {
        return Ok(room);
    }
    state
        .committer
        .append(NewEvent {
            room: room_id.to_owned(),
            kind: EventKind::Join,
            author: user.author(),
            body: None,
            target: None,
            nonce: None,
        })
        .await?;
    state
        .store
        .room(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)
}

/// Fails unless `user` is a member of the (readable) room.
pub async fn require_member(state: &AppState, user: &User, room_id: &str) -> Result<(), ApiError> {
    readable_room(state, user, room_id).await?;
    if state.store.is_member(room_id, user.id).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden("join the room first".into()))
    }
}

/// Validates and appends a message from a member of the room; the committed
/// (or, for a repeated nonce, the first) event. Shared by the socket and
/// `POST /rooms/{room}/messages`.
pub async fn post_message(
    state: &AppState,
    user: &User,
    room_id: &str,
    body: String,
    nonce: Option<String>,
) -> Result<Appended, ApiError> {
    validate::body(&body, state.config.limits.max_body_chars)?;
    if let Some(nonce) = &nonce {
        validate::nonce(nonce).map_err(ApiError::BadRequest)?;
    }
    require_member(state, user, room_id).await?;
    append(state, user, room_id, EventKind::Message, Some(body), nonce).await
}

/// Appends an event after the checks every writer shares: the sender's rate
/// budget, then the committer (durable before this returns).
pub async fn append(
    state: &AppState,
    user: &User,
    room_id: &str,
    kind: EventKind,
    body: Option<String>,
    nonce: Option<String>,
) -> Result<Appended, ApiError> {
    state.check_send_rate(user.id)?;
    Ok(state
        .committer
        .append(NewEvent {
            room: room_id.to_owned(),
            kind,
            author: user.author(),
            body,
            target: None,
            nonce,
        })
        .await?)
}
