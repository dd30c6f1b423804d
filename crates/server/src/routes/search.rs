//! `GET /search?q=&room=&limit=&offset=`: full-text search over the messages
//! the user may read, best match first.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use webchat_protocol::views::EventView;

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiQuery};
use crate::state::AppState;

const MAX_QUERY_CHARS: usize = 256;
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;
const MAX_OFFSET: u32 = 10_000;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: String,
    room: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub results: Vec<EventView>,
    pub has_more: bool,
}

pub async fn search(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<ApiJson<SearchResponse>, ApiError> {
    let q = query.q.trim();
    if q.is_empty() || q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::BadRequest(format!(
            "q must be 1-{MAX_QUERY_CHARS} characters"
        )));
    }
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
