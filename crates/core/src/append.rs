//! The append algorithm, once for every backend: what
//! [`EventLog::append_batch`](crate::store::EventLog::append_batch) does with
//! each event of a batch, in which order, over the few primitives a backend
//! offers inside its open transaction ([`AppendTx`]).
//!
//! For each event: a repeated (author, nonce) answers the first event and
//! writes nothing; an edit or delete without a live target is refused; the
//! room's head (and message count) moves by one — this is where the backend
//! assigns `seq`, under whatever lock makes it dense —; the row is inserted;
//! then its [`effects`](crate::effects) are applied. A refused event leaves
//! no trace, and the rest of the batch goes on.

use async_trait::async_trait;

use crate::clock;
use crate::effects::{self, Change, Placed, Target};
use crate::model::{Event, EventId, NewEvent, UserId};
use crate::store::{AppendError, Appended, StoreError};

/// What a room's counters became when the backend advanced its head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advanced {
    /// The new head: the seq of the event being appended.
    pub seq: u64,
    /// The room's message count after it.
    pub message_count: u64,
    /// Who created the room (`None` for the lobby).
    pub room_creator: Option<UserId>,
}

/// The storage primitives of one append transaction. Every call runs inside
/// the same transaction, which the backend commits after
/// [`append_batch`] returns `Ok` (and rolls back otherwise).
#[async_trait]
pub trait AppendTx: Send {
    /// The event `author` already sent with `nonce`, if any.
    async fn event_by_nonce(
        &mut self,
        author: UserId,
        nonce: &str,
    ) -> Result<Option<Event>, StoreError>;
    /// Message `id` of `room` if it is live (a message, not deleted).
    async fn live_message(&mut self, room: &str, id: EventId)
    -> Result<Option<Target>, StoreError>;
    /// Moves `room`'s head up by one, and its message count by one when
    /// `message`; `None` when there is no such room (nothing changed).
    async fn advance_head(
        &mut self,
        room: &str,
        message: bool,
    ) -> Result<Option<Advanced>, StoreError>;
    /// Inserts the event's own row at `seq`, with `message_no` (its number
    /// among the room's messages, for messages); its new id.
    async fn insert_event(
        &mut self,
        new: &NewEvent,
        seq: u64,
        ts_ms: i64,
        message_no: Option<u64>,
    ) -> Result<EventId, StoreError>;
    /// Makes one change decided by [`effects::effects_of`], in `room`.
    async fn apply(&mut self, room: &str, change: &Change) -> Result<(), StoreError>;
}

/// Appends `events` through `tx`, in order; one result per event. `Err`
/// means the transaction must be rolled back: nothing of the batch stays.
pub async fn append_batch(
    tx: &mut dyn AppendTx,
    events: &[NewEvent],
) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
    let mut results = Vec::with_capacity(events.len());
    for new in events {
        results.push(append_one(tx, new).await?);
    }
    Ok(results)
}

async fn append_one(
    tx: &mut dyn AppendTx,
    new: &NewEvent,
) -> Result<Result<Appended, AppendError>, StoreError> {
    if let Some(nonce) = &new.nonce
        && let Some(event) = tx.event_by_nonce(new.author.id, nonce).await?
    {
        return Ok(Ok(Appended {
            event,
            duplicate: true,
        }));
    }
    let target = match (effects::needs_live_target(new.kind), new.target) {
        (false, _) => None,
        (true, Some(id)) => match tx.live_message(&new.room, id).await? {
            Some(target) => Some(target),
            None => return Ok(Err(AppendError::TargetNotFound)),
        },
        (true, None) => return Ok(Err(AppendError::TargetNotFound)),
    };
    let is_message = effects::counts_as_message(new.kind);
    let Some(advanced) = tx.advance_head(&new.room, is_message).await? else {
        return Ok(Err(AppendError::RoomNotFound));
    };
    let ts_ms = clock::now_ms();
    let message_no = is_message.then_some(advanced.message_count);
    let id = tx
        .insert_event(new, advanced.seq, ts_ms, message_no)
        .await?;
    let placed = Placed {
        id,
        seq: advanced.seq,
        ts_ms,
        message_count: advanced.message_count,
        room_creator: advanced.room_creator,
    };
    for change in effects::effects_of(new, &placed, target) {
        tx.apply(&new.room, &change).await?;
    }
    Ok(Ok(Appended {
        duplicate: false,
        event: Event {
            room: new.room.clone(),
            seq: advanced.seq,
            id,
            ts_ms,
            kind: new.kind,
            author: new.author.clone(),
            body: new.body.clone(),
            target: new.target,
            nonce: new.nonce.clone(),
            actor: new.actor.clone(),
            edited: false,
            deleted: false,
        },
    }))
}

#[cfg(test)]
mod tests {
    //! The algorithm over an in-memory transaction that records each call,
    //! so the order of the steps and what a refusal leaves out are checked
    //! without a database (the contract suite checks the real backends).

    use std::collections::HashMap;

    use webchat_protocol::views::EventKind;

    use super::*;
    use crate::model::Author;

