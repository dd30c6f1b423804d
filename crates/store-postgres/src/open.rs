//! Connecting: the pool, its timeout, the embedded migrations; the
//! readiness check and closing.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use webchat_core::store::{Durability, StoreError};

use crate::{PgStore, backend};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl PgStore {
    /// Connects to the database `url` names and migrates it; every commit
    /// is flushed to PostgreSQL's disk before it returns.
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        Self::open_with(url, Durability::Full).await
    }

    /// [`PgStore::open`] with the durability the operator chose: `Normal`
    /// turns `synchronous_commit` off for this store's sessions, so a commit
    /// returns before PostgreSQL flushes its WAL (it survives a crash of
    /// webchat, not one of the database's machine).
    pub async fn open_with(url: &str, durability: Durability) -> Result<PgStore, StoreError> {
        let mut options = PgConnectOptions::from_str(url).map_err(backend)?;
        if durability == Durability::Normal {
            options = options.options([("synchronous_commit", "off")]);
        }
        // A database that does not answer fails requests within seconds
        // (sqlx waits 30 s by default), so clients hear `unavailable` soon.
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(backend)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(PgStore { pool })
    }
}

/// A real query, not just an open connection.
pub(crate) async fn ping(store: &PgStore) -> Result<(), StoreError> {
    sqlx::query("SELECT head FROM rooms WHERE id = 'lobby'")
        .fetch_one(&store.pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn close(store: &PgStore) {
    store.pool.close().await;
}
