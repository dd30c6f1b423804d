//! History and messages over REST: pages of a room's log, posting (bots;
//! the nonce makes retries safe), editing and deleting.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use webchat_core::model::Page;
use webchat_protocol::rest::{ErrorBody, EventsResponse, PostMessageRequest};
use webchat_protocol::views::EventView;

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

use super::rooms::{DEFAULT_PAGE, MAX_PAGE};

/// The body of `PATCH /rooms/{room}/messages/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditRequest {
    pub body: String,
}

/// `PATCH /rooms/{room}/messages/{id}`: edit over REST (bots).
#[utoipa::path(
    patch,
    path = "/rooms/{room}/messages/{id}",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id"), ("id" = i64, Path, description = "The message's event id")),
    request_body = EditRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The `edit` event appended", body = EventView),
        (status = 400, description = "Empty body, bad id, or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not the author, or not a member", body = ErrorBody),
        (status = 404, description = "No such room or message", body = ErrorBody),
        (status = 413, description = "The message or request body is too large", body = ErrorBody),
        (status = 429, description = "Sending too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn edit_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((room, id)): ApiPath<(String, i64)>,
    ApiJson(request): ApiJson<EditRequest>,
) -> Result<ApiJson<EventView>, ApiError> {
    let appended = access::edit_message(&state, &auth.user, &room, id, request.body).await?;
    Ok(ApiJson(appended.event.view()))
}

/// `DELETE /rooms/{room}/messages/{id}`: delete over REST (bots, moderators).
#[utoipa::path(
    delete,
    path = "/rooms/{room}/messages/{id}",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id"), ("id" = i64, Path, description = "The message's event id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The `delete` event appended (the message is now a tombstone)", body = EventView),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Neither the author nor a moderator, or not a member", body = ErrorBody),
        (status = 404, description = "No such room or message", body = ErrorBody),
        (status = 429, description = "Sending too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn delete_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((room, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<EventView>, ApiError> {
    let appended = access::delete_message(&state, &auth.user, &room, id).await?;
    Ok(ApiJson(appended.event.view()))
}

/// A page of a room's log: the latest, or before or after a seq (not both).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Events with a seq below this one.
    before: Option<u64>,
    /// Events with a seq above this one.
    after: Option<u64>,
    /// At most this many events, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// `GET /rooms/{room}/events`: a page of the room's log (history).
#[utoipa::path(
    get,
    path = "/rooms/{room}/events",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id"), EventsQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Events in seq order", body = EventsResponse),
        (status = 400, description = "Bad limit, or both before and after", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
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

/// `POST /rooms/{room}/messages`: post a message over REST (bots); the nonce makes retries safe.
#[utoipa::path(
    post,
    path = "/rooms/{room}/messages",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = PostMessageRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The `message` event appended", body = EventView),
        (status = 200, description = "A retry: the event already appended with this nonce", body = EventView),
        (status = 400, description = "Empty body, bad nonce, or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a member, or banned", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "The message or request body is too large", body = ErrorBody),
        (status = 429, description = "Sending too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
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
