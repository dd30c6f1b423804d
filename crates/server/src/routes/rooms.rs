//! Rooms: the user's rooms, the public directory, creation, a room's view,
//! join and leave, and the topic.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use webchat_core::model::{DirectoryKey, NewEvent, NewRoom};
use webchat_protocol::rest::{CreateRoomRequest, DirectoryResponse, ErrorBody, RoomsResponse};
use webchat_protocol::validate;
use webchat_protocol::views::{EventKind, RoomView, Visibility};

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::guard::ClientAddress;
use crate::routes::Empty;
use crate::state::AppState;
use webchat_core::model::{Room, User};

pub(crate) const DEFAULT_PAGE: u32 = 50;
pub(crate) const MAX_PAGE: u32 = 200;

/// `GET /rooms`: the rooms the user is a member of, with unread counts.
#[utoipa::path(
    get,
    path = "/rooms",
    tag = "rooms",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The user's rooms, with `unread` and `last_read`", body = RoomsResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn my_rooms(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<ApiJson<RoomsResponse>, ApiError> {
    let rooms = state
        .store
        .member_rooms(auth.user.id)
        .await?
        .into_iter()
        .map(|m| RoomView {
            name: m.peer_name.unwrap_or(m.room.name.clone()),
            unread: Some(m.unread),
            last_read: Some(m.last_read),
            ..m.room.view()
        })
        .collect();
    Ok(ApiJson(RoomsResponse { rooms }))
}

/// The directory's paging: `cursor` from the previous page's `next_cursor`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Where the page starts: the `next_cursor` of the page before (opaque).
    cursor: Option<String>,
    /// At most this many rooms, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// `GET /rooms/public`: a page of the public rooms, busiest first.
