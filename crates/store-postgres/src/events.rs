//! Reading room logs: pages of events, one event by id, one by nonce.
//! (Writing them is [`crate::append`]; importing them [`crate::import`].)

use webchat_core::model::{Event, EventId, Page, UserId};
use webchat_core::store::StoreError;

use crate::{PgStore, backend};
use webchat_store_sql::rows::{event_from, seq_param};

pub(crate) async fn events(
    store: &PgStore,
    room: &str,
    page: Page,
) -> Result<(Vec<Event>, bool), StoreError> {
    let (sql, cursor, limit) = match page {
        Page::Latest { limit } => (
            concat!(
                select_events!(),
                "WHERE e.room_id = $1 ORDER BY e.seq DESC LIMIT $2"
            ),
            None,
            limit,
        ),
        Page::Before { before, limit } => (
            concat!(
                select_events!(),
                "WHERE e.room_id = $1 AND e.seq < $2 ORDER BY e.seq DESC LIMIT $3"
            ),
            Some(before),
            limit,
        ),
        Page::After { after, limit } => (
            concat!(
                select_events!(),
                "WHERE e.room_id = $1 AND e.seq > $2 ORDER BY e.seq ASC LIMIT $3"
            ),
            Some(after),
            limit,
        ),
    };
    let mut q = sqlx::query(sql).bind(room);
    if let Some(cursor) = cursor {
        q = q.bind(seq_param(cursor));
    }
    // One extra row tells whether more exist beyond the page.
    let rows = q
        .bind(i64::from(limit) + 1)
        .fetch_all(&store.pool)
        .await
        .map_err(backend)?;
    let has_more = rows.len() > limit as usize;
    let mut events = rows
        .iter()
        .take(limit as usize)
        .map(event_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    if !matches!(page, Page::After { .. }) {
        events.reverse();
    }
    Ok((events, has_more))
}

/// The event `author` sent with `nonce`: on the pool for the trait's
/// lookup, inside the append transaction for idempotent sends.
pub(crate) async fn event_by_nonce<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    author: UserId,
    nonce: &str,
) -> Result<Option<Event>, StoreError> {
    let row = sqlx::query(concat!(
        select_events!(),
        "WHERE e.author_id = $1 AND e.nonce = $2"
    ))
    .bind(author)
    .bind(nonce)
    .fetch_optional(executor)
    .await
    .map_err(backend)?;
    row.as_ref().map(event_from).transpose().map_err(backend)
}

/// [`event_by_nonce`] for the `Store` trait, outside any transaction.
pub(crate) async fn by_nonce(
    store: &PgStore,
    author: UserId,
    nonce: &str,
) -> Result<Option<Event>, StoreError> {
    event_by_nonce(&store.pool, author, nonce).await
}

pub(crate) async fn event(
    store: &PgStore,
    room: &str,
    id: EventId,
) -> Result<Option<Event>, StoreError> {
    let row = sqlx::query(concat!(
        select_events!(),
        "WHERE e.room_id = $1 AND e.id = $2"
    ))
    .bind(room)
    .bind(id)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(event_from).transpose().map_err(backend)
}