    #[derive(Default)]
    struct Recorder {
        heads: HashMap<String, (u64, u64)>,
        rows: Vec<(NewEvent, u64, Option<u64>)>,
        live: Vec<Target>,
        changes: Vec<Change>,
    }

    #[async_trait]
    impl AppendTx for Recorder {
        async fn event_by_nonce(
            &mut self,
            author: UserId,
            nonce: &str,
        ) -> Result<Option<Event>, StoreError> {
            Ok(self
                .rows
                .iter()
                .enumerate()
                .find(|(_, (new, ..))| {
                    new.author.id == author && new.nonce.as_deref() == Some(nonce)
                })
                .map(|(index, (new, seq, _))| Event {
                    room: new.room.clone(),
                    seq: *seq,
                    id: index as EventId + 1,
                    ts_ms: 0,
                    kind: new.kind,
                    author: new.author.clone(),
                    body: new.body.clone(),
                    target: new.target,
                    nonce: new.nonce.clone(),
                    actor: None,
                    edited: false,
                    deleted: false,
                }))
        }

        async fn live_message(
            &mut self,
            _room: &str,
            id: EventId,
        ) -> Result<Option<Target>, StoreError> {
            Ok(self.live.iter().copied().find(|t| t.id == id))
        }

        async fn advance_head(
            &mut self,
            room: &str,
            message: bool,
        ) -> Result<Option<Advanced>, StoreError> {
            let Some((head, messages)) = self.heads.get_mut(room) else {
                return Ok(None);
            };
            *head += 1;
            *messages += u64::from(message);
            Ok(Some(Advanced {
                seq: *head,
                message_count: *messages,
                room_creator: Some(1),
            }))
        }

        async fn insert_event(
            &mut self,
            new: &NewEvent,
            seq: u64,
            _ts_ms: i64,
            message_no: Option<u64>,
        ) -> Result<EventId, StoreError> {
            self.rows.push((new.clone(), seq, message_no));
            Ok(self.rows.len() as EventId)
        }

        async fn apply(&mut self, _room: &str, change: &Change) -> Result<(), StoreError> {
            self.changes.push(change.clone());
            Ok(())
        }
    }

    fn event(
        room: &str,
        kind: EventKind,
        target: Option<EventId>,
        nonce: Option<&str>,
    ) -> NewEvent {
        NewEvent {
            room: room.into(),
            kind,
            author: Author::test_guest(2),
            body: Some("text".into()),
            target,
            nonce: nonce.map(str::to_owned),
            actor: None,
        }
    }

    fn recorder() -> Recorder {
        Recorder {
            heads: HashMap::from([("r".to_owned(), (0, 0))]),
            ..Recorder::default()
        }
    }

    #[tokio::test]
    async fn seqs_and_message_numbers_follow_the_head_and_a_refusal_takes_none() {
        let mut tx = recorder();
        let results = append_batch(
            &mut tx,
            &[
                event("r", EventKind::Message, None, None),
                event("r", EventKind::Join, None, None),
                event("nowhere", EventKind::Message, None, None),
                event("r", EventKind::Edit, Some(99), None),
                event("r", EventKind::Message, None, None),
            ],
        )
        .await
        .expect("appends");
        let seqs: Vec<_> = results
            .iter()
            .map(|r| r.as_ref().map(|a| a.event.seq).map_err(Clone::clone))
            .collect();
        assert_eq!(
            seqs,
            vec![
                Ok(1),
                Ok(2),
                Err(AppendError::RoomNotFound),
                Err(AppendError::TargetNotFound),
                Ok(3)
            ]
        );
        let numbers: Vec<_> = tx.rows.iter().map(|(_, seq, no)| (*seq, *no)).collect();
        assert_eq!(numbers, vec![(1, Some(1)), (2, None), (3, Some(2))]);
    }

    #[tokio::test]
    async fn a_repeated_nonce_answers_the_first_event_and_writes_nothing() {
        let mut tx = recorder();
        let results = append_batch(
            &mut tx,
            &[
                event("r", EventKind::Message, None, Some("n")),
                event("r", EventKind::Message, None, Some("n")),
            ],
        )
        .await
        .expect("appends");
        let second = results[1].as_ref().expect("deduplicated");
        assert!(second.duplicate);
        assert_eq!(second.event.seq, 1);
        assert_eq!(tx.rows.len(), 1);
        assert_eq!(tx.heads["r"], (1, 1), "the head did not move");
        assert_eq!(tx.changes.len(), 2, "the first message's effects only");
    }

    #[tokio::test]
    async fn an_edit_without_a_target_is_refused_and_with_one_changes_it() {
        let mut tx = recorder();
        let untargeted = append_batch(&mut tx, &[event("r", EventKind::Edit, None, None)])
            .await
            .expect("appends");
        assert_eq!(untargeted[0], Err(AppendError::TargetNotFound));
        tx.live.push(Target {
            id: 7,
            seq: 1,
            author: 2,
        });
        let edited = append_batch(&mut tx, &[event("r", EventKind::Edit, Some(7), None)])
            .await
            .expect("appends");
        assert!(edited[0].is_ok());
        assert_eq!(
            tx.changes.first(),
            Some(&Change::SetText {
                message: 7,
                text: "text".into()
            })
        );
    }
}
