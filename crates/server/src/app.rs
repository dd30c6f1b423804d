//! Building and running the server: the seam that makes port-0 tests
//! possible (`Application::build` binds first, `port()` tells where).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use webchat_core::committer::Committer;
use webchat_core::hub::Hub;
use webchat_core::store::Store;

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
    /// Opens the store `config` names (`database_url`, or the data folder's
    /// SQLite), migrating it, then as [`Application::build_with`].
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let store = webchat_store::open_store(
            config.database_url.as_ref(),
            &config.data_dir,
            config.durability,
        )
        .await
        .context("opening the store")?;
        Self::build_with(config, store).await
    }

    /// Starts the committer on `store` and binds the listener.
    pub async fn build_with(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Application> {
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
                fanout::after_commit(&publish_to, event);
            }),
            config.commit_queue,
            config.max_commit_batch,
        );
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        if !config.addr.ip().is_loopback() && config.public_url.is_none() {
            // Said once, at start: the operator chose a public address but did
            // not say which name browsers use, so DNS rebinding is not stopped.
            tracing::warn!(
                addr = %config.addr,
                "the Host header is not checked on a non-loopback address; \
                 set --public-url to answer only to the server's public name"
            );
        }
        let mut config = config;
        let limit = crate::descriptors::current_limit();
        let budget = crate::descriptors::Budget::split(
            limit.unwrap_or(crate::descriptors::FALLBACK_LIMIT),
            config.max_http_connections,
        );
        config.max_http_connections = budget.http_connections;
        let max_sockets = *config.max_sockets.get_or_insert(budget.sockets);
        tracing::info!(
            descriptors = limit,
            max_sockets,
            max_http_connections = config.max_http_connections,
            max_sockets_per_user = config.max_sockets_per_user,
            max_sockets_per_address = config.max_sockets_per_address,
            "connection caps"
        );
        if limit.is_some_and(|limit| max_sockets as u64 > limit) {
            tracing::warn!(
                max_sockets,
                descriptors = limit,
                "--max-sockets is above the file-descriptor limit: the process may run out"
            );
        }
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

    /// The server's shared state, for tests that look inside (its
    /// [`AppState::footprint`], say).
    pub fn state(&self) -> AppState {
        self.state.clone()
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
        let sweeper = tokio::spawn(sweep_ephemeral_state(state.clone()));
        let session_sweeper = tokio::spawn(crate::sessions::sweep_expired(state.clone()));
        let mut server = tokio::spawn(serve_http(listener, router, state.clone(), shutdown));
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
        // It returned at the shutdown signal already; this only makes sure.
        session_sweeper.abort();
        tracing::info!("stopped");
        Ok(())
    }
}

/// Accepts connections until `shutdown`, then stops accepting, cancels
/// `state.shutdown` (sockets say `bye`) and waits for the HTTP connections to
/// finish their requests (the caller bounds that wait). This is `axum::serve`
/// with what it lacks: a header-read timeout (hyper has one, but only with a
/// timer, which axum does not give it, so a client that never finishes its
/// headers would hold its socket forever) and a cap on open HTTP connections
/// (`Config::max_http_connections`; an upgraded WebSocket leaves the count,
/// its cost being bounded by its queues). HTTP/1.1 only, as before. The peer
/// address goes into each request as `ConnectInfo`, for per-address limits.
async fn serve_http(
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(state.config.header_read_timeout);
    let connections = tokio_util::task::TaskTracker::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(
        state.config.max_http_connections.max(1),
    ));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.context("connection permits")?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Chat frames are small and latency-bound: with Nagle's algorithm a
        // frame written while an earlier one awaits its ACK waits for it too
        // (up to the peer's delayed-ACK timer, ~40 ms). Failing to set it
        // only costs latency, so it is logged, not fatal.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "setting TCP_NODELAY failed");
        }
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request.map(axum::body::Body::new)
            },
        );
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let stopping = state.shutdown.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stopping.cancelled() => {
                    // Finish the request in flight, then close (no keep-alive).
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    tracing::info!("shutting down");
    state.shutdown.cancel();
    drop(listener);
    connections.close();
    connections.wait().await;
    Ok(())
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
                    state.typing_limiter.retain_recent();
                    state.typing_limiter.shrink_to_fit();
                    state.replay_limiter.retain_recent();
                    state.replay_limiter.shrink_to_fit();
                    state.room_limiter.retain_recent();
                    state.room_limiter.shrink_to_fit();
                    state.room_address_limiter.retain_recent();
                    state.room_address_limiter.shrink_to_fit();
                    state.contact_limiter.retain_recent();
                    state.contact_limiter.shrink_to_fit();
                }
            }
        }
    }
}