#[utoipa::path(
    get,
    path = "/rooms/public",
    tag = "rooms",
    params(DirectoryQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of public rooms: most members first, then most events, then by id", body = DirectoryResponse),
        (status = 400, description = "Bad cursor or limit", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn public(
    State(state): State<AppState>,
    _auth: AuthUser,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> Result<ApiJson<DirectoryResponse>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let after = match query.cursor.as_deref() {
        None => None,
        Some(cursor) => Some(
            DirectoryKey::parse(cursor).ok_or_else(|| ApiError::BadRequest("bad cursor".into()))?,
        ),
    };
    // One more than asked tells whether a next page exists.
    let mut rooms = state.store.public_rooms(after.as_ref(), limit + 1).await?;
    let more = rooms.len() > limit as usize;
    rooms.truncate(limit as usize);
    let next_cursor = more
        .then(|| rooms.last().map(|r| DirectoryKey::of(r).cursor()))
        .flatten();
    Ok(ApiJson(DirectoryResponse {
        rooms: rooms.iter().map(Room::view).collect(),
        next_cursor,
    }))
}

/// `POST /rooms`: a new public or private room, its creator its owner and first member.
#[utoipa::path(
    post,
    path = "/rooms",
    tag = "rooms",
    request_body = CreateRoomRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The new room", body = RoomView),
        (status = 400, description = "Invalid id, name, topic or visibility (`dm` rooms are made by `POST /dm/{username}`), or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "A guest who has created as many rooms as guests may", body = ErrorBody),
        (status = 409, description = "The id is not available: taken by a room of any visibility, or reserved (`dm-`); the answer is the same in every case", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Writing or creating rooms too fast (per user or per address); see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<CreateRoomRequest>,
) -> Result<(StatusCode, ApiJson<RoomView>), ApiError> {
    validate::room_id(&request.id).map_err(ApiError::BadRequest)?;
    state.check_send_rate(auth.user.id)?;
    let max_guest_rooms = state.config.quotas.max_guest_rooms;
    if auth.user.guest && state.store.rooms_created(auth.user.id).await? >= max_guest_rooms {
        return Err(ApiError::Forbidden(format!(
            "guests may create at most {max_guest_rooms} rooms; register an account to create more"
        )));
    }
    state.check_room_rate(auth.user.id, address)?;
    // `dm-` ids belong to direct-message rooms: a squatter must not own one.
    // Refused with the same answer as a taken id (see `id_unavailable`).
    if request.id.starts_with("dm-") {
        return Err(id_unavailable());
    }
    if request.visibility == Visibility::Dm {
        return Err(ApiError::BadRequest(
            "direct-message rooms are made by POST /api/v1/dm/{username}".into(),
        ));
    }
    let name = match request.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => {
            validate::room_name(name).map_err(ApiError::BadRequest)?
        }
        _ => request.id.clone(),
    };
    // The same rule as `POST /rooms/{room}/topic`: one validation for both.
    let topic = validate::topic(request.topic.as_deref().unwrap_or_default())
        .map_err(ApiError::BadRequest)?;
    let created = state
        .store
        .create_room(&NewRoom {
            id: request.id.clone(),
            name,
            topic,
            visibility: request.visibility,
            created_by: auth.user.id,
        })
        .await;
    match created {
        Ok(_) => {}
        Err(webchat_core::store::StoreError::Conflict) => {
            // A room of the creator's that never got its first member (the
            // process stopped between the two writes) is theirs to finish;
            // any other taken id answers the same whatever the room is.
            let orphan = state.store.room(&request.id).await?.filter(|room| {
                room.owner == Some(auth.user.id) && room.head == 0 && room.member_count == 0
            });
            if orphan.is_none() {
                return Err(id_unavailable());
            }
        }
        Err(error) => return Err(error.into()),
    }
    let room = append_membership(&state, &auth, &request.id, EventKind::Join).await?;
    Ok((StatusCode::CREATED, ApiJson(room)))
}

/// The one answer to an id that cannot be had: a public room's, a private
/// room's (whose existence must not leak through `POST` when `GET` answers
/// `404`), or a reserved one. The status and body are the same for all.
fn id_unavailable() -> ApiError {
    ApiError::Conflict("this room id is not available".into())
}

async fn append_membership(
    state: &AppState,
    auth: &AuthUser,
    room_id: &str,
    kind: EventKind,
) -> Result<RoomView, ApiError> {
    state
        .committer
        .append(NewEvent::simple(room_id, kind, &auth.user))
        .await?;
    let room = state
        .store
        .room(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(room.view())
}

/// `GET /rooms/{room}`: one room the user may read.
#[utoipa::path(
    get,
    path = "/rooms/{room}",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room (a direct-message room is named after the other person)", body = RoomView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn get_room(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let room = access::readable_room(&state, &auth.user, &room).await?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}

/// A room as `user` sees it: a direct-message room is named after the other person.
pub(crate) async fn view_for(
    state: &AppState,
    user: &User,
    room: Room,
) -> Result<RoomView, ApiError> {
    let mut view = room.view();
    if room.visibility == Visibility::Dm
        && let Some(peer) = state
            .store
            .members(&room.id)
            .await?
            .into_iter()
            .find(|m| m.user.id != user.id)
    {
        view.name = peer.user.name;
    }
    Ok(view)
}

/// `POST /rooms/{room}/join`: become a member (idempotent).
#[utoipa::path(
    post,
    path = "/rooms/{room}/join",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room, joined", body = RoomView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Banned from the room", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn join(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let room = access::join(&state, &auth.user, &room).await?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}

/// `POST /rooms/{room}/leave`: stop being a member (idempotent); ends live subscriptions.
#[utoipa::path(
    post,
    path = "/rooms/{room}/leave",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Left (or was not a member)", body = Empty),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn leave(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<Empty>, ApiError> {
    access::readable_room(&state, &auth.user, &room).await?;
    if state.store.is_member(&room, auth.user.id).await? {
        state.check_send_rate(auth.user.id)?;
        // Its subscriptions end when the leave commits (`fanout::after_commit`).
        append_membership(&state, &auth, &room, EventKind::Leave).await?;
    }
    Ok(ApiJson(Empty {}))
}

/// The body of `POST /rooms/{room}/topic`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TopicRequest {
    pub topic: String,
}

/// `POST /rooms/{room}/topic {topic}`: a moderator sets the topic (a `topic` event).
#[utoipa::path(
    post,
    path = "/rooms/{room}/topic",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = TopicRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room with its new topic", body = RoomView),
        (status = 400, description = "Topic too long or with control characters", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn set_topic(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<TopicRequest>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let topic = validate::topic(&request.topic).map_err(ApiError::BadRequest)?;
    access::require_moderator(&state, &auth.user, &room).await?;
    state.check_send_rate(auth.user.id)?;
    state
        .committer
        .append(NewEvent {
            body: Some(topic),
            ..NewEvent::simple(&room, EventKind::Topic, &auth.user)
        })
        .await?;
    let room = state
        .store
        .room(&room)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}
