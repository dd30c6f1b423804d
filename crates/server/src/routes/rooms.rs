//! Rooms: lists, creation, join and leave, history, and posting over REST.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use webchat_core::model::{NewEvent, NewRoom, Page};
use webchat_protocol::rest::{
    CreateRoomRequest, EventsResponse, PostMessageRequest, RoomsResponse,
};
use webchat_protocol::validate;
use webchat_protocol::views::{EventKind, EventView, RoomView, Visibility};

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;
const MAX_ROOM_NAME_CHARS: usize = 64;
const MAX_TOPIC_CHARS: usize = 256;

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
            unread: Some(m.unread),
            last_read: Some(m.last_read),
            ..m.room.view()
        })
        .collect();
    Ok(ApiJson(RoomsResponse { rooms }))
}

pub async fn public(
    State(state): State<AppState>,
    _auth: AuthUser,
) -> Result<ApiJson<RoomsResponse>, ApiError> {
    let rooms = state
        .store
        .public_rooms()
        .await?
        .iter()
        .map(|r| r.view())
        .collect();
    Ok(ApiJson(RoomsResponse { rooms }))
}

pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<CreateRoomRequest>,
) -> Result<(StatusCode, ApiJson<RoomView>), ApiError> {
    validate::room_id(&request.id).map_err(ApiError::BadRequest)?;
    if request.visibility == Visibility::Dm {
        return Err(ApiError::BadRequest(
            "direct-message rooms are made by POST /api/v1/dm/{username}".into(),
        ));
    }
    let name = request
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&request.id);
    if name.chars().count() > MAX_ROOM_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!(
            "name must be at most {MAX_ROOM_NAME_CHARS} characters without control characters"
        )));
    }
    let topic = request.topic.unwrap_or_default();
    if topic.chars().count() > MAX_TOPIC_CHARS {
        return Err(ApiError::BadRequest(format!(
            "topic must be at most {MAX_TOPIC_CHARS} characters"
        )));
    }
    state
        .store
        .create_room(&NewRoom {
            id: request.id.clone(),
            name: name.to_owned(),
            topic,
            visibility: request.visibility,
            created_by: auth.user.id,
        })
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict("a room with this id exists".into()),
            other => other,
        })?;
    let room = append_membership(&state, &auth, &request.id, EventKind::Join).await?;
    Ok((StatusCode::CREATED, ApiJson(room)))
}

async fn append_membership(
    state: &AppState,
    auth: &AuthUser,
    room_id: &str,
    kind: EventKind,
) -> Result<RoomView, ApiError> {
    state
        .committer
        .append(NewEvent {
            room: room_id.to_owned(),
            kind,
            author: auth.user.author(),
            body: None,
            target: None,
            nonce: None,
        })
        .await?;
    let room = state
        .store
        .room(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(room.view())
}

pub async fn get_room(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    Ok(ApiJson(
        access::readable_room(&state, &auth.user, &room)
            .await?
            .view(),
    ))
}

pub async fn join(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    Ok(ApiJson(
        access::join(&state, &auth.user, &room).await?.view(),
    ))
}

pub async fn leave(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    access::readable_room(&state, &auth.user, &room).await?;
    if state.store.is_member(&room, auth.user.id).await? {
        append_membership(&state, &auth, &room, EventKind::Leave).await?;
    }
    Ok(ApiJson(serde_json::json!({})))
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    before: Option<u64>,
    after: Option<u64>,
    limit: Option<u32>,
}

pub async fn events(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<ApiJson<EventsResponse>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let page = match (query.before, query.after) {
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "give either before or after, not both".into(),
            ));
        }
        (Some(before), None) => Page::Before { before, limit },
        (None, Some(after)) => Page::After { after, limit },
        (None, None) => Page::Latest { limit },
    };
    access::readable_room(&state, &auth.user, &room).await?;
    let (events, has_more) = state.store.events(&room, page).await?;
    Ok(ApiJson(EventsResponse {
        events: events.iter().map(|e| e.view()).collect(),
        has_more,
    }))
}

pub async fn post_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<PostMessageRequest>,
) -> Result<(StatusCode, ApiJson<EventView>), ApiError> {
    let appended =
        access::post_message(&state, &auth.user, &room, request.body, Some(request.nonce)).await?;
    let status = if appended.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, ApiJson(appended.event.view())))
}
