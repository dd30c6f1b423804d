//! The committer: the one writer of every room log.
//!
//! Appends from all connections go into one bounded queue. The committer
//! takes whatever has queued up (up to `max_batch`), appends it in a single
//! store transaction (group commit: one fsync for many messages), and hands
//! the committed batch to the *publisher*, which, in order, publishes each
//! new event and answers its sender. Two tasks, so that the next batch's
//! transaction (and its fsync) runs while this one is fanned out; batches
//! reach the publisher in commit order, so events are still published in
//! seq order per room, and an `ack` can only be built after the commit that
//! made its event durable.
//!
//! Both queues are bounded, so when the store or the fan-out falls behind,
//! senders wait in `append` instead of the server growing a backlog without
//! limit.

use std::future::Future;
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
        let (committed, to_publish) = mpsc::channel(PUBLISH_QUEUE);
        let publisher = tokio::spawn(publish(on_commit, to_publish));
        let committer = tokio::spawn(run(store, rx, committed, max_batch.max(1)));
        // The handle ends when both have (the publisher ends once the
        // committer has, after answering everything it was given), and
        // aborting it aborts both.
        let task = tokio::spawn(async move {
            let mut both = AbortBoth([committer, publisher]);
            for task in &mut both.0 {
                let _ = task.await;
            }
        });
        (Committer { jobs }, task)
    }

    /// Appends one event and waits until it is durable (or known to be a duplicate).
    pub async fn append(&self, event: NewEvent) -> Result<Appended, AppendError> {
        self.submit(event).await.await
    }

    /// Queues one event (waiting only while the queue is full) and gives
    /// back its answer to await later. Events submitted one after another
    /// are committed, published and answered in that order, so a connection
    /// can have several appends in flight and still see its acks, and its
    /// messages' seqs, in the order it sent them.
    pub async fn submit(
        &self,
        event: NewEvent,
    ) -> impl Future<Output = Result<Appended, AppendError>> + Send + Sync + 'static {
        let (reply, answer) = oneshot::channel();
        let queued = self.jobs.send(Job::Append(event, reply)).await.is_ok();
        async move {
            if !queued {
                return Err(AppendError::Unavailable);
            }
            answer.await.unwrap_or(Err(AppendError::Unavailable))
        }
    }

    /// Waits until everything appended before this call is committed and published.
    pub async fn flush(&self) {
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Job::Flush(reply)).await.is_ok() {
            let _ = answer.await;
        }
    }
}

/// Aborts the committer and the publisher when the task joining them is
/// aborted (dropped); after they ended, aborting does nothing.
struct AbortBoth([JoinHandle<()>; 2]);

impl Drop for AbortBoth {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Committed batches waiting for the publisher: enough to overlap a
/// transaction with the previous batch's fan-out, few enough that a stalled
/// fan-out soon makes senders wait.
const PUBLISH_QUEUE: usize = 4;

type Reply = oneshot::Sender<Result<Appended, AppendError>>;

/// One committed batch, for the publisher: each result with its sender's
/// reply, then the flushes that were queued behind them.
struct Committed {
    results: Vec<(Result<Appended, AppendError>, Reply)>,
    flushes: Vec<oneshot::Sender<()>>,
}

async fn run(
    store: Arc<dyn EventLog>,
    mut rx: mpsc::Receiver<Job>,
    publisher: mpsc::Sender<Committed>,
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
        let committed = commit(store.as_ref(), &mut jobs).await;
        if publisher.send(committed).await.is_err() {
            return;
        }
    }
}

async fn commit(store: &dyn EventLog, jobs: &mut Vec<Job>) -> Committed {
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
    let results = if events.is_empty() {
        Vec::new()
    } else {
        match store.append_batch(&events).await {
            Ok(results) => results.into_iter().zip(replies).collect(),
            Err(error) => {
                tracing::error!(%error, batch = events.len(), "append batch failed");
                replies
                    .into_iter()
                    .map(|reply| (Err(AppendError::Unavailable), reply))
                    .collect()
            }
        }
    };
    Committed { results, flushes }
}

/// Publishes each committed batch, in commit order: every new event to
/// `on_commit`, then its sender's answer.
async fn publish(on_commit: OnCommit, mut batches: mpsc::Receiver<Committed>) {
    while let Some(Committed { results, flushes }) = batches.recv().await {
        for (result, reply) in results {
            if let Ok(appended) = &result
                && !appended.duplicate
            {
                on_commit(&appended.event);
            }
            // The sender may have gone away; the event is committed regardless.
            let _ = reply.send(result);
        }
        for reply in flushes {
            let _ = reply.send(());
        }
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
