//! `GET /search?q=&room=&limit=&offset=`: full-text search over the messages
//! the user may read, best match first.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use webchat_protocol::rest::ErrorBody;
use webchat_protocol::validate;
use webchat_protocol::views::EventView;

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiQuery};
use crate::state::AppState;

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;
const MAX_OFFSET: u32 = 10_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to find, 1 to 256 characters.
    q: String,
    /// Only this room's messages.
    room: Option<String>,
    /// At most this many results, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Skip this many results, at most 10000 (default 0).
    #[param(maximum = 10000)]
    offset: Option<u32>,
}

/// The body of `GET /search`: messages, best match first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<EventView>,
    pub has_more: bool,
}

#[utoipa::path(
    get,
    path = "/search",
    tag = "search",
    params(SearchQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Matching messages the user may read, best match first", body = SearchResponse),
        (status = 400, description = "Bad q (empty, too long, control characters), limit or offset", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<ApiJson<SearchResponse>, ApiError> {
    let q = validate::search_query(&query.q).map_err(ApiError::BadRequest)?;
    let q = q.as_str();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let offset = query.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::BadRequest(format!(
            "offset must be at most {MAX_OFFSET}"
        )));
    }
    if let Some(room) = &query.room {
        access::readable_room(&state, &auth.user, room).await?;
    }
    let page = state
        .store
        .search(auth.user.id, q, query.room.as_deref(), limit, offset)
        .await?;
    Ok(ApiJson(SearchResponse {
        results: page.events.iter().map(|e| e.view()).collect(),
        has_more: page.has_more,
    }))
}
