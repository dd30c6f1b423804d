//! Full-text search over live messages with PostgreSQL's text search: each
//! live message's current text is in `events.search` (a `tsvector`, GIN
//! indexed), set and cleared by the append and import transactions through
//! [`index`] and [`unindex`], as the core's effects say.
//!
//! What a person types is never tsquery syntax: [`ts_query`] keeps only the
//! letters and digits of each word and joins them itself, every word must
//! match, and the last one matches as a prefix (a search typed as you go).
//! The `simple` configuration folds case but keeps diacritics and does no
//! stemming, which is closest to SQLite's `unicode61` tokenizer (that one
//! also removes diacritics; PostgreSQL needs the `unaccent` extension for it).

use webchat_core::model::{EventId, UserId};
use webchat_core::store::{SearchPage, StoreError};

use crate::{PgStore, Tx, backend};
use webchat_store_sql::rows::event_from;

/// Gives the index `text` for `message`.
pub(crate) async fn index(tx: &mut Tx<'_>, message: EventId, text: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE events SET search = to_tsvector('simple', $1) WHERE id = $2")
        .bind(text)
        .bind(message)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

/// Makes the index forget `message`.
pub(crate) async fn unindex(tx: &mut Tx<'_>, message: EventId) -> Result<(), StoreError> {
    sqlx::query("UPDATE events SET search = NULL WHERE id = $1")
        .bind(message)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

/// Turns what a person typed into a tsquery matching every word, the last
/// as a prefix; `None` when nothing searchable is left. Only letters and
/// digits reach the query, so its syntax cannot come from the input.
fn ts_query(input: &str) -> Option<String> {
    let pieces: Vec<&str> = input
        .split_whitespace()
        .take(16)
        .flat_map(|word| word.split(|c: char| !c.is_alphanumeric()))
        .filter(|piece| !piece.is_empty())
        .collect();
    let (last, rest) = pieces.split_last()?;
    let mut query: Vec<String> = rest.iter().map(|piece| (*piece).to_owned()).collect();
    query.push(format!("{last}:*"));
    Some(query.join(" & "))
}

pub(crate) async fn search(
    store: &PgStore,
    user: UserId,
    query: &str,
    room: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<SearchPage, StoreError> {
    let Some(ts) = ts_query(query) else {
        return Ok(SearchPage {
            events: Vec::new(),
            has_more: false,
        });
    };
    let rows = sqlx::query(concat!(
        select_events!(),
        "JOIN rooms r ON r.id = e.room_id CROSS JOIN to_tsquery('simple', $1) AS q \
         WHERE e.search @@ q AND NOT e.deleted \
           AND ($2::TEXT IS NULL OR e.room_id = $2) \
           AND (r.visibility = 'public' OR EXISTS \
                (SELECT 1 FROM members m WHERE m.room_id = e.room_id AND m.user_id = $3)) \
         ORDER BY ts_rank(e.search, q) DESC, e.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(ts)
    .bind(room)
    .bind(user)
    .bind(i64::from(limit) + 1)
    .bind(i64::from(offset))
    .fetch_all(&store.pool)
    .await
    .map_err(backend)?;
    let has_more = rows.len() > limit as usize;
    let events = rows
        .iter()
        .take(limit as usize)
        .map(event_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    Ok(SearchPage { events, has_more })
}

#[cfg(test)]
mod tests {
    use super::ts_query;

    #[test]
    fn only_letters_and_digits_reach_the_query_and_the_last_word_is_a_prefix() {
        assert_eq!(ts_query("hello wor").as_deref(), Some("hello & wor:*"));
        assert_eq!(
            ts_query("a'b | !c:* <-> é").as_deref(),
            Some("a & b & c & é:*")
        );
        assert_eq!(ts_query("  &|!  "), None);
    }
}
