//! Building and running the server: the seam that makes port-0 tests
//! possible (`Application::build` binds first, `port()` tells where).

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use webchat_core::committer::Committer;
use webchat_core::hub::Hub;
use webchat_core::store::Store;
use webchat_store_sqlite::SqliteStore;

use crate::config::Config;
use crate::fanout::{self, Outbound, Published};
use crate::routes;
use crate::state::AppState;

pub struct Application {
    listener: TcpListener,
    state: AppState,
    committer_task: JoinHandle<()>,
}

impl Application {
    /// Opens the store (migrating it), starts the committer and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data folder {}", config.data_dir.display()))?;
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open(&config.data_dir)
                .await
                .with_context(|| format!("opening the store in {}", config.data_dir.display()))?,
        );
        // Made now, not at the first login of an unknown user, which would
        // otherwise take twice as long as any other and tell it apart.
        tokio::task::spawn_blocking(crate::passwords::dummy_hash)
            .await
            .context("preparing password checks")?;
        // Installed before anything is counted: counts made without a recorder are lost.
        crate::metrics::handle();
        let hub = Arc::new(Hub::new(
            Box::new(fanout::FrameAnnouncer),
            config.presence_grace,
        ));
        let publish_to = hub.clone();
        let (committer, committer_task) = Committer::spawn(
            store.clone(),
            Box::new(move |event| {
                metrics::counter!(crate::metrics::EVENTS_COMMITTED).increment(1);
                publish_to.publish(
                    &event.room,
                    event.seq,
                    Outbound::Event(Published::new(event.clone())),
                );
            }),
            config.commit_queue,
            config.max_commit_batch,
        );
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let state = AppState::new(config, store, hub, committer);
        Ok(Application {
            listener,
            state,
            committer_task,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.addr)
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// The store the server runs on, for tests that need to break it (an
    /// outage: every later query fails) and see the server answer 503/1013.
    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// Serves until `shutdown` resolves, then: stops accepting, tells every
    /// socket `bye` and closes it with 1001, waits for in-flight commits and
    /// closes the store.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Application {
            listener,
            state,
            committer_task,
        } = self;
        let router = routes::router(state.clone());
        let token = state.shutdown.clone();
        let sweeper = tokio::spawn(sweep_ephemeral_state(state.clone()));
        // The peer address keys the per-address sign-in limit.
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let mut server = tokio::spawn(
            axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    shutdown.await;
                    tracing::info!("shutting down");
                    token.cancel();
                })
                .into_future(),
        );
        let finished = tokio::select! {
            joined = &mut server => Some(joined),
            () = state.shutdown.cancelled() => None,
        };
        // One deadline from the signal on for everything, so the process is
        // gone within the grace period: HTTP requests still in flight (a
        // slow upload, a sign-in waiting for a password worker) get no more.
        let deadline = tokio::time::Instant::now() + state.config.shutdown_grace;
        let finished = match finished {
            Some(joined) => Some(joined),
            None => tokio::time::timeout_at(deadline, &mut server).await.ok(),
        };
        match finished {
            Some(joined) => joined.context("the server task")?.context("serving")?,
            None => {
                tracing::warn!("some HTTP requests did not finish in time");
                // Their connections run on tasks of their own: end the
                // requests themselves, then stop accepting.
                state.hard_stop.cancel();
                server.abort();
            }
        }
        state.shutdown.cancel();
        state.connections.close();
        if tokio::time::timeout_at(deadline, state.connections.wait())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close in time");
        }
        // Appends queued before now are committed (and acked if their sockets are still there).
        let flush_deadline =
            deadline.max(tokio::time::Instant::now() + std::time::Duration::from_millis(500));
        if tokio::time::timeout_at(flush_deadline, state.committer.flush())
            .await
            .is_err()
        {
            tracing::warn!("in-flight commits did not finish in time");
        }
        state.store.close().await;
        committer_task.abort();
        sweeper.abort();
        tracing::info!("stopped");
        Ok(())
    }
}

/// Expires typing indicators and presence grace periods, about once a second.
async fn sweep_ephemeral_state(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
    let mut ticks: u64 = 0;
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            _ = tick.tick() => {
                state.hub.sweep(std::time::Instant::now());
                ticks += 1;
                // Forget rate-limit state of users idle long enough to be full again.
                if ticks.is_multiple_of(240) {
                    state.send_limiter.retain_recent();
                    state.send_limiter.shrink_to_fit();
                    state.sign_in_limiter.retain_recent();
                    state.sign_in_limiter.shrink_to_fit();
                }
            }
        }
    }
}
