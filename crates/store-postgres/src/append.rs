//! The one write path into room logs: [`webchat_core::append`]'s algorithm
//! over PostgreSQL's primitives, in one transaction.
//!
//! The rules are the core's; this file only says how each primitive is done
//! in SQL, and what makes it safe with several nodes writing: the room row's
//! lock (held from advancing its head to commit) makes seqs dense, and an
//! advisory lock on (author, nonce) makes a nonce's check and insert one
//! step across nodes. Every batch takes all its locks first, nonces then
//! rooms, each in sorted order ([`lock_in_order`]): two nodes' batches that
//! touch the same rooms in other orders wait for each other instead of
//! deadlocking (which PostgreSQL would end by failing one batch whole).

use async_trait::async_trait;
use webchat_core::append::{self, Advanced, AppendTx};
use webchat_core::effects::{Change, Target};
use webchat_core::model::{Event, EventId, NewEvent, UserId};
use webchat_core::store::{AppendError, Appended, StoreError};

use crate::{PgStore, Tx, backend, events, search};
use webchat_store_sql::rows::{seq_param, seq_value};

pub(crate) async fn append_batch(
    store: &PgStore,
    events: &[NewEvent],
) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
    let mut appending = Appending(store.pool.begin().await.map_err(backend)?);
    lock_in_order(&mut appending.0, events).await?;
    let results = append::append_batch(&mut appending, events).await?;
    appending.0.commit().await.map_err(backend)?;
    Ok(results)
}

/// Takes the locks `events` will need, in one global order: the (author,
/// nonce) advisory locks sorted, then the rooms' rows sorted by id; all are
/// held until commit (advancing a head later locks a row already held).
async fn lock_in_order(tx: &mut Tx<'_>, events: &[NewEvent]) -> Result<(), StoreError> {
    let mut nonces: Vec<(UserId, &str)> = events
        .iter()
        .filter_map(|e| Some((e.author.id, e.nonce.as_deref()?)))
        .collect();
    nonces.sort_unstable();
    nonces.dedup();
    for (author, nonce) in nonces {
        lock_nonce(tx, author, nonce).await?;
    }
    let mut rooms: Vec<&str> = events.iter().map(|e| e.room.as_str()).collect();
    rooms.sort_unstable();
    rooms.dedup();
    sqlx::query("SELECT id FROM rooms WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind(&rooms)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

/// Held to commit: a second node with the same nonce waits here, then reads
/// the first one's committed event.
async fn lock_nonce(tx: &mut Tx<'_>, author: UserId, nonce: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::BIGINT::TEXT || ':' || $2, 0))")
        .bind(author)
        .bind(nonce)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
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
        // The (author, nonce) lock is held: `lock_in_order` took it.
        events::event_by_nonce(&mut *self.0, author, nonce).await
    }

    async fn live_message(
        &mut self,
        room: &str,
        id: EventId,
    ) -> Result<Option<Target>, StoreError> {
        let found: Option<(EventId, i64, UserId)> = sqlx::query_as(
            "SELECT id, seq, author_id FROM events \
             WHERE id = $1 AND room_id = $2 AND kind = 'message' AND NOT deleted",
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
            "UPDATE rooms SET head = head + 1, message_count = message_count + $1 WHERE id = $2 \
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
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
            sqlx::query("UPDATE events SET body = $1, edited = TRUE WHERE id = $2")
                .bind(text)
                .bind(message)
        }
        Change::Tombstone { message } => {
            sqlx::query("UPDATE events SET body = NULL, deleted = TRUE WHERE id = $1").bind(message)
        }
        Change::EraseEdits { message } => {
            sqlx::query("UPDATE events SET body = NULL WHERE target = $1 AND kind = 'edit'")
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
            "INSERT INTO members (room_id, user_id, joined_at, role, last_read, read_count) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(room)
        .bind(user)
        .bind(joined_at_ms)
        .bind(role.as_str())
        .bind(seq_param(*last_read))
        .bind(seq_param(*read_count)),
        Change::RemoveMember { user } => {
            sqlx::query("DELETE FROM members WHERE room_id = $1 AND user_id = $2")
                .bind(room)
                .bind(user)
        }
        Change::SetTopic { topic } => sqlx::query("UPDATE rooms SET topic = $1 WHERE id = $2")
            .bind(topic)
            .bind(room),
        Change::CountOwnMessage { user } => sqlx::query(
            "UPDATE members SET own_unread = own_unread + 1 WHERE room_id = $1 AND user_id = $2",
        )
        .bind(room)
        .bind(user),
        Change::CountDeletedUnread { seq, author } => sqlx::query(
            "UPDATE members SET deleted_unread = deleted_unread + 1 \
             WHERE room_id = $1 AND last_read < $2 AND user_id != $3",
        )
        .bind(room)
        .bind(seq_param(*seq))
        .bind(author),
    };
    statement.execute(&mut **tx).await.map_err(backend)?;
    Ok(())
}
