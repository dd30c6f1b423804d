//! The one write path into room logs: [`webchat_core::append`]'s algorithm
//! over SQLite's primitives, in one transaction on the writer connection.
//!
//! The rules (nonce idempotency, live targets, what each event changes) are
//! the core's; this file only says how each primitive is done in SQL. `seq`
//! is assigned by `UPDATE rooms SET head = head + 1 … RETURNING head` in the
//! same transaction as the insert: dense and never reused, as SQLite has one
//! writer.

use async_trait::async_trait;
use webchat_core::append::{self, Advanced, AppendTx};
use webchat_core::effects::{Change, Target};
use webchat_core::model::{Event, EventId, NewEvent, UserId};
use webchat_core::store::{AppendError, Appended, StoreError};

use crate::{SqliteStore, Tx, backend, events, search};
use webchat_store_sql::rows::{seq_param, seq_value};

pub(crate) async fn append_batch(
    store: &SqliteStore,
    events: &[NewEvent],
) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
    let mut appending = Appending(store.writer.begin().await.map_err(backend)?);
    let results = append::append_batch(&mut appending, events).await?;
    appending.0.commit().await.map_err(backend)?;
    Ok(results)
}

/// The append transaction, as the core's algorithm drives it.
struct Appending<'c>(Tx<'c>);

#[async_trait]
impl AppendTx for Appending<'_> {
    async fn event_by_nonce(
        &mut self,
        author: UserId,
        nonce: &str,
    ) -> Result<Option<Event>, StoreError> {
        events::event_by_nonce(&mut *self.0, author, nonce).await
    }

    async fn live_message(
        &mut self,
        room: &str,
        id: EventId,
    ) -> Result<Option<Target>, StoreError> {
        let found: Option<(EventId, i64, UserId)> = sqlx::query_as(
            "SELECT id, seq, author_id FROM events \
             WHERE id = ? AND room_id = ? AND kind = 'message' AND deleted = 0",
        )
        .bind(id)
        .bind(room)
        .fetch_optional(&mut *self.0)
        .await
        .map_err(backend)?;
        Ok(found.map(|(id, seq, author)| Target {
            id,
            seq: seq_value(seq),
            author,
        }))
    }

    async fn advance_head(
        &mut self,
        room: &str,
        message: bool,
    ) -> Result<Option<Advanced>, StoreError> {
        let counters: Option<(i64, i64, Option<UserId>)> = sqlx::query_as(
            "UPDATE rooms SET head = head + 1, message_count = message_count + ? WHERE id = ? \
             RETURNING head, message_count, created_by",
        )
        .bind(i64::from(message))
        .bind(room)
        .fetch_optional(&mut *self.0)
        .await
        .map_err(backend)?;
        Ok(counters.map(|(seq, message_count, room_creator)| Advanced {
            seq: seq_value(seq),
            message_count: seq_value(message_count),
            room_creator,
        }))
    }

    async fn insert_event(
        &mut self,
        new: &NewEvent,
        seq: u64,
        ts_ms: i64,
        message_no: Option<u64>,
    ) -> Result<EventId, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO events (room_id, seq, kind, author_id, body, target, nonce, ts, message_no, actor_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.room)
        .bind(seq_param(seq))
        .bind(new.kind.as_str())
        .bind(new.author.id)
        .bind(&new.body)
        .bind(new.target)
        .bind(&new.nonce)
        .bind(ts_ms)
        .bind(message_no.map(seq_param))
        .bind(new.actor.as_ref().map(|a| a.id))
        .fetch_one(&mut *self.0)
        .await
        .map_err(backend)
    }

    async fn apply(&mut self, room: &str, change: &Change) -> Result<(), StoreError> {
        apply(&mut self.0, room, change).await
    }
}

/// One change the core decided, in SQL.
async fn apply(tx: &mut Tx<'_>, room: &str, change: &Change) -> Result<(), StoreError> {
    let statement = match change {
        Change::SetText { message, text } => {
            sqlx::query("UPDATE events SET body = ?, edited = 1 WHERE id = ?")
                .bind(text)
                .bind(message)
        }
        Change::Tombstone { message } => {
            sqlx::query("UPDATE events SET body = NULL, deleted = 1 WHERE id = ?").bind(message)
        }
        Change::EraseEdits { message } => {
            sqlx::query("UPDATE events SET body = NULL WHERE target = ? AND kind = 'edit'")
                .bind(message)
        }
        Change::Index { message, text } => return search::index(tx, *message, text).await,
        Change::Unindex { message } => return search::unindex(tx, *message).await,
        Change::AddMember {
            user,
            role,
            joined_at_ms,
            last_read,
            read_count,
        } => sqlx::query(
            "INSERT OR IGNORE INTO members (room_id, user_id, joined_at, role, last_read, read_count) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(room)
        .bind(user)
        .bind(joined_at_ms)
        .bind(role.as_str())
        .bind(seq_param(*last_read))
        .bind(seq_param(*read_count)),
        Change::RemoveMember { user } => {
            sqlx::query("DELETE FROM members WHERE room_id = ? AND user_id = ?")
                .bind(room)
                .bind(user)
        }
        Change::SetTopic { topic } => sqlx::query("UPDATE rooms SET topic = ? WHERE id = ?")
            .bind(topic)
            .bind(room),
        Change::CountOwnMessage { user } => sqlx::query(
            "UPDATE members SET own_unread = own_unread + 1 WHERE room_id = ? AND user_id = ?",
        )
        .bind(room)
        .bind(user),
        Change::CountDeletedUnread { seq, author } => sqlx::query(
            "UPDATE members SET deleted_unread = deleted_unread + 1 \
             WHERE room_id = ? AND last_read < ? AND user_id != ?",
        )
        .bind(room)
        .bind(seq_param(*seq))
        .bind(author),
    };
    statement.execute(&mut **tx).await.map_err(backend)?;
    Ok(())
}
