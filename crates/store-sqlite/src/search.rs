//! Full-text search over live messages: the FTS5 table `message_search`
//! (rowid = the message's event id), kept by the append and import
//! transactions through [`index`] and [`unindex`], and the query.
//!
//! What a person types is never FTS5 syntax: each word is quoted
//! ([`fts_query`]), so operators in the input are just text.

use webchat_core::model::{EventId, UserId};
use webchat_core::store::{SearchPage, StoreError};

use crate::{SqliteStore, Tx, backend};
use webchat_store_sql::rows::event_from;

/// Gives the index `text` for `message`, which it does not hold yet.
pub(crate) async fn index(tx: &mut Tx<'_>, message: EventId, text: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO message_search (rowid, body) VALUES (?, ?)")
        .bind(message)
        .bind(text)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

/// Makes the index forget `message`.
pub(crate) async fn unindex(tx: &mut Tx<'_>, message: EventId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM message_search WHERE rowid = ?")
        .bind(message)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

/// Turns what a person typed into an FTS5 query that matches every word:
/// each word is quoted, so FTS5 operators and syntax in the input are just text.
fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split_whitespace()
        .take(16)
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

pub(crate) async fn search(
    store: &SqliteStore,
    user: UserId,
    query: &str,
    room: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<SearchPage, StoreError> {
    let Some(fts) = fts_query(query) else {
        return Ok(SearchPage {
            events: Vec::new(),
            has_more: false,
        });
    };
    let rows = sqlx::query(concat!(
        select_events!(),
        "JOIN message_search s ON s.rowid = e.id JOIN rooms r ON r.id = e.room_id \
         WHERE message_search MATCH ?1 AND e.deleted = 0 \
           AND (?2 IS NULL OR e.room_id = ?2) \
           AND (r.visibility = 'public' OR EXISTS \
                (SELECT 1 FROM members m WHERE m.room_id = e.room_id AND m.user_id = ?3)) \
         ORDER BY s.rank, e.id DESC LIMIT ?4 OFFSET ?5"
    ))
    .bind(fts)
    .bind(room)
    .bind(user)
    .bind(i64::from(limit) + 1)
    .bind(i64::from(offset))
    .fetch_all(&store.readers)
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
    use super::fts_query;

    #[test]
    fn search_input_is_quoted_word_by_word() {
        assert_eq!(
            fts_query("hello world").as_deref(),
            Some("\"hello\" \"world\"")
        );
        assert_eq!(
            fts_query("a\"b OR c*").as_deref(),
            Some("\"a\"\"b\" \"OR\" \"c*\"")
        );
        assert_eq!(fts_query("   "), None);
    }
}
