//! Writing an imported room: the rows [`webchat_core::import::plan`]
//! decided (which text survives, who is a member with which role and
//! counters, which bans), in one transaction. Nothing here decides.

use webchat_core::clock;
use webchat_core::import;
use webchat_core::model::{EventId, NewRoom, Room};
use webchat_core::store::{RoomRules, StoreError};

use crate::{PgStore, backend, rooms, search};
use webchat_store_sql::rows::seq_param;

pub(crate) async fn import_room(
    store: &PgStore,
    room: &NewRoom,
    events: &[webchat_core::model::Event],
    rules: &RoomRules,
) -> Result<Room, StoreError> {
    let plan = import::plan(room, events, rules).map_err(|e| StoreError::Backend(e.to_string()))?;
    let mut tx = store.pool.begin().await.map_err(backend)?;
    let now = clock::now_ms();
    sqlx::query(
        "INSERT INTO rooms (id, name, topic, visibility, head, message_count, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&room.id)
    .bind(&room.name)
    .bind(&room.topic)
    .bind(room.visibility.as_str())
    .bind(seq_param(plan.head))
    .bind(seq_param(plan.message_count))
    .bind(room.created_by)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    // The new id of each written event, by its position in the plan, which
    // is how the plan names edit and delete targets.
    let mut ids: Vec<EventId> = Vec::with_capacity(plan.events.len());
    for event in &plan.events {
        let source = event.source;
        let id: EventId = sqlx::query_scalar(
            "INSERT INTO events (room_id, seq, kind, author_id, body, target, nonce, ts, message_no, actor_id, \
             edited, deleted) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&room.id)
        .bind(seq_param(source.seq))
        .bind(source.kind.as_str())
        .bind(source.author.id)
        .bind(event.body)
        .bind(event.target.and_then(|position| ids.get(position).copied()))
        .bind(source.ts_ms)
        .bind(event.message_no.map(seq_param))
        .bind(source.actor.as_ref().map(|a| a.id))
        .bind(source.edited)
        .bind(source.deleted)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        ids.push(id);
        if event.indexed
            && let Some(text) = event.body
        {
            search::index(&mut tx, id, text).await?;
        }
    }
    for member in &plan.members {
        sqlx::query(
            "INSERT INTO members (room_id, user_id, joined_at, role, last_read, read_count, own_unread, \
             deleted_unread) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&room.id)
        .bind(member.user)
        .bind(member.joined_at_ms)
        .bind(member.role.as_str())
        .bind(seq_param(member.last_read))
        .bind(member.counters.read_count)
        .bind(member.counters.own_unread)
        .bind(member.counters.deleted_unread)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    for ban in &plan.bans {
        sqlx::query("INSERT INTO bans (room_id, user_id, banned_by, at) VALUES ($1, $2, $3, $4)")
            .bind(&room.id)
            .bind(ban.user)
            .bind(ban.by)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)?;
    rooms::room(store, &room.id)
        .await?
        .ok_or(StoreError::NotFound)
}
