//! The bounded pool that runs argon2id: at most `workers` hashes at once
//! (19 MiB each), and a bounded wait for a worker.
//!
//! The permit travels with the work onto the blocking thread and is dropped
//! only when the hash ends. A permit held by the waiting future would be
//! released when that future is dropped (a client that gave up), while the
//! hash it started goes on running on the blocking pool: abandoned sign-ins
//! would then run any number of hashes at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

/// Why work did not run.
#[derive(Debug, PartialEq, Eq)]
pub enum PoolError {
    /// No worker became free within the wait.
    Busy,
    /// The work panicked or the pool is closed.
    Failed(String),
}

pub struct PasswordPool {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl PasswordPool {
    pub fn new(workers: usize, wait: Duration) -> Self {
        PasswordPool {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            wait,
        }
    }

    /// Runs `work` on the blocking pool once a worker is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| PoolError::Busy)?
            .map_err(|e| PoolError::Failed(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| PoolError::Failed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn work_whose_caller_gave_up_still_holds_its_worker_until_it_ends() {
        let pool = Arc::new(PasswordPool::new(1, Duration::from_secs(10)));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let job = |running: Arc<AtomicUsize>, peak: Arc<AtomicUsize>| {
            move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(200));
                running.fetch_sub(1, Ordering::SeqCst);
            }
        };
        // Five callers give up 20 ms in, while their hash is still running.
        for _ in 0..5 {
            let abandoned = pool.run(job(running.clone(), peak.clone()));
            let _ = tokio::time::timeout(Duration::from_millis(20), abandoned).await;
        }
        pool.run(job(running.clone(), peak.clone()))
            .await
            .expect("runs");
        assert_eq!(peak.load(Ordering::SeqCst), 1, "hashes ran side by side");
    }

    #[tokio::test]
    async fn a_caller_that_waits_too_long_for_a_worker_is_told_busy() {
        let pool = Arc::new(PasswordPool::new(1, Duration::from_millis(50)));
        let busy = pool.clone();
        let holder = tokio::spawn(async move {
            busy.run(|| std::thread::sleep(Duration::from_millis(500)))
                .await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(pool.run(|| ()).await, Err(PoolError::Busy));
        holder.await.expect("joins").expect("runs");
    }
}
