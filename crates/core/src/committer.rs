//! The committer: the one writer of every room log.
//!
//! Appends from all connections go into one bounded queue. The committer
//! takes whatever has queued up (up to `max_batch`), appends it in a single
//! store transaction (group commit: one fsync for many messages), and then,
//! in order, publishes each new event and answers its sender. Because one
//! task does both, events are published in seq order per room, and an `ack`
//! can only be built after the commit that made its event durable.
//!
//! The queue is bounded, so when the store falls behind, senders wait in
//! `append` instead of the server growing a backlog without limit.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::model::{Event, NewEvent};
use crate::store::{AppendError, Appended, EventLog};

/// Called for each newly committed event, in commit order.
pub type OnCommit = Box<dyn Fn(&Event) + Send + Sync>;

enum Job {
    Append(NewEvent, oneshot::Sender<Result<Appended, AppendError>>),
    /// Answered once every job queued before it is committed.
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the committer task. It ends when every `Committer` handle is dropped.
    pub fn spawn(
        store: Arc<dyn EventLog>,
        on_commit: OnCommit,
        queue_capacity: usize,
        max_batch: usize,
    ) -> (Committer, JoinHandle<()>) {
        let (jobs, rx) = mpsc::channel(queue_capacity);
        let task = tokio::spawn(run(store, on_commit, rx, max_batch.max(1)));
        (Committer { jobs }, task)
    }

    /// Appends one event and waits until it is durable (or known to be a duplicate).
    pub async fn append(&self, event: NewEvent) -> Result<Appended, AppendError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Append(event, reply))
            .await
            .map_err(|_| AppendError::Unavailable)?;
        answer.await.unwrap_or(Err(AppendError::Unavailable))
    }

    /// Waits until everything appended before this call is committed and published.
    pub async fn flush(&self) {
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Job::Flush(reply)).await.is_ok() {
            let _ = answer.await;
        }
    }
}

async fn run(
    store: Arc<dyn EventLog>,
    on_commit: OnCommit,
    mut rx: mpsc::Receiver<Job>,
    max_batch: usize,
) {
    let mut jobs = Vec::with_capacity(max_batch);
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        commit(store.as_ref(), &on_commit, &mut jobs).await;
    }
}

async fn commit(store: &dyn EventLog, on_commit: &OnCommit, jobs: &mut Vec<Job>) {
    let mut events = Vec::new();
    let mut replies = Vec::new();
    let mut flushes = Vec::new();
    for job in jobs.drain(..) {
        match job {
            Job::Append(event, reply) => {
                events.push(event);
                replies.push(reply);
            }
            Job::Flush(reply) => flushes.push(reply),
        }
    }
    if !events.is_empty() {
        match store.append_batch(&events).await {
            Ok(results) => {
                for (result, reply) in results.into_iter().zip(replies) {
                    if let Ok(appended) = &result
                        && !appended.duplicate
                    {
                        on_commit(&appended.event);
                    }
                    // The sender may have gone away; the event is committed regardless.
                    let _ = reply.send(result);
                }
            }
            Err(error) => {
                tracing::error!(%error, batch = events.len(), "append batch failed");
                for reply in replies {
                    let _ = reply.send(Err(AppendError::Unavailable));
                }
            }
        }
    }
    for reply in flushes {
        let _ = reply.send(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Author;
    use crate::store::StoreError;
    use async_trait::async_trait;
    use std::collections::HashMap;
    use std::sync::Mutex;
    use webchat_protocol::views::EventKind;

    /// An in-memory store that records batch sizes: enough to test the committer.
    #[derive(Default)]
    struct MemoryStore {
        heads: Mutex<HashMap<String, u64>>,
        batches: Mutex<Vec<usize>>,
        next_id: Mutex<i64>,
    }

    #[async_trait]
    impl EventLog for MemoryStore {
        async fn append_batch(
            &self,
            events: &[NewEvent],
        ) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
            // Yield so that concurrent appends pile up behind this batch.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            self.batches.lock().expect("lock").push(events.len());
            let mut heads = self.heads.lock().expect("lock");
            let mut next_id = self.next_id.lock().expect("lock");
            Ok(events
                .iter()
                .map(|e| {
                    if e.room == "missing" {
                        return Err(AppendError::RoomNotFound);
                    }
                    let head = heads.entry(e.room.clone()).or_default();
                    *head += 1;
                    *next_id += 1;
                    Ok(Appended {
                        duplicate: false,
                        event: Event {
                            room: e.room.clone(),
                            seq: *head,
                            id: *next_id,
                            ts_ms: 0,
                            kind: e.kind,
                            author: e.author.clone(),
                            body: e.body.clone(),
                            target: None,
                            nonce: e.nonce.clone(),
                            actor: None,
                            edited: false,
                            deleted: false,
                        },
                    })
                })
                .collect())
        }
    }

    fn message(room: &str, body: &str) -> NewEvent {
        NewEvent {
            room: room.into(),
            kind: EventKind::Message,
            author: Author {
                id: 1,
                name: "a".into(),
                guest: false,
                seed: false,
            },
            body: Some(body.into()),
            target: None,
            nonce: None,
            actor: None,
        }
    }

    #[tokio::test]
    async fn concurrent_appends_are_grouped_and_published_in_seq_order() {
        let store = Arc::new(MemoryStore::default());
        let published = Arc::new(Mutex::new(Vec::new()));
        let sink = published.clone();
        let (committer, _task) = Committer::spawn(
            store.clone(),
            Box::new(move |e| sink.lock().expect("lock").push(e.seq)),
            1024,
            64,
        );
        let mut tasks = Vec::new();
        for i in 0..50 {
            let c = committer.clone();
            tasks.push(tokio::spawn(async move {
                c.append(message("r", &i.to_string())).await
            }));
        }
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.expect("joins").expect("appends").event.seq);
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
        assert_eq!(
            *published.lock().expect("lock"),
            (1..=50).collect::<Vec<_>>()
        );
        let batches = store.batches.lock().expect("lock").clone();
        assert!(batches.len() < 50, "expected grouping, got {batches:?}");
    }

    #[tokio::test]
    async fn per_item_errors_do_not_fail_the_batch_and_flush_waits() {
        let store = Arc::new(MemoryStore::default());
        let (committer, _task) = Committer::spawn(store, Box::new(|_| {}), 16, 16);
        let (a, b) = tokio::join!(
            committer.append(message("missing", "x")),
            committer.append(message("r", "y"))
        );
        assert_eq!(a, Err(AppendError::RoomNotFound));
        assert_eq!(b.expect("ok").event.seq, 1);
        committer.flush().await;
    }
}
